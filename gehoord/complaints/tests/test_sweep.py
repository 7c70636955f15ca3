"""The deadline sweep (SPEC 5; STYLE 10, 15): reminders, missed deadlines, the update a `respond`
deadline demands, and reassignment, each exactly once; a failing row does not stop the rest; a
sweeper that dies loses nothing; several sweepers at once send nothing twice.

Sample complaints arrive on Monday 21 December 2026 at 10:00 local time (see test_presets.py).
"""

import datetime
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, connections

from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import ActorKind, Event
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Membership, Role
from gehoord.complaints import sweep as sweeping
from gehoord.policies.models import Deadline, PolicyVersion
from gehoord.complaints.sweep import LEASE, RETRY_AFTER_ERROR, SweepResult, sweep
from gehoord.policies.tests.support import RECEIVED, at, mails, make_company, travel

# welzo: the resolution of the sample complaint is due Thu 7 Jan 2027 23:59:59 GMT; the handler
# is reminded at 00:00 on Wed 6 Jan.
WELZO_REMIND = "2027-01-06T00:00+00:00"
WELZO_DUE = "2027-01-07T23:59:59+00:00"
# vxhome: the answer is due Mon 4 Jan 2027 23:59:59 CET, reminded Thu 31 Dec 00:00 CET.
VXHOME_DUE = "2027-01-04T23:59:59+01:00"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The sweep removes stored files no attachment refers to: other tests' files stay out of its way."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def company(db):
    """`company("welzo")`: a staffed organisation on that preset (see policies/tests/support.py)."""
    return make_company


def deadline(complaint, kind: str, stage: int = 1) -> Deadline:
    return Deadline.objects.get(complaint=complaint, kind=kind, stage=stage)


def events(complaint, kind: str) -> list[Event]:
    return list(complaint.events.filter(kind=kind))


def sweep_at(text: str) -> SweepResult:
    with travel(text):
        return sweep()


@pytest.fixture
def welzo(company):
    return company("welzo")


@pytest.fixture
def welzo_complaint(welzo):
    """Carol's complaint, handled by Alice."""
    with travel(RECEIVED["welzo"]) as clock:
        complaint = welzo.file()
        clock.move_to(at("2026-12-22T09:00+00:00"))
        return actions.assign(complaint, by=welzo.as_manon, handler=welzo.alice)


# --- nothing to do ----------------------------------------------------------------------------------


def test_nothing_due_means_nothing_done_in_a_few_queries(welzo_complaint, django_assert_max_num_queries):
    before = Deadline.objects.values_list("pk", "next_check_at").order_by("pk")
    with travel("2027-01-05T23:59+00:00"), django_assert_max_num_queries(3):  # a minute before the reminder
        done = sweep()

    assert done == SweepResult()
    assert list(Deadline.objects.values_list("pk", "next_check_at").order_by("pk")) == list(before)
    assert not mails("deadline_reminder")


def test_the_sweep_command_reports_what_it_did(welzo_complaint, capsys):
    with travel("2027-01-06T00:01+00:00"):
        call_command("sweep")

    assert capsys.readouterr().out.strip() == (
        "sweep: 1 checked, 1 reminded, 0 missed, 0 updates sent, 0 reassigned, 0 errors"
    )


# --- reminders --------------------------------------------------------------------------------------


def test_the_handler_is_reminded_once(welzo, welzo_complaint):
    assert sweep_at("2027-01-05T23:59:59+00:00").reminded == 0
    assert sweep_at(WELZO_REMIND).reminded == 1
    assert sweep_at("2027-01-06T00:01+00:00").reminded == 0
    assert sweep_at("2027-01-07T12:00+00:00").reminded == 0

    [reminder] = mails("deadline_reminder")
    assert reminder.to_address == welzo.alice.email
    assert reminder.created_at == at(WELZO_REMIND)
    assert "The resolution deadline of complaint" in reminder.body_text
    assert reminder.complaint == welzo_complaint
    [event] = events(welzo_complaint, "deadline_reminder_sent")
    assert event.actor_kind == ActorKind.SYSTEM
    assert not event.consumer_visible
    assert event.data == {"deadline_kind": "resolve", "due_at": "2027-01-07T23:59:59+00:00"}
    resolve = deadline(welzo_complaint, "resolve")
    assert resolve.reminded_at == at(WELZO_REMIND)
    assert resolve.next_check_at == at(WELZO_DUE)


def test_without_a_handler_the_managers_are_reminded(company):
    shop = company("welzo")
    with travel(RECEIVED["welzo"]):
        complaint = shop.file()
    sweep_at(WELZO_REMIND)

    assert [mail.to_address for mail in mails("deadline_reminder")] == [shop.manon.email]
    assert deadline(complaint, "resolve").reminded_at == at(WELZO_REMIND)


def test_an_extension_brings_a_new_reminder_for_the_new_date(welzo, welzo_complaint):
    sweep_at(WELZO_REMIND)
    with travel("2027-01-06T10:00+00:00"):
        actions.extend_deadline(
            welzo_complaint, by=welzo.as_manon, kind="resolve", due_at=at("2027-01-15T23:59:59+00:00"),
            reason="The courier's report is late.",
        )
    assert sweep_at(WELZO_DUE).checked == 0  # the old due instant means nothing now
    sweep_at("2027-01-14T00:00+00:00")
    sweep_at("2027-01-14T06:00+00:00")

    assert [mail.created_at for mail in mails("deadline_reminder")] == [at(WELZO_REMIND), at("2027-01-14T00:00+00:00")]
    assert not mails("deadline_missed")


# --- missed -----------------------------------------------------------------------------------------


def test_a_missed_deadline_is_reported_to_the_handler_and_the_managers_once(welzo, welzo_complaint):
    assert sweep_at(WELZO_DUE).missed == 1
    assert sweep_at("2027-01-08T00:00+00:00").missed == 0
    assert sweep_at("2027-02-01T00:00+00:00").checked == 0

    to_alice, to_manon = mails("deadline_missed")
    assert (to_alice.to_address, to_manon.to_address) == (welzo.alice.email, welzo.manon.email)
    assert "passed on" in to_alice.body_text
    [event] = events(welzo_complaint, "deadline_missed")
    assert event.data == {"deadline_kind": "resolve", "stage": 1, "due_at": "2027-01-07T23:59:59+00:00"}
    resolve = deadline(welzo_complaint, "resolve")
    assert (resolve.state, resolve.missed_at, resolve.next_check_at) == ("missed", at(WELZO_DUE), None)


def test_a_missed_deadline_without_handler_goes_to_every_manager(company):
    shop = company("welzo")
    Membership.objects.create(user=shop.bert, organisation=shop.organisation, role=Role.MANAGER)
    with travel(RECEIVED["welzo"]):
        complaint = shop.file()
    sweep_at("2027-01-08T09:00+00:00")
    sweep_at("2027-01-08T10:00+00:00")

    assert sorted(mail.to_address for mail in mails("deadline_missed")) == sorted(
        [shop.manon.email, shop.bert.email]
    )
    assert len(events(complaint, "deadline_missed")) == 1


def test_a_sweeper_that_was_down_past_the_due_instant_marks_it_missed_without_a_late_reminder(welzo_complaint):
    done = sweep_at("2027-01-09T09:00+00:00")

    assert (done.checked, done.reminded, done.missed) == (1, 0, 1)
    assert not mails("deadline_reminder")
    assert deadline(welzo_complaint, "resolve").next_check_at is None


def test_a_deadline_met_in_time_is_not_missed(welzo, welzo_complaint):
    with travel("2027-01-07T15:00+00:00"):
        actions.close(
            welzo_complaint, by=welzo.as_alice, outcome="partially_upheld",
            letter=actions.LetterInput(actions_taken="Checked.", conclusions="Partly right.", decision="A voucher."),
        )
    done = sweep_at("2027-01-08T09:00+00:00")

    assert done.checked == 0
    assert not mails("deadline_missed")


# --- the update a respond deadline demands (vxhome) ---------------------------------------------------


@pytest.fixture
def vxhome(company):
    return company("vxhome")


@pytest.fixture
def vxhome_complaint(vxhome):
    with travel(RECEIVED["vxhome"]):
        return vxhome.file()


def test_no_answer_by_the_respond_deadline_sends_carol_an_update_with_a_new_estimate_once(vxhome_complaint):
    assert sweep_at("2027-01-04T23:59:58+01:00").updates_sent == 0
    assert sweep_at("2027-01-05T00:00+01:00").updates_sent == 1
    assert sweep_at("2027-01-05T00:01+01:00").updates_sent == 0
    assert sweep_at("2027-01-20T00:00+01:00").checked == 0

    # The new estimate: 14 calendar days again, from Tue 5 Jan: Tue 19 Jan.
    [update] = mails("progress_update")
    assert update.to_address == "carol@example.nl"
    assert update.created_at == at("2027-01-05T00:00+01:00")
    assert "19 januari 2027" in update.body_text
    [event] = events(vxhome_complaint, "progress_update_sent")
    assert event.consumer_visible
    assert event.actor_kind == ActorKind.SYSTEM
    assert event.data == {"deadline_kind": "respond", "new_estimate": "2027-01-19T22:59:59+00:00"}
    # The update is what the deadline demanded: it counts as met, not missed.
    respond = deadline(vxhome_complaint, "respond")
    assert (respond.state, respond.met_at, respond.update_sent_at) == (
        "met_late", at("2027-01-05T00:00+01:00"), at("2027-01-05T00:00+01:00"),
    )
    assert respond.missed_at is None
    assert not mails("deadline_missed")


def test_no_update_when_a_staff_message_went_out_in_time(vxhome, vxhome_complaint):
    with travel("2027-01-04T16:00+01:00"):
        actions.add_message(vxhome_complaint, by=vxhome.as_alice, body="The new slats are on their way.")
    done = sweep_at("2027-01-05T00:00+01:00")

    assert done == SweepResult()
    assert not mails("progress_update")
    assert deadline(vxhome_complaint, "respond").update_sent_at is None


# --- reassignment (webshop-board) ---------------------------------------------------------------------

# The assign deadline: 7 calendar days from Mon 21 Dec, Mon 28 Dec 23:59:59 GMT.
REASSIGN_AT = "2026-12-28T23:59:59+00:00"


@pytest.fixture
def board(company):
    return company("webshop-board")


def _system_assignments(complaint) -> list[Event]:
    return [event for event in events(complaint, "assigned") if event.actor_kind == ActorKind.SYSTEM]


def test_unresolved_after_seven_days_goes_to_the_complaint_manager_once(board):
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = board.file()
        clock.move_to(at("2026-12-22T09:00+00:00"))
        actions.assign(complaint, by=board.as_manon, handler=board.alice)
        clock.move_to(at("2026-12-23T10:00+00:00"))
        actions.acknowledge(complaint, by=board.as_alice)

    assert sweep_at("2026-12-28T23:59:58+00:00").reassigned == 0
    assert sweep_at(REASSIGN_AT).reassigned == 1
    assert sweep_at("2026-12-29T00:00+00:00").reassigned == 0

    complaint.refresh_from_db()
    assert complaint.handler == board.manon
    [assigned] = _system_assignments(complaint)
    assert assigned.created_at == at(REASSIGN_AT)
    assert assigned.actor_label == "Gehoord"
    assert assigned.data["handler_id"] == board.manon.pk
    assert assigned.data["previous_handler_id"] == board.alice.pk
    assign = deadline(complaint, "assign")
    assert (assign.state, assign.reassigned_at, assign.next_check_at) == ("met", at(REASSIGN_AT), None)
    assert not mails("deadline_missed")  # the assignment itself was in time


def test_an_unassigned_complaint_is_missed_and_goes_to_the_manager(board):
    with travel(RECEIVED["webshop-board"]):
        complaint = board.file()
    done = sweep_at("2026-12-29T00:00+00:00")

    complaint.refresh_from_db()
    assert complaint.handler == board.manon
    assert len(_system_assignments(complaint)) == 1
    # The acknowledgement (due Thu 24 Dec) and the assignment were both missed.
    assert (done.missed, done.reassigned) == (2, 1)
    assert sorted(event.data["deadline_kind"] for event in events(complaint, "deadline_missed")) == [
        "acknowledge", "assign",
    ]


def test_a_complaint_already_with_the_manager_stays(board):
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = board.file()
        clock.move_to(at("2026-12-22T09:00+00:00"))
        actions.assign(complaint, by=board.as_manon, handler=board.manon)
    done = sweep_at("2026-12-29T00:00+00:00")

    assert done.reassigned == 0
    assert not _system_assignments(complaint)
    assert deadline(complaint, "assign").next_check_at is None


def test_a_resolved_complaint_is_not_reassigned(board):
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = board.file()
        clock.move_to(at("2026-12-22T09:00+00:00"))
        complaint = actions.assign(complaint, by=board.as_manon, handler=board.alice)
        complaint = actions.acknowledge(complaint, by=board.as_alice)
        complaint = actions.propose_resolution(complaint, by=board.as_alice, kinds=["refund"], text="Money back.",
                                               refund_amount="499.00")
        actions.accept(complaint, by=Actor.consumer(complaint))
    done = sweep_at("2026-12-29T00:00+00:00")

    complaint.refresh_from_db()
    assert complaint.handler == board.alice
    assert done.reassigned == 0
    assert not _system_assignments(complaint)


def test_a_complaint_escalated_to_the_board_is_not_handed_back_to_the_manager(board):
    with travel(RECEIVED["webshop-board"]) as clock:
        complaint = board.file()
        clock.move_to(at("2026-12-22T09:00+00:00"))
        complaint = actions.assign(complaint, by=board.as_manon, handler=board.alice)
        complaint = actions.acknowledge(complaint, by=board.as_alice)
        complaint = actions.propose_resolution(complaint, by=board.as_alice, kinds=["apology"], text="Sorry.")
        clock.move_to(at("2026-12-23T09:00+00:00"))
        complaint = actions.reject(complaint, by=Actor.consumer(complaint))
        complaint = actions.escalate(complaint, by=Actor.consumer(complaint))
        complaint = actions.assign(complaint, by=board.as_manon, handler=board.bert)
    done = sweep_at("2026-12-29T00:00+00:00")

    complaint.refresh_from_db()
    assert (complaint.stage, complaint.handler) == (3, board.bert)
    assert done.reassigned == 0
    assert not _system_assignments(complaint)


# --- one failing row does not stop the sweep ----------------------------------------------------------


def test_a_row_that_fails_is_pushed_on_and_the_others_are_still_done(company, caplog):
    healthy, broken = company("vxhome"), company("vxhome", slug="broken")
    with travel(RECEIVED["vxhome"]):
        fine = healthy.file()
        doomed = broken.file()
    # Somebody damaged the stored policy of the second organisation.
    PolicyVersion.objects.filter(organisation=broken.organisation).update(spec_data={"calendar": "?"})

    now = "2027-01-05T00:00+01:00"
    done = sweep_at(now)

    assert (done.checked, done.updates_sent, done.errors) == (2, 1, 1)
    assert [mail.complaint for mail in mails("progress_update")] == [fine]
    assert deadline(fine, "respond").state == "met_late"
    failed = deadline(doomed, "respond")
    assert (failed.state, failed.update_sent_at) == ("open", None)
    assert failed.next_check_at == at(now) + RETRY_AFTER_ERROR
    assert not events(doomed, "progress_update_sent")
    assert f"Sweeping deadline {failed.pk} failed" in caplog.text

    # It is tried again after the pause, not lost, and not retried before.
    assert sweep_at("2027-01-05T00:05+01:00").checked == 0
    assert sweep_at("2027-01-05T00:10+01:00").errors == 1


def test_a_broken_rule_on_one_row_does_not_block_a_reminder_on_another(welzo, welzo_complaint):
    with travel(RECEIVED["welzo"]):
        other = welzo.file(contact_email="dave@example.nl", contact_name="Dave")
    Deadline.objects.filter(complaint=other, kind="resolve").update(rule_data={"kind": "nonsense"})
    done = sweep_at("2027-01-08T00:00+00:00")

    assert (done.checked, done.missed, done.errors) == (2, 1, 1)
    assert {mail.complaint for mail in mails("deadline_missed")} == {welzo_complaint}


def test_a_row_that_keeps_coming_due_does_not_make_the_sweep_spin(welzo_complaint, monkeypatch, caplog):
    def plans_the_past(deadline):
        deadline.next_check_at = deadline.due_at

    monkeypatch.setattr(Deadline, "plan_next_check", plans_the_past)
    done = sweep_at("2027-01-08T09:00+00:00")

    assert (done.checked, done.missed) == (1, 1)
    resolve = deadline(welzo_complaint, "resolve")
    assert "came due again within one sweep" in caplog.text
    assert resolve.next_check_at == at("2027-01-08T09:00+00:00") + LEASE  # back at the next run


# --- a sweeper that dies halfway loses nothing ----------------------------------------------------------


def _due_complaints(count: int):
    shop = make_company("welzo")
    with travel(RECEIVED["welzo"]):
        return [shop.file(contact_email=f"consumer{n}@example.nl") for n in range(count)]


@pytest.mark.django_db
def test_rows_claimed_by_a_sweeper_that_died_are_done_once_after_the_lease():
    complaints = _due_complaints(5)
    now = at("2027-01-08T00:00+00:00")
    with travel("2027-01-08T00:00+00:00"):
        claimed = sweeping._claim(now, batch_size=200)  # ... and then the sweeper dies
        assert sorted(claimed) == sorted(deadline(c, "resolve").pk for c in complaints)
        assert sweep().checked == 0  # leased: another sweeper keeps off

    assert sweep_at("2027-01-08T00:04:59+00:00").checked == 0
    assert sweep_at((now + LEASE).isoformat()).missed == 5
    assert sweep_at("2027-01-08T01:00+00:00").checked == 0
    assert Counter(mail.complaint_id for mail in mails("deadline_missed")) == {c.pk: 1 for c in complaints}


@pytest.mark.django_db
def test_a_sweeper_that_dies_halfway_through_a_batch_leaves_the_rest_for_the_next(monkeypatch):
    complaints = _due_complaints(6)
    handle = sweeping._handle
    calls = []

    def dies_after_three(deadline_id, now, result):
        if len(calls) == 3:
            raise KeyboardInterrupt("the worker was killed")
        calls.append(deadline_id)
        handle(deadline_id, now, result)

    monkeypatch.setattr(sweeping, "_handle", dies_after_three)
    with pytest.raises(KeyboardInterrupt):
        sweep_at("2027-01-08T00:00+00:00")
    monkeypatch.setattr(sweeping, "_handle", handle)

    assert len(mails("deadline_missed")) == 3
    assert sweep_at("2027-01-08T00:01+00:00").checked == 0  # the rest are still leased
    assert sweep_at("2027-01-08T00:05+00:00").missed == 3
    assert Counter(mail.complaint_id for mail in mails("deadline_missed")) == {c.pk: 1 for c in complaints}
    assert Counter(event.complaint_id for event in Event.objects.filter(kind="deadline_missed")) == {
        c.pk: 1 for c in complaints
    }


# --- several sweepers at once (PostgreSQL) ---------------------------------------------------------------

SWEEPERS = 4
PER_GROUP = 20
COUNTS = ("checked", "reminded", "missed", "updates_sent", "errors")


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sweepers need row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweepers_send_every_notification_exactly_once():
    # At Wed 6 Jan 2027 12:00 GMT:
    # - 20 welzo complaints of Mon 21 Dec are due a reminder (resolution due Thu 7 Jan);
    # - 20 welzo complaints of Mon 14 Dec missed their resolution (due Wed 30 Dec);
    # - 20 vxhome complaints of Mon 21 Dec are due the update their answer deadline demands.
    welzo, vxhome = make_company("welzo"), make_company("vxhome")
    with travel("2026-12-14T10:00+00:00") as clock:
        late = [welzo.file(contact_email=f"late{n}@example.nl") for n in range(PER_GROUP)]
        clock.move_to(at(RECEIVED["welzo"]))
        reminded = [welzo.file(contact_email=f"soon{n}@example.nl") for n in range(PER_GROUP)]
        clock.move_to(at(RECEIVED["vxhome"]))
        updated = [vxhome.file(contact_email=f"carol{n}@example.nl") for n in range(PER_GROUP)]
    now = at("2027-01-06T12:00+00:00")
    start = threading.Barrier(SWEEPERS)
    results, failures = [], []

    def sweeper():
        try:
            start.wait()
            results.append(sweep(now, batch_size=7))
        except Exception as problem:  # pragma: no cover - reported below
            failures.append(problem)
        finally:
            connections.close_all()

    with travel("2027-01-06T12:00+00:00"):
        threads = [threading.Thread(target=sweeper) for _ in range(SWEEPERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not failures
    assert len(results) == SWEEPERS
    total = Counter()
    for result in results:
        total.update({name: getattr(result, name) for name in COUNTS})
    assert total == Counter(checked=3 * PER_GROUP, reminded=PER_GROUP, missed=PER_GROUP, updates_sent=PER_GROUP)

    def once_each(kind, group):
        return Counter(mail.complaint_id for mail in mails(kind)) == {complaint.pk: 1 for complaint in group}

    assert once_each("deadline_reminder", reminded)
    assert once_each("deadline_missed", late)
    assert once_each("progress_update", updated)
    for kind, group in (
        ("deadline_reminder_sent", reminded), ("deadline_missed", late), ("progress_update_sent", updated),
    ):
        assert Counter(Event.objects.filter(kind=kind).values_list("complaint_id", flat=True)) == {
            complaint.pk: 1 for complaint in group
        }
    # And again: nothing left to do.
    assert sweep(now + datetime.timedelta(minutes=1)) == SweepResult()
    assert OutboundMail.objects.filter(kind__startswith="deadline_").count() == 2 * PER_GROUP


def test_the_sweep_acts_through_the_lifecycles_actions(welzo, welzo_complaint, monkeypatch):
    """Each thing time does is a registry action only the system may run; the sweep calls it."""
    for name in ("remind", "mark_missed", "send_progress_update"):
        assert lifecycle.ACTIONS[name].who == {lifecycle.SYSTEM}
    called = []
    original = actions.remind

    def remind(complaint, **kwargs):
        called.append(complaint.pk)
        return original(complaint, **kwargs)

    monkeypatch.setattr(actions, "remind", remind)
    sweep_at(WELZO_REMIND)

    assert called == [welzo_complaint.pk]
    [event] = events(welzo_complaint, "deadline_reminder_sent")
    assert event.actor_kind == ActorKind.SYSTEM and event.data["deadline_kind"] == "resolve"
