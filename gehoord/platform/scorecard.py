"""A company's score card, computed from the facts of its platform complaints: a pure function.

The formula (SPEC 8; the page states it in words):

- The card covers the platform complaints the company received in the last `period_months`
  months. **Private complaints count too**: how a company treats a complaint does not depend on
  whether the consumer made it public, and leaving them out would let a company look better by
  answering only the public ones. (The list of complaints on the page shows the public ones only.)
- A complaint is *answered* when the company replied (`first_reply_at`), and *unanswered* when it
  has no reply `unanswered_days` after it was received. A complaint younger than that without a
  reply is still open and counts for neither side yet.
- **Response rate** = answered / (answered + unanswered).
- **Speed**: the median hours from receipt to the first reply over the answered complaints,
  scored 1 up to `speed_full_hours`, 0 from `speed_zero_hours`, linear between; a company with
  unanswered complaints and no reply at all scores 0.
- **Resolution rate** = resolved / judged, where *judged* are the complaints the consumer closed
  with a verdict (`feedback_resolved`) plus the unanswered ones (an unanswered complaint counts
  as unresolved, whatever the consumer said later), and *resolved* the judged ones marked resolved.
- Each component is smoothed towards the platform average as if `smoothing_complaints` complaints
  of the average were added to the company's own: (n·x + k·average) / (n + k), n being the
  component's own number of complaints (the denominators above).
- **Score** = 100 × (weights · smoothed components) / sum of the weights; none below
  `minimum_complaints` complaints in the period.
"""

from __future__ import annotations

import calendar
import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ComplaintFacts:
    """What the score card needs to know of one complaint."""

    received_at: datetime.datetime
    first_reply_at: datetime.datetime | None
    feedback_resolved: bool | None
    public: bool = False


@dataclass(frozen=True)
class Rules:
    """The platform settings the card reads (a plain copy of `PlatformSettings`)."""

    resolution_weight: int = 50
    response_weight: int = 35
    speed_weight: int = 15
    period_months: int = 12
    minimum_complaints: int = 5
    smoothing_complaints: int = 10
    unanswered_days: int = 30
    speed_full_hours: int = 24
    speed_zero_hours: int = 720

    @classmethod
    def of(cls, settings_row) -> Rules:
        return cls(**{name: getattr(settings_row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Average:
    """The platform's average of each component, which small samples are smoothed towards."""

    response_rate: float = 0.5
    resolution_rate: float = 0.5
    speed_score: float = 0.5


@dataclass(frozen=True)
class Card:
    period_start: datetime.date
    period_end: datetime.date
    complaints: int
    public_complaints: int
    replied: int
    unanswered: int
    judged: int
    resolved: int
    median_reply_hours: float | None
    response_rate: float | None  # the raw components, before smoothing
    resolution_rate: float | None
    speed_score: float | None
    score: float | None  # 0–100, smoothed; None below the minimum


def months_before(instant: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months earlier (the last day of a shorter month)."""
    month_index = instant.year * 12 + instant.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return instant.replace(year=year, month=month, day=min(instant.day, calendar.monthrange(year, month)[1]))


def speed_score(median_hours: float, rules: Rules) -> float:
    if median_hours <= rules.speed_full_hours:
        return 1.0
    if median_hours >= rules.speed_zero_hours:
        return 0.0
    return (rules.speed_zero_hours - median_hours) / (rules.speed_zero_hours - rules.speed_full_hours)


def smoothed(value: float | None, count: int, average: float, rules: Rules) -> float:
    k = rules.smoothing_complaints
    if count + k == 0:
        return average
    return ((value or 0.0) * count + average * k) / (count + k)


def compute(facts: Iterable[ComplaintFacts], rules: Rules, average: Average, now: datetime.datetime) -> Card:
    """The card as of `now` over the complaints in `facts` (others than the period's are ignored)."""
    start = months_before(now, rules.period_months)
    unanswered_after = datetime.timedelta(days=rules.unanswered_days)
    complaints = public = replied = unanswered = judged = resolved = 0
    reply_hours: list[float] = []
    for fact in facts:
        if not start <= fact.received_at < now:
            continue
        complaints += 1
        public += fact.public
        answered = fact.first_reply_at is not None and fact.first_reply_at <= now
        if answered:
            replied += 1
            reply_hours.append((fact.first_reply_at - fact.received_at).total_seconds() / 3600)
        elif now - fact.received_at >= unanswered_after:
            unanswered += 1
            judged += 1  # unresolved, whatever verdict it has
            continue
        if fact.feedback_resolved is not None:
            judged += 1
            resolved += fact.feedback_resolved

    median = statistics.median(reply_hours) if reply_hours else None
    response_rate = replied / (replied + unanswered) if replied + unanswered else None
    resolution_rate = resolved / judged if judged else None
    if median is not None:
        speed = speed_score(median, rules)
    else:
        speed = 0.0 if unanswered else None

    score = None
    weights = rules.resolution_weight + rules.response_weight + rules.speed_weight
    if complaints >= rules.minimum_complaints and weights:
        speed_count = replied if median is not None else unanswered
        total = (
            rules.resolution_weight * smoothed(resolution_rate, judged, average.resolution_rate, rules)
            + rules.response_weight * smoothed(response_rate, replied + unanswered, average.response_rate, rules)
            + rules.speed_weight * smoothed(speed, speed_count, average.speed_score, rules)
        )
        score = round(100 * total / weights, 1)
    return Card(
        period_start=start.date(),
        period_end=now.date(),
        complaints=complaints,
        public_complaints=public,
        replied=replied,
        unanswered=unanswered,
        judged=judged,
        resolved=resolved,
        median_reply_hours=median,
        response_rate=response_rate,
        resolution_rate=resolution_rate,
        speed_score=speed,
        score=score,
    )
