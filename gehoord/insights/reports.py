"""The report of one organisation over a period, read from the daily figures (insights/daily.py).

A handful of grouped queries over `DailyFigure`, whatever the number of complaints; the charts
are drawn from the result (insights/charts.py). Counted by the day things happened, in the
organisation's time zone: complaints by the day they came in, times by the day the step was
taken, deadlines by the day they fell due, endings and money by their own day. The rates of
escalation, referral and reopening are of the complaints received in the period.
"""

import calendar
import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gehoord.complaints.models import Channel, Outcome, Stage, Status
from gehoord.insights import charts, daily
from gehoord.insights.models import DailyFigure
from gehoord.organisations.models import Category, Organisation
from gehoord.policies.models import DEADLINE_KIND_LABELS

# The longest period a report adds up (a bound on the work one request may ask for).
LONGEST_PERIOD = datetime.timedelta(days=3 * 366)
TOP_PRODUCTS = 10
# Backlog ages in days: (label, from, up to and including); None: no upper bound.
AGES = ((0, 2), (3, 7), (8, 14), (15, 30), (31, 90), (91, None))


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def last_days(cls, today: datetime.date, days: int) -> "Period":
        return cls(today - datetime.timedelta(days=days - 1), today)

    def previous_month(self) -> "Period":
        last = self.start.replace(day=1) - datetime.timedelta(days=1)
        return Period.month(last.year, last.month)


def today_of(organisation: Organisation, now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(organisation.time_zone)).date()


@dataclass(frozen=True)
class Line:
    """One row of a table beside a chart: what, how many, and further numbers as shown."""

    label: str
    count: int
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Duration:
    label: str
    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class DeadlineLine:
    label: str
    met: int
    missed: int

    @property
    def rate(self) -> float | None:
        return self.met / (self.met + self.missed) if self.met + self.missed else None


@dataclass(frozen=True)
class Section:
    """One part of the report as pages, mails and the PDF show it: a chart and the table of its numbers."""

    heading: str
    chart: charts.Chart | None
    first: str  # the heading of the rows' column
    columns: list[str]
    lines: list[Line]

    @property
    def rows(self) -> list[list[str]]:
        """Each line as the cells of a table row: the label, the count, the further numbers, blanks to fill."""
        width = len(self.columns) + 1
        return [
            [line.label, number_format(line.count), *line.cells, *[""] * (width - 2 - len(line.cells))][:width]
            for line in self.lines
        ]


@dataclass
class Report:
    organisation: Organisation
    period: Period
    platform_only: bool
    received: int = 0
    series: list[Line] = field(default_factory=list)
    series_unit: str = "day"
    by_category: list[Line] = field(default_factory=list)
    by_channel: list[Line] = field(default_factory=list)
    by_product: list[Line] = field(default_factory=list)
    deadlines: list[DeadlineLine] = field(default_factory=list)
    durations: list[Duration] = field(default_factory=list)
    backlog: list[Line] = field(default_factory=list)
    open_total: int = 0
    rates: list[Line] = field(default_factory=list)  # count of the received; cells: the share
    endings: list[Line] = field(default_factory=list)
    ended: int = 0
    refunded: tuple[int, Decimal] = (0, Decimal(0))
    compensated: tuple[int, Decimal] = (0, Decimal(0))
    workload: list[Line] = field(default_factory=list)  # count: open now; cells: ended in the period
    satisfaction: list[Line] = field(default_factory=list)
    satisfaction_average: float | None = None
    resolved_by_feedback: tuple[int, int] = (0, 0)  # yes, no

    def charts(self) -> dict[str, charts.Chart]:
        return build_charts(self)


def build(organisation: Organisation, period: Period, *, platform_only: bool = False, today: datetime.date | None = None) -> Report:
    """The report of `organisation` over `period` (only its platform complaints with `platform_only`)."""
    today = today or today_of(organisation)
    report = Report(organisation, period, platform_only)
    figures = DailyFigure.objects.filter(organisation=organisation)
    if platform_only:
        figures = figures.filter(platform=True)
    in_period = figures.filter(day__gte=period.start, day__lte=period.end)

    sums: dict[str, dict[tuple[str, str], tuple[int, Decimal]]] = defaultdict(dict)
    for row in in_period.values("metric", "dimension", "key").annotate(n=Sum("count"), money=Sum("amount")).order_by():
        sums[row["metric"]][(row["dimension"], row["key"])] = (row["n"], row["money"] or Decimal(0))

    def counts(metric: str, dimension: str) -> dict[str, int]:
        return {key: n for (dim, key), (n, _money) in sums[metric].items() if dim == dimension and n}

    def total(metric: str) -> tuple[int, Decimal]:
        return sums[metric].get(("", ""), (0, Decimal(0)))

    report.received = sum(counts(daily.RECEIVED, "channel").values())
    _volume(report, in_period, counts)
    _deadlines(report, sums[daily.DEADLINE])
    report.durations = [
        _duration(_("Time to acknowledge"), counts(daily.ACKNOWLEDGE_HOURS, "bucket")),
        _duration(_("Time to the first answer"), counts(daily.REPLY_HOURS, "bucket")),
        _duration(_("Time to resolve"), counts(daily.RESOLVE_HOURS, "bucket")),
    ]
    flags = counts(daily.RECEIVED, "flag")
    report.rates = [
        _share(_("Escalated"), flags.get("escalated", 0), report.received),
        _share(_("Referred to an external body"), flags.get("referred", 0), report.received),
        _share(_("Reopened after closing"), flags.get("reopened", 0), report.received),
    ]
    report.ended = sum(counts(daily.ENDED, "outcome").values())
    report.endings = _sorted_lines({_ending_label(key): n for key, n in counts(daily.ENDED, "outcome").items()})
    report.refunded = total(daily.REFUNDED)
    report.compensated = total(daily.COMPENSATED)
    _backlog_and_workload(report, figures, counts(daily.ENDED, "handler"), today)
    scores = counts(daily.SATISFACTION, "score")
    report.satisfaction = [Line(str(score), scores.get(str(score), 0)) for score in range(5, 0, -1)]
    answered = sum(scores.values())
    if answered:
        report.satisfaction_average = sum(int(score) * n for score, n in scores.items()) / answered
    verdicts = counts(daily.SATISFACTION, "resolved")
    report.resolved_by_feedback = (verdicts.get("yes", 0), verdicts.get("no", 0))
    return report


def _volume(report: Report, in_period, counts) -> None:
    names = dict(Category.objects.filter(organisation=report.organisation).values_list("slug", "name"))
    report.by_category = _sorted_lines(
        {names.get(slug, slug) if slug else _("No category"): n for slug, n in counts(daily.RECEIVED, "category").items()}
    )
    report.by_channel = _sorted_lines({str(Channel(key).label) if key in Channel.values else key: n
                                       for key, n in counts(daily.RECEIVED, "channel").items()})
    # The most named first; complaints naming no product after those with the same count.
    products = sorted(counts(daily.RECEIVED, "product").items(), key=lambda item: (-item[1], not item[0], item[0]))
    lines = [Line(product or _("No product named"), n) for product, n in products[:TOP_PRODUCTS]]
    if rest := sum(n for _product, n in products[TOP_PRODUCTS:]):
        lines.append(Line(_("Other products (%(count)s)") % {"count": len(products) - TOP_PRODUCTS}, rest))
    report.by_product = lines

    per_day = dict(
        in_period.filter(metric=daily.RECEIVED, dimension="channel").values_list("day").annotate(n=Sum("count")).order_by()
    )
    report.series, report.series_unit = _series(report.period, per_day)


def _series(period: Period, per_day: dict[datetime.date, int]) -> tuple[list[Line], str]:
    """Complaints received per day (up to a month), per week (from Monday, up to half a year) or per month."""
    if period.days <= 31:
        unit, start_of = "day", lambda day: day
    elif period.days <= 190:
        unit, start_of = "week", lambda day: day - datetime.timedelta(days=day.weekday())
    else:
        unit, start_of = "month", lambda day: day.replace(day=1)
    buckets: dict[datetime.date, int] = {}
    day = period.start
    while day <= period.end:
        buckets.setdefault(start_of(day), 0)
        buckets[start_of(day)] += per_day.get(day, 0)
        day += datetime.timedelta(days=1)
    label_format = {"day": "j M", "week": "j M", "month": "M Y"}[unit]
    return [Line(date_format(start, label_format), n) for start, n in buckets.items()], unit


def _deadlines(report: Report, sums: dict) -> None:
    verdicts: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for (dimension, key), (n, _money) in sums.items():
        kind, _sep, stage = dimension.partition(":")
        verdicts[(kind, int(stage or 1))][key] = n
    order = list(DEADLINE_KIND_LABELS)
    lines = []
    for (kind, stage), counted in sorted(verdicts.items(), key=lambda item: (item[0][1], order.index(item[0][0]) if item[0][0] in order else 99)):
        kind_label = str(DEADLINE_KIND_LABELS.get(kind, kind))
        stage_label = str(Stage(stage).label) if stage in Stage.values else str(stage)
        lines.append(DeadlineLine(f"{kind_label.capitalize()} ({stage_label})", counted.get("met", 0), counted.get("missed", 0)))
    report.deadlines = lines


def _duration(label: str, histogram: dict[str, int]) -> Duration:
    buckets = {int(index): n for index, n in histogram.items()}
    return Duration(label, sum(buckets.values()), daily.percentile(buckets, 0.5), daily.percentile(buckets, 0.9))


def _share(label: str, count: int, of: int) -> Line:
    return Line(label, count, (percent(count / of) if of else "–",))


def _ending_label(key: str) -> str:
    if key in Outcome.values:
        return str(Outcome(key).label).capitalize()
    if key in Status.values:
        return str(Status(key).label).capitalize()
    return key


def _sorted_lines(counted: dict[str, int]) -> list[Line]:
    return [Line(label, n) for label, n in sorted(counted.items(), key=lambda item: (-item[1], item[0]))]


def _backlog_and_workload(report: Report, figures, ended_by_handler: dict[str, int], today: datetime.date) -> None:
    """The complaints open now by their age, and per handler those open now and those ended in the period."""
    open_rows = figures.filter(metric=daily.OPEN).values("day", "dimension", "key").annotate(n=Sum("count")).order_by()
    ages = [0] * len(AGES)
    open_by_handler: dict[str, int] = {}
    for row in open_rows:
        if row["dimension"] == "stage":
            age = (today - row["day"]).days
            for index, (low, high) in enumerate(AGES):
                if age >= low and (high is None or age <= high):
                    ages[index] += row["n"]
                    break
            else:  # received "after today" (a clock ahead): the youngest
                ages[0] += row["n"]
        elif row["dimension"] == "handler":
            open_by_handler[row["key"]] = open_by_handler.get(row["key"], 0) + row["n"]
    report.open_total = sum(ages)
    report.backlog = [Line(_age_label(low, high), n) for (low, high), n in zip(AGES, ages)]

    handler_ids = {int(key) for key in (*open_by_handler, *ended_by_handler) if key}
    users = get_user_model().objects.filter(pk__in=handler_ids)
    names = {str(user.pk): user.get_full_name() or user.get_username() for user in users}
    keys = sorted(
        {*open_by_handler, *ended_by_handler},
        key=lambda key: (-open_by_handler.get(key, 0), -ended_by_handler.get(key, 0), names.get(key, "")),
    )
    report.workload = [
        Line(names.get(key, _("Unassigned")) if key else _("Unassigned"), open_by_handler.get(key, 0),
             (number_format(ended_by_handler.get(key, 0)),))
        for key in keys
    ]


def _age_label(low: int, high: int | None) -> str:
    if high is None:
        return _("over %(days)s days") % {"days": low - 1}
    return ngettext("%(low)s–%(high)s day", "%(low)s–%(high)s days", high) % {"low": low, "high": high}


def percent(fraction: float) -> str:
    return f"{number_format(round(100 * fraction, 1), decimal_pos=1)} %"


def hours_text(hours: float | None) -> str:
    """A duration as a person reads it: hours under two days, days beyond."""
    if hours is None:
        return "–"
    if hours < 48:
        value = round(hours, 1)
        return ngettext("%(n)s hour", "%(n)s hours", 1 if value == 1 else 2) % {"n": number_format(value, decimal_pos=1)}
    value = round(hours / 24, 1)
    return ngettext("%(n)s day", "%(n)s days", 1 if value == 1 else 2) % {"n": number_format(value, decimal_pos=1)}


def money_text(amount: Decimal, currency: str) -> str:
    return f"{currency} {number_format(amount, decimal_pos=2, use_l10n=True)}"


def build_charts(report: Report) -> dict[str, charts.Chart]:
    """One chart per section of the report, each with the numbers it shows as direct labels."""
    nothing = _("Nothing in this period.")

    def bars(lines: list[Line]) -> list[charts.Bar]:
        return [charts.Bar(line.label, line.count, number_format(line.count)) for line in lines]

    period_unit = {"day": _("per day"), "week": _("per week (from Monday)"), "month": _("per month")}[report.series_unit]
    return {
        "volume": charts.column_chart(
            "chart-volume", _("Complaints received %(unit)s") % {"unit": period_unit},
            # Noughts unlabelled: the table beside it has every number.
            [charts.Bar(line.label, line.count, number_format(line.count) if line.count else "") for line in report.series],
            nothing=nothing,
        ),
        "category": charts.bar_chart("chart-category", _("Complaints received by category"), bars(report.by_category), nothing=nothing),
        "channel": charts.bar_chart("chart-channel", _("Complaints received by channel"), bars(report.by_channel), nothing=nothing),
        "product": charts.bar_chart("chart-product", _("Complaints received by product"), bars(report.by_product), nothing=nothing),
        "deadlines": charts.stacked_bar_chart(
            "chart-deadlines",
            _("Deadlines met and missed, per kind and stage"),
            [
                charts.StackedBar(
                    line.label, line.met, line.missed,
                    _("%(met)s met, %(missed)s missed (%(rate)s)") % {
                        "met": number_format(line.met), "missed": number_format(line.missed), "rate": percent(line.rate or 0),
                    },
                )
                for line in report.deadlines
            ],
            first=_("met"), second=_("missed"), nothing=nothing,
        ),
        "durations": charts.bar_chart(
            "chart-durations",
            _("Median time to each step (the table also gives the 90th percentile)"),
            [charts.Bar(duration.label, duration.median_hours or 0, hours_text(duration.median_hours)) for duration in report.durations],
            nothing=nothing,
        ),
        "backlog": charts.bar_chart("chart-backlog", _("Open complaints by age"), bars(report.backlog), nothing=_("No open complaints.")),
        "rates": charts.bar_chart(
            "chart-rates",
            _("Escalated, referred and reopened, of the complaints received"),
            [charts.Bar(line.label, line.count, f"{number_format(line.count)} ({line.cells[0]})") for line in report.rates],
            nothing=nothing,
        ),
        "endings": charts.bar_chart("chart-endings", _("How complaints ended"), bars(report.endings), nothing=nothing),
        "workload": charts.bar_chart(
            "chart-workload", _("Open complaints per handler"), bars(report.workload), nothing=_("No open complaints.")
        ),
        "satisfaction": charts.bar_chart(
            "chart-satisfaction", _("Consumer satisfaction (5 is best)"), bars(report.satisfaction), nothing=nothing
        ),
    }


def sections(report: Report) -> list[Section]:
    """Each part of the page: its heading, its chart, and the table of the numbers beside it."""
    drawn = report.charts()
    complaints = _("Complaints")

    def section(name, heading, first, columns, lines):
        return Section(heading, drawn[name] if name else None, first, columns, lines)

    currency = report.organisation.currency
    money = [
        Line(_("Refunded"), report.refunded[0], (money_text(report.refunded[1], currency),)),
        Line(_("Compensated"), report.compensated[0], (money_text(report.compensated[1], currency),)),
    ]
    durations = [
        Line(d.label, d.count, (hours_text(d.median_hours), hours_text(d.p90_hours)))
        for d in report.durations
    ]
    deadlines = [
        Line(line.label, line.met, (str(line.missed), percent(line.rate) if line.rate is not None else "–"))
        for line in report.deadlines
    ]
    average = number_format(report.satisfaction_average, decimal_pos=1) if report.satisfaction_average else "–"
    yes, no = report.resolved_by_feedback
    satisfaction = [
        *report.satisfaction,
        Line(_("Average"), sum(line.count for line in report.satisfaction), (average,)),
        Line(_("Resolved, says the consumer"), yes),
        Line(_("Not resolved, says the consumer"), no),
    ]
    return [
        section("volume", _("Complaints received"), _("Period"), [complaints], report.series),
        section("category", _("By category"), _("Category"), [complaints], report.by_category),
        section("channel", _("By channel"), _("Channel"), [complaints], report.by_channel),
        section("product", _("By product"), _("Product"), [complaints], report.by_product),
        section("deadlines", _("Deadlines"), _("Deadline"), [_("Met"), _("Missed"), _("Met in time")], deadlines),
        section("durations", _("Times"), _("Step"), [complaints, _("Median"), _("90th percentile")], durations),
        section("backlog", _("Backlog"), _("Age"), [_("Open complaints")], report.backlog),
        section("rates", _("Escalation, referral and reopening"), _("What happened"), [complaints, _("Share")], report.rates),
        section("endings", _("Resolution mix"), _("Outcome"), [complaints], report.endings),
        section(None, _("Money refunded or compensated"), _("Kind"), [complaints, _("Amount")], money),
        section("workload", _("Handler workload"), _("Handler"), [_("Open now"), _("Ended in the period")], report.workload),
        section("satisfaction", _("Consumer satisfaction"), _("Score"), [_("Answers"), _("Average")], satisfaction),
    ]
