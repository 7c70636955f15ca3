"""One action on many complaints (complaints/bulk.py): each through the same action as one at a
time, in its own transaction; a refusal is reported with its reason and does not stop the rest."""

import pytest
from django.utils import translation

from conftest import carol_complaint, make_organisation, make_staff
from gehoord.complaints import actions, bulk
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Message, Status
from gehoord.errors import InvalidInput
from gehoord.organisations.models import Membership, Role


def kinds(complaint) -> list[str]:
    return list(complaint.events.order_by("created_at", "id").values_list("kind", flat=True))


@pytest.fixture
def three(acme, as_alice):
    """Three of Acme's complaints (acknowledged on receipt); the second is being investigated."""
    first, second, third = (carol_complaint(acme, contact_name=name) for name in ("Carol", "Daan", "Emma"))
    actions.start(second, by=as_alice)
    return first, second, third


def test_closing_as_spam_closes_what_may_be_closed_and_names_what_may_not(acme, as_alice, three):
    first, second, third = three

    with translation.override("en"):
        results = bulk.run(
            acme, [first.reference, second.reference, third.reference], bulk.REJECT_AS_SPAM,
            by=as_alice, text="Reclame voor zonnepanelen",
        )

    assert [(result.reference, result.done) for result in results] == [
        (first.reference, True), (second.reference, False), (third.reference, True),
    ]
    assert results[1].reason == "You cannot reject as spam now: the complaint is investigating."
    for complaint in (first, third):
        complaint.refresh_from_db()
        assert complaint.status == Status.REJECTED
        assert complaint.rejection_reason == "Reclame voor zonnepanelen"
        assert kinds(complaint)[-1] == EventKind.REJECTED_AS_SPAM
    second.refresh_from_db()
    assert second.status == Status.INVESTIGATING
    assert EventKind.REJECTED_AS_SPAM not in kinds(second)


def test_an_agent_may_not_assign_to_others_so_each_is_refused_and_nothing_changes(acme, as_alice, manon, three):
    with translation.override("en"):
        results = bulk.run(acme, [c.reference for c in three], bulk.ASSIGN, by=as_alice, handler=manon)

    assert {result.reason for result in results} == {"Only a complaint manager assigns complaints to others."}
    assert not any(result.done for result in results)
    for complaint in three:
        complaint.refresh_from_db()
        assert complaint.handler is None
        assert EventKind.ASSIGNED not in kinds(complaint)


def test_a_manager_assigns_the_open_ones_and_not_the_withdrawn_one(acme, as_manon, as_alice, alice, three):
    first, second, third = three
    actions.withdraw(third, by=as_alice, reason="")

    results = bulk.run(acme, [c.reference for c in three], bulk.ASSIGN, by=as_manon, handler=alice)

    assert [result.done for result in results] == [True, True, False]
    for complaint in (first, second):
        complaint.refresh_from_db()
        assert complaint.handler == alice
        assigned = complaint.events.get(kind=EventKind.ASSIGNED)
        assert assigned.actor == as_manon.user and assigned.data["handler_id"] == alice.pk


def test_a_note_goes_on_each_complaint_as_an_internal_note(acme, as_alice, three):
    results = bulk.run(acme, [c.reference for c in three], bulk.NOTE, by=as_alice, text="Zelfde leverancier, zie #412")

    assert all(result.done for result in results)
    for complaint in three:
        note = complaint.messages.get()
        assert (note.kind, note.body) == (Message.Kind.NOTE, "Zelfde leverancier, zie #412")
        assert kinds(complaint)[-1] == EventKind.NOTE_ADDED


def test_acknowledging_skips_the_acknowledged_one(db):
    shop = make_organisation("shop", preset="webshop-board", country="GB", time_zone="Europe/London")
    alice = make_staff(shop, "alice", Role.AGENT)
    by = Actor.staff(alice, shop)
    waiting, done_before = (carol_complaint(shop, order_number=f"ORD-{n}", category="") for n in (1, 2))
    actions.acknowledge(done_before, by=by)

    with translation.override("en"):
        results = bulk.run(shop, ["ORD-1", "ORD-2"], bulk.ACKNOWLEDGE, by=by)

    assert [(result.reference, result.done) for result in results] == [("ORD-1", True), ("ORD-2", False)]
    assert results[1].reason == "You cannot acknowledge now: the complaint is acknowledged."
    assert kinds(done_before).count(EventKind.ACKNOWLEDGED) == 1
    waiting.refresh_from_db()
    assert waiting.status == Status.ACKNOWLEDGED and kinds(waiting)[-1] == EventKind.ACKNOWLEDGED


def test_another_organisations_complaint_is_refused_as_unknown(acme, other, as_alice):
    theirs = carol_complaint(other)

    with translation.override("en"):
        results = bulk.run(acme, [theirs.reference], bulk.NOTE, by=as_alice, text="Kijk hier eens naar")

    assert results == [bulk.Result(theirs.reference, False, "There is no such complaint.", found=False)]
    assert not theirs.messages.exists()


def test_a_refused_input_is_named_without_the_fields_name(acme, as_alice, three):
    with translation.override("en"):
        results = bulk.run(acme, [three[0].reference], bulk.REJECT_AS_SPAM, by=as_alice, text="   ")

    assert results[0].reason == "This field is required."


def test_no_complaints_or_too_many_change_nothing(acme, as_alice, three):
    with pytest.raises(InvalidInput):
        bulk.run(acme, [], bulk.NOTE, by=as_alice, text="x")
    with pytest.raises(InvalidInput):
        bulk.run(acme, [f"KL-{n}" for n in range(bulk.MAX_COMPLAINTS)] + [three[0].reference], bulk.NOTE, by=as_alice, text="x")
    with pytest.raises(InvalidInput):
        bulk.run(acme, [three[0].reference], "start", by=as_alice)
    assert not three[0].messages.exists()
