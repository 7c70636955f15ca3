"""The timeline (SPEC 2): immutable events that are both the register's "actions taken" and the
audit trail; messages, internal notes and the record of who looked at personal data.

Carol's complaint at Acme; Alice (agent) and Manon (manager) work it; Oscar works for another
organisation; Ada only administers Acme; Daan is a consumer with his own complaint.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.complaints.models import Attachment, Complaint, Event, Message, Status
from gehoord.errors import InvalidInput, NotPermitted
from gehoord.mail.models import OutboundMail
from gehoord.policies.models import Deadline

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def carol(complaint):
    return Actor.consumer(complaint)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def kinds(complaint, **filters):
    return list(complaint.events.filter(**filters).order_by("id").values_list("kind", flat=True))


def written(complaint):
    """What is stored about the conversation on a complaint."""
    fresh = Complaint.objects.get(pk=complaint.pk)
    return {
        "status": fresh.status,
        "events": list(fresh.events.values_list("id", flat=True)),
        "messages": list(fresh.messages.values_list("id", flat=True)),
        "attachments": list(fresh.attachments.values_list("id", flat=True)),
        "mails": list(fresh.outbound_mails.values_list("id", flat=True)),
    }


# --- immutability ----------------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted(complaint):
    event = complaint.events.get(kind="received")
    event.data = {"channel": "phone"}
    event.kind = "nothing_happened"

    with pytest.raises(TypeError, match="immutable"):
        event.save()
    with pytest.raises(TypeError, match="immutable"):
        event.delete()

    stored = Event.objects.get(pk=event.pk)
    assert (stored.kind, stored.data) == ("received", {"channel": "web", "attachments": 0})


def test_the_timeline_tells_the_story_in_order_and_carol_sees_her_part(complaint, carol, as_alice, as_manon, alice):
    complaint = actions.assign(complaint, by=as_manon, handler=alice)
    complaint = actions.start(complaint, by=as_alice)
    actions.add_message(complaint, by=as_alice, body="Vervoerder bellen.", internal=True)
    complaint = actions.ask_info(complaint, by=as_alice, question="Heeft u foto's?")
    actions.add_message(complaint, by=carol, body="Ja, hierbij.", uploads=[Upload.from_bytes("foto.pdf", PDF)])
    actions.record_personal_data_view(complaint, by=as_manon)
    complaint = actions.propose_resolution(complaint, by=as_alice, kinds=["replacement"], text="Nieuwe boxspring.")
    complaint = actions.accept(complaint, by=carol)

    story = [(event.kind, event.actor_label) for event in complaint.events.order_by("id")]
    assert story == [
        ("received", "Gehoord"),
        ("acknowledged", "Gehoord"),
        ("assigned", "Manon"),
        ("investigation_started", "Alice"),
        ("note_added", "Alice"),
        ("information_requested", "Alice"),
        ("information_received", "Carol de Vries"),
        ("personal_data_viewed", "Manon"),
        ("resolution_proposed", "Alice"),
        ("resolution_accepted", "Carol de Vries"),
    ]
    assert kinds(complaint, consumer_visible=True) == [
        "received", "acknowledged", "assigned", "investigation_started", "information_requested",
        "information_received", "resolution_proposed", "resolution_accepted",
    ]


# --- who looked at personal data --------------------------------------------------------------


def test_a_staff_view_of_personal_data_is_recorded(complaint, as_alice, alice, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 14, 5, tzinfo=AMSTERDAM), tick=False)

    actions.record_personal_data_view(complaint, by=as_alice)

    view = complaint.events.order_by("id").last()
    assert (view.kind, view.actor, view.actor_kind, view.actor_label) == ("personal_data_viewed", alice, "staff", "Alice")
    assert view.created_at == datetime(2026, 3, 2, 14, 5, tzinfo=AMSTERDAM)
    assert not view.consumer_visible


def test_an_integrations_view_of_personal_data_is_recorded_too(complaint, acme):
    actions.record_personal_data_view(complaint, by=Actor.api("crm-koppeling", acme.pk))

    view = complaint.events.order_by("id").last()
    assert (view.kind, view.actor_kind, view.actor_label) == ("personal_data_viewed", "api", "API: crm-koppeling")


def test_views_by_one_person_within_a_quarter_hour_are_one_event_and_each_person_has_their_own(
    complaint, as_alice, as_manon, time_machine
):
    time_machine.move_to(datetime(2026, 3, 2, 14, 0, tzinfo=AMSTERDAM), tick=False)
    actions.record_personal_data_view(complaint, by=as_alice)
    actions.record_personal_data_view(complaint, by=as_manon)
    time_machine.move_to(datetime(2026, 3, 2, 14, 14, 59, tzinfo=AMSTERDAM), tick=False)
    actions.record_personal_data_view(complaint, by=as_alice)
    time_machine.move_to(datetime(2026, 3, 2, 14, 15, 1, tzinfo=AMSTERDAM), tick=False)
    actions.record_personal_data_view(complaint, by=as_alice)
    actions.record_personal_data_view(complaint, by=Actor.api("crm-koppeling", complaint.organisation_id))

    views = complaint.events.filter(kind="personal_data_viewed").order_by("id")
    assert [(view.actor_label, view.created_at.astimezone(AMSTERDAM).strftime("%H:%M:%S")) for view in views] == [
        ("Alice", "14:00:00"),
        ("Manon", "14:00:00"),
        ("Alice", "14:15:01"),
        ("API: crm-koppeling", "14:15:01"),
    ]


def test_carol_looking_at_her_own_complaint_is_not_recorded(complaint, carol):
    before = written(complaint)

    actions.record_personal_data_view(complaint, by=carol)

    assert written(complaint) == before


# --- messages ----------------------------------------------------------------------------------


def test_carols_message_while_information_is_awaited_answers_the_request(complaint, carol, as_alice):
    complaint = actions.start(complaint, by=as_alice)
    complaint = actions.ask_info(complaint, by=as_alice, question="Heeft u foto's?")
    assert Deadline.objects.get(complaint=complaint, kind="respond").paused_at is not None

    message = actions.add_message(complaint, by=carol, body="Ja, die stuur ik mee.")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.INVESTIGATING
    assert (message.kind, message.author_name) == (Message.Kind.CONSUMER, "Carol de Vries")
    assert message.body == "Ja, die stuur ik mee."
    last = complaint.events.order_by("id").last()
    assert (last.kind, last.data) == ("information_received", {"message_id": message.pk})
    assert "message_added" not in kinds(complaint)
    assert Deadline.objects.get(complaint=complaint, kind="respond").paused_at is None


def test_carols_answer_counts_even_when_the_page_she_wrote_on_was_stale(complaint, carol, as_alice):
    """She opened the page before Alice asked; her message is still the answer Alice waits for."""
    page_copy = Complaint.objects.get(pk=complaint.pk)
    actions.start(complaint, by=as_alice)
    actions.ask_info(complaint, by=as_alice, question="Heeft u foto's?")

    actions.add_message(page_copy, by=carol, body="Hier zijn de foto's.")

    assert Complaint.objects.get(pk=complaint.pk).status == Status.INVESTIGATING
    assert kinds(complaint)[-1] == "information_received"


def test_carols_message_otherwise_is_added_to_the_conversation(complaint, carol, as_alice):
    complaint = actions.start(complaint, by=as_alice)

    message = actions.add_message(complaint, by=carol, body="Wanneer hoor ik iets?")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.INVESTIGATING
    assert (message.kind, message.channel, message.author) == (Message.Kind.CONSUMER, "web", None)
    last = complaint.events.order_by("id").last()
    assert (last.kind, last.actor_kind, last.consumer_visible, last.data) == (
        "message_added", "consumer", True, {"message_id": message.pk}
    )


def test_alices_message_goes_to_carol_and_counts_as_the_answer(complaint, as_alice, alice):
    message = actions.add_message(complaint, by=as_alice, body="We hebben de vervoerder gevraagd om een verklaring.")

    assert (message.kind, message.author) == (Message.Kind.STAFF, alice)
    last = complaint.events.order_by("id").last()
    assert (last.kind, last.consumer_visible, last.data) == ("message_added", True, {"message_id": message.pk})
    [mail] = OutboundMail.objects.filter(complaint=complaint, kind="staff_message")
    assert "We hebben de vervoerder gevraagd om een verklaring." in mail.body_text
    assert mail.to_address == "carol@example.nl"
    assert mail.automatic is False  # a person wrote it: no Auto-Submitted header
    assert Deadline.objects.get(complaint=complaint, kind="respond").met_at is not None


def test_an_internal_note_stays_internal(complaint, as_alice):
    note = actions.add_message(complaint, by=as_alice, body="Klant belde boos; rustig blijven.", internal=True)

    assert note.kind == Message.Kind.NOTE
    last = complaint.events.order_by("id").last()
    assert (last.kind, last.consumer_visible, last.data) == ("note_added", False, {"message_id": note.pk})
    assert not OutboundMail.objects.filter(complaint=complaint, kind="staff_message").exists()
    # A note is not an answer to Carol: the respond term still runs.
    assert Deadline.objects.get(complaint=complaint, kind="respond").met_at is None


def test_a_message_may_be_just_evidence(complaint, carol, media):
    message = actions.add_message(complaint, by=carol, body="", uploads=[Upload.from_bytes("bon.pdf", PDF)])

    attachment = Attachment.objects.get(complaint=complaint)
    assert attachment.message == message
    assert attachment.original_name == "bon.pdf"


def test_an_empty_message_is_refused(complaint, carol):
    before = written(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.add_message(complaint, by=carol, body="  ")

    assert set(refused.value.errors) == {"body"}
    assert written(complaint) == before


def test_a_message_with_a_refused_upload_stores_nothing(complaint, carol, media):
    before = written(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.add_message(
            complaint,
            by=carol,
            body="Zie bijlage.",
            uploads=[Upload.from_bytes("bon.pdf", PDF), Upload.from_bytes("virus.jpg", b"MZ\x90\x00" + b"\x00" * 60)],
        )

    assert refused.value.errors["attachments.1"].startswith("virus.jpg: ")
    assert written(complaint) == before
    assert not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.parametrize(
    "who, internal",
    [
        ("carol", True),
        ("daan", False),
        ("oscar", False),
        ("oscar", True),
        ("ada", False),
        ("system", False),
    ],
    ids=["carol-writing-a-note", "daan-on-carols-complaint", "oscar-message", "oscar-note", "ada-admin-only", "system"],
)
def test_who_may_not_write_on_carols_complaint(complaint, acme, carol, ada, as_oscar, who, internal):
    daans_complaint = carol_complaint(acme, contact_name="Daan Jansen", contact_email="daan@example.nl")
    writers = {
        "carol": carol,
        "daan": Actor.consumer(daans_complaint),
        "oscar": as_oscar,
        "ada": Actor.staff(ada, acme),
        "system": Actor.system(),
    }
    before = written(complaint)

    with pytest.raises(NotPermitted):
        actions.add_message(complaint, by=writers[who], body="Hallo.", internal=internal)

    assert written(complaint) == before
