"""Keeping the prepared score cards (`CompanyScore`) and their monthly points (`CompanyMonth`) up to date.

Pages and the API read these rows; nothing aggregates complaints per request. The sweep calls
`refresh_due` every minute (and `gehoord scores` runs it by hand):

- companies with a platform complaint written since the last computation (a reply, a verdict, a
  new complaint) are computed again;
- every card is computed again once a day as well, because time alone changes it: the period
  slides and a complaint without a reply turns unanswered after 30 days;
- the platform average that small samples are smoothed towards is read from the cards themselves
  (sums over `CompanyScore`), so it costs one query over the companies, not the complaints.

Several sweepers may run at once: each batch locks its companies' card rows with SKIP LOCKED and
works only on those it won. Computing is idempotent: the same complaints and instant give the same
rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone

from gehoord.complaints.models import Complaint, Publication
from gehoord.platform import scorecard
from gehoord.platform.models import CompanyMonth, CompanyScore, PlatformSettings

BATCH = 500
# A write that committed a little after a run began still carries an earlier `updated_at`.
LATE_COMMIT_MARGIN = datetime.timedelta(minutes=5)
DAILY = datetime.timedelta(days=1)
# How many stale cards one sweep recomputes, so one sweep stays short; the next continues.
STALE_PER_RUN = 5_000
CHART_MONTHS = 12
_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def platform_average() -> scorecard.Average:
    totals = CompanyScore.objects.aggregate(
        total_replied=Sum("replied"),
        total_unanswered=Sum("unanswered"),
        total_judged=Sum("closed"),
        total_resolved=Sum("resolved"),
        speed_weighted=Sum(F("speed_score") * F("replied"), filter=Q(speed_score__isnull=False)),
        speed_replied=Sum("replied", filter=Q(speed_score__isnull=False)),
    )
    replied, unanswered = totals["total_replied"] or 0, totals["total_unanswered"] or 0
    judged, resolved = totals["total_judged"] or 0, totals["total_resolved"] or 0
    default = scorecard.Average()
    return scorecard.Average(
        response_rate=replied / (replied + unanswered) if replied + unanswered else default.response_rate,
        resolution_rate=resolved / judged if judged else default.resolution_rate,
        speed_score=totals["speed_weighted"] / totals["speed_replied"] if totals["speed_replied"] else default.speed_score,
    )


def month_start(instant: datetime.datetime) -> datetime.date:
    return instant.date().replace(day=1)


def chart_months(now: datetime.datetime) -> list[datetime.date]:
    """The first days of the last 12 months, the current one last."""
    first = month_start(now)
    months = []
    for back in range(CHART_MONTHS - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(datetime.date(index // 12, index % 12 + 1, 1))
    return months


def _month_end(month: datetime.date, now: datetime.datetime) -> datetime.datetime:
    index = month.year * 12 + month.month
    end = datetime.datetime(index // 12, index % 12 + 1, 1, tzinfo=datetime.UTC)
    return min(end, now)


def refresh(organisation_ids: Iterable[int], *, now: datetime.datetime | None = None,
            rules: scorecard.Rules | None = None, average: scorecard.Average | None = None) -> int:
    """Compute the cards and monthly points of these companies again; returns how many were done."""
    now = now or timezone.now()
    rules = rules or scorecard.Rules.of(PlatformSettings.current())
    average = average or platform_average()
    done = 0
    ids = sorted(set(organisation_ids))
    for offset in range(0, len(ids), BATCH):
        done += _refresh_batch(ids[offset : offset + BATCH], now, rules, average)
    return done


def _refresh_batch(ids: list[int], now, rules, average) -> int:
    months = chart_months(now)
    since = scorecard.months_before(
        datetime.datetime.combine(months[0], datetime.time(), tzinfo=datetime.UTC), rules.period_months
    )
    with transaction.atomic():
        CompanyScore.objects.bulk_create(
            [CompanyScore(organisation_id=pk, period_start=now.date(), period_end=now.date(), computed_at=_EPOCH)
             for pk in ids],
            ignore_conflicts=True,
        )
        # Another sweeper holding some of these rows is computing them: leave those to it.
        cards = {
            card.organisation_id: card
            for card in CompanyScore.objects.select_for_update(skip_locked=True).filter(organisation_id__in=ids)
        }
        if not cards:
            return 0
        facts: dict[int, list[scorecard.ComplaintFacts]] = defaultdict(list)
        rows = Complaint.objects.filter(
            organisation_id__in=list(cards), platform=True, received_at__gte=since, received_at__lt=now
        ).values_list("organisation_id", "received_at", "first_reply_at", "feedback_resolved", "publication")
        for organisation_id, received_at, first_reply_at, feedback_resolved, publication in rows.iterator(2000):
            facts[organisation_id].append(
                scorecard.ComplaintFacts(received_at, first_reply_at, feedback_resolved, publication == Publication.PUBLISHED)
            )
        points = []
        for organisation_id, card_row in cards.items():
            company_facts = facts.get(organisation_id, [])
            _fill(card_row, scorecard.compute(company_facts, rules, average, now), now)
            points += _months(organisation_id, company_facts, months, now, rules, average)
        CompanyScore.objects.bulk_update(list(cards.values()), _CARD_FIELDS)
        CompanyMonth.objects.filter(organisation_id__in=list(cards)).delete()
        CompanyMonth.objects.bulk_create(points)
    return len(cards)


_CARD_FIELDS = [
    "period_start", "period_end", "complaints", "public_complaints", "replied", "unanswered", "closed",
    "resolved", "median_reply_hours", "response_rate", "resolution_rate", "speed_score", "score", "computed_at",
]


def _fill(row: CompanyScore, card: scorecard.Card, now) -> None:
    row.period_start = card.period_start
    row.period_end = card.period_end
    row.complaints = card.complaints
    row.public_complaints = card.public_complaints
    row.replied = card.replied
    row.unanswered = card.unanswered
    row.closed = card.judged  # closed with a verdict, plus the unanswered: the resolution's denominator
    row.resolved = card.resolved
    row.median_reply_hours = card.median_reply_hours
    row.response_rate = card.response_rate
    row.resolution_rate = card.resolution_rate
    row.speed_score = card.speed_score
    row.score = card.score
    row.computed_at = now


def _months(organisation_id, facts, months, now, rules, average) -> list[CompanyMonth]:
    """Each month's own complaints as they stand now (answered, resolved, unanswered) and the score as
    it stood at the month's end (its own 12-month window)."""
    points = []
    for month in months:
        end = _month_end(month, now)
        start = datetime.datetime.combine(month, datetime.time(), tzinfo=datetime.UTC)
        in_month = [fact for fact in facts if start <= fact.received_at < end]
        month_card = scorecard.compute(in_month, rules, average, now)
        points.append(
            CompanyMonth(
                organisation_id=organisation_id,
                month=month,
                complaints=month_card.complaints,
                replied=month_card.replied,
                resolved=month_card.resolved,
                unanswered=month_card.unanswered,
                score=scorecard.compute(facts, rules, average, end).score,
            )
        )
    return points


def due_companies(now: datetime.datetime) -> list[int]:
    """Companies whose card may have changed: a platform complaint written since the last run, or a
    card older than a day."""
    last_run = CompanyScore.objects.aggregate(last=Max("computed_at"))["last"]
    changed = Complaint.objects.filter(platform=True)
    if last_run is not None:
        changed = changed.filter(updated_at__gte=last_run - LATE_COMMIT_MARGIN)
    ids = set(changed.values_list("organisation_id", flat=True).distinct())
    ids.update(
        CompanyScore.objects.filter(computed_at__lt=now - DAILY)
        .order_by("computed_at")
        .values_list("organisation_id", flat=True)[:STALE_PER_RUN]
    )
    return sorted(ids)


def refresh_due(now: datetime.datetime | None = None) -> int:
    """The sweep's job: compute again the cards that may have changed."""
    now = now or timezone.now()
    return refresh(due_companies(now), now=now)
