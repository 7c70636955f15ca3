"""The deadline sweep: what time does to complaints on its own.

Run every minute (`gehoord sweep --every 60`, started by `gehoord serve`). For each deadline
whose `next_check_at` has come it runs the lifecycle's actions of time: `remind` the handler ahead
of the due instant, `mark_missed` a missed deadline (the handler and the managers are told),
`send_progress_update` to the consumer when a `respond` deadline passed without an answer, and
`assign` an unresolved complaint to the complaint manager where the policy says so (seed 001).
The actions write the timeline and tell the people; the sweep only decides which one is due.

Safe with several sweepers at once: a batch is claimed by moving its rows' `next_check_at` a
lease ahead (rows locked by another sweeper are skipped), then each row is handled in its own
transaction with its complaint locked. What a row did (reminded_at, missed_at, …) is written in
the same transaction as the mail it caused, so nothing is sent twice; a sweeper that dies leaves
its claimed rows to come due again when the lease ends, so nothing is lost.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import OPEN_STATUSES, Complaint
from gehoord.organisations.models import Membership, Role
from gehoord.policies import deadlines
from gehoord.policies.models import Deadline

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=5)
RETRY_AFTER_ERROR = datetime.timedelta(minutes=10)
BATCH_SIZE = 200


@dataclass
class SweepResult:
    checked: int = 0
    reminded: int = 0
    missed: int = 0
    updates_sent: int = 0
    reassigned: int = 0
    errors: int = 0


def sweep(now: datetime.datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Handle every deadline due by `now`; returns what was done."""
    now = now or timezone.now()
    result = SweepResult()
    handled: set[int] = set()
    while claimed := _claim(now, batch_size):
        again = handled.intersection(claimed)
        if again:
            # A row this run already handled came due again: a planning bug must not make the
            # sweep spin. The claim leased it, so it comes back at a later run, not in this one.
            logger.error("Deadlines %s came due again within one sweep", sorted(again))
        for deadline_id in (deadline_id for deadline_id in claimed if deadline_id not in again):
            handled.add(deadline_id)
            result.checked += 1
            try:
                _handle(deadline_id, now, result)
            except Exception:
                # One bad row must not stop the sweep: push it on and go to the next.
                logger.exception("Sweeping deadline %s failed", deadline_id)
                result.errors += 1
                Deadline.objects.filter(pk=deadline_id).update(next_check_at=now + RETRY_AFTER_ERROR)
    return result


def _claim(now: datetime.datetime, batch_size: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            Deadline.objects.due_for_sweep(now)
            .select_for_update(skip_locked=True)
            .order_by("next_check_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            Deadline.objects.filter(pk__in=ids).update(next_check_at=now + LEASE)
    return ids


def _handle(deadline_id: int, now: datetime.datetime, result: SweepResult) -> None:
    with transaction.atomic():
        complaint_id = Deadline.objects.filter(pk=deadline_id).values_list("complaint_id", flat=True).first()
        if complaint_id is None:
            return
        # The complaint first, then its deadline: the same order the complaint actions lock in.
        complaint = (
            # Only the complaint row: PostgreSQL cannot lock the nullable side of the handler join.
            Complaint.objects.select_for_update(of=("self",))
            .select_related("organisation", "policy", "handler")
            .get(pk=complaint_id)
        )
        deadline = Deadline.objects.select_for_update().get(pk=deadline_id)
        pending = deadline.met_at is None and deadline.cancelled_at is None and deadline.paused_at is None
        if pending and deadline.reminded_at is None and deadline.remind_at and deadline.remind_at <= now < deadline.due_at:
            actions.remind(complaint, by=Actor.system(), deadline=deadline, at=now)
            result.reminded += 1
        if pending and deadline.missed_at is None and deadline.due_at <= now:
            if deadline.rule.demands_update:
                actions.send_progress_update(complaint, by=Actor.system(), deadline=deadline, at=now)
                result.updates_sent += 1
            else:
                actions.mark_missed(complaint, by=Actor.system(), deadline=deadline, at=now)
                result.missed += 1
        if (
            deadline.rule.reassign_to_manager
            and deadline.reassigned_at is None
            and deadline.cancelled_at is None
            and deadline.due_at <= now
        ):
            if _reassign_to_manager(complaint, deadline):
                result.reassigned += 1
                deadline.refresh_from_db(fields=["met_at"])  # the assignment meets an `assign` deadline
            deadline.reassigned_at = now
        deadline.plan_next_check()
        deadline.save()
        deadlines.refresh_next_deadline(complaint)
        complaint.save(update_fields=["next_deadline_at"])


def _reassign_to_manager(complaint: Complaint, deadline: Deadline) -> bool:
    """Seed 001: a complaint not resolved within the term goes to the complaint manager."""
    if complaint.status not in OPEN_STATUSES or complaint.stage != deadline.stage:
        # Resolved, or escalated meanwhile: the escalation stage has its own handler.
        return False
    managers = Membership.objects.filter(organisation=complaint.organisation, role=Role.MANAGER)
    if complaint.handler_id and managers.filter(user_id=complaint.handler_id).exists():
        return False
    manager = managers.select_related("user").order_by("user__username").first()
    if manager is None:
        return False
    actions.assign(complaint, by=Actor.system(), handler=manager.user)
    return True
