"""The complaint lifecycle (SPEC 4) as one table of named actions.

Each row says from which states an action may run, the state it leads to, and who may run it.
`check` is the only gate: actions.py calls it inside the action's transaction, the pages and the
API call `allowed_actions` to offer only what would pass.

Who may act:
- CONSUMER: the complainant (tracking credential, or relayed by the organisation's API);
- STAGE_STAFF: staff holding a role that handles the complaint's current stage
  (stage 1: agent or manager; an escalation stage: the role the policy names, manager or board);
- MANAGER: a complaint manager, at any stage;
- SYSTEM: Gehoord itself (automatic acknowledgement, the deadline sweep).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints.actors import Actor
from gehoord.complaints.models import OPEN_STATUSES, ActorKind, Complaint, Stage, Status, STAFF_ROLES_BY_STAGE
from gehoord.errors import ActionNotAllowed, NotPermitted
from gehoord.organisations.models import Role

CONSUMER = "consumer"
STAGE_STAFF = "stage_staff"
MANAGER = "manager"
SYSTEM = "system"

WORKING_STATES = frozenset({Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.AWAITING_CONSUMER, Status.RESOLUTION_PROPOSED})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status]
    target: Status | None  # None: the status stays as it is
    who: frozenset[str]
    # Returns why the action cannot run on this complaint for this actor, or None.
    guard: Callable[[Complaint, Actor], str | None] | None = None


def next_stage(complaint: Complaint) -> int | None:
    """The policy's next escalation stage (seed 001 goes from the first line straight to the board)."""
    later = [stage.number for stage in complaint.policy.spec.stages if stage.number > complaint.stage]
    return min(later) if later else None


def stage_roles(complaint: Complaint) -> frozenset[str]:
    """The staff roles that handle the complaint at its current stage."""
    if complaint.stage == Stage.FIRST_LINE:
        return STAFF_ROLES_BY_STAGE[Stage.FIRST_LINE]
    for stage in complaint.policy.spec.stages:
        if stage.number == complaint.stage:
            return frozenset({str(stage.handled_by)})
    return STAFF_ROLES_BY_STAGE.get(complaint.stage, frozenset({Role.MANAGER}))


def _escalation_possible(complaint: Complaint, actor: Actor) -> str | None:
    if next_stage(complaint) is None:
        return _("There is no further internal stage to escalate to.")
    if complaint.status == Status.CLOSED and complaint.resolved_in_favour:
        return _("A complaint resolved in the consumer's favour cannot be escalated.")
    return None


def _escalated_stage(complaint: Complaint, actor: Actor) -> str | None:
    if complaint.stage < Stage.MANAGER:
        return _("Only an escalated complaint gets a decision; close it instead.")
    return None


def _consumer_closes_only_resolved(complaint: Complaint, actor: Actor) -> str | None:
    if actor.kind == ActorKind.CONSUMER and complaint.status != Status.RESOLVED:
        return _("The consumer can close a complaint once it is resolved; withdraw it instead.")
    return None


def _not_in_favour(complaint: Complaint, actor: Actor) -> str | None:
    # Escalating first is the consumer's choice, not a condition (seed 000: "kan ... worden geëscaleerd").
    if complaint.resolved_in_favour:
        return _("This complaint was resolved in the consumer's favour; there is nothing to refer.")
    return None


ACTION_LABELS = {
    "assign": gettext_lazy("assign"),
    "acknowledge": gettext_lazy("acknowledge"),
    "start": gettext_lazy("start the investigation"),
    "ask_info": gettext_lazy("ask for information"),
    "info_received": gettext_lazy("record the information received"),
    "propose_resolution": gettext_lazy("propose a resolution"),
    "accept": gettext_lazy("accept the proposal"),
    "reject": gettext_lazy("reject the proposal"),
    "escalate": gettext_lazy("escalate"),
    "decide": gettext_lazy("decide"),
    "close": gettext_lazy("close"),
    "refer": gettext_lazy("refer to an external body"),
    "extend_deadline": gettext_lazy("extend a deadline"),
    "withdraw": gettext_lazy("withdraw"),
    "reject_as_spam": gettext_lazy("reject as spam"),
}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("assign", OPEN_STATUSES | {Status.RESOLVED}, None, frozenset({MANAGER, STAGE_STAFF, SYSTEM})),
        Transition(
            "acknowledge", frozenset({Status.RECEIVED, Status.ESCALATED}), Status.ACKNOWLEDGED,
            frozenset({STAGE_STAFF, SYSTEM}),
        ),
        Transition("start", frozenset({Status.ACKNOWLEDGED}), Status.INVESTIGATING, frozenset({STAGE_STAFF})),
        Transition(
            "ask_info", frozenset({Status.ACKNOWLEDGED, Status.INVESTIGATING}), Status.AWAITING_CONSUMER,
            frozenset({STAGE_STAFF}),
        ),
        Transition(
            "info_received", frozenset({Status.AWAITING_CONSUMER}), Status.INVESTIGATING,
            frozenset({CONSUMER, STAGE_STAFF}),
        ),
        Transition(
            "propose_resolution", frozenset({Status.ACKNOWLEDGED, Status.INVESTIGATING}), Status.RESOLUTION_PROPOSED,
            frozenset({STAGE_STAFF}),
        ),
        Transition("accept", frozenset({Status.RESOLUTION_PROPOSED}), Status.RESOLVED, frozenset({CONSUMER})),
        Transition("reject", frozenset({Status.RESOLUTION_PROPOSED}), Status.INVESTIGATING, frozenset({CONSUMER})),
        Transition(
            "escalate", WORKING_STATES | {Status.CLOSED}, Status.ESCALATED, frozenset({CONSUMER, STAGE_STAFF}),
            guard=_escalation_possible,
        ),
        Transition(
            "decide", WORKING_STATES | {Status.ESCALATED}, Status.CLOSED, frozenset({STAGE_STAFF}),
            guard=_escalated_stage,
        ),
        Transition(
            "close", WORKING_STATES | {Status.RESOLVED}, Status.CLOSED, frozenset({CONSUMER, STAGE_STAFF}),
            guard=_consumer_closes_only_resolved,
        ),
        Transition("refer", frozenset({Status.CLOSED}), Status.REFERRED, frozenset({CONSUMER, STAGE_STAFF, MANAGER}), guard=_not_in_favour),
        Transition("extend_deadline", OPEN_STATUSES, None, frozenset({MANAGER})),
        Transition("withdraw", OPEN_STATUSES | {Status.RESOLVED}, Status.WITHDRAWN, frozenset({CONSUMER, STAGE_STAFF})),
        Transition(
            "reject_as_spam", frozenset({Status.RECEIVED, Status.ACKNOWLEDGED}), Status.REJECTED,
            frozenset({STAGE_STAFF}),
        ),
    ]
}


def _may(transition: Transition, complaint: Complaint, actor: Actor) -> bool:
    if not actor.acts_for(complaint):
        return False
    if actor.kind == ActorKind.SYSTEM:
        return SYSTEM in transition.who
    if actor.kind == ActorKind.CONSUMER:
        return CONSUMER in transition.who
    if MANAGER in transition.who and Role.MANAGER in actor.roles:
        return True
    return STAGE_STAFF in transition.who and bool(stage_roles(complaint) & actor.roles)


def check(action: str, complaint: Complaint, actor: Actor) -> Transition:
    """Return the transition if `actor` may run `action` on `complaint` now, else raise."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ActionNotAllowed(_("There is no action %(action)s.") % {"action": action}, action=action)
    label = ACTION_LABELS[action]
    if not _may(transition, complaint, actor):
        raise NotPermitted(_("You may not %(action)s on this complaint.") % {"action": label}, action=action)
    if complaint.status not in transition.sources:
        raise ActionNotAllowed(
            _("You cannot %(action)s now: the complaint is %(status)s.")
            % {"action": label, "status": complaint.get_status_display()},
            action=action,
            status=complaint.status,
        )
    if transition.guard and (reason := transition.guard(complaint, actor)):
        raise ActionNotAllowed(reason, action=action, status=complaint.status)
    return transition


def allowed_actions(complaint: Complaint, actor: Actor) -> list[str]:
    allowed = []
    for name, transition in TRANSITIONS.items():
        if complaint.status in transition.sources and _may(transition, complaint, actor):
            if transition.guard is None or transition.guard(complaint, actor) is None:
                allowed.append(name)
    return allowed
