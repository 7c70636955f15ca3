"""A complaint's deadlines: created when their anchor happens, met by the matching action.

The complaint actions call these hooks inside their own transaction, with the complaint locked;
the sweep (sweep.py) handles what time does on its own: reminders, missed deadlines, the update
a `respond` deadline demands, and reassignment.

Each hook also sets the complaint's `next_deadline_at` (the caller saves it): from the pending
deadlines it has in hand when it read them all anyway, else by asking the database afterwards.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from gehoord.errors import InvalidInput
from gehoord.policies.calendar import Duration, Unit
from gehoord.policies.models import Deadline
from gehoord.policies.rules import Anchor, DeadlineKind, rules_for_anchor, schedule

# What counts as the answer the consumer is told to expect, in order of preference.
ANSWER_KINDS = (DeadlineKind.respond, DeadlineKind.resolve)
ESCALATION_ANSWER_KINDS = (DeadlineKind.escalation_resolve,)


def _plan(complaint, anchor: Anchor, at: datetime.datetime, stage: int = 1) -> list[Deadline]:
    """The deadlines the policy starts at `anchor`, not yet stored."""
    spec = complaint.policy.spec
    planned = []
    for rule in rules_for_anchor(spec, anchor, stage):
        scheduled = schedule(spec.calendar, rule, at)
        deadline = Deadline(
            complaint=complaint,
            kind=rule.kind,
            stage=rule.stage,
            rule_data=rule.to_dict(),
            anchored_at=at,
            due_at=scheduled.due_at,
            target_at=scheduled.target_at,
            remind_at=scheduled.remind_at,
        )
        deadline.plan_next_check()
        planned.append(deadline)
    return planned


def start(planned: list[Deadline]) -> list[Deadline]:
    """Store planned deadlines (once their complaint has its id)."""
    return Deadline.objects.bulk_create(planned)


def _start(complaint, anchor: Anchor, at: datetime.datetime, stage: int = 1) -> list[Deadline]:
    return start(_plan(complaint, anchor, at, stage))


def _pending(complaint) -> list[Deadline]:
    return list(Deadline.objects.pending().filter(complaint=complaint))


def _meet(pending: list[Deadline], kinds, stage: int, at: datetime.datetime) -> list[Deadline]:
    """Mark the pending deadlines of `kinds` in `stage` met; returns the ones still pending."""
    still_pending = []
    met_by_next_check: dict[datetime.datetime | None, list[int]] = {}
    for deadline in pending:
        if deadline.kind in kinds and deadline.stage == stage:
            deadline.met_at = at
            deadline.paused_at = None
            deadline.plan_next_check()
            met_by_next_check.setdefault(deadline.next_check_at, []).append(deadline.pk)
        else:
            still_pending.append(deadline)
    # One UPDATE for the rows that end with the same next check (a met deadline mostly has none).
    for next_check_at, ids in met_by_next_check.items():
        Deadline.objects.filter(pk__in=ids).update(met_at=at, paused_at=None, next_check_at=next_check_at)
    return still_pending


def _nearest_running(pending) -> datetime.datetime | None:
    """The nearest due instant of the pending deadlines whose clock runs (is not paused)."""
    return min((deadline.due_at for deadline in pending if deadline.paused_at is None), default=None)


def refresh_next_deadline(complaint) -> None:
    """Keep `complaint.next_deadline_at` (saved by the caller) equal to its nearest running deadline."""
    pending = Deadline.objects.pending().filter(complaint=complaint).only("due_at", "paused_at")
    complaint.next_deadline_at = _nearest_running(pending)


def plan_receipt(complaint) -> list[Deadline]:
    """Plan the deadlines that start when the new `complaint` is received, before its first save.

    It has no other deadlines, so its `next_deadline_at` is set from these and goes into that first
    save; `start` stores them once the complaint has its id.
    """
    planned = _plan(complaint, Anchor.received, complaint.received_at)
    complaint.next_deadline_at = _nearest_running(planned)
    return planned


def on_acknowledged(complaint, *, at: datetime.datetime, escalation: bool) -> datetime.datetime | None:
    """Meet the acknowledgement deadline and start what runs from the acknowledgement.

    Returns when the consumer can expect an answer, which the acknowledgement tells them.
    """
    if escalation:
        pending = _meet(_pending(complaint), [DeadlineKind.escalation_acknowledge], stage=complaint.stage, at=at)
        pending += _start(complaint, Anchor.escalation_acknowledged, at, stage=complaint.stage)
    else:
        pending = _meet(_pending(complaint), [DeadlineKind.acknowledge], stage=1, at=at)
        pending += _start(complaint, Anchor.acknowledged, at)
    complaint.next_deadline_at = _nearest_running(pending)
    return _expected_answer(pending, complaint.stage)


def on_assigned(complaint) -> None:
    pending = _meet(_pending(complaint), [DeadlineKind.assign], stage=1, at=timezone.now())
    complaint.next_deadline_at = _nearest_running(pending)


def on_answered(complaint) -> None:
    """A message to the consumer or a proposal: the substantive answer and the update are given."""
    pending = _meet(
        _pending(complaint), [DeadlineKind.respond, DeadlineKind.progress_update], stage=1, at=timezone.now()
    )
    complaint.next_deadline_at = _nearest_running(pending)


def on_resolved(complaint) -> None:
    """The complaint's handling ended: resolved, decided or closed with an outcome, which meets the
    stage's resolution deadline; or withdrawn or rejected as spam, without one, which meets nothing.
    Every clock still running stops."""
    now = timezone.now()
    if complaint.outcome:
        resolve_kinds = [DeadlineKind.resolve, DeadlineKind.escalation_resolve]
        _meet(_pending(complaint), resolve_kinds, stage=complaint.stage, at=now)
    _cancel_pending(complaint, now)
    complaint.next_deadline_at = None


def on_escalation_requested(complaint, *, at: datetime.datetime) -> None:
    # The earlier stage's clocks stop: its answer was given, and the new stage has its own.
    _cancel_pending(complaint, at)
    complaint.next_deadline_at = _nearest_running(
        _start(complaint, Anchor.escalation_requested, at, stage=complaint.stage)
    )


def _cancel_pending(complaint, at: datetime.datetime) -> None:
    Deadline.objects.pending().filter(complaint=complaint).update(cancelled_at=at, next_check_at=None)


def on_waiting_for_consumer(complaint) -> None:
    if not complaint.policy.spec.pause_while_awaiting_consumer:
        return
    now = timezone.now()
    # A missed deadline has no clock left to stop; moving its due instant would rewrite history.
    Deadline.objects.pending().filter(complaint=complaint, paused_at__isnull=True, missed_at__isnull=True).update(
        paused_at=now, next_check_at=None
    )
    refresh_next_deadline(complaint)


def on_consumer_answered(complaint) -> None:
    """Resume paused clocks, moving each due instant on by the time the consumer took."""
    calendar = complaint.policy.spec.calendar
    now = timezone.now()
    for deadline in Deadline.objects.pending().filter(complaint=complaint, paused_at__isnull=False):
        shift = paused_duration(calendar, deadline.rule.duration.unit, deadline.paused_at, now)
        deadline.due_at = calendar.add(deadline.due_at, shift)
        before = deadline.rule.reminder_before
        if before and deadline.reminded_at is None:
            deadline.remind_at = calendar.remind_at(deadline.due_at, before)
        deadline.paused_at = None
        deadline.plan_next_check()
        deadline.save(update_fields=["due_at", "remind_at", "paused_at", "next_check_at"])
    refresh_next_deadline(complaint)


def paused_duration(calendar, unit: Unit, paused_at: datetime.datetime, resumed_at: datetime.datetime) -> Duration:
    """How far a pause moves a deadline, in the deadline's own unit.

    Day units move by the days (of that unit) that began during the pause; hour units by the
    whole hours it lasted, rounded up.
    """
    if unit in (Unit.hours, Unit.business_hours):
        hours = -(-int((resumed_at - paused_at).total_seconds()) // 3600)
        return Duration(max(hours, 0), Unit.hours if unit == Unit.hours else Unit.business_hours)
    first = timezone.localtime(paused_at, calendar.zone).date()
    last = timezone.localtime(resumed_at, calendar.zone).date()
    days = [first + datetime.timedelta(days=n) for n in range(1, (last - first).days + 1)]
    if unit == Unit.working_days:
        days = [day for day in days if calendar.is_working_day(day)]
    return Duration(len(days), unit)


def extend(complaint, kind: str, due_at: datetime.datetime, reason: str) -> Deadline:
    """Move the stage's pending `kind` deadline to `due_at` (later than now and than its due instant)."""
    deadline = (
        Deadline.objects.pending()
        .select_for_update()
        .filter(complaint=complaint, kind=kind, stage=complaint.stage)
        .first()
    )
    if deadline is None:
        raise InvalidInput({"kind": _("This complaint has no pending %(kind)s deadline.") % {"kind": kind}})
    if due_at <= timezone.now() or due_at <= deadline.due_at:
        raise InvalidInput({"due_at": _("The new date must be later than now and than the current due date.")})
    spec_calendar = complaint.policy.spec.calendar
    deadline.original_due_at = deadline.original_due_at or deadline.due_at
    deadline.due_at = due_at
    deadline.extension_reason = reason
    deadline.missed_at = None
    deadline.reminded_at = None
    before = deadline.rule.reminder_before
    deadline.remind_at = spec_calendar.remind_at(due_at, before) if before else None
    deadline.plan_next_check()
    deadline.save()
    refresh_next_deadline(complaint)
    return deadline


def expected_answer_by(complaint) -> datetime.datetime | None:
    """When the consumer can expect an answer: the earliest pending answer deadline of the stage."""
    return _expected_answer(_pending(complaint), complaint.stage)


def expected_answer_at(complaint) -> datetime.datetime | None:
    """When the consumer can expect an answer now: the earliest pending answer deadline of the
    complaint's stage (None before it is acknowledged, or when the policy sets none)."""
    return _expected_answer(_pending(complaint), complaint.stage)


def _expected_answer(pending, stage: int) -> datetime.datetime | None:
    kinds = ANSWER_KINDS if stage == 1 else ESCALATION_ANSWER_KINDS
    return min((d.due_at for d in pending if d.stage == stage and d.kind in kinds), default=None)
