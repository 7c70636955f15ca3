"""Deadline rules and policies: validation, the JSON form, and which deadlines start when."""

import json
from datetime import datetime

import pytest

from gehoord.policies.calendar import BusinessCalendar, Duration, Unit
from gehoord.policies.rules import (
    Anchor,
    DeadlineKind,
    DeadlineRule,
    EscalationHandler,
    EscalationStage,
    ExternalBody,
    PolicyError,
    PolicySpec,
    ScheduledDeadline,
    due_instants,
    rules_for_anchor,
    schedule,
)

NL = BusinessCalendar(timezone="Europe/Amsterdam", country="NL")

ACKNOWLEDGE = DeadlineRule(DeadlineKind.acknowledge, Anchor.received, Duration(2, Unit.working_days))
RESOLVE = DeadlineRule(
    DeadlineKind.resolve,
    Anchor.acknowledged,
    Duration(5, Unit.working_days),
    reminder_before=Duration(1, Unit.working_days),
)
MANAGER_ACKNOWLEDGE = DeadlineRule(
    DeadlineKind.escalation_acknowledge,
    Anchor.escalation_requested,
    Duration(3, Unit.working_days),
    stage=2,
    target=Duration(1, Unit.working_days),
)
MANAGER_RESOLVE = DeadlineRule(
    DeadlineKind.escalation_resolve, Anchor.escalation_acknowledged, Duration(10, Unit.calendar_days), stage=2
)
BOARD_RESOLVE = DeadlineRule(
    DeadlineKind.escalation_resolve, Anchor.escalation_requested, Duration(7, Unit.calendar_days), stage=3
)
MANAGER = EscalationStage(2, EscalationHandler.manager, "Manager")
BOARD = EscalationStage(3, EscalationHandler.board, "Board")

SPEC = PolicySpec(
    calendar=NL,
    rules=(ACKNOWLEDGE, RESOLVE, MANAGER_ACKNOWLEDGE, MANAGER_RESOLVE, BOARD_RESOLVE),
    stages=(MANAGER, BOARD),
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def problem(call) -> PolicyError:
    with pytest.raises(PolicyError) as raised:
        call()
    return raised.value


# --- which rules start when --------------------------------------------------------------------

FIRED = [
    pytest.param(Anchor.received, 1, (ACKNOWLEDGE,), id="received"),
    pytest.param(Anchor.acknowledged, 1, (RESOLVE,), id="acknowledged"),
    pytest.param(Anchor.escalation_requested, 2, (MANAGER_ACKNOWLEDGE,), id="requested-stage-2"),
    pytest.param(Anchor.escalation_requested, 3, (BOARD_RESOLVE,), id="requested-stage-3"),
    pytest.param(Anchor.escalation_acknowledged, 2, (MANAGER_RESOLVE,), id="esc-acknowledged-stage-2"),
    pytest.param(Anchor.escalation_acknowledged, 3, (), id="esc-acknowledged-stage-3"),
    pytest.param(Anchor.received, 2, (), id="received-at-stage-2"),
]


@pytest.mark.parametrize(("anchor", "stage", "expected"), FIRED)
def test_rules_for_anchor_are_the_rules_that_start_then(anchor, stage, expected):
    assert rules_for_anchor(SPEC, anchor, stage) == expected


def test_due_instants_of_the_first_stage():
    anchors = {
        Anchor.received: at("2026-12-21T10:00+01:00"),
        Anchor.acknowledged: at("2026-12-22T11:00+01:00"),
    }
    assert due_instants(SPEC, anchors) == {
        # Received Mon 21 Dec 2026 + 2 working days: Tue 22, Wed 23 → 23:59:59 CET.
        (DeadlineKind.acknowledge, 1): at("2026-12-23T22:59:59Z"),
        # Acknowledged Tue 22 Dec + 5 working days: Wed 23, Thu 24, (Fri 25, Sat 26 Christmas,
        # Sun) Mon 28, Tue 29, Wed 30.
        (DeadlineKind.resolve, 1): at("2026-12-30T22:59:59Z"),
    }


def test_due_instants_of_one_escalation_stage():
    anchors = {
        Anchor.escalation_requested: at("2027-01-04T10:00+01:00"),
        Anchor.escalation_acknowledged: at("2027-01-06T09:00+01:00"),
    }
    assert due_instants(SPEC, anchors, stage=2) == {
        # Requested Mon 4 Jan 2027 + 3 working days: Tue 5, Wed 6, Thu 7.
        (DeadlineKind.escalation_acknowledge, 2): at("2027-01-07T22:59:59Z"),
        # Escalation acknowledged Wed 6 Jan + 10 calendar days → Sat 16 Jan.
        (DeadlineKind.escalation_resolve, 2): at("2027-01-16T22:59:59Z"),
    }
    # The board stage counts from its own request: Mon 18 Jan 2027 + 7 calendar days → Mon 25.
    assert due_instants(SPEC, {Anchor.escalation_requested: at("2027-01-18T10:00+01:00")}, stage=3) == {
        (DeadlineKind.escalation_resolve, 3): at("2027-01-25T22:59:59Z"),
    }


def test_due_instants_leave_out_rules_whose_anchor_has_not_happened():
    assert due_instants(SPEC, {Anchor.received: at("2026-12-21T10:00+01:00")}) == {
        (DeadlineKind.acknowledge, 1): at("2026-12-23T22:59:59Z"),
    }
    assert due_instants(SPEC, {}) == {}


def test_schedule_gives_due_target_and_reminder():
    # Requested Mon 4 Jan 2027: due Thu 7 (3 working days), target Tue 5 (1 working day);
    # no reminder set.
    assert schedule(NL, MANAGER_ACKNOWLEDGE, at("2027-01-04T10:00+01:00")) == ScheduledDeadline(
        rule=MANAGER_ACKNOWLEDGE,
        due_at=at("2027-01-07T22:59:59Z"),
        target_at=at("2027-01-05T22:59:59Z"),
        remind_at=None,
    )
    # Acknowledged Tue 22 Dec 2026: due Wed 30 Dec (see above); reminded 1 working day ahead,
    # at the start of Tue 29 Dec, 00:00 CET.
    assert schedule(NL, RESOLVE, at("2026-12-22T11:00+01:00")) == ScheduledDeadline(
        rule=RESOLVE,
        due_at=at("2026-12-30T22:59:59Z"),
        target_at=None,
        remind_at=at("2026-12-28T23:00:00Z"),
    )


def test_a_reminder_is_never_before_the_anchor():
    rule = DeadlineRule(
        DeadlineKind.acknowledge,
        Anchor.received,
        Duration(1, Unit.working_days),
        reminder_before=Duration(3, Unit.working_days),
    )
    # Received Mon 21 Dec 2026 10:00: due Tue 22; 3 working days ahead would be Thu 17 Dec, before
    # the complaint existed, so the reminder is due at once.
    scheduled = schedule(NL, rule, at("2026-12-21T10:00+01:00"))
    assert scheduled.due_at == at("2026-12-22T22:59:59Z")
    assert scheduled.remind_at == at("2026-12-21T09:00:00Z")


def test_rule_for_finds_a_rule_by_kind_and_stage():
    assert SPEC.rule_for(DeadlineKind.resolve) == RESOLVE
    assert SPEC.rule_for(DeadlineKind.escalation_resolve, stage=3) == BOARD_RESOLVE
    assert SPEC.rule_for(DeadlineKind.respond) is None


# --- validation of rules and policies ----------------------------------------------------------

BAD_RULES = [
    pytest.param(
        dict(kind="reply", anchor="received", duration=Duration(1, Unit.hours)),
        "kind", "'reply' is not one of acknowledge, assign, respond", id="unknown-kind",
    ),
    pytest.param(
        dict(kind="resolve", anchor="escalated", duration=Duration(1, Unit.hours)),
        "anchor", "'escalated' is not one of received, acknowledged", id="unknown-anchor",
    ),
    pytest.param(
        dict(kind=DeadlineKind.acknowledge, anchor=Anchor.acknowledged, duration=Duration(1, Unit.hours)),
        "anchor", "the acknowledge rule cannot start at acknowledged (allowed: received)", id="ack-after-ack",
    ),
    pytest.param(
        dict(kind=DeadlineKind.resolve, anchor=Anchor.escalation_requested, duration=Duration(1, Unit.hours)),
        "anchor", "the resolve rule cannot start at escalation_requested", id="resolve-at-escalation",
    ),
    pytest.param(
        dict(
            kind=DeadlineKind.escalation_acknowledge,
            anchor=Anchor.escalation_acknowledged,
            duration=Duration(1, Unit.hours),
            stage=2,
        ),
        "anchor", "the escalation_acknowledge rule cannot start at escalation_acknowledged", id="esc-ack-after-itself",
    ),
    pytest.param(
        dict(
            kind=DeadlineKind.escalation_resolve, anchor=Anchor.escalation_requested, duration=Duration(1, Unit.hours)
        ),
        "stage", "the escalation_resolve rule applies to stage 2 or 3, not 1", id="escalation-at-stage-1",
    ),
    pytest.param(
        dict(
            kind=DeadlineKind.escalation_resolve,
            anchor=Anchor.escalation_requested,
            duration=Duration(1, Unit.hours),
            stage=4,
        ),
        "stage", "stage 2 or 3, not 4", id="escalation-at-stage-4",
    ),
    pytest.param(
        dict(kind=DeadlineKind.resolve, anchor=Anchor.received, duration=Duration(1, Unit.hours), stage=2),
        "stage", "the resolve rule belongs to stage 1, not 2", id="resolve-at-stage-2",
    ),
    pytest.param(
        dict(kind=DeadlineKind.resolve, anchor=Anchor.received, duration={"amount": 1, "unit": "hours"}),
        "duration", "expected Duration", id="duration-not-a-duration",
    ),
    pytest.param(
        dict(
            kind=DeadlineKind.resolve,
            anchor=Anchor.received,
            duration=Duration(10, Unit.working_days),
            target=Duration(5, Unit.calendar_days),
        ),
        "target", "the target of the resolve (stage 1) rule must be in working_days", id="target-other-unit",
    ),
    pytest.param(
        dict(
            kind=DeadlineKind.resolve,
            anchor=Anchor.received,
            duration=Duration(10, Unit.working_days),
            target=Duration(11, Unit.working_days),
        ),
        "target", "must not be later than its deadline", id="target-after-deadline",
    ),
    pytest.param(
        dict(kind=DeadlineKind.resolve, anchor=Anchor.received, duration=Duration(1, Unit.hours), demands_update=True),
        "demands_update", "only a respond rule demands an update, not resolve (stage 1)", id="update-on-resolve",
    ),
    pytest.param(
        dict(
            kind=DeadlineKind.assign,
            anchor=Anchor.received,
            duration=Duration(1, Unit.hours),
            reassign_to_manager="yes",
        ),
        "reassign_to_manager", "expected true or false, not text 'yes'", id="reassign-not-a-bool",
    ),
]


@pytest.mark.parametrize(("arguments", "field", "message"), BAD_RULES)
def test_bad_rules_are_refused_naming_the_rule(arguments, field, message):
    error = problem(lambda: DeadlineRule(**arguments))
    assert error.field == field
    assert message in error.problem


def test_a_rule_takes_its_kind_and_anchor_as_plain_text():
    rule = DeadlineRule("resolve", "acknowledged", Duration(5, Unit.working_days))
    assert (rule.kind, rule.anchor) == (DeadlineKind.resolve, Anchor.acknowledged)
    assert rule == DeadlineRule(DeadlineKind.resolve, Anchor.acknowledged, Duration(5, Unit.working_days))


BAD_SPECS = [
    pytest.param(
        dict(rules=(ACKNOWLEDGE, RESOLVE, ACKNOWLEDGE)), "rules[2]", "a second acknowledge (stage 1) rule",
        id="duplicate",
    ),
    pytest.param(
        dict(rules=(ACKNOWLEDGE, BOARD_RESOLVE), stages=(MANAGER,)),
        "rules[1].stage", "the escalation_resolve (stage 3) rule needs escalation stage 3 (stages defined: 2)",
        id="rule-for-missing-stage",
    ),
    pytest.param(
        dict(rules=(MANAGER_RESOLVE,)), "rules[0].stage", "(stages defined: none)", id="no-stages-at-all",
    ),
    pytest.param(
        dict(rules=(), stages=(BOARD, MANAGER)), "stages[1]", "stage 2 comes after stage 3; stages must increase",
        id="stages-decrease",
    ),
    pytest.param(
        dict(rules=(), stages=(MANAGER, MANAGER)), "stages[1]", "stages must increase", id="stage-twice",
    ),
    pytest.param(dict(rules=(), retention_days=0), "retention_days", "at least 1, not 0", id="retention-zero"),
    pytest.param(dict(rules=(), auto_acknowledge=None), "auto_acknowledge", "expected true or false", id="not-a-bool"),
    pytest.param(dict(rules=({"kind": "resolve"},)), "rules[0]", "expected DeadlineRule", id="rule-not-a-rule"),
    pytest.param(dict(rules=(), calendar="NL"), "calendar", "expected BusinessCalendar", id="calendar-not-a-calendar"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_SPECS)
def test_bad_policies_are_refused_naming_the_rule(changes, field, message):
    arguments = {"calendar": NL, **changes}
    error = problem(lambda: PolicySpec(**arguments))
    assert error.field == field
    assert message in error.problem


BAD_PARTS = [
    pytest.param(lambda: EscalationStage(4, EscalationHandler.board, "Board"), "number", "2 or 3, not 4", id="stage-4"),
    pytest.param(
        lambda: EscalationStage(2, "ceo", "CEO"), "handled_by", "'ceo' is not one of manager, board", id="handler"
    ),
    pytest.param(lambda: EscalationStage(2, "manager", " "), "label", "stage 2 needs a label", id="no-label"),
    pytest.param(lambda: ExternalBody(""), "name", "needs a name", id="no-name"),
    pytest.param(lambda: ExternalBody("Body", url="www.example.org"), "url", "starting with https://", id="bad-url"),
]


@pytest.mark.parametrize(("build", "field", "message"), BAD_PARTS)
def test_bad_stages_and_external_bodies_are_refused(build, field, message):
    error = problem(build)
    assert error.field == field
    assert message in error.problem


def test_policy_errors_are_value_errors_with_the_field_in_the_message():
    error = problem(lambda: PolicySpec(calendar=NL, rules=(ACKNOWLEDGE, ACKNOWLEDGE)))
    assert isinstance(error, ValueError)
    assert str(error) == "rules[1]: a second acknowledge (stage 1) rule"


# --- the JSON form ------------------------------------------------------------------------------


def test_a_rule_as_a_dict():
    assert MANAGER_ACKNOWLEDGE.to_dict() == {
        "kind": "escalation_acknowledge",
        "anchor": "escalation_requested",
        "duration": {"amount": 3, "unit": "working_days"},
        "stage": 2,
        "reminder_before": None,
        "target": {"amount": 1, "unit": "working_days"},
        "reassign_to_manager": False,
        "demands_update": False,
        "note": {"nl": "", "en": ""},
    }


def test_a_policy_round_trips_through_json():
    data = json.loads(json.dumps(SPEC.to_dict()))
    assert PolicySpec.from_dict(data) == SPEC


def test_from_dict_fills_in_the_defaults():
    spec = PolicySpec.from_dict(
        {
            "calendar": {"timezone": "Europe/Amsterdam", "country": "NL"},
            "rules": [{"kind": "acknowledge", "anchor": "received", "duration": {"amount": 0, "unit": "hours"}}],
        }
    )
    assert spec == PolicySpec(
        calendar=NL,
        rules=(DeadlineRule(DeadlineKind.acknowledge, Anchor.received, Duration(0, Unit.hours)),),
        stages=(),
        external_bodies=(),
        auto_acknowledge=True,
        order_number_is_reference=False,
        pause_while_awaiting_consumer=True,
        retention_days=730,
        notes="",
    )
