"""A complaint's deadlines (SPEC 5): created when their anchor happens, met by the matching action,
cancelled when the complaint stops, extended by a manager, paused while the consumer is asked,
and kept on the policy version in force at receipt.

Every due instant is worked out by hand from the sample complaint of Monday 21 December 2026,
10:00 local (see test_presets.py for the day counts): day deadlines end at 23:59:59 local, which
is 22:59:59Z in Amsterdam and 23:59:59Z in London in winter; day reminders fall at 00:00 local.
"""

import dataclasses

import pytest

from gehoord.complaints import actions
from gehoord.complaints.actions import LetterInput
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Event, Status
from gehoord.errors import InvalidInput, NotPermitted
from gehoord.policies.calendar import Duration, Unit
from gehoord.policies.models import Deadline, PolicyVersion
from gehoord.policies.presets import PRESETS
from gehoord.policies.rules import DeadlineKind
from gehoord.complaints.sweep import sweep
from gehoord.policies.tests.support import RECEIVED, at, mails, travel

LETTER = LetterInput(
    actions_taken="We inspected the photos and asked the courier for its delivery report.",
    conclusions="The damage happened after delivery.",
    decision="We do not replace the boxspring.",
)


def deadline(complaint, kind: str, stage: int = 1) -> Deadline:
    return Deadline.objects.get(complaint=complaint, kind=kind, stage=stage)


def clocks(complaint) -> dict[tuple[str, int], tuple]:
    """Each deadline as (state, anchored, due, reminder, target), instants in UTC ISO text."""

    def text(instant):
        return instant.isoformat().replace("+00:00", "Z") if instant else None

    return {
        (row.kind, row.stage): (
            row.state, text(row.anchored_at), text(row.due_at), text(row.remind_at), text(row.target_at),
        )
        for row in Deadline.objects.filter(complaint=complaint)
    }


def events(complaint, kind: str) -> list[Event]:
    return list(complaint.events.filter(kind=kind))


# --- created at receipt -------------------------------------------------------------------------

AT_RECEIPT = {
    # Acknowledged automatically at receipt, which meets the 0-hour acknowledge deadline; the
    # answer is due 14 calendar days later, Mon 4 Jan, reminded Thu 31 Dec (Fri 1 Jan is off).
    "vxhome": {
        ("acknowledge", 1): ("met", "2026-12-21T09:00:00Z", "2026-12-21T09:00:00Z", None, None),
        ("respond", 1): ("open", "2026-12-21T09:00:00Z", "2027-01-04T22:59:59Z", "2026-12-30T23:00:00Z", None),
    },
    # A person acknowledges: 3 working days, Thu 24 Dec. Assign within 7 calendar days, Mon 28
    # Dec, reminded Thu 24 (Fri 25 and Mon 28 are bank holidays). Progress report and resolution
    # 14 calendar days, Mon 4 Jan, reminded Thu 31 Dec.
    "webshop-board": {
        ("acknowledge", 1): ("open", "2026-12-21T10:00:00Z", "2026-12-24T23:59:59Z", "2026-12-23T00:00:00Z", None),
        ("assign", 1): ("open", "2026-12-21T10:00:00Z", "2026-12-28T23:59:59Z", "2026-12-24T00:00:00Z", None),
        ("progress_update", 1): (
            "open", "2026-12-21T10:00:00Z", "2027-01-04T23:59:59Z", "2026-12-31T00:00:00Z", None,
        ),
        ("resolve", 1): ("open", "2026-12-21T10:00:00Z", "2027-01-04T23:59:59Z", "2026-12-31T00:00:00Z", None),
    },
    # Acknowledged automatically within the 48 hours; resolution 10 working days from that
    # acknowledgement: Thu 7 Jan, reminded Wed 6 Jan.
    "welzo": {
        ("acknowledge", 1): ("met", "2026-12-21T10:00:00Z", "2026-12-23T10:00:00Z", "2026-12-23T06:00:00Z", None),
        ("resolve", 1): ("open", "2026-12-21T10:00:00Z", "2027-01-07T23:59:59Z", "2027-01-06T00:00:00Z", None),
    },
    # A person acknowledges within 7 working days, Thu 31 Dec; resolution 30 working days from
    # receipt, Wed 3 Feb. The progress update waits for the acknowledgement, its anchor.
    "inverter": {
        ("acknowledge", 1): ("open", "2026-12-21T09:00:00Z", "2026-12-31T22:59:59Z", "2026-12-29T23:00:00Z", None),
        ("resolve", 1): ("open", "2026-12-21T09:00:00Z", "2027-02-03T22:59:59Z", "2027-02-01T23:00:00Z", None),
    },
}


@pytest.mark.parametrize("preset", AT_RECEIPT)
def test_the_deadlines_that_start_at_receipt(company, preset):
    shop = company(preset)
    with travel(RECEIVED[preset]):
        complaint = shop.file()

    assert clocks(complaint) == AT_RECEIPT[preset]


@pytest.mark.parametrize("preset", AT_RECEIPT)
def test_each_deadline_keeps_the_rule_that_made_it(company, preset):
    shop = company(preset)
    with travel(RECEIVED[preset]):
        complaint = shop.file()

    for row in complaint.deadlines.all():
        rule = PRESETS[preset].rule_for(DeadlineKind(row.kind), row.stage)
        assert row.rule_data == rule.to_dict()
        assert row.rule == rule
        assert row.rule.note.nl and row.rule.note.en


def test_the_sweep_looks_at_a_row_at_its_first_reminder_or_due_instant(company):
    shop = company("webshop-board")
    with travel(RECEIVED["webshop-board"]):
        complaint = shop.file()

    for row in complaint.deadlines.all():
        assert row.next_check_at == row.remind_at


# --- acknowledgement: the anchor, and the expected date it states -------------------------------


@pytest.mark.parametrize(
    ("preset", "acknowledged_at", "expected", "stated"),
    [
        # The answer to expect is the earliest answer deadline: respond, else resolve.
        ("vxhome", None, "2027-01-04T22:59:59+00:00", "4 januari 2027"),
        ("welzo", None, "2027-01-07T23:59:59+00:00", "Jan. 7, 2027"),
        ("webshop-board", "2026-12-23T11:00+00:00", "2027-01-04T23:59:59+00:00", "Jan. 4, 2027"),
        ("inverter", "2026-12-23T14:00+01:00", "2027-02-03T22:59:59+00:00", "3 februari 2027"),
    ],
)
def test_the_acknowledgement_states_the_real_expected_date(company, preset, acknowledged_at, expected, stated):
    shop = company(preset)
    with travel(RECEIVED[preset]) as clock:
        complaint = shop.file()
        if acknowledged_at:
            clock.move_to(at(acknowledged_at))
            actions.acknowledge(complaint, by=shop.as_alice)

    [acknowledged] = events(complaint, "acknowledged")
    assert acknowledged.data["expected_answer_by"] == expected
    assert acknowledged.consumer_visible
    [mail] = mails("acknowledgement")
    assert mail.to_address == "carol@example.nl"
    # Dutch complainants are told in Dutch, English ones in English.
    promise = f"uiterlijk {stated} antwoord" if "2027" in stated and stated[0].isdigit() else f"{stated} at the latest"
    assert promise in mail.body_text


def test_the_acknowledgement_names_the_handler(company):
    shop = company("webshop-board")
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-22T09:00+00:00"))
        actions.assign(complaint, by=shop.as_manon, handler=shop.alice)
        clock.move_to(at("2026-12-23T11:00+00:00"))
        actions.acknowledge(complaint, by=shop.as_alice)

    [acknowledged] = events(complaint, "acknowledged")
    assert acknowledged.data["handler"] == "Alice"
    assert "Your complaint is handled by Alice." in mails("acknowledgement")[0].body_text


def test_acknowledging_meets_the_acknowledge_deadline_and_starts_the_progress_update(company):
    shop = company("inverter")
    with travel(RECEIVED["inverter"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-23T14:00+01:00"))
        actions.acknowledge(complaint, by=shop.as_alice)

    # Progress update 14 working days from the acknowledgement on Wed 23 Dec: Thu 24 (1), Mon 28
    # to Thu 31 (5), Fri 1 Jan off, Mon 4 to Fri 8 (10), Mon 11 to Thu 14 (14), reminded Wed 13.
    assert clocks(complaint) == {
        ("acknowledge", 1): ("met", "2026-12-21T09:00:00Z", "2026-12-31T22:59:59Z", "2026-12-29T23:00:00Z", None),
        ("progress_update", 1): (
            "open", "2026-12-23T13:00:00Z", "2027-01-14T22:59:59Z", "2027-01-12T23:00:00Z", None,
        ),
        ("resolve", 1): ("open", "2026-12-21T09:00:00Z", "2027-02-03T22:59:59Z", "2027-02-01T23:00:00Z", None),
    }
    assert deadline(complaint, "acknowledge").met_at == at("2026-12-23T14:00+01:00")
    assert deadline(complaint, "acknowledge").next_check_at is None


def test_a_late_acknowledgement_meets_the_deadline_late(company):
    shop = company("inverter")
    with travel(RECEIVED["inverter"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2027-01-04T09:00+01:00"))
        actions.acknowledge(complaint, by=shop.as_alice)

    assert deadline(complaint, "acknowledge").state == "met_late"


# --- escalation anchors ---------------------------------------------------------------------------


def _rejected_proposal(shop, complaint, clock, proposed_at: str, rejected_at: str):
    clock.move_to(at(proposed_at))
    if complaint.status == Status.RECEIVED:
        complaint = actions.acknowledge(complaint, by=shop.as_alice)
    complaint = actions.propose_resolution(complaint, by=shop.as_alice, kinds=["apology"], text="Our apologies.")
    clock.move_to(at(rejected_at))
    return actions.reject(complaint, by=Actor.consumer(complaint), comment="An apology is not enough.")


def test_welzo_escalation_request_and_acknowledgement_start_the_stage_2_clocks(company):
    shop = company("welzo")
    with travel(RECEIVED["welzo"]) as clock:
        complaint = shop.file()
        complaint = _rejected_proposal(shop, complaint, clock, "2027-01-06T10:00+00:00", "2027-01-08T11:00+00:00")
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint), reason="Let a manager look at it.")

        # Stage 2: acknowledge within 10 working days of the request on Fri 8 Jan (Mon 11 to Fri
        # 22), aiming at 5 (Fri 15); reminded Thu 21. The first line's resolution clock stops.
        assert complaint.stage == 2
        assert clocks(complaint) == {
            ("acknowledge", 1): (
                "met", "2026-12-21T10:00:00Z", "2026-12-23T10:00:00Z", "2026-12-23T06:00:00Z", None,
            ),
            ("resolve", 1): ("cancelled", "2026-12-21T10:00:00Z", "2027-01-07T23:59:59Z", "2027-01-06T00:00:00Z", None),
            ("escalation_acknowledge", 2): (
                "open", "2027-01-08T11:00:00Z", "2027-01-22T23:59:59Z", "2027-01-21T00:00:00Z", "2027-01-15T23:59:59Z",
            ),
        }
        assert deadline(complaint, "resolve").cancelled_at == at("2027-01-08T11:00+00:00")

        clock.move_to(at("2027-01-12T09:30+00:00"))
        actions.acknowledge(complaint, by=shop.as_manon)

    # Resolution 10 working days from the escalation's acknowledgement on Tue 12 Jan: Wed 13 to
    # Fri 15 (3), Mon 18 to Fri 22 (8), Mon 25, Tue 26 (10); reminded Mon 25.
    assert clocks(complaint)[("escalation_acknowledge", 2)][0] == "met"
    assert clocks(complaint)[("escalation_resolve", 2)] == (
        "open", "2027-01-12T09:30:00Z", "2027-01-26T23:59:59Z", "2027-01-25T00:00:00Z", None,
    )
    [acknowledged] = events(complaint, "escalation_acknowledged")
    assert acknowledged.data["expected_answer_by"] == "2027-01-26T23:59:59+00:00"
    assert acknowledged.data["stage"] == 2
    [mail] = mails("escalation_acknowledgement")
    assert "Jan. 26, 2027 at the latest" in mail.body_text


def test_webshop_board_escalation_goes_straight_to_the_board_with_a_week_to_respond(company):
    shop = company("webshop-board")
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = shop.file()
        complaint = _rejected_proposal(shop, complaint, clock, "2027-01-04T10:00+00:00", "2027-01-05T14:00+00:00")
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint))

    # The board responds within 7 calendar days of the escalation on Tue 5 Jan: Tue 12 Jan,
    # reminded Mon 11. The proposal met the progress report; the resolution clock stopped. (Alice
    # acknowledged only when she proposed, on Mon 4 Jan: late.)
    assert complaint.stage == 3
    assert clocks(complaint) == {
        ("acknowledge", 1): ("met_late", "2026-12-21T10:00:00Z", "2026-12-24T23:59:59Z", "2026-12-23T00:00:00Z", None),
        ("assign", 1): ("cancelled", "2026-12-21T10:00:00Z", "2026-12-28T23:59:59Z", "2026-12-24T00:00:00Z", None),
        ("progress_update", 1): ("met", "2026-12-21T10:00:00Z", "2027-01-04T23:59:59Z", "2026-12-31T00:00:00Z", None),
        ("resolve", 1): ("cancelled", "2026-12-21T10:00:00Z", "2027-01-04T23:59:59Z", "2026-12-31T00:00:00Z", None),
        ("escalation_resolve", 3): (
            "open", "2027-01-05T14:00:00Z", "2027-01-12T23:59:59Z", "2027-01-11T00:00:00Z", None,
        ),
    }


@pytest.mark.parametrize("preset", ["vxhome", "inverter"])
def test_an_escalation_without_a_stated_term_has_no_deadlines(company, preset):
    shop = company(preset)
    with travel(RECEIVED[preset]) as clock:
        complaint = shop.file()
        complaint = _rejected_proposal(shop, complaint, clock, "2026-12-28T10:00+01:00", "2026-12-29T10:00+01:00")
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint))

    assert complaint.stage == 2
    assert not Deadline.objects.filter(complaint=complaint, stage=2).exists()
    assert not Deadline.objects.pending().filter(complaint=complaint).exists()


# --- met by the matching action -----------------------------------------------------------------


def test_assigning_meets_the_assign_deadline(company):
    shop = company("webshop-board")
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-22T09:00+00:00"))
        actions.assign(complaint, by=shop.as_manon, handler=shop.alice)

    assign = deadline(complaint, "assign")
    assert (assign.state, assign.met_at) == ("met", at("2026-12-22T09:00+00:00"))
    # Met, but the sweep still looks at the due instant: an unresolved complaint then goes to
    # the complaint manager (seed 001).
    assert assign.next_check_at == at("2026-12-28T23:59:59+00:00")
    assert deadline(complaint, "acknowledge").state == "open"


@pytest.mark.parametrize(("preset", "kind"), [("vxhome", "respond"), ("webshop-board", "progress_update")])
def test_a_message_to_the_consumer_is_the_answer_or_the_update(company, preset, kind):
    shop = company(preset)
    with travel(RECEIVED[preset]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-28T10:00+00:00"))
        actions.add_message(complaint, by=shop.as_alice, body="We asked the courier; we will report back.")

    row = deadline(complaint, kind)
    assert (row.state, row.met_at) == ("met", at("2026-12-28T10:00+00:00"))
    assert row.next_check_at is None


def test_an_internal_note_is_no_answer(company):
    shop = company("vxhome")
    with travel(RECEIVED["vxhome"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-28T10:00+01:00"))
        actions.add_message(complaint, by=shop.as_alice, body="Call the courier.", internal=True)

    assert deadline(complaint, "respond").state == "open"


def test_a_proposal_answers_but_does_not_resolve(company):
    shop = company("webshop-board")
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = shop.file()
        complaint = _rejected_proposal(shop, complaint, clock, "2026-12-29T10:00+00:00", "2026-12-30T10:00+00:00")

    assert deadline(complaint, "progress_update").met_at == at("2026-12-29T10:00+00:00")
    assert deadline(complaint, "resolve").state == "open"


def test_an_accepted_resolution_meets_the_resolve_deadline_and_stops_the_rest(company):
    shop = company("webshop-board")
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-23T10:00+00:00"))
        actions.acknowledge(complaint, by=shop.as_alice)
        actions.propose_resolution(complaint, by=shop.as_alice, kinds=["replacement"], text="A new boxspring.")
        clock.move_to(at("2026-12-24T08:00+00:00"))
        actions.accept(complaint, by=Actor.consumer(complaint))

    assert {key: value[0] for key, value in clocks(complaint).items()} == {
        ("acknowledge", 1): "met",
        ("assign", 1): "cancelled",
        ("progress_update", 1): "met",
        ("resolve", 1): "met",
    }
    assert deadline(complaint, "resolve").met_at == at("2026-12-24T08:00+00:00")
    assert not Deadline.objects.filter(complaint=complaint, next_check_at__isnull=False).exists()


def test_closing_with_an_outcome_letter_meets_the_resolve_deadline(company):
    shop = company("inverter")
    with travel(RECEIVED["inverter"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-23T14:00+01:00"))
        actions.acknowledge(complaint, by=shop.as_alice)
        clock.move_to(at("2027-01-20T16:00+01:00"))
        actions.close(complaint, by=shop.as_alice, letter=LETTER)

    assert {key: value[0] for key, value in clocks(complaint).items()} == {
        ("acknowledge", 1): "met",
        ("progress_update", 1): "cancelled",
        ("resolve", 1): "met",
    }


def test_the_escalation_decision_meets_the_escalation_resolve_deadline(company):
    shop = company("welzo")
    with travel(RECEIVED["welzo"]) as clock:
        complaint = shop.file()
        complaint = _rejected_proposal(shop, complaint, clock, "2027-01-06T10:00+00:00", "2027-01-08T11:00+00:00")
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint))
        clock.move_to(at("2027-01-12T09:30+00:00"))
        actions.acknowledge(complaint, by=shop.as_manon)
        clock.move_to(at("2027-01-20T15:00+00:00"))
        actions.decide(complaint, by=shop.as_manon, decision="upheld")

    decided = deadline(complaint, "escalation_resolve", stage=2)
    assert (decided.state, decided.met_at) == ("met", at("2027-01-20T15:00+00:00"))


# --- cancelled when the complaint stops without a resolution ------------------------------------


def test_withdrawing_cancels_every_running_clock_and_meets_none(company):
    shop = company("webshop-board")
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-22T12:00+00:00"))
        actions.withdraw(complaint, by=Actor.consumer(complaint), reason="Solved it myself.")

    rows = Deadline.objects.filter(complaint=complaint)
    assert {row.state for row in rows} == {"cancelled"}
    assert {row.cancelled_at for row in rows} == {at("2026-12-22T12:00+00:00")}
    assert not rows.filter(next_check_at__isnull=False).exists()


def test_rejecting_as_spam_cancels_every_running_clock(company):
    shop = company("inverter")
    with travel(RECEIVED["inverter"]) as clock:
        complaint = shop.file(description="Buy cheap watches at example.biz")
        clock.move_to(at("2026-12-21T11:00+01:00"))
        actions.reject_as_spam(complaint, by=shop.as_alice, reason="Advertising.")

    assert {key: value[0] for key, value in clocks(complaint).items()} == {
        ("acknowledge", 1): "cancelled",
        ("resolve", 1): "cancelled",
    }


# --- extension ------------------------------------------------------------------------------------

NEW_DUE = "2027-01-15T23:59:59+00:00"
REASON = "We are waiting for the courier's damage report."


@pytest.fixture
def welzo_complaint(company):
    """Received Mon 21 Dec 2026; the resolution is due Thu 7 Jan 2027 23:59:59 GMT."""
    shop = company("welzo")
    with travel(RECEIVED["welzo"]):
        complaint = shop.file()
    return shop, complaint


def _unchanged(complaint):
    resolve = deadline(complaint, "resolve")
    assert resolve.due_at == at("2027-01-07T23:59:59+00:00")
    assert resolve.original_due_at is None
    assert resolve.extension_reason == ""
    assert not events(complaint, "deadline_extended")
    assert not mails("deadline_extension")


def test_an_agent_may_not_extend_a_deadline(welzo_complaint):
    shop, complaint = welzo_complaint
    with travel("2027-01-04T10:00+00:00"), pytest.raises(NotPermitted):
        actions.extend_deadline(complaint, by=shop.as_alice, kind="resolve", due_at=at(NEW_DUE), reason=REASON)

    _unchanged(complaint)


@pytest.mark.parametrize(
    ("due_at", "reason", "field"),
    [
        (NEW_DUE, "", "reason"),
        (NEW_DUE, "   ", "reason"),
        ("2027-01-06T23:59:59+00:00", REASON, "due_at"),  # earlier than the deadline
        ("2027-01-07T23:59:59+00:00", REASON, "due_at"),  # the same instant
        ("2027-01-03T12:00:00+00:00", REASON, "due_at"),  # in the past
    ],
    ids=["no-reason", "blank-reason", "earlier", "same", "past"],
)
def test_an_extension_needs_a_reason_and_a_later_date(welzo_complaint, due_at, reason, field):
    shop, complaint = welzo_complaint
    with travel("2027-01-04T10:00+00:00"), pytest.raises(InvalidInput) as refused:
        actions.extend_deadline(complaint, by=shop.as_manon, kind="resolve", due_at=at(due_at), reason=reason)

    assert field in refused.value.errors
    _unchanged(complaint)


def test_an_extension_needs_a_date_with_its_time_zone(welzo_complaint):
    shop, complaint = welzo_complaint
    naive = at(NEW_DUE).replace(tzinfo=None)
    with travel("2027-01-04T10:00+00:00"), pytest.raises(InvalidInput) as refused:
        actions.extend_deadline(complaint, by=shop.as_manon, kind="resolve", due_at=naive, reason=REASON)

    assert "due_at" in refused.value.errors
    _unchanged(complaint)


def test_only_a_running_deadline_can_be_extended(welzo_complaint):
    shop, complaint = welzo_complaint
    for kind in ("respond", "acknowledge"):  # welzo has no respond rule; the acknowledgement is met
        with travel("2027-01-04T10:00+00:00"), pytest.raises(InvalidInput) as refused:
            actions.extend_deadline(complaint, by=shop.as_manon, kind=kind, due_at=at(NEW_DUE), reason=REASON)
        assert "kind" in refused.value.errors
    _unchanged(complaint)


def test_a_manager_extends_and_the_consumer_is_told_the_reason_and_the_new_date(welzo_complaint):
    shop, complaint = welzo_complaint
    with travel("2027-01-04T10:00+00:00"):
        actions.extend_deadline(complaint, by=shop.as_manon, kind="resolve", due_at=at(NEW_DUE), reason=REASON)

    resolve = deadline(complaint, "resolve")
    assert resolve.due_at == at(NEW_DUE)
    assert resolve.original_due_at == at("2027-01-07T23:59:59+00:00")
    assert resolve.extension_reason == REASON
    # The reminder moves with it: 1 working day ahead of Fri 15 Jan is Thu 14 Jan 00:00.
    assert resolve.remind_at == at("2027-01-14T00:00+00:00")
    assert resolve.next_check_at == resolve.remind_at
    [extended] = events(complaint, "deadline_extended")
    assert extended.consumer_visible
    assert extended.actor == shop.manon
    assert extended.data == {
        "deadline_kind": "resolve",
        "stage": 1,
        "due_at": "2027-01-15T23:59:59+00:00",
        "original_due_at": "2027-01-07T23:59:59+00:00",
        "reason": REASON,
    }
    [mail] = mails("deadline_extension")
    assert mail.to_address == "carol@example.nl"
    assert "The new date is Jan. 15, 2027." in mail.body_text
    assert REASON in mail.body_text


def test_a_second_extension_keeps_the_original_due_date(welzo_complaint):
    shop, complaint = welzo_complaint
    with travel("2027-01-04T10:00+00:00") as clock:
        actions.extend_deadline(complaint, by=shop.as_manon, kind="resolve", due_at=at(NEW_DUE), reason=REASON)
        clock.move_to(at("2027-01-14T10:00+00:00"))
        actions.extend_deadline(
            complaint, by=shop.as_manon, kind="resolve", due_at=at("2027-01-22T23:59:59+00:00"), reason="Still waiting."
        )

    resolve = deadline(complaint, "resolve")
    assert resolve.due_at == at("2027-01-22T23:59:59+00:00")
    assert resolve.original_due_at == at("2027-01-07T23:59:59+00:00")
    assert resolve.extension_reason == "Still waiting."
    assert len(mails("deadline_extension")) == 2


# --- pause and resume while the consumer is asked -------------------------------------------------


def test_welzo_pauses_while_awaiting_carol_and_moves_on_by_the_working_days_she_took(welzo_complaint):
    shop, complaint = welzo_complaint
    with travel("2026-12-22T15:00+00:00") as clock:
        complaint = actions.ask_info(complaint, by=shop.as_alice, question="Could you send a photo of the damage?")
        resolve = deadline(complaint, "resolve")
        assert (resolve.state, resolve.paused_at, resolve.next_check_at) == (
            "paused", at("2026-12-22T15:00+00:00"), None,
        )
        assert deadline(complaint, "acknowledge").paused_at is None  # met clocks do not pause

        clock.move_to(at("2026-12-29T11:00+00:00"))
        actions.info_received(complaint, by=Actor.consumer(complaint), answer="Here it is.")

    # The days that began while paused: Wed 23, Thu 24, Fri 25 (Christmas), Sat 26, Sun 27,
    # Mon 28 (Boxing Day observed), Tue 29 — of which 3 working days. Thu 7 Jan + 3 working days
    # = Tue 12 Jan; reminded Mon 11.
    resolve = deadline(complaint, "resolve")
    assert resolve.state == "open"
    assert resolve.due_at == at("2027-01-12T23:59:59+00:00")
    assert resolve.remind_at == at("2027-01-11T00:00+00:00")
    assert resolve.next_check_at == resolve.remind_at


def test_vxhome_pauses_and_moves_on_by_the_calendar_days_carol_took(company):
    shop = company("vxhome")
    with travel(RECEIVED["vxhome"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-23T10:00+01:00"))
        complaint = actions.ask_info(complaint, by=shop.as_alice, question="Which order was it?")
        clock.move_to(at("2027-01-02T12:00+01:00"))
        # A consumer's message while information is awaited is the answer.
        actions.add_message(complaint, by=Actor.consumer(complaint), body="Order 2026-4411.")
        complaint.refresh_from_db()

    # Days begun while paused: Thu 24 Dec to Sat 2 Jan, 10 calendar days. Mon 4 Jan + 10 = Thu
    # 14 Jan; reminded 1 working day ahead, Wed 13 Jan 00:00 CET.
    respond = deadline(complaint, "respond")
    assert complaint.status == Status.INVESTIGATING
    assert respond.due_at == at("2027-01-14T23:59:59+01:00")
    assert respond.remind_at == at("2027-01-13T00:00+01:00")


def test_an_answer_on_the_same_day_moves_nothing(welzo_complaint):
    shop, complaint = welzo_complaint
    with travel("2026-12-22T09:00+00:00") as clock:
        complaint = actions.ask_info(complaint, by=shop.as_alice, question="Which colour?")
        clock.move_to(at("2026-12-22T16:00+00:00"))
        actions.info_received(complaint, by=Actor.consumer(complaint), answer="Grey.")

    resolve = deadline(complaint, "resolve")
    assert (resolve.due_at, resolve.remind_at) == (at("2027-01-07T23:59:59+00:00"), at("2027-01-06T00:00+00:00"))


def test_a_paused_deadline_is_not_swept(company):
    shop = company("vxhome")
    with travel(RECEIVED["vxhome"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-23T10:00+01:00"))
        complaint = actions.ask_info(complaint, by=shop.as_alice, question="Which order was it?")
        clock.move_to(at("2027-01-10T12:00+01:00"))  # well past the respond deadline of 4 Jan
        done = sweep()

    assert done.checked == 0
    assert deadline(complaint, "respond").state == "paused"
    assert not mails("progress_update")


def test_a_policy_without_pause_keeps_the_clock_running(company):
    shop = company("welzo")
    PolicyVersion.publish(
        shop.organisation, dataclasses.replace(PRESETS["welzo"], pause_while_awaiting_consumer=False),
        change_note="No pause.",
    )
    with travel(RECEIVED["welzo"]) as clock:
        complaint = shop.file()
        clock.move_to(at("2026-12-22T15:00+00:00"))
        complaint = actions.ask_info(complaint, by=shop.as_alice, question="Could you send a photo?")
        assert deadline(complaint, "resolve").paused_at is None
        clock.move_to(at("2026-12-29T11:00+00:00"))
        actions.info_received(complaint, by=Actor.consumer(complaint), answer="Here it is.")

    assert deadline(complaint, "resolve").due_at == at("2027-01-07T23:59:59+00:00")


def test_a_missed_deadline_is_not_paused_and_keeps_its_date(welzo_complaint):
    shop, complaint = welzo_complaint
    with travel("2027-01-08T09:00+00:00") as clock:
        sweep()
        assert deadline(complaint, "resolve").state == "missed"
        complaint = actions.ask_info(complaint, by=shop.as_alice, question="Could you send a photo?")
        clock.move_to(at("2027-01-12T09:00+00:00"))
        actions.info_received(complaint, by=Actor.consumer(complaint), answer="Here it is.")

    resolve = deadline(complaint, "resolve")
    assert (resolve.state, resolve.due_at, resolve.paused_at) == ("missed", at("2027-01-07T23:59:59+00:00"), None)


# --- policy versions --------------------------------------------------------------------------------


def _vxhome_with_respond_in(days: int):
    spec = PRESETS["vxhome"]
    rules = tuple(
        dataclasses.replace(rule, duration=Duration(days, Unit.calendar_days)) if rule.kind == "respond" else rule
        for rule in spec.rules
    )
    return dataclasses.replace(spec, rules=rules)


def test_a_new_policy_version_never_moves_existing_deadlines(company):
    shop = company("vxhome")
    with travel(RECEIVED["vxhome"]) as clock:
        before = shop.file()
        clock.move_to(at("2026-12-22T10:00+01:00"))
        version = PolicyVersion.publish(
            shop.organisation, _vxhome_with_respond_in(7), change_note="Answer within a week.", by=shop.manon
        )
        clock.move_to(at("2026-12-23T10:00+01:00"))
        after = shop.file(contact_email="carol.second@example.nl")

    assert version.number == 2
    assert PolicyVersion.objects.current(shop.organisation) == version
    before.refresh_from_db()
    assert before.policy.number == 1
    assert deadline(before, "respond").due_at == at("2027-01-04T23:59:59+01:00")
    assert deadline(before, "respond").rule.duration == Duration(14, Unit.calendar_days)
    # The new complaint of Wed 23 Dec runs on version 2: 7 calendar days, Wed 30 Dec.
    assert after.policy == version
    assert deadline(after, "respond").due_at == at("2026-12-30T23:59:59+01:00")
    assert deadline(after, "respond").rule.duration == Duration(7, Unit.calendar_days)


def test_the_sweep_uses_the_version_the_complaint_was_received_under(company):
    shop = company("vxhome")
    with travel(RECEIVED["vxhome"]) as clock:
        complaint = shop.file()
        PolicyVersion.publish(shop.organisation, _vxhome_with_respond_in(7), change_note="Answer within a week.")
        clock.move_to(at("2027-01-05T00:00+01:00"))
        sweep()

    # The demanded update's new estimate counts version 1's 14 days from Tue 5 Jan: Tue 19 Jan.
    [update] = events(complaint, "progress_update_sent")
    assert update.data["new_estimate"] == "2027-01-19T22:59:59+00:00"


def test_a_published_version_is_never_changed(company):
    shop = company("vxhome")
    version = PolicyVersion.objects.current(shop.organisation)
    version.change_note = "Edited in place"
    with pytest.raises(TypeError):
        version.save()
    assert PolicyVersion.objects.get(pk=version.pk).change_note == ""
