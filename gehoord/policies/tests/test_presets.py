"""The four seed procedures as presets: every deadline for one sample complaint, worked out by hand.

The sample complaint arrives on Monday 21 December 2026 at 10:00 local time, so every term runs
over Christmas and New Year: 10:00 CET = 09:00Z in Amsterdam, 10:00 GMT = 10:00Z in London.
NL holidays on the way: Fri 25 and Sat 26 Dec, Fri 1 Jan. England: Fri 25 Dec, Mon 28 Dec (Boxing
Day observed, the 26th being a Saturday), Fri 1 Jan. Day deadlines end at 23:59:59 local
(22:59:59Z in Amsterdam, 23:59:59Z in London); day reminders fall at 00:00 local (23:00Z the day
before in Amsterdam, 00:00Z in London).
"""

import copy
import json
import re
from datetime import datetime

import pytest

from gehoord.policies.presets import PRESETS
from django.utils import translation

from gehoord.policies.rules import Anchor, DeadlineKind, LocalText, PolicyError, PolicySpec, due_instants, schedule

ACK = DeadlineKind.acknowledge
ASSIGN = DeadlineKind.assign
RESPOND = DeadlineKind.respond
UPDATE = DeadlineKind.progress_update
RESOLVE = DeadlineKind.resolve
ESC_ACK = DeadlineKind.escalation_acknowledge
ESC_RESOLVE = DeadlineKind.escalation_resolve

RECEIVED_NL = "2026-12-21T10:00+01:00"
RECEIVED_LONDON = "2026-12-21T10:00+00:00"


def at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# (preset, kind, stage, anchored at, due, reminder, target)
SCHEDULES = [
    # vxhome (NL). Acknowledged automatically: 0 hours → the receipt instant, no reminder.
    pytest.param("vxhome", ACK, 1, RECEIVED_NL, "2026-12-21T09:00:00Z", None, None, id="vxhome-acknowledge"),
    # Respond 14 calendar days → Mon 4 Jan 2027. Reminder 1 working day ahead: (Sun 3, Sat 2,
    # Fri 1 New Year) Thu 31 Dec 00:00 CET.
    pytest.param(
        "vxhome", RESPOND, 1, RECEIVED_NL, "2027-01-04T22:59:59Z", "2026-12-30T23:00:00Z", None, id="vxhome-respond"
    ),
    # webshop-board (England). Acknowledge 3 working days: Tue 22, Wed 23, Thu 24.
    # Reminder: Wed 23 00:00.
    pytest.param(
        "webshop-board", ACK, 1, RECEIVED_LONDON, "2026-12-24T23:59:59Z", "2026-12-23T00:00:00Z", None,
        id="board-acknowledge",
    ),
    # Assign (and reassign if unresolved) 7 calendar days → Mon 28 Dec. Reminder: (Sun 27,
    # Sat 26, Fri 25 Christmas; Mon 28 itself is Boxing Day observed) Thu 24 00:00.
    pytest.param(
        "webshop-board", ASSIGN, 1, RECEIVED_LONDON, "2026-12-28T23:59:59Z", "2026-12-24T00:00:00Z", None,
        id="board-assign",
    ),
    # Progress report 14 calendar days → Mon 4 Jan 2027. Reminder: (Sun 3, Sat 2, Fri 1) Thu 31.
    pytest.param(
        "webshop-board", UPDATE, 1, RECEIVED_LONDON, "2027-01-04T23:59:59Z", "2026-12-31T00:00:00Z", None,
        id="board-progress-update",
    ),
    # Resolve, ideally, 14 calendar days → the same Mon 4 Jan 2027.
    pytest.param(
        "webshop-board", RESOLVE, 1, RECEIVED_LONDON, "2027-01-04T23:59:59Z", "2026-12-31T00:00:00Z", None,
        id="board-resolve",
    ),
    # Escalation to the board requested Tue 5 Jan 2027 14:00: 7 calendar days → Tue 12 Jan.
    # Reminder: Mon 11 Jan 00:00.
    pytest.param(
        "webshop-board", ESC_RESOLVE, 3, "2027-01-05T14:00+00:00", "2027-01-12T23:59:59Z", "2027-01-11T00:00:00Z",
        None, id="board-escalation-resolve",
    ),
    # welzo (England). Acknowledge 48 hours → Wed 23 Dec 10:00; reminder 4 hours ahead, 06:00.
    pytest.param(
        "welzo", ACK, 1, RECEIVED_LONDON, "2026-12-23T10:00:00Z", "2026-12-23T06:00:00Z", None, id="welzo-acknowledge"
    ),
    # Resolve 10 working days from the (automatic) acknowledgement at receipt: Tue 22, Wed 23,
    # Thu 24 (3), Fri 25 and Mon 28 off, Tue 29, Wed 30, Thu 31 (6), Fri 1 Jan off, Mon 4, Tue 5,
    # Wed 6, Thu 7 (10). Reminder: Wed 6 Jan 00:00.
    pytest.param(
        "welzo", RESOLVE, 1, RECEIVED_LONDON, "2027-01-07T23:59:59Z", "2027-01-06T00:00:00Z", None,
        id="welzo-resolve",
    ),
    # Escalation requested Fri 8 Jan 2027 11:00: acknowledge within 10 working days, Mon 11 to
    # Fri 15 (5) and Mon 18 to Fri 22 (10) → Fri 22; target 5 → Fri 15. Reminder: Thu 21 00:00.
    pytest.param(
        "welzo", ESC_ACK, 2, "2027-01-08T11:00+00:00", "2027-01-22T23:59:59Z", "2027-01-21T00:00:00Z",
        "2027-01-15T23:59:59Z", id="welzo-escalation-acknowledge",
    ),
    # Escalation acknowledged Tue 12 Jan 2027 09:30: 10 working days, Wed 13 to Fri 15 (3),
    # Mon 18 to Fri 22 (8), Mon 25, Tue 26 (10). Reminder: Mon 25 00:00.
    pytest.param(
        "welzo", ESC_RESOLVE, 2, "2027-01-12T09:30+00:00", "2027-01-26T23:59:59Z", "2027-01-25T00:00:00Z", None,
        id="welzo-escalation-resolve",
    ),
    # inverter (NL). Acknowledge 7 working days: Tue 22, Wed 23, Thu 24 (3), Fri 25 and Sat 26
    # Christmas, Sun, Mon 28, Tue 29, Wed 30, Thu 31 (7). Reminder: Wed 30 00:00 CET.
    pytest.param(
        "inverter", ACK, 1, RECEIVED_NL, "2026-12-31T22:59:59Z", "2026-12-29T23:00:00Z", None, id="inverter-acknowledge"
    ),
    # Acknowledged Wed 23 Dec 2026 14:00: progress update within 14 working days, Thu 24 (1),
    # Mon 28 to Thu 31 (5), Fri 1 Jan off, Mon 4 to Fri 8 (10), Mon 11 to Thu 14 (14).
    # Reminder: Wed 13 Jan 00:00 CET.
    pytest.param(
        "inverter", UPDATE, 1, "2026-12-23T14:00+01:00", "2027-01-14T22:59:59Z", "2027-01-12T23:00:00Z", None,
        id="inverter-progress-update",
    ),
    # Resolve 30 working days from receipt: Dec 22-24 (3), Dec 28-31 (7), Jan 4-8 (12),
    # Jan 11-15 (17), 18-22 (22), 25-29 (27), Mon 1, Tue 2, Wed 3 Feb (30). Reminder: Tue 2 Feb.
    pytest.param(
        "inverter", RESOLVE, 1, RECEIVED_NL, "2027-02-03T22:59:59Z", "2027-02-01T23:00:00Z", None,
        id="inverter-resolve",
    ),
    # platform (seed 004, BE): the platform confirms on receipt; the company is expected to answer within
    # 30 calendar days → Wed 20 Jan 2027 23:59:59 CET; reminded 7 calendar days ahead, Wed 13 Jan 00:00 CET.
    pytest.param("platform", ACK, 1, RECEIVED_NL, "2026-12-21T09:00:00Z", None, None, id="platform-acknowledge"),
    pytest.param(
        "platform", RESPOND, 1, RECEIVED_NL, "2027-01-20T22:59:59Z", "2027-01-12T23:00:00Z", None,
        id="platform-respond",
    ),
]


@pytest.mark.parametrize(("slug", "kind", "stage", "anchored_at", "due", "remind", "target"), SCHEDULES)
def test_each_preset_deadline_for_the_sample_complaint(slug, kind, stage, anchored_at, due, remind, target):
    spec = PRESETS[slug]
    scheduled = schedule(spec.calendar, spec.rule_for(kind, stage), at(anchored_at))
    assert (scheduled.due_at, scheduled.remind_at, scheduled.target_at) == (at(due), at(remind), at(target))


def test_the_sample_tables_are_complete():
    """Every rule of every preset appears in SCHEDULES, and nothing else does."""
    scheduled = {(param.values[0], param.values[1], param.values[2]) for param in SCHEDULES}
    defined = {(slug, rule.kind, rule.stage) for slug, spec in PRESETS.items() for rule in spec.rules}
    assert scheduled == defined


def test_vxhome_due_instants():
    anchors = {Anchor.received: at(RECEIVED_NL), Anchor.acknowledged: at(RECEIVED_NL)}
    assert due_instants(PRESETS["vxhome"], anchors) == {
        (ACK, 1): at("2026-12-21T09:00:00Z"),
        (RESPOND, 1): at("2027-01-04T22:59:59Z"),
    }
    # No stated term for the manager stage: an escalation starts no deadline.
    assert due_instants(PRESETS["vxhome"], {Anchor.escalation_requested: at("2027-01-05T10:00+01:00")}, stage=2) == {}


def test_webshop_board_due_instants():
    spec = PRESETS["webshop-board"]
    # Acknowledged by a person on Wed 23 Dec; no rule counts from the acknowledgement.
    anchors = {Anchor.received: at(RECEIVED_LONDON), Anchor.acknowledged: at("2026-12-23T15:00+00:00")}
    assert due_instants(spec, anchors, stage=1) == {
        (ACK, 1): at("2026-12-24T23:59:59Z"),
        (ASSIGN, 1): at("2026-12-28T23:59:59Z"),
        (UPDATE, 1): at("2027-01-04T23:59:59Z"),
        (RESOLVE, 1): at("2027-01-04T23:59:59Z"),
    }
    assert due_instants(spec, {Anchor.escalation_requested: at("2027-01-05T14:00+00:00")}, stage=3) == {
        (ESC_RESOLVE, 3): at("2027-01-12T23:59:59Z"),
    }


def test_welzo_due_instants():
    spec = PRESETS["welzo"]
    anchors = {Anchor.received: at(RECEIVED_LONDON), Anchor.acknowledged: at(RECEIVED_LONDON)}
    assert due_instants(spec, anchors, stage=1) == {
        (ACK, 1): at("2026-12-23T10:00:00Z"),
        (RESOLVE, 1): at("2027-01-07T23:59:59Z"),
    }
    escalation = {
        Anchor.escalation_requested: at("2027-01-08T11:00+00:00"),
        Anchor.escalation_acknowledged: at("2027-01-12T09:30+00:00"),
    }
    assert due_instants(spec, escalation, stage=2) == {
        (ESC_ACK, 2): at("2027-01-22T23:59:59Z"),
        (ESC_RESOLVE, 2): at("2027-01-26T23:59:59Z"),
    }


def test_inverter_due_instants():
    spec = PRESETS["inverter"]
    anchors = {Anchor.received: at(RECEIVED_NL), Anchor.acknowledged: at("2026-12-23T14:00+01:00")}
    assert due_instants(spec, anchors) == {
        (ACK, 1): at("2026-12-31T22:59:59Z"),
        (UPDATE, 1): at("2027-01-14T22:59:59Z"),
        (RESOLVE, 1): at("2027-02-03T22:59:59Z"),
    }
    assert due_instants(spec, {Anchor.escalation_requested: at("2027-02-04T10:00+01:00")}, stage=2) == {}


def test_the_presets_are_the_five_seed_procedures():
    """The four companies' own procedures, and the public platform's for a company that answers by mail."""
    assert list(PRESETS) == ["vxhome", "webshop-board", "welzo", "inverter", "platform"]


SWITCHES = [
    # slug, auto acknowledge, order number is the reference, escalation stages and who handles them
    ("vxhome", True, False, [(2, "manager")]),
    ("webshop-board", False, True, [(3, "board")]),
    ("welzo", True, False, [(2, "manager")]),
    ("inverter", False, False, [(2, "manager")]),
    ("platform", True, False, []),
]


@pytest.mark.parametrize(("slug", "auto_acknowledge", "order_number_is_reference", "stages"), SWITCHES)
def test_preset_switches_and_stages(slug, auto_acknowledge, order_number_is_reference, stages):
    spec = PRESETS[slug]
    assert spec.auto_acknowledge is auto_acknowledge
    assert spec.order_number_is_reference is order_number_is_reference
    assert [(stage.number, stage.handled_by) for stage in spec.stages] == stages


def test_preset_calendars():
    calendars = {slug: spec.calendar for slug, spec in PRESETS.items()}
    assert {slug: (c.country, c.subdivision, c.timezone) for slug, c in calendars.items()} == {
        "vxhome": ("NL", None, "Europe/Amsterdam"),
        "webshop-board": ("GB", "ENG", "Europe/London"),
        "welzo": ("GB", "ENG", "Europe/London"),
        "inverter": ("NL", None, "Europe/Amsterdam"),
        "platform": ("BE", None, "Europe/Brussels"),
    }


def test_preset_sweep_flags():
    rules = [(slug, rule) for slug, spec in PRESETS.items() for rule in spec.rules]
    assert [(slug, rule.label) for slug, rule in rules if rule.demands_update] == [("vxhome", "respond (stage 1)")]
    assert [(slug, rule.label) for slug, rule in rules if rule.reassign_to_manager] == [
        ("webshop-board", "assign (stage 1)")
    ]


def test_preset_external_bodies():
    assert {slug: [body.name.nl for body in spec.external_bodies] for slug, spec in PRESETS.items()} == {
        "vxhome": ["WebwinkelKeur", "De Geschillencommissie"],
        "webshop-board": ["Trading Standards"],
        "welzo": ["Onafhankelijk advies"],
        "inverter": [],
        "platform": [],
    }


def test_presets_say_where_the_seed_is_silent():
    assert "no resolution term" in PRESETS["vxhome"].notes.en
    assert "No external body is named" in PRESETS["inverter"].notes.en
    for slug, spec in PRESETS.items():
        assert "Gehoord default" in spec.notes.en or slug == "platform"
        for rule in spec.rules:
            assert rule.reminder_before is None or "remind" in rule.note.en, slug


def every_text(spec: PolicySpec) -> list[LocalText]:
    return [
        spec.notes,
        *(rule.note for rule in spec.rules),
        *(stage.label for stage in spec.stages),
        *(text for body in spec.external_bodies for text in (body.name, body.description)),
    ]


@pytest.mark.parametrize("slug", list(PRESETS))
def test_every_preset_text_is_in_both_languages_and_never_names_its_source(slug):
    for text in every_text(PRESETS[slug]):
        assert text.nl and text.en, text
        for language in (text.nl, text.en):
            assert not re.search(r"\b(seed|§)", language, re.IGNORECASE), language


def test_a_policy_text_is_read_in_the_reader_language():
    body = PRESETS["welzo"].external_bodies[0]
    with translation.override("nl"):
        assert str(body.name) == "Onafhankelijk advies"
    with translation.override("en"):
        assert str(body.name) == "Independent advice"
    one_language = LocalText(nl="Alleen Nederlands")
    with translation.override("en"):
        assert str(one_language) == "Alleen Nederlands"


def test_a_plain_string_from_an_older_version_stands_for_both_languages():
    data = PRESETS["vxhome"].to_dict()
    data["notes"] = "Written before policies spoke two languages."
    assert PolicySpec.from_dict(data).notes == LocalText(nl=data["notes"], en=data["notes"])


@pytest.mark.parametrize("slug", list(PRESETS))
def test_presets_round_trip_through_json(slug):
    spec = PRESETS[slug]
    assert PolicySpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def broken(slug: str, change) -> dict:
    data = copy.deepcopy(PRESETS[slug].to_dict())
    change(data)
    return data


BAD_DICTS = [
    pytest.param(broken("vxhome", lambda d: d.pop("rules")), "", "missing field rules", id="missing-rules"),
    pytest.param(broken("vxhome", lambda d: d.update(owner="x")), "", "unknown field owner", id="unknown-field"),
    pytest.param(
        broken("vxhome", lambda d: d["rules"][1]["duration"].update(unit="weeks")),
        "rules[1].duration.unit", "'weeks' is not one of", id="bad-unit",
    ),
    pytest.param(
        broken("vxhome", lambda d: d["rules"][1]["duration"].update(amount=-14)),
        "rules[1].duration.amount", "between 0 and", id="negative-amount",
    ),
    pytest.param(
        broken("webshop-board", lambda d: d["calendar"].update(timezone="Europe/Londen")),
        "calendar.timezone", "unknown time zone 'Europe/Londen'", id="bad-timezone",
    ),
    pytest.param(
        broken("webshop-board", lambda d: d["calendar"].update(subdivision="England")),
        "calendar.subdivision", "GB has no subdivision 'England'", id="bad-subdivision",
    ),
    pytest.param(
        broken("inverter", lambda d: d["calendar"].update(country="Holland")),
        "calendar.country", "no public holidays known for country 'Holland'", id="bad-country",
    ),
    pytest.param(
        broken("inverter", lambda d: d["calendar"].update(closure_days=["31-12-2026"])),
        "calendar.closure_days[0]", "YYYY-MM-DD", id="bad-closure-day",
    ),
    pytest.param(
        broken("webshop-board", lambda d: d["rules"].append(copy.deepcopy(d["rules"][0]))),
        "rules[5]", "a second acknowledge (stage 1) rule", id="duplicate-rule",
    ),
    pytest.param(
        broken("webshop-board", lambda d: d.update(stages=[])),
        "rules[4].stage", "needs escalation stage 3", id="escalation-rule-without-stage",
    ),
    pytest.param(
        broken("inverter", lambda d: d["rules"][0].update(anchor="acknowledged")),
        "rules[0].anchor", "the acknowledge rule cannot start at acknowledged", id="anchor-unfit",
    ),
    pytest.param(
        broken("welzo", lambda d: d["rules"][2].update(target={"amount": 12, "unit": "working_days"})),
        "rules[2].target", "must not be later than its deadline", id="target-too-late",
    ),
    pytest.param(
        broken("welzo", lambda d: d["rules"][2].update(reminder_before={"amount": 1})),
        "rules[2].reminder_before", "missing field unit", id="reminder-incomplete",
    ),
    pytest.param(
        broken("welzo", lambda d: d["rules"][0].update(due="48h")), "rules[0]", "unknown field due", id="rule-unknown"
    ),
    pytest.param(
        broken("welzo", lambda d: d["stages"][0].update(handled_by="ceo")),
        "stages[0].handled_by", "'ceo' is not one of manager, board", id="bad-handler",
    ),
    pytest.param(
        broken("welzo", lambda d: d.update(stages=[{"number": 3, "handled_by": "board", "label": "Board"},
                                                   {"number": 2, "handled_by": "manager", "label": "Manager"}])),
        "stages[1]", "stages must increase", id="stages-decrease",
    ),
    pytest.param(
        broken("vxhome", lambda d: d["external_bodies"][0].update(url="www.webwinkelkeur.nl")),
        "external_bodies[0].url", "starting with https://", id="bad-url",
    ),
    pytest.param(
        broken("vxhome", lambda d: d.update(auto_acknowledge="yes")),
        "auto_acknowledge", "expected true or false, not text 'yes'", id="not-a-bool",
    ),
    pytest.param(
        broken("vxhome", lambda d: d.update(retention_days="730")),
        "retention_days", "expected a whole number, not text '730'", id="retention-as-text",
    ),
    pytest.param(broken("vxhome", lambda d: d.update(rules={})), "rules", "expected a list", id="rules-not-a-list"),
    pytest.param("vxhome", "", "expected an object, not text", id="not-an-object"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD_DICTS)
def test_bad_policy_dicts_are_refused_naming_the_field(data, field, message):
    with pytest.raises(PolicyError) as raised:
        PolicySpec.from_dict(data)
    assert raised.value.field == field
    assert message in raised.value.problem
