"""The complaint lifecycle (SPEC 4): one registry of named actions, each declared once.

Each action is declared where it is written (`@lifecycle.action(...)` above its function in
actions.py): its name, label, the states it runs from, the state it leads to, who may run it, the
parameters a door may pass, and an optional guard. Everything else reads this registry: `check` is
the only gate (actions.py calls it inside the action's transaction); the API, the desk, the portal
and the sweep offer and call actions by name from it (`allowed_actions`, `actions.perform`).

Who may act:
- CONSUMER: the complainant (tracking credential, or relayed by the organisation's API);
- STAGE_STAFF: staff holding a role that handles the complaint's current stage
  (stage 1: agent or manager; an escalation stage: the role the policy names, manager or board);
- MANAGER: a complaint manager, at any stage;
- SYSTEM: Gehoord itself (automatic acknowledgement, the deadline sweep);
- COMPANY: an e-mail-only company of the platform, answering by mail or from its dashboard;
- MODERATOR: a moderator of the platform, on complaints filed there.
"""

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gehoord.complaints.actors import Actor
from gehoord.complaints.models import STAFF_ROLES_BY_STAGE, ActorKind, Complaint, Stage, Status
from gehoord.errors import ActionNotAllowed, NotPermitted
from gehoord.organisations.models import Role

CONSUMER = "consumer"
STAGE_STAFF = "stage_staff"
MANAGER = "manager"
SYSTEM = "system"
COMPANY = "company"
MODERATOR = "moderator"

WORKING_STATES = frozenset({Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.AWAITING_CONSUMER, Status.RESOLUTION_PROPOSED})
ALL_STATES = frozenset(Status)

Guard = Callable[[Complaint, Actor], str | None]


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise
    sources: frozenset[Status]
    target: Status | None  # None: the status stays as it is
    who: frozenset[str]
    # The keyword arguments a door may pass (the API's parameters, the desk's and portal's fields).
    parameters: tuple[str, ...]
    # The function that performs it (actions.py); called with (complaint, by=..., **parameters).
    function: Callable = field(compare=False)
    # Returns why the action cannot run on this complaint for this actor, or None.
    guard: Guard | None = field(default=None, compare=False)

    @property
    def internal(self) -> bool:
        """Only Gehoord itself runs it (the sweep): no door offers or accepts it."""
        return self.who == {SYSTEM}

    def required_parameters(self) -> tuple[str, ...]:
        """The parameters without a default: a door must pass them."""
        signature = inspect.signature(self.function).parameters
        return tuple(name for name in self.parameters if signature[name].default is inspect.Parameter.empty)


def next_stage(complaint: Complaint) -> int | None:
    """The policy's next escalation stage (seed 001 goes from the first line straight to the board)."""
    later = [stage.number for stage in complaint.policy.spec.stages if stage.number > complaint.stage]
    return min(later) if later else None


def who_handles(complaint: Complaint) -> str:
    """Whom the consumer is told handles the complaint (seed 001): the person, else their team, else
    at an escalation stage the body the policy names for it. "" leaves it to the first line's
    general wording ("our customer service") in the consumer's language."""
    if complaint.handler is not None and (name := complaint.handler.get_full_name() or complaint.handler.get_username()):
        return name
    if complaint.team is not None:
        return complaint.team.name
    return next(
        (
            stage.label.in_language(complaint.contact_language)
            for stage in complaint.policy.spec.stages
            if stage.number == complaint.stage
        ),
        "",
    )


def stage_roles(complaint: Complaint) -> frozenset[str]:
    """The staff roles that handle the complaint at its current stage."""
    if complaint.stage == Stage.FIRST_LINE:
        return STAFF_ROLES_BY_STAGE[Stage.FIRST_LINE]
    for stage in complaint.policy.spec.stages:
        if stage.number == complaint.stage:
            return frozenset({str(stage.handled_by)})
    return STAFF_ROLES_BY_STAGE.get(complaint.stage, frozenset({Role.MANAGER}))


def escalation_possible(complaint: Complaint, actor: Actor) -> str | None:
    if next_stage(complaint) is None:
        return _("There is no further internal stage to escalate to.")
    if complaint.status == Status.CLOSED and complaint.resolved_in_favour:
        return _("A complaint resolved in the consumer's favour cannot be escalated.")
    return None


def escalated_stage(complaint: Complaint, actor: Actor) -> str | None:
    if complaint.stage < Stage.MANAGER:
        return _("Only an escalated complaint gets a decision; close it instead.")
    return None


def consumer_closes_only_resolved(complaint: Complaint, actor: Actor) -> str | None:
    if actor.kind == ActorKind.CONSUMER and complaint.status != Status.RESOLVED:
        return _("The consumer can close a complaint once it is resolved; withdraw it instead.")
    return None


def has_another_category(complaint: Complaint, actor: Actor) -> str | None:
    if not complaint.organisation.categories.filter(active=True).exclude(pk=complaint.category_id).exists():
        return _("The organisation has no other category to choose.")
    return None


def has_deadline_to_extend(complaint: Complaint, actor: Actor) -> str | None:
    # `next_deadline_at` is the nearest running deadline (policies.deadlines keeps it), and every
    # running deadline is of the current stage: an escalation cancels the earlier stage's.
    if complaint.next_deadline_at is None:
        return _("This complaint has no running deadline at its stage to extend.")
    return None


def not_in_favour(complaint: Complaint, actor: Actor) -> str | None:
    # Escalating first is the consumer's choice, not a condition (seed 000: "kan ... worden geëscaleerd").
    if complaint.resolved_in_favour:
        return _("This complaint was resolved in the consumer's favour; there is nothing to refer.")
    return None


# The registry, in the order the doors offer the actions: filled by `action` as actions.py is imported.
ACTIONS: dict[str, Action] = {}


def action(
    *,
    label: Promise,
    sources: Iterable[Status],
    target: Status | None,
    who: Iterable[str],
    parameters: Iterable[str] = (),
    guard: Guard | None = None,
):
    """Declare the decorated function as the lifecycle action of its name."""

    def declare(function: Callable) -> Callable:
        name = function.__name__
        accepted = inspect.signature(function).parameters
        unknown = [parameter for parameter in parameters if accepted.get(parameter, None) is None
                   or accepted[parameter].kind is not inspect.Parameter.KEYWORD_ONLY]
        if name in ACTIONS or unknown or "by" not in accepted:
            raise TypeError(f"Action {name}: declared twice, or parameters {unknown} are not keyword-only arguments")
        ACTIONS[name] = Action(
            name=name, label=label, sources=frozenset(sources), target=target, who=frozenset(who),
            parameters=tuple(parameters), function=function, guard=guard,
        )
        return function

    return declare


def _may(declared: Action, complaint: Complaint, actor: Actor) -> bool:
    if not actor.acts_for(complaint):
        return False
    if actor.kind == ActorKind.SYSTEM:
        return SYSTEM in declared.who
    if actor.kind == ActorKind.CONSUMER:
        return CONSUMER in declared.who
    if actor.kind == ActorKind.COMPANY:
        return COMPANY in declared.who
    if actor.kind == ActorKind.MODERATOR:
        return MODERATOR in declared.who
    if MANAGER in declared.who and Role.MANAGER in actor.roles:
        return True
    return STAGE_STAFF in declared.who and bool(stage_roles(complaint) & actor.roles)


def check(action: str, complaint: Complaint, actor: Actor) -> Action:
    """Return the action if `actor` may run `action` on `complaint` now, else raise."""
    declared = ACTIONS.get(action)
    if declared is None:
        raise ActionNotAllowed(_("There is no action %(action)s.") % {"action": action}, action=action)
    label = declared.label
    if not _may(declared, complaint, actor):
        raise NotPermitted(_("You may not %(action)s on this complaint.") % {"action": label}, action=action)
    if complaint.status not in declared.sources:
        raise ActionNotAllowed(
            _("You cannot %(action)s now: the complaint is %(status)s.")
            % {"action": label, "status": complaint.get_status_display()},
            action=action,
            status=complaint.status,
        )
    if declared.guard and (reason := declared.guard(complaint, actor)):
        raise ActionNotAllowed(reason, action=action, status=complaint.status)
    return declared


def allowed_actions(complaint: Complaint, actor: Actor) -> list[str]:
    """The names of the actions `actor` may run on `complaint` now, in the registry's order."""
    return [
        name
        for name, declared in ACTIONS.items()
        if complaint.status in declared.sources
        and _may(declared, complaint, actor)
        and (declared.guard is None or declared.guard(complaint, actor) is None)
    ]
