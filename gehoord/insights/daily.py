"""The daily figures the reports read (STYLE 12), kept from the timeline past a watermark.

What a complaint adds to the figures is a function of its current state: its own row, its
timeline (escalations, closing, referral), its deadlines and its accepted proposals. The
summariser reads the events after the watermark, recomputes what each complaint they belong to
adds, takes away what it added last time (kept in `ComplaintContribution`) and adds the new, then
moves the watermark. So:

- **late events land on the right day**: a complaint received last month and closed today moves
  its "open" count off last month's receipt day and adds its closing to today;
- **summarising twice changes nothing**: the second time the new contribution equals the old;
- **several workers are safe**: a summariser locks the watermark row for its batch; another one
  skips (the sweep) or waits (`gehoord summarise`), then finds the events already taken in.

Only events older than `SETTLE` are read: an event id is drawn when the row is written but seen
when its transaction commits, so a newer id can be visible before an older one; waiting until the
slowest transaction has surely committed keeps the watermark from passing an event not yet seen.

Durations (to acknowledge, to the first reply, to resolve) are counted in fixed hour buckets
(`BUCKETS`) per day, so a median or 90th percentile over any period adds up bucket counts and
interpolates linearly inside the bucket the rank falls in (`percentile`): exact to within that
bucket's width, which grows with the duration (minutes under an hour, hours under two days, days
under a month…).
"""

import bisect
import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from gehoord.complaints.events import EventKind
from gehoord.complaints.models import OPEN_STATUSES, Complaint, Event, Resolution, Status
from gehoord.insights.models import ComplaintContribution, DailyFigure, Watermark
from gehoord.policies.models import Deadline

WATERMARK = "daily_figures"
SETTLE = datetime.timedelta(minutes=2)
EVENTS_PER_BATCH = 5000
COMPLAINTS_PER_BATCH = 1000
# The catch-up of a first summary reads again this many events before the highest id it saw, for
# the transactions that were still open when it started.
CATCH_UP_OVERLAP = 1000
CATCH_UP_FIGURES_IN_MEMORY = 200_000

# Upper bounds in hours of the duration buckets; the last one is open. The first is six minutes, so
# that an acknowledgement sent on receipt reads as such and not as half an hour.
BUCKETS = (0.1, 0.5, 1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 240, 336, 504, 720, 1080, 1440, 2160, 4320)

# The metrics (the figures' `metric`), and the dimensions they are counted by. A total is the sum
# over a dimension every complaint has (received: channel; open: stage; ended: outcome; a duration:
# bucket), so no row holds it: fewer rows per complaint, for a platform of many small companies.
RECEIVED = "received"  # by receipt day: category, channel, product; flag: escalated/referred/reopened
OPEN = "open"  # complaints still open, by receipt day: handler, stage
ENDED = "ended"  # by the day it ended: outcome (or the status it ended in), handler
ACKNOWLEDGE_HOURS = "acknowledge_hours"  # by the acknowledgement's day: bucket
REPLY_HOURS = "reply_hours"  # by the first answer's day
RESOLVE_HOURS = "resolve_hours"  # by the resolution's (or closing's) day
DEADLINE = "deadline"  # by due day; dimension "kind:stage", key met/missed
REFUNDED = "refunded"  # accepted proposals, by the acceptance's day: count and amount
COMPENSATED = "compensated"
SATISFACTION = "satisfaction"  # by the feedback's day: dimension score, key 1–5; dimension resolved, key yes/no

ENDING_EVENTS = (EventKind.CLOSED, EventKind.WITHDRAWN, EventKind.REJECTED_AS_SPAM)
# Events that never come with a change the figures count: the watermark passes them without
# recomputing their complaint (a staff member's every look at a complaint writes one).
CHANGING_NOTHING = frozenset({
    EventKind.PERSONAL_DATA_VIEWED, EventKind.NOTE_ADDED, EventKind.DEADLINE_REMINDER_SENT, EventKind.MAIL_FAILED,
    EventKind.MAIL_SUPPRESSED, EventKind.BOUNCE_RECEIVED, EventKind.AUTO_REPLY_RECEIVED,
    EventKind.MAIL_ATTACHMENTS_REFUSED, EventKind.DOSSIER_EXPORTED, EventKind.DATA_EXPORTED, EventKind.AUTO_SCREENED,
    EventKind.SCREENED, EventKind.TEXT_EDITED, EventKind.REPORTED, EventKind.REPORT_DECIDED,
})


@dataclass
class SummaryResult:
    complaints: int = 0
    events: int = 0
    skipped: bool = False  # another summariser held the watermark


def bucket(hours: float) -> int:
    """The index of the duration bucket `hours` falls in (0: up to an hour)."""
    return bisect.bisect_left(BUCKETS, hours)


def percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """The `fraction` percentile (0.5: the median) of the durations counted in `histogram`
    ({bucket index: count}), interpolated linearly within its bucket; None without any."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = fraction * total
    seen = 0
    for index in sorted(histogram):
        count = histogram[index]
        if count and seen + count >= rank:
            lower = BUCKETS[index - 1] if index else 0
            if index >= len(BUCKETS):  # the open bucket: no upper bound to interpolate to
                return float(lower)
            return lower + (rank - seen) / count * (BUCKETS[index] - lower)
        seen += count
    return None


def _hours(start: datetime.datetime, end: datetime.datetime) -> float:
    return max((end - start).total_seconds() / 3600, 0.0)


def contribution(
    complaint: dict, events: list[tuple[str, datetime.datetime]], deadlines: list[dict], resolutions: list[dict]
) -> dict:
    """What one complaint adds to the daily figures: {"organisation", "platform", "rows"}, each row
    [day, metric, dimension, key, count, amount]. A pure function of the complaint's state (a
    `values()` row of `_COMPLAINT_FIELDS`), its events of `ENDING_EVENTS`, ESCALATED and REFERRED
    [(kind, created_at)] in timeline order, its deadlines and its accepted proposals."""
    zone = zoneinfo.ZoneInfo(complaint["organisation__time_zone"])
    rows: dict[tuple, list] = {}

    def add(instant, metric, dimension="", key="", amount=Decimal(0)):
        day = instant.astimezone(zone).date().isoformat()
        row = rows.setdefault((day, metric, dimension, str(key)), [0, Decimal(0)])
        row[0] += 1
        row[1] += amount or Decimal(0)

    def add_duration(metric, start, end):
        if start is not None and end is not None:
            add(end, metric, "bucket", bucket(_hours(start, end)))

    received = complaint["received_at"]
    add(received, RECEIVED, "category", complaint["category__slug"] or "")
    add(received, RECEIVED, "channel", complaint["channel"])
    add(received, RECEIVED, "product", (complaint["product"] or "").strip()[:200])

    kinds = [kind for kind, _ in events]
    escalated = EventKind.ESCALATED in kinds
    closed_before_escalation = any(
        kind == EventKind.ESCALATED and EventKind.CLOSED in kinds[:index] for index, kind in enumerate(kinds)
    )
    for flag, raised in (("escalated", escalated), ("referred", EventKind.REFERRED in kinds),
                         ("reopened", closed_before_escalation)):
        if raised:
            add(received, RECEIVED, "flag", flag)

    status = complaint["status"]
    if status in OPEN_STATUSES:
        add(received, OPEN, "handler", complaint["handler_id"] or "")
        add(received, OPEN, "stage", complaint["stage"])
    else:
        ended_at = next((at for kind, at in reversed(events) if kind in ENDING_EVENTS), None)
        ended_at = ended_at or complaint["closed_at"] or complaint["resolved_at"]
        if ended_at is not None:
            add(ended_at, ENDED, "outcome", complaint["outcome"] or str(status))  # withdrawn, spam
            add(ended_at, ENDED, "handler", complaint["handler_id"] or "")
            if status in (Status.RESOLVED, Status.CLOSED, Status.REFERRED):
                add_duration(RESOLVE_HOURS, received, complaint["resolved_at"] or ended_at)

    add_duration(ACKNOWLEDGE_HOURS, received, complaint["acknowledged_at"])
    add_duration(REPLY_HOURS, received, complaint["first_reply_at"])

    for deadline in deadlines:
        verdict = deadline_verdict(deadline)
        if verdict is not None:
            add(deadline["due_at"], DEADLINE, f"{deadline['kind']}:{deadline['stage']}", verdict)

    for resolution in resolutions:
        if resolution["refund_amount"]:
            add(resolution["responded_at"], REFUNDED, amount=resolution["refund_amount"])
        if resolution["compensation_amount"]:
            add(resolution["responded_at"], COMPENSATED, amount=resolution["compensation_amount"])

    if complaint["feedback_at"] is not None:
        if complaint["feedback_satisfaction"] is not None:
            add(complaint["feedback_at"], SATISFACTION, "score", complaint["feedback_satisfaction"])
        if complaint["feedback_resolved"] is not None:
            add(complaint["feedback_at"], SATISFACTION, "resolved", "yes" if complaint["feedback_resolved"] else "no")

    return {
        "organisation": complaint["organisation_id"],
        "platform": complaint["platform"],
        "rows": sorted([*key, count, str(amount)] for key, (count, amount) in rows.items()),
    }


def deadline_verdict(deadline: dict) -> str | None:
    """"met", "missed", or None while it runs or when it was called off before it fell due."""
    due_at, met_at, cancelled_at = deadline["due_at"], deadline["met_at"], deadline["cancelled_at"]
    if deadline["missed_at"] is not None or (met_at is not None and met_at > due_at):
        return "missed"
    if met_at is not None:
        return "met"
    # Called off after it fell due (the complaint closed or was withdrawn late): it was not met.
    if cancelled_at is not None and cancelled_at > due_at:
        return "missed"
    return None


_COMPLAINT_FIELDS = (
    "id", "organisation_id", "organisation__time_zone", "platform", "category__slug", "channel", "product", "stage",
    "handler_id", "status", "outcome", "received_at", "acknowledged_at", "first_reply_at", "resolved_at",
    "closed_at", "feedback_at", "feedback_satisfaction", "feedback_resolved",
)


def summarise(*, now: datetime.datetime | None = None, wait: bool = False) -> SummaryResult:
    """Take the timeline's settled events past the watermark into the daily figures, batch by
    batch until none are left. With `wait`, wait for a summariser already at work, else skip."""
    now = now or timezone.now()
    result = SummaryResult()
    while True:
        with transaction.atomic():
            Watermark.objects.get_or_create(name=WATERMARK)
            watermark = (
                Watermark.objects.select_for_update(skip_locked=not wait).filter(name=WATERMARK).first()
            )
            if watermark is None:
                result.skipped = True
                return result
            if watermark.last_event_id == 0 and watermark.summarised_at is None:
                _catch_up(watermark, now, result)
                continue
            events = list(
                Event.objects.filter(pk__gt=watermark.last_event_id)
                .order_by("pk")
                .values_list("pk", "complaint_id", "created_at", "kind")[:EVENTS_PER_BATCH]
            )
            settled = []
            for event in events:
                if event[2] >= now - SETTLE:
                    break
                settled.append(event)
            if not settled:
                watermark.summarised_at = now
                watermark.save(update_fields=["summarised_at"])
                return result
            complaint_ids = sorted({event[1] for event in settled if event[3] not in CHANGING_NOTHING})
            for start in range(0, len(complaint_ids), COMPLAINTS_PER_BATCH):
                summarise_complaints(complaint_ids[start : start + COMPLAINTS_PER_BATCH])
            result.events += len(settled)
            result.complaints += len(complaint_ids)
            watermark.last_event_id = settled[-1][0]
            watermark.summarised_at = now
            watermark.save(update_fields=["last_event_id", "summarised_at"])
            if len(settled) < len(events):
                return result


def _catch_up(watermark: Watermark, now: datetime.datetime, result: SummaryResult) -> None:
    """The first summary of a database that has complaints already: every complaint once, in id
    order, rather than every event (a complaint has many)."""
    highest = Event.objects.aggregate(highest=Max("pk"))["highest"] or 0
    # Built from nothing: what any earlier summary left is dropped, and the figures are added up in
    # memory and written when there are many (complaints of the same days share most of them).
    DailyFigure.objects.all().delete()
    ComplaintContribution.objects.all().delete()
    totals: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    last_id = 0
    while ids := list(
        Complaint.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:COMPLAINTS_PER_BATCH]
    ):
        for key, (count, amount) in _recompute(ids, first=True).items():
            totals[key][0] += count
            totals[key][1] += amount
        result.complaints += len(ids)
        last_id = ids[-1]
        if len(totals) >= CATCH_UP_FIGURES_IN_MEMORY:
            _apply(totals, remove_empty=False)  # only additions: nothing comes to nought
            totals.clear()
    _apply(totals, remove_empty=False)
    watermark.last_event_id = max(highest - CATCH_UP_OVERLAP, 0)
    watermark.summarised_at = now
    watermark.save(update_fields=["last_event_id", "summarised_at"])


def summarise_complaints(complaint_ids: list[int]) -> None:
    """Recompute what these complaints add to the daily figures and apply the difference (the
    caller holds the watermark, so no other summariser writes the figures meanwhile)."""
    _apply(_recompute(complaint_ids))


def _recompute(complaint_ids: list[int], *, first: bool = False) -> dict[tuple, list]:
    """Store what these complaints add now; returns how that differs from what they added before
    (`first`: nothing, the catch-up having emptied the table)."""
    complaints = list(Complaint.objects.filter(pk__in=complaint_ids).values(*_COMPLAINT_FIELDS))
    events = defaultdict(list)
    for complaint_id, kind, created_at in (
        Event.objects.filter(complaint_id__in=complaint_ids, kind__in=[*ENDING_EVENTS, EventKind.ESCALATED, EventKind.REFERRED])
        .order_by("created_at", "pk")
        .values_list("complaint_id", "kind", "created_at")
    ):
        events[complaint_id].append((kind, created_at))
    deadlines = defaultdict(list)
    for deadline in Deadline.objects.filter(complaint_id__in=complaint_ids).values(
        "complaint_id", "kind", "stage", "due_at", "met_at", "missed_at", "cancelled_at"
    ):
        deadlines[deadline["complaint_id"]].append(deadline)
    resolutions = defaultdict(list)
    for resolution in Resolution.objects.filter(
        complaint_id__in=complaint_ids, response=Resolution.Response.ACCEPTED, responded_at__isnull=False
    ).values("complaint_id", "refund_amount", "compensation_amount", "responded_at"):
        resolutions[resolution["complaint_id"]].append(resolution)

    previous = {} if first else {
        row.complaint_id: row for row in ComplaintContribution.objects.filter(complaint_id__in=complaint_ids)
    }
    changes: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    changed, created = [], []
    for complaint in complaints:
        new = contribution(complaint, events[complaint["id"]], deadlines[complaint["id"]], resolutions[complaint["id"]])
        old = previous.get(complaint["id"])
        if old is not None and old.rows == new:
            continue
        for sign, rows in ((-1, old.rows if old else None), (1, new)):
            for day, metric, dimension, key, count, amount in (rows or {}).get("rows", ()):
                change = changes[(rows["organisation"], rows["platform"], day, metric, dimension, key)]
                change[0] += sign * count
                change[1] += sign * Decimal(amount)
        if old is None:
            created.append(ComplaintContribution(complaint_id=complaint["id"], rows=new))
        else:
            old.rows = new
            changed.append(old)
    ComplaintContribution.objects.bulk_create(created, batch_size=1000)
    ComplaintContribution.objects.bulk_update(changed, ["rows"], batch_size=500)
    return {key: change for key, change in changes.items() if change != [0, 0]}


# One statement per chunk adds the changes to the figures, making the rows it lacks: no figure is
# read back first. Raw SQL, as the ORM's upsert sets a value and cannot add to it; PostgreSQL and
# SQLite (3.24 or later) both speak it.
_ADD_SQL = """INSERT INTO "{table}" ("organisation_id", "platform", "day", "metric", "dimension", "key", "count", "amount")
    VALUES {values}
    ON CONFLICT ("organisation_id", "day", "platform", "metric", "dimension", "key")
    DO UPDATE SET "count" = "{table}"."count" + excluded."count", "amount" = "{table}"."amount" + excluded."amount"
"""
CHUNK = 500


def _apply(changes: dict[tuple, list], *, remove_empty: bool = True) -> None:
    """Add the changes ({(organisation, platform, day, metric, dimension, key): [count, amount]}) to
    the figures; a figure that comes to nothing is removed, so the table holds only what happened."""
    rows = [(*key, count, amount) for key, (count, amount) in changes.items() if count or amount]
    table = DailyFigure._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(_ADD_SQL.format(table=table, values=values), [value for row in chunk for value in row])
    if remove_empty and rows:
        DailyFigure.objects.filter(
            count=0, amount=0, organisation_id__in={row[0] for row in rows}, day__in={row[2] for row in rows}
        ).delete()
