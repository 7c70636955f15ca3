"""Editing a complaint policy in the desk (SPEC 5): form values to a `PolicySpec` and back, a
preview of the deadlines the policy would set for a complaint received now, and publishing.

Publishing always makes a new `PolicyVersion`; complaints keep the version in force when they
were received, so an edit never moves an existing deadline.

The values here are the plain ones the desk's policy forms clean to (times, dates, whole
numbers, "" for an empty text); `build_spec` hands them to `PolicySpec.from_dict`, so every
problem comes back as one `PolicyError` whose `field` is the full path (`calendar.timezone`,
`rules[1].duration.unit`) of the setting at fault, counted over the rows given.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from gehoord.errors import InvalidInput
from gehoord.organisations.models import Organisation
from gehoord.policies.calendar import Duration, Unit
from gehoord.policies.models import DEADLINE_KIND_LABELS, PolicyVersion
from gehoord.policies.rules import (
    LANGUAGES,
    Anchor,
    DeadlineKind,
    EscalationHandler,
    LocalText,
    PolicySpec,
    due_instants,
)

ANCHOR_LABELS = {
    Anchor.received: gettext_lazy("receipt"),
    Anchor.acknowledged: gettext_lazy("acknowledgement"),
    Anchor.escalation_requested: gettext_lazy("escalation requested"),
    Anchor.escalation_acknowledged: gettext_lazy("escalation acknowledged"),
}
UNIT_LABELS = {
    Unit.hours: gettext_lazy("hours"),
    Unit.business_hours: gettext_lazy("business hours"),
    Unit.calendar_days: gettext_lazy("calendar days"),
    Unit.working_days: gettext_lazy("working days"),
}
HANDLER_LABELS = {
    EscalationHandler.manager: gettext_lazy("complaint manager"),
    EscalationHandler.board: gettext_lazy("board"),
}
WEEKDAY_LABELS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
KIND_ORDER = {kind: index for index, kind in enumerate(DeadlineKind)}


def describe_duration(duration: Duration | None) -> str:
    """E.g. "14 calendar days", in the active language; "" for no duration."""
    if duration is None:
        return ""
    n = duration.amount
    match duration.unit:
        case Unit.hours:
            text = ngettext("%(count)d hour", "%(count)d hours", n)
        case Unit.business_hours:
            text = ngettext("%(count)d business hour", "%(count)d business hours", n)
        case Unit.calendar_days:
            text = ngettext("%(count)d calendar day", "%(count)d calendar days", n)
        case _:
            text = ngettext("%(count)d working day", "%(count)d working days", n)
    return text % {"count": n}


class RuleRow(NamedTuple):
    """A rule in words, for the policy pages."""

    kind: str
    stage: int
    counted_from: str
    term: str
    reminder: str
    target: str
    flags: list[str]
    note: str


@dataclass(frozen=True)
class PolicyDescription:
    """A policy in words, for the policy pages: its rules, working days and escalation stages."""

    spec: PolicySpec
    rules: list[RuleRow]
    working_days: list[str]
    closure_days: list[datetime.date]
    stages: list[tuple[int, str, LocalText]]


def describe(spec: PolicySpec) -> PolicyDescription:
    return PolicyDescription(
        spec=spec,
        rules=rule_rows(spec),
        working_days=[str(WEEKDAY_LABELS[day]) for day in sorted(spec.calendar.working_weekdays)],
        closure_days=sorted(spec.calendar.closure_days),
        stages=[(stage.number, str(HANDLER_LABELS[stage.handled_by]), stage.label) for stage in spec.stages],
    )


def rule_rows(spec: PolicySpec) -> list[RuleRow]:
    rows = []
    for rule in spec.rules:
        flags = []
        if rule.demands_update:
            flags.append(_("a status update is due instead if no answer went out in time"))
        if rule.reassign_to_manager:
            flags.append(_("handed to the complaint manager at the due time if unresolved"))
        rows.append(
            RuleRow(
                kind=str(DEADLINE_KIND_LABELS[rule.kind]),
                stage=rule.stage,
                counted_from=str(ANCHOR_LABELS[rule.anchor]),
                term=describe_duration(rule.duration),
                reminder=describe_duration(rule.reminder_before),
                target=describe_duration(rule.target),
                flags=flags,
                note=str(rule.note),
            )
        )
    return rows


# --- Form values <-> spec ------------------------------------------------------------------


@dataclass(frozen=True)
class EditorValues:
    """A policy as the edit form's initial values: the calendar and switches, then one mapping
    per rule, escalation stage and external body."""

    main: dict[str, Any]
    rules: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    bodies: list[dict[str, Any]]


def editor_values(spec: PolicySpec) -> EditorValues:
    calendar = spec.calendar
    main = {
        "timezone": calendar.timezone,
        "country": calendar.country,
        "subdivision": calendar.subdivision or "",
        "working_weekdays": sorted(calendar.working_weekdays),
        "opens": calendar.opens,
        "closes": calendar.closes,
        "closure_days": "\n".join(day.isoformat() for day in sorted(calendar.closure_days)),
        "auto_acknowledge": spec.auto_acknowledge,
        "order_number_is_reference": spec.order_number_is_reference,
        "pause_while_awaiting_consumer": spec.pause_while_awaiting_consumer,
        "retention_days": spec.retention_days,
        **text_values("notes", spec.notes),
    }
    rules = [
        {
            "kind": rule.kind.value,
            "stage": rule.stage,
            "anchor": rule.anchor.value,
            "amount": rule.duration.amount,
            "unit": rule.duration.unit.value,
            "reminder_amount": rule.reminder_before.amount if rule.reminder_before else None,
            "reminder_unit": rule.reminder_before.unit.value if rule.reminder_before else Unit.working_days.value,
            "target_amount": rule.target.amount if rule.target else None,
            "reassign_to_manager": rule.reassign_to_manager,
            "demands_update": rule.demands_update,
            **text_values("note", rule.note),
        }
        for rule in spec.rules
    ]
    stages = [
        {"number": stage.number, "handled_by": stage.handled_by.value, **text_values("label", stage.label)}
        for stage in spec.stages
    ]
    bodies = [
        {**text_values("name", body.name), "url": body.url, **text_values("description", body.description)}
        for body in spec.external_bodies
    ]
    return EditorValues(main=main, rules=rules, stages=stages, bodies=bodies)


def build_spec(
    main: Mapping[str, Any],
    rules: Sequence[Mapping[str, Any]],
    stages: Sequence[Mapping[str, Any]] = (),
    bodies: Sequence[Mapping[str, Any]] = (),
) -> PolicySpec:
    """The policy the edit form describes; raises PolicyError naming the setting at fault."""
    data = {
        "calendar": {
            "timezone": main["timezone"],
            "country": main["country"],
            "subdivision": main.get("subdivision") or None,
            "working_weekdays": sorted(int(day) for day in main["working_weekdays"]),
            "opens": _hhmm(main["opens"]),
            "closes": _hhmm(main["closes"]),
            "closure_days": [_iso(day) for day in main.get("closure_days") or ()],
        },
        "rules": [_rule_data(rule) for rule in rules],
        "stages": [
            {"number": stage["number"], "handled_by": stage["handled_by"], "label": text_data("label", stage)}
            for stage in stages
        ],
        "external_bodies": [
            {
                "name": text_data("name", body),
                "url": body.get("url") or "",
                "description": text_data("description", body),
            }
            for body in bodies
        ],
        "auto_acknowledge": bool(main.get("auto_acknowledge")),
        "order_number_is_reference": bool(main.get("order_number_is_reference")),
        "pause_while_awaiting_consumer": bool(main.get("pause_while_awaiting_consumer")),
        "retention_days": main["retention_days"],
        "notes": text_data("notes", main),
    }
    return PolicySpec.from_dict(data)


def text_values(name: str, text: LocalText) -> dict[str, str]:
    """A policy text as the editor's inputs, one per language: `note_nl`, `note_en`."""
    return {f"{name}_{language}": getattr(text, language) for language in LANGUAGES}


def text_data(name: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The inputs `text_values` made, back to a policy text."""
    return {language: values.get(f"{name}_{language}") or "" for language in LANGUAGES}


def _rule_data(rule: Mapping[str, Any]) -> dict[str, Any]:
    unit = rule["unit"]
    reminder = rule.get("reminder_amount")
    target = rule.get("target_amount")
    return {
        "kind": rule["kind"],
        "stage": rule.get("stage", 1),
        "anchor": rule["anchor"],
        "duration": {"amount": rule["amount"], "unit": unit},
        "reminder_before": None if reminder is None else {"amount": reminder, "unit": rule.get("reminder_unit") or unit},
        # The target is a softer aim within the deadline, always in the deadline's own unit.
        "target": None if target is None else {"amount": target, "unit": unit},
        "reassign_to_manager": bool(rule.get("reassign_to_manager")),
        "demands_update": bool(rule.get("demands_update")),
        "note": text_data("note", rule),
    }


def _hhmm(value: object) -> object:
    return value.strftime("%H:%M") if isinstance(value, datetime.time) else value


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


# --- Preview -------------------------------------------------------------------------------


class PreviewRow(NamedTuple):
    """One deadline a complaint received at the preview's `now` would get.

    `due`, `target` and `remind` are in the policy calendar's time zone; `counted_from` says which
    event the row assumes happens now (receipt, acknowledgement, an escalation)."""

    kind: DeadlineKind
    stage: int
    due: datetime.datetime
    note: str
    anchor: Anchor
    counted_from: str
    target: datetime.datetime | None
    remind: datetime.datetime | None

    @property
    def kind_label(self) -> str:
        return str(DEADLINE_KIND_LABELS[self.kind])


def preview(spec: PolicySpec, now: datetime.datetime) -> list[PreviewRow]:
    """The deadlines of a complaint received at `now`, by stage and due instant.

    First-line rules count from receipt, and from the acknowledgement as if it went out now (which
    it does when the policy acknowledges automatically). Escalation rules show what a stage's
    deadlines would be if an escalation to it were requested (and acknowledged) now.
    """
    auto = spec.auto_acknowledge
    counted_from = {
        Anchor.received: _("received now"),
        Anchor.acknowledged: _("acknowledged on receipt") if auto else _("if acknowledged now"),
        Anchor.escalation_requested: _("if an escalation to this stage is requested now"),
        Anchor.escalation_acknowledged: _("if an escalation to this stage is requested and acknowledged now"),
    }
    due = due_instants(spec, {Anchor.received: now, Anchor.acknowledged: now}, stage=1)
    escalation_anchors = {Anchor.escalation_requested: now, Anchor.escalation_acknowledged: now}
    for stage in sorted({rule.stage for rule in spec.rules if rule.stage != 1}):
        due.update(due_instants(spec, escalation_anchors, stage=stage))
    zone = spec.calendar.zone
    rows = []
    for rule in spec.rules:
        due_at = due.get((rule.kind, rule.stage))
        if due_at is None:
            continue
        rows.append(
            PreviewRow(
                kind=rule.kind,
                stage=rule.stage,
                due=due_at.astimezone(zone),
                note=str(rule.note),
                anchor=rule.anchor,
                counted_from=counted_from[rule.anchor],
                target=spec.calendar.add(now, rule.target).astimezone(zone) if rule.target else None,
                remind=(
                    max(now, spec.calendar.remind_at(due_at, rule.reminder_before)).astimezone(zone)
                    if rule.reminder_before
                    else None
                ),
            )
        )
    rows.sort(key=lambda row: (row.stage, row.due, KIND_ORDER[row.kind]))
    return rows


# --- Publishing ----------------------------------------------------------------------------


def publish_edit(organisation: Organisation, spec: PolicySpec, *, by, note: str, preset: str = "") -> PolicyVersion:
    """Publish `spec` as the organisation's next policy version, with a note on what changed.

    Complaints already received keep their version and deadlines; the new version applies from the
    next complaint on. `preset` records which shipped preset the edit started from (default: the
    one the current version was based on).
    """
    note = note.strip()
    if not note:
        raise InvalidInput({"change_note": _("Say in a few words what changed; it goes into the version history.")})
    if len(note) > 300:
        raise InvalidInput({"change_note": _("At most %(limit)d characters.") % {"limit": 300}})
    with transaction.atomic():
        current = PolicyVersion.objects.current(organisation)
        if current.spec == spec:
            raise InvalidInput(
                {"__all__": _("This is the policy already in force (version %(number)d); nothing to publish.") % {
                    "number": current.number
                }}
            )
        return PolicyVersion.publish(organisation, spec, preset=preset or current.preset, change_note=note, by=by)
