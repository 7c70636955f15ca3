"""Complaint policies as plain data (SPEC 5), without Django.

A policy (`PolicySpec`) is a business calendar, deadline rules, the internal escalation stages,
the external bodies shown once the internal procedure is exhausted, and a few switches. A
deadline rule says which deadline (`DeadlineKind`, and for escalations the stage) starts at which
event (`Anchor`) and how long it runs (`Duration`, counted by the calendar).

When an event happens, the complaint code asks `rules_for_anchor` which deadlines start and
`schedule` when each is due, when its softer target falls and when to remind the handler.
`to_dict`/`from_dict` give the JSON form the database stores and a form edits; both the
constructors and `from_dict` raise `PolicyError` naming the field at fault.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

from gehoord.policies.calendar import (
    BusinessCalendar,
    Duration,
    PolicyError,
    _check_type,
    _enum_member,
    _object_fields,
    _parse_list,
    _parse_nested,
)

DEFAULT_RETENTION_DAYS = 730
LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class LocalText:
    """A text of the policy that people read (a note, a stage's name, an external body), in Dutch
    and English. `str()` gives it in the reader's language, falling back to the other one.

    Stored as `{"nl": ..., "en": ...}`; a plain string (older versions, a one-language edit)
    stands for both languages.
    """

    nl: str = ""
    en: str = ""

    def __post_init__(self) -> None:
        for language in LANGUAGES:
            object.__setattr__(self, language, _check_type(getattr(self, language), str, language).strip())

    @classmethod
    def coerce(cls, value: object, name: str) -> Self:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            return cls(nl=value, en=value)
        try:
            return cls(**_object_fields(value, required=(), optional=LANGUAGES))
        except PolicyError as error:
            raise error.within(name) from None

    def in_language(self, language: str | None) -> str:
        first, second = (self.en, self.nl) if (language or "").startswith("en") else (self.nl, self.en)
        return first or second

    def __str__(self) -> str:
        # The one place the policy data asks Django something: the language of the request.
        from django.utils.translation import get_language

        return self.in_language(get_language())

    def __bool__(self) -> bool:
        return bool(self.nl or self.en)

    def to_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}


class DeadlineKind(StrEnum):
    acknowledge = "acknowledge"
    assign = "assign"
    respond = "respond"
    progress_update = "progress_update"
    resolve = "resolve"
    escalation_acknowledge = "escalation_acknowledge"
    escalation_resolve = "escalation_resolve"


class Anchor(StrEnum):
    received = "received"
    acknowledged = "acknowledged"
    escalation_requested = "escalation_requested"
    escalation_acknowledged = "escalation_acknowledged"


class EscalationHandler(StrEnum):
    """The staff role that handles an escalation stage."""

    manager = "manager"
    board = "board"


ESCALATION_KINDS = frozenset({DeadlineKind.escalation_acknowledge, DeadlineKind.escalation_resolve})
ESCALATION_STAGES = (2, 3)

# The events a deadline of each kind may start at: a stage-1 deadline cannot wait for an
# escalation, and an escalation deadline cannot start before its escalation exists.
ANCHORS_BY_KIND: Mapping[DeadlineKind, tuple[Anchor, ...]] = {
    DeadlineKind.acknowledge: (Anchor.received,),
    DeadlineKind.assign: (Anchor.received, Anchor.acknowledged),
    DeadlineKind.respond: (Anchor.received, Anchor.acknowledged),
    DeadlineKind.progress_update: (Anchor.received, Anchor.acknowledged),
    DeadlineKind.resolve: (Anchor.received, Anchor.acknowledged),
    DeadlineKind.escalation_acknowledge: (Anchor.escalation_requested,),
    DeadlineKind.escalation_resolve: (Anchor.escalation_requested, Anchor.escalation_acknowledged),
}


@dataclass(frozen=True)
class DeadlineRule:
    """One deadline of a policy.

    - stage: 1 for first-line deadlines; for escalation kinds the stage they apply to (2 or 3).
    - reminder_before: how long ahead of the due instant the handler is reminded.
    - target: a softer, earlier aim within the deadline, in the same unit (seed 002: "5-10
      working days" is a target of 5 within a deadline of 10).
    - reassign_to_manager: at the due instant, the sweep hands a complaint that is still not
      resolved to the complaint manager, whether or not this deadline itself was met (seed 001).
    - demands_update (respond only): if no substantive answer went out by the due instant, a
      status update with a new estimate is due then instead; the sweep sends it (seed 000).
    - note: what the source procedure says, or that it is silent.
    """

    kind: DeadlineKind
    anchor: Anchor
    duration: Duration
    stage: int = 1
    reminder_before: Duration | None = None
    target: Duration | None = None
    reassign_to_manager: bool = False
    demands_update: bool = False
    note: LocalText | str = LocalText()

    def __post_init__(self) -> None:
        kind = _enum_member(DeadlineKind, self.kind, "kind")
        anchor = _enum_member(Anchor, self.anchor, "anchor")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "anchor", anchor)
        _check_type(self.duration, Duration, "duration")
        _check_type(self.stage, int, "stage")
        if kind in ESCALATION_KINDS and self.stage not in ESCALATION_STAGES:
            raise PolicyError("stage", f"the {kind} rule applies to stage 2 or 3, not {self.stage}")
        if kind not in ESCALATION_KINDS and self.stage != 1:
            raise PolicyError("stage", f"the {kind} rule belongs to stage 1, not {self.stage}")
        allowed = ANCHORS_BY_KIND[kind]
        if anchor not in allowed:
            raise PolicyError(
                "anchor",
                f"the {kind} rule cannot start at {anchor} (allowed: {', '.join(allowed)})",
            )
        if self.reminder_before is not None:
            _check_type(self.reminder_before, Duration, "reminder_before")
        if self.target is not None:
            _check_type(self.target, Duration, "target")
            if self.target.unit != self.duration.unit:
                raise PolicyError("target", f"the target of the {self.label} rule must be in {self.duration.unit}")
            if self.target.amount > self.duration.amount:
                raise PolicyError(
                    "target", f"the target of the {self.label} rule must not be later than its deadline"
                )
        _check_type(self.reassign_to_manager, bool, "reassign_to_manager")
        _check_type(self.demands_update, bool, "demands_update")
        if self.demands_update and kind != DeadlineKind.respond:
            raise PolicyError("demands_update", f"only a respond rule demands an update, not {self.label}")
        object.__setattr__(self, "note", LocalText.coerce(self.note, "note"))

    @property
    def label(self) -> str:
        """How messages name the rule, e.g. `escalation_resolve (stage 3)`."""
        return f"{self.kind} (stage {self.stage})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "anchor": self.anchor.value,
            "duration": self.duration.to_dict(),
            "stage": self.stage,
            "reminder_before": self.reminder_before.to_dict() if self.reminder_before else None,
            "target": self.target.to_dict() if self.target else None,
            "reassign_to_manager": self.reassign_to_manager,
            "demands_update": self.demands_update,
            "note": self.note.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> Self:
        values = _object_fields(
            data,
            required=("kind", "anchor", "duration"),
            optional=("stage", "reminder_before", "target", "reassign_to_manager", "demands_update", "note"),
        )
        arguments = dict(values)
        arguments["duration"] = _parse_nested(values["duration"], "duration", Duration.from_dict)
        for name in ("reminder_before", "target"):
            if values.get(name) is not None:
                arguments[name] = _parse_nested(values[name], name, Duration.from_dict)
        return cls(**arguments)


@dataclass(frozen=True)
class EscalationStage:
    number: int
    handled_by: EscalationHandler
    label: LocalText | str

    def __post_init__(self) -> None:
        _check_type(self.number, int, "number")
        if self.number not in ESCALATION_STAGES:
            raise PolicyError("number", f"an escalation stage is 2 or 3, not {self.number}")
        object.__setattr__(self, "handled_by", _enum_member(EscalationHandler, self.handled_by, "handled_by"))
        label = LocalText.coerce(self.label, "label")
        if not label:
            raise PolicyError("label", f"stage {self.number} needs a label")
        object.__setattr__(self, "label", label)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "handled_by": self.handled_by.value, "label": self.label.to_dict()}

    @classmethod
    def from_dict(cls, data: object) -> Self:
        return cls(**_object_fields(data, required=("number", "handled_by", "label")))


@dataclass(frozen=True)
class ExternalBody:
    """Where a consumer can turn once the internal procedure is exhausted (a mediator, a disputes
    committee, independent advice): shown to the consumer and named in the outcome letter."""

    name: LocalText | str
    url: str = ""
    description: LocalText | str = LocalText()

    def __post_init__(self) -> None:
        name = LocalText.coerce(self.name, "name")
        if not name:
            raise PolicyError("name", "an external body needs a name")
        object.__setattr__(self, "name", name)
        url = _check_type(self.url, str, "url")
        if url and not url.startswith(("https://", "http://")):
            raise PolicyError("url", f"expected a web address starting with https://, not {url!r}")
        object.__setattr__(self, "description", LocalText.coerce(self.description, "description"))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name.to_dict(), "url": self.url, "description": self.description.to_dict()}

    @classmethod
    def from_dict(cls, data: object) -> Self:
        return cls(**_object_fields(data, required=("name",), optional=("url", "description")))


@dataclass(frozen=True)
class PolicySpec:
    """A complaint policy.

    - auto_acknowledge: the acknowledgement goes out automatically on receipt; otherwise a
      person acknowledges (SPEC 4).
    - order_number_is_reference: the customer's order number is the complaint's reference.
    - pause_while_awaiting_consumer: deadlines stop running while the complaint waits for the
      consumer.
    - retention_days: closed complaints are anonymised this many days after closing.
    """

    calendar: BusinessCalendar
    rules: tuple[DeadlineRule, ...]
    stages: tuple[EscalationStage, ...] = ()
    external_bodies: tuple[ExternalBody, ...] = ()
    auto_acknowledge: bool = True
    order_number_is_reference: bool = False
    pause_while_awaiting_consumer: bool = True
    retention_days: int = DEFAULT_RETENTION_DAYS
    notes: LocalText | str = LocalText()

    def __post_init__(self) -> None:
        _check_type(self.calendar, BusinessCalendar, "calendar")
        for name, item_type in (
            ("rules", DeadlineRule),
            ("stages", EscalationStage),
            ("external_bodies", ExternalBody),
        ):
            items = tuple(getattr(self, name))
            for index, item in enumerate(items):
                _check_type(item, item_type, f"{name}[{index}]")
            object.__setattr__(self, name, items)
        for name in ("auto_acknowledge", "order_number_is_reference", "pause_while_awaiting_consumer"):
            _check_type(getattr(self, name), bool, name)
        if _check_type(self.retention_days, int, "retention_days") < 1:
            raise PolicyError("retention_days", f"must be at least 1, not {self.retention_days}")
        object.__setattr__(self, "notes", LocalText.coerce(self.notes, "notes"))
        self._check_stages()
        self._check_rules()

    def _check_stages(self) -> None:
        for index, (earlier, later) in enumerate(zip(self.stages, self.stages[1:]), start=1):
            if later.number <= earlier.number:
                raise PolicyError(
                    f"stages[{index}]",
                    f"stage {later.number} comes after stage {earlier.number}; stages must increase",
                )

    def _check_rules(self) -> None:
        stage_numbers = [stage.number for stage in self.stages]
        seen: set[tuple[DeadlineKind, int]] = set()
        for index, rule in enumerate(self.rules):
            if (rule.kind, rule.stage) in seen:
                raise PolicyError(f"rules[{index}]", f"a second {rule.label} rule")
            seen.add((rule.kind, rule.stage))
            if rule.kind in ESCALATION_KINDS and rule.stage not in stage_numbers:
                defined = ", ".join(map(str, stage_numbers)) or "none"
                raise PolicyError(
                    f"rules[{index}].stage",
                    f"the {rule.label} rule needs escalation stage {rule.stage} (stages defined: {defined})",
                )

    def rule_for(self, kind: DeadlineKind, stage: int = 1) -> DeadlineRule | None:
        return next((rule for rule in self.rules if rule.kind == kind and rule.stage == stage), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "calendar": self.calendar.to_dict(),
            "rules": [rule.to_dict() for rule in self.rules],
            "stages": [stage.to_dict() for stage in self.stages],
            "external_bodies": [body.to_dict() for body in self.external_bodies],
            "auto_acknowledge": self.auto_acknowledge,
            "order_number_is_reference": self.order_number_is_reference,
            "pause_while_awaiting_consumer": self.pause_while_awaiting_consumer,
            "retention_days": self.retention_days,
            "notes": self.notes.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> Self:
        values = _object_fields(
            data,
            required=("calendar", "rules"),
            optional=(
                "stages",
                "external_bodies",
                "auto_acknowledge",
                "order_number_is_reference",
                "pause_while_awaiting_consumer",
                "retention_days",
                "notes",
            ),
        )
        arguments = dict(values)
        arguments["calendar"] = _parse_nested(values["calendar"], "calendar", BusinessCalendar.from_dict)
        arguments["rules"] = _parse_list(values["rules"], "rules", DeadlineRule.from_dict)
        if "stages" in values:
            arguments["stages"] = _parse_list(values["stages"], "stages", EscalationStage.from_dict)
        if "external_bodies" in values:
            arguments["external_bodies"] = _parse_list(
                values["external_bodies"], "external_bodies", ExternalBody.from_dict
            )
        return cls(**arguments)


@dataclass(frozen=True)
class ScheduledDeadline:
    """A rule put on the calendar for one complaint; all instants in UTC.

    `remind_at` is never before the anchor: a reminder that would fall earlier is due at once.
    """

    rule: DeadlineRule
    due_at: datetime
    target_at: datetime | None
    remind_at: datetime | None


def rules_for_anchor(spec: PolicySpec, anchor: Anchor, stage: int = 1) -> tuple[DeadlineRule, ...]:
    """The rules whose deadlines start when `anchor` happens at `stage` (1 for receipt and
    acknowledgement; the escalation's stage for escalation anchors)."""
    return tuple(rule for rule in spec.rules if rule.anchor == anchor and rule.stage == stage)


def schedule(calendar: BusinessCalendar, rule: DeadlineRule, anchored_at: datetime) -> ScheduledDeadline:
    due_at = calendar.add(anchored_at, rule.duration)
    remind_at = None
    if rule.reminder_before is not None:
        remind_at = max(anchored_at.astimezone(UTC), calendar.remind_at(due_at, rule.reminder_before))
    return ScheduledDeadline(
        rule=rule,
        due_at=due_at,
        target_at=calendar.add(anchored_at, rule.target) if rule.target else None,
        remind_at=remind_at,
    )


def due_instants(
    spec: PolicySpec, anchors: Mapping[Anchor, datetime], stage: int | None = None
) -> dict[tuple[DeadlineKind, int], datetime]:
    """The due instant (UTC) of every rule whose anchor is in `anchors`, keyed by (kind, stage).

    `stage` limits the result to the rules of one stage; pass it together with escalation
    anchors, which belong to one escalation.
    """
    return {
        (rule.kind, rule.stage): spec.calendar.add(anchors[rule.anchor], rule.duration)
        for rule in spec.rules
        if rule.anchor in anchors and (stage is None or rule.stage == stage)
    }
