"""A complaint's deadlines: created when their anchor happens, met by the matching action.

The complaint actions call these hooks inside their own transaction, with the complaint locked;
the sweep (sweep.py) handles what time does on its own: reminders, missed deadlines, the update
a `respond` deadline demands, and reassignment.
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


def _start(complaint, anchor: Anchor, at: datetime.datetime, stage: int = 1) -> list[Deadline]:
    spec = complaint.policy.spec
    created = []
    for rule in rules_for_anchor(spec, anchor, stage):
        planned = schedule(spec.calendar, rule, at)
        deadline = Deadline(
            complaint=complaint,
            kind=rule.kind,
            stage=rule.stage,
            rule_data=rule.to_dict(),
            anchored_at=at,
            due_at=planned.due_at,
            target_at=planned.target_at,
            remind_at=planned.remind_at,
        )
        deadline.plan_next_check()
        created.append(deadline)
    return Deadline.objects.bulk_create(created)


def _meet(complaint, kinds, stage: int | None = None, at: datetime.datetime | None = None) -> None:
    pending = Deadline.objects.pending().filter(complaint=complaint, kind__in=list(kinds))
    if stage is not None:
        pending = pending.filter(stage=stage)
    for deadline in pending:
        deadline.met_at = at or timezone.now()
        deadline.paused_at = None
        deadline.plan_next_check()
        deadline.save(update_fields=["met_at", "paused_at", "next_check_at"])


def _keeps_next_deadline(hook):
    """After the hook changed deadlines, update the complaint's `next_deadline_at` (the caller saves)."""

    def wrapper(complaint, *args, **kwargs):
        result = hook(complaint, *args, **kwargs)
        refresh_next_deadline(complaint)
        return result

    wrapper.__name__ = hook.__name__
    wrapper.__doc__ = hook.__doc__
    return wrapper


def refresh_next_deadline(complaint) -> None:
    """Keep `complaint.next_deadline_at` (saved by the caller) equal to its nearest running deadline."""
    nearest = (
        Deadline.objects.pending()
        .filter(complaint=complaint, paused_at__isnull=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    complaint.next_deadline_at = nearest


@_keeps_next_deadline
def on_received(complaint) -> None:
    _start(complaint, Anchor.received, complaint.received_at)


@_keeps_next_deadline
def on_acknowledged(complaint, *, at: datetime.datetime, escalation: bool) -> None:
    if escalation:
        _meet(complaint, [DeadlineKind.escalation_acknowledge], stage=complaint.stage, at=at)
        _start(complaint, Anchor.escalation_acknowledged, at, stage=complaint.stage)
    else:
        _meet(complaint, [DeadlineKind.acknowledge], stage=1, at=at)
        _start(complaint, Anchor.acknowledged, at)


@_keeps_next_deadline
def on_assigned(complaint) -> None:
    _meet(complaint, [DeadlineKind.assign], stage=1)


@_keeps_next_deadline
def on_answered(complaint) -> None:
    """A message to the consumer or a proposal: the substantive answer and the update are given."""
    _meet(complaint, [DeadlineKind.respond, DeadlineKind.progress_update], stage=1)


@_keeps_next_deadline
def on_resolved(complaint) -> None:
    """The complaint's handling ended: resolved, decided or closed with an outcome, which meets the
    stage's resolution deadline; or withdrawn or rejected as spam, without one, which meets nothing.
    Every clock still running stops."""
    now = timezone.now()
    if complaint.outcome:
        _meet(complaint, [DeadlineKind.resolve, DeadlineKind.escalation_resolve], stage=complaint.stage, at=now)
    _cancel_pending(complaint, now)


@_keeps_next_deadline
def on_escalation_requested(complaint, *, at: datetime.datetime) -> None:
    # The earlier stage's clocks stop: its answer was given, and the new stage has its own.
    _cancel_pending(complaint, at)
    _start(complaint, Anchor.escalation_requested, at, stage=complaint.stage)


def _cancel_pending(complaint, at: datetime.datetime) -> None:
    Deadline.objects.pending().filter(complaint=complaint).update(cancelled_at=at, next_check_at=None)


@_keeps_next_deadline
def on_waiting_for_consumer(complaint) -> None:
    if not complaint.policy.spec.pause_while_awaiting_consumer:
        return
    now = timezone.now()
    # A missed deadline has no clock left to stop; moving its due instant would rewrite history.
    Deadline.objects.pending().filter(complaint=complaint, paused_at__isnull=True, missed_at__isnull=True).update(
        paused_at=now, next_check_at=None
    )


@_keeps_next_deadline
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


@_keeps_next_deadline
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
    return deadline


def expected_answer_by(complaint) -> datetime.datetime | None:
    """When the consumer can expect an answer: the earliest pending answer deadline of the stage."""
    kinds = ANSWER_KINDS if complaint.stage == 1 else ESCALATION_ANSWER_KINDS
    deadline = (
        Deadline.objects.pending()
        .filter(complaint=complaint, stage=complaint.stage, kind__in=list(kinds))
        .order_by("due_at")
        .first()
    )
    return deadline.due_at if deadline else None
