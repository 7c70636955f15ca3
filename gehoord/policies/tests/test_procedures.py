"""Each seed's procedure, start to end, with the clock running (SPEC 5, the issue's "done when").

Carol's complaint arrives on Monday 21 December 2026 at 10:00 local time, so every term runs
over Christmas and New Year. The clock then moves on day by day, the sweep running four times a
day, and the staff and Carol act at the instants given. Each test ends
with the full log of the mail that went out — when (local time), what and to whom — which shows
every reminder, missed deadline, consumer update and reassignment on its day, once.
"""

import datetime

import pytest

from gehoord.complaints import actions
from gehoord.complaints.actions import LetterInput
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import ActorKind, Status
from gehoord.policies.models import Deadline
from gehoord.complaints.sweep import sweep
from gehoord.policies.tests.support import RECEIVED, at, mails, travel

# The sweep runs at 00:00, 06:00, 12:00 and 18:00 local time (elapsed hours: no summer time
# starts or ends within these procedures). Day deadlines end at 23:59:59 and day reminders fall
# at 00:00, so the first sweep after each is at 00:00; a sweep every minute, as in production,
# would act at the same minute.
STEP = datetime.timedelta(hours=6)
SWEEP_EVENTS = ["deadline_reminder_sent", "deadline_missed", "progress_update_sent", "assigned"]
LETTER = LetterInput(
    actions_taken="We read the correspondence and the courier's report and looked at the photos.",
    conclusions="The slats broke in transport, the mattress was not damaged.",
    decision="We replace the slats; we do not refund the mattress.",
)


class Procedure:
    """Moves the clock from the receipt on, sweeping every STEP from local midnight on the way."""

    def __init__(self, shop, clock, start: str):
        self.shop = shop
        self.clock = clock
        self.now = at(start)
        self.zone = shop.organisation.policy_versions.get().spec.calendar.zone
        midnight = self.now.astimezone(self.zone).replace(hour=0, minute=0, second=0, microsecond=0)
        self.next_sweep = midnight.astimezone(datetime.UTC)
        while self.next_sweep <= self.now:
            self.next_sweep += STEP

    def until(self, text: str) -> None:
        """Run the clock to `text`; a sweep due at that very instant runs before what is done then."""
        target = at(text)
        while self.next_sweep <= target:
            self.clock.move_to(self.next_sweep)
            sweep()
            self.next_sweep += STEP
        self.clock.move_to(target)
        self.now = target

    def local(self, instant) -> str:
        return f"{instant.astimezone(self.zone):%a %d %b %H:%M}"

    def mail_log(self) -> list[tuple[str, str, str]]:
        people = {"carol@example.nl": "Carol"} | {
            person.email: person.first_name for person in (self.shop.alice, self.shop.manon, self.shop.bert)
        }
        return [(self.local(mail.created_at), mail.kind, people[mail.to_address]) for mail in mails()]

    def system_events(self, complaint) -> list[tuple[str, str]]:
        """What the sweep did on its own, as the timeline shows it."""
        return [
            (self.local(event.created_at), event.kind)
            for event in complaint.events.filter(actor_kind=ActorKind.SYSTEM, kind__in=SWEEP_EVENTS)
        ]

    def states(self, complaint) -> dict[tuple[str, int], str]:
        return {(row.kind, row.stage): row.state for row in Deadline.objects.filter(complaint=complaint)}


def test_vxhome_answer_or_update_within_14_days_then_the_manager(company):
    shop = company("vxhome")
    with travel(RECEIVED["vxhome"]) as clock:
        run = Procedure(shop, clock, RECEIVED["vxhome"])
        complaint = shop.file()
        # Nobody answers: the managers are reminded on Thu 31 Dec (1 working day before Mon 4 Jan,
        # Fri 1 Jan being New Year's Day) and Carol gets the update at the end of Mon 4 Jan.
        run.until("2027-01-06T09:00+01:00")
        complaint = actions.assign(complaint, by=shop.as_manon, handler=shop.alice)
        run.until("2027-01-07T10:00+01:00")
        complaint = actions.propose_resolution(
            complaint, by=shop.as_alice, kinds=["replacement"], text="New slats for the boxspring."
        )
        run.until("2027-01-08T11:00+01:00")
        complaint = actions.reject(complaint, by=Actor.consumer(complaint), comment="The mattress is damaged too.")
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint), reason="I want a manager to look.")
        assert (complaint.stage, complaint.status) == (2, Status.ESCALATED)
        # Stage 2, the manager: the seed states no term, so no deadlines and nothing to sweep.
        run.until("2027-01-11T09:00+01:00")
        complaint = actions.acknowledge(complaint, by=shop.as_manon)
        run.until("2027-01-18T14:00+01:00")
        complaint = actions.decide(complaint, by=shop.as_manon, decision="partially_upheld", letter=LETTER)
        run.until("2027-01-19T10:00+01:00")
        complaint = actions.refer(complaint, by=Actor.consumer(complaint), body="WebwinkelKeur")
        run.until("2027-02-01T00:00+01:00")

    assert run.mail_log() == [
        ("Mon 21 Dec 10:00", "acknowledgement", "Carol"),
        ("Thu 31 Dec 00:00", "deadline_reminder", "Manon"),
        ("Tue 05 Jan 00:00", "progress_update", "Carol"),
        ("Wed 06 Jan 09:00", "assigned", "Alice"),
        ("Thu 07 Jan 10:00", "resolution_proposal", "Carol"),
        ("Fri 08 Jan 11:00", "proposal_rejected", "Alice"),
        ("Fri 08 Jan 11:00", "escalation_requested", "Alice"),
        ("Fri 08 Jan 11:00", "escalation_arrived", "Manon"),
        ("Fri 08 Jan 11:00", "escalation_received", "Carol"),
        ("Mon 11 Jan 09:00", "escalation_acknowledgement", "Carol"),
        ("Mon 18 Jan 14:00", "outcome", "Carol"),
        ("Tue 19 Jan 10:00", "referral", "Carol"),
    ]
    assert run.system_events(complaint) == [
        ("Thu 31 Dec 00:00", "deadline_reminder_sent"),
        ("Tue 05 Jan 00:00", "progress_update_sent"),
    ]
    # The update gives a new estimate: 14 calendar days from Tue 5 Jan, Tue 19 Jan.
    assert "19 januari 2027" in mails("progress_update")[0].body_text
    assert run.states(complaint) == {("acknowledge", 1): "met", ("respond", 1): "met_late"}
    assert complaint.status == Status.REFERRED


def test_webshop_board_reassignment_after_a_week_and_the_board_within_a_week(company):
    shop = company("webshop-board")
    with travel(RECEIVED["webshop-board"]) as clock:
        run = Procedure(shop, clock, RECEIVED["webshop-board"])
        complaint = shop.file()
        run.until("2026-12-22T09:00+00:00")
        complaint = actions.assign(complaint, by=shop.as_manon, handler=shop.alice)
        # Alice is reminded of the acknowledgement (due Thu 24 Dec) at the start of Wed 23 Dec.
        run.until("2026-12-23T10:00+00:00")
        complaint = actions.acknowledge(complaint, by=shop.as_alice)
        # Still unresolved at the end of Mon 28 Dec: the complaint goes to Manon. She is reminded
        # of the progress report and the resolution (both due Mon 4 Jan) on Thu 31 Dec.
        run.until("2027-01-04T10:00+00:00")
        complaint.refresh_from_db()
        assert complaint.handler == shop.manon
        actions.add_message(complaint, by=shop.as_manon, body="We are still waiting for the courier's report.")
        # The progress report went out; the (ideal) resolution term passes.
        run.until("2027-01-06T10:00+00:00")
        complaint = actions.propose_resolution(complaint, by=shop.as_manon, kinds=["apology"], text="Our apologies.")
        run.until("2027-01-07T14:00+00:00")
        complaint = actions.reject(complaint, by=Actor.consumer(complaint))
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint), reason="To the board, please.")
        assert (complaint.stage, complaint.handler) == (3, None)
        run.until("2027-01-08T09:00+00:00")
        complaint = actions.assign(complaint, by=shop.as_manon, handler=shop.bert)
        run.until("2027-01-08T10:00+00:00")
        complaint = actions.acknowledge(complaint, by=shop.as_bert)
        # The board responds within 7 calendar days of Thu 7 Jan: Thu 14 Jan, reminded Wed 13.
        run.until("2027-01-13T15:00+00:00")
        complaint = actions.decide(complaint, by=shop.as_bert, decision="partially_upheld", letter=LETTER)
        run.until("2027-02-01T00:00+00:00")

    assert run.mail_log() == [
        ("Tue 22 Dec 09:00", "assigned", "Alice"),
        ("Wed 23 Dec 00:00", "deadline_reminder", "Alice"),
        ("Wed 23 Dec 10:00", "acknowledgement", "Carol"),
        ("Tue 29 Dec 00:00", "assigned", "Manon"),
        ("Thu 31 Dec 00:00", "deadline_reminder", "Manon"),
        ("Thu 31 Dec 00:00", "deadline_reminder", "Manon"),
        ("Mon 04 Jan 10:00", "staff_message", "Carol"),
        ("Tue 05 Jan 00:00", "deadline_missed", "Manon"),
        ("Wed 06 Jan 10:00", "resolution_proposal", "Carol"),
        ("Thu 07 Jan 14:00", "proposal_rejected", "Manon"),
        ("Thu 07 Jan 14:00", "escalation_requested", "Manon"),
        ("Thu 07 Jan 14:00", "escalation_arrived", "Bert"),
        ("Thu 07 Jan 14:00", "escalation_received", "Carol"),
        ("Fri 08 Jan 09:00", "assigned", "Bert"),
        ("Fri 08 Jan 10:00", "escalation_acknowledgement", "Carol"),
        ("Wed 13 Jan 00:00", "deadline_reminder", "Bert"),
        ("Wed 13 Jan 15:00", "outcome", "Carol"),
    ]
    assert run.system_events(complaint) == [
        ("Wed 23 Dec 00:00", "deadline_reminder_sent"),
        ("Tue 29 Dec 00:00", "assigned"),
        ("Thu 31 Dec 00:00", "deadline_reminder_sent"),
        ("Thu 31 Dec 00:00", "deadline_reminder_sent"),
        ("Tue 05 Jan 00:00", "deadline_missed"),
        ("Wed 13 Jan 00:00", "deadline_reminder_sent"),
    ]
    acknowledgement = mails("acknowledgement")[0].body_text
    assert "handled by Alice" in acknowledgement
    assert "Jan. 4, 2027 at the latest" in acknowledgement
    assert "Jan. 14, 2027 at the latest" in mails("escalation_acknowledgement")[0].body_text
    assert sorted(
        event.data["deadline_kind"] for event in complaint.events.filter(kind="deadline_reminder_sent")
    ) == ["acknowledge", "escalation_resolve", "progress_update", "resolve"]
    assert run.states(complaint) == {
        ("acknowledge", 1): "met",
        ("assign", 1): "met",
        ("progress_update", 1): "met",
        ("resolve", 1): "missed",
        ("escalation_resolve", 3): "met",
    }
    assert complaint.order_number == "WB-1001"


def test_welzo_pause_for_carol_then_the_department_manager(company):
    shop = company("welzo")
    with travel(RECEIVED["welzo"]) as clock:
        run = Procedure(shop, clock, RECEIVED["welzo"])
        complaint = shop.file()
        run.until("2026-12-22T09:00+00:00")
        complaint = actions.assign(complaint, by=shop.as_manon, handler=shop.alice)
        run.until("2026-12-22T15:00+00:00")
        complaint = actions.ask_info(complaint, by=shop.as_alice, question="Could you send photos of the damage?")
        # Paused from Tue 22 Dec to Tue 29 Dec: 3 working days began meanwhile (Wed 23, Thu 24,
        # Tue 29), so the resolution moves from Thu 7 Jan to Tue 12 Jan, reminded Mon 11 Jan.
        run.until("2026-12-29T11:00+00:00")
        complaint = actions.info_received(complaint, by=Actor.consumer(complaint), answer="Photos attached.")
        run.until("2027-01-11T14:00+00:00")
        complaint = actions.propose_resolution(
            complaint, by=shop.as_alice, kinds=["compensation"], text="A voucher.", compensation_amount="25.00"
        )
        run.until("2027-01-12T10:00+00:00")
        complaint = actions.reject(complaint, by=Actor.consumer(complaint))
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint))
        # Stage 2 acknowledges within 10 working days (target 5): Tue 26 Jan, reminded Mon 25.
        run.until("2027-01-25T10:00+00:00")
        complaint = actions.acknowledge(complaint, by=shop.as_manon)
        # ... and resolves within 10 working days of that: Mon 8 Feb, reminded Fri 5 Feb. Manon
        # decides two days late.
        run.until("2027-02-10T11:00+00:00")
        complaint = actions.decide(complaint, by=shop.as_manon, decision="partially_upheld", letter=LETTER)
        run.until("2027-02-15T00:00+00:00")

    assert run.mail_log() == [
        ("Mon 21 Dec 10:00", "acknowledgement", "Carol"),
        ("Tue 22 Dec 09:00", "assigned", "Alice"),
        ("Tue 22 Dec 15:00", "information_request", "Carol"),
        ("Tue 29 Dec 11:00", "consumer_answered", "Alice"),
        ("Mon 11 Jan 00:00", "deadline_reminder", "Alice"),
        ("Mon 11 Jan 14:00", "resolution_proposal", "Carol"),
        ("Tue 12 Jan 10:00", "proposal_rejected", "Alice"),
        ("Tue 12 Jan 10:00", "escalation_requested", "Alice"),
        ("Tue 12 Jan 10:00", "escalation_arrived", "Manon"),
        ("Tue 12 Jan 10:00", "escalation_received", "Carol"),
        ("Mon 25 Jan 00:00", "deadline_reminder", "Manon"),
        ("Mon 25 Jan 10:00", "escalation_acknowledgement", "Carol"),
        ("Fri 05 Feb 00:00", "deadline_reminder", "Manon"),
        ("Tue 09 Feb 00:00", "deadline_missed", "Manon"),
        ("Wed 10 Feb 11:00", "outcome", "Carol"),
    ]
    assert "Jan. 7, 2027 at the latest" in mails("acknowledgement")[0].body_text
    assert "Feb. 8, 2027 at the latest" in mails("escalation_acknowledgement")[0].body_text
    assert run.states(complaint) == {
        ("acknowledge", 1): "met",
        ("resolve", 1): "cancelled",
        ("escalation_acknowledge", 2): "met",
        ("escalation_resolve", 2): "met_late",
    }
    acknowledge_escalation = Deadline.objects.get(complaint=complaint, kind="escalation_acknowledge")
    assert run.local(acknowledge_escalation.target_at) == "Tue 19 Jan 23:59"
    assert acknowledge_escalation.met_at > acknowledge_escalation.target_at  # after the aim, within the term


def test_inverter_progress_update_extension_and_escalation_without_a_term(company):
    shop = company("inverter")
    with travel(RECEIVED["inverter"]) as clock:
        run = Procedure(shop, clock, RECEIVED["inverter"])
        complaint = shop.file()
        # Nobody has picked it up: the managers are reminded of the acknowledgement (due Thu 31
        # Dec) at the start of Wed 30 Dec.
        run.until("2026-12-30T10:00+01:00")
        complaint = actions.assign(complaint, by=shop.as_alice, handler=shop.alice)
        complaint = actions.acknowledge(complaint, by=shop.as_alice)
        # Progress update 14 working days from Wed 30 Dec: Wed 20 Jan, reminded Tue 19 Jan; Alice
        # lets it pass and writes the morning after.
        run.until("2027-01-21T09:00+01:00")
        actions.add_message(complaint, by=shop.as_alice, body="The manufacturer is testing the inverter.")
        # The resolution (30 working days from receipt: Wed 3 Feb) will not be met: Manon extends
        # it before its reminder to Fri 19 Feb, reminded Thu 18 Feb.
        run.until("2027-02-01T10:00+01:00")
        complaint = actions.extend_deadline(
            complaint, by=shop.as_manon, kind="resolve", due_at=at("2027-02-19T23:59:59+01:00"),
            reason="We are waiting for the manufacturer's test report.",
        )
        run.until("2027-02-18T10:00+01:00")
        complaint.refresh_from_db()
        complaint = actions.propose_resolution(complaint, by=shop.as_alice, kinds=["repair"], text="We repair it.")
        run.until("2027-02-19T09:00+01:00")
        complaint = actions.reject(complaint, by=Actor.consumer(complaint))
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint))
        # Escalation without a stated term: no deadlines, nothing more from the sweep.
        run.until("2027-02-22T10:00+01:00")
        complaint = actions.decide(complaint, by=shop.as_manon, decision="not_upheld", letter=LETTER)
        run.until("2027-03-01T00:00+01:00")

    assert run.mail_log() == [
        ("Wed 30 Dec 00:00", "deadline_reminder", "Manon"),
        ("Wed 30 Dec 10:00", "acknowledgement", "Carol"),
        ("Tue 19 Jan 00:00", "deadline_reminder", "Alice"),
        ("Thu 21 Jan 00:00", "deadline_missed", "Alice"),
        ("Thu 21 Jan 00:00", "deadline_missed", "Manon"),
        ("Thu 21 Jan 09:00", "staff_message", "Carol"),
        ("Mon 01 Feb 10:00", "deadline_extension", "Carol"),
        ("Thu 18 Feb 00:00", "deadline_reminder", "Alice"),
        ("Thu 18 Feb 10:00", "resolution_proposal", "Carol"),
        ("Fri 19 Feb 09:00", "proposal_rejected", "Alice"),
        ("Fri 19 Feb 09:00", "escalation_requested", "Alice"),
        ("Fri 19 Feb 09:00", "escalation_arrived", "Manon"),
        ("Fri 19 Feb 09:00", "escalation_received", "Carol"),
        ("Mon 22 Feb 10:00", "outcome", "Carol"),
    ]
    acknowledgement = mails("acknowledgement")[0].body_text
    assert "uiterlijk 3 februari 2027 antwoord" in acknowledgement
    assert "behandeld door Alice" in acknowledgement
    extension = mails("deadline_extension")[0].body_text
    assert "19 februari 2027" in extension
    assert "manufacturer's test report" in extension
    assert run.states(complaint) == {
        ("acknowledge", 1): "met",
        ("progress_update", 1): "met_late",
        ("resolve", 1): "cancelled",
    }
    resolve = Deadline.objects.get(complaint=complaint, kind="resolve")
    assert run.local(resolve.original_due_at) == "Wed 03 Feb 23:59"
    assert (complaint.stage, complaint.status) == (2, Status.CLOSED)


@pytest.mark.parametrize("preset", RECEIVED)
def test_a_complaint_left_alone_is_reminded_and_missed_once_per_deadline(company, preset):
    """Nobody does anything for 8 weeks: every running deadline reminds and falls due exactly once."""
    shop = company(preset)
    with travel(RECEIVED[preset]) as clock:
        run = Procedure(shop, clock, RECEIVED[preset])
        complaint = shop.file()
        run.until("2027-02-15T00:00+00:00")

    timeline = run.system_events(complaint)
    expected = {
        "vxhome": [
            ("Thu 31 Dec 00:00", "deadline_reminder_sent"),
            ("Tue 05 Jan 00:00", "progress_update_sent"),
        ],
        # The assignment and reassignment are one row: missed and handed to Manon at once.
        "webshop-board": [
            ("Wed 23 Dec 00:00", "deadline_reminder_sent"),
            ("Thu 24 Dec 00:00", "deadline_reminder_sent"),
            ("Fri 25 Dec 00:00", "deadline_missed"),
            ("Tue 29 Dec 00:00", "deadline_missed"),
            ("Tue 29 Dec 00:00", "assigned"),
            ("Thu 31 Dec 00:00", "deadline_reminder_sent"),
            ("Thu 31 Dec 00:00", "deadline_reminder_sent"),
            ("Tue 05 Jan 00:00", "deadline_missed"),
            ("Tue 05 Jan 00:00", "deadline_missed"),
        ],
        "welzo": [
            ("Wed 06 Jan 00:00", "deadline_reminder_sent"),
            ("Fri 08 Jan 00:00", "deadline_missed"),
        ],
        "inverter": [
            ("Wed 30 Dec 00:00", "deadline_reminder_sent"),
            ("Fri 01 Jan 00:00", "deadline_missed"),
            ("Tue 02 Feb 00:00", "deadline_reminder_sent"),
            ("Thu 04 Feb 00:00", "deadline_missed"),
        ],
    }[preset]
    assert timeline == expected
