"""The complaint endpoints of /api/v1/ as an integration of Acme uses them.

Carol's complaints reach Acme (vxhome policy: automatic acknowledgement) through Acme's own
integration, which files, lists, reads, writes and moves them through their life by bearer token.
"""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.db import connection

from conftest import carol_complaint
from gehoord.api.tests.conftest import b64, carol_payload, png_bytes
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Attachment, Complaint, Event, Message, Resolution
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Category

pytestmark = pytest.mark.django_db

INTEGRATION = "API: acme integration"


def mails_to_carol(complaint_or_reference) -> list[str]:
    reference = getattr(complaint_or_reference, "reference", complaint_or_reference)
    return list(
        OutboundMail.objects.filter(complaint__reference=reference, to_address="carol@example.nl")
        .order_by("created_at", "id")
        .values_list("kind", flat=True)
    )


def event_kinds(reference: str) -> list[str]:
    return list(
        Event.objects.filter(complaint__reference=reference).order_by("created_at", "id").values_list("kind", flat=True)
    )


# --- POST /complaints ---------------------------------------------------------------------------


def test_filing_a_complaint_answers_201_with_the_complaint_as_stored(acme_api, acme):
    response = acme_api.post(
        "/complaints",
        carol_payload(
            contact_email="Carol@Example.NL",
            contact_phone="+31 6 1234 5678",
            contact_language="en",
            order_number="ORD-1001",
            product="Boxspring Deluxe 160",
            purchase_date="2025-01-15",
            desired_solution="Een nieuwe boxspring.",
        ),
    )

    assert response.status_code == 201
    body = response.json()
    stored = Complaint.objects.get(organisation=acme, reference=body["reference"])
    assert body["reference"].startswith("KL-")
    assert body["internal_id"] == stored.public_id
    assert body["channel"] == "api"
    assert body["category"] == "delivery"
    assert body["description"] == "De boxspring kwam beschadigd aan."
    assert body["contact_name"] == "Carol de Vries"
    assert body["contact_email"] == "carol@example.nl"  # stored as lower case
    assert body["contact_phone"] == "+31 6 1234 5678"
    assert body["contact_language"] == "en"
    assert body["order_number"] == "ORD-1001"
    assert body["product"] == "Boxspring Deluxe 160"
    assert body["purchase_date"] == "2025-01-15"
    assert body["desired_solution"] == "Een nieuwe boxspring."
    assert body["visibility"] == "private"
    assert body["stage"] == 1
    assert body["handler"] is None
    assert body["attachments"] == [] and body["resolutions"] == [] and body["outcome_letters"] == []
    assert stored.channel == "api" and stored.contact_email == "carol@example.nl"


def test_a_vxhome_complaint_is_acknowledged_on_arrival(acme_api):
    body = acme_api.post("/complaints", carol_payload()).json()

    assert body["status"] == "acknowledged"
    assert body["acknowledged_at"] is not None
    assert event_kinds(body["reference"]) == ["received", "acknowledged"]
    received = Event.objects.get(complaint__reference=body["reference"], kind="received")
    assert received.actor_kind == "api" and received.actor_label == INTEGRATION
    assert received.data == {"channel": "api", "attachments": 0}
    assert mails_to_carol(body["reference"]) == ["acknowledgement"]
    assert set(body["allowed_actions"]) >= {"assign", "start", "ask_info", "propose_resolution", "escalate", "close"}
    assert "acknowledge" not in body["allowed_actions"]


def test_a_complaint_with_category_fields_keeps_their_cleaned_values(acme_api):
    response = acme_api.post(
        "/complaints", carol_payload(category="product", fields={"serial_number": "  SN-1234 "})
    )

    assert response.status_code == 201
    assert response.json()["category"] == "product"
    assert response.json()["fields"] == {"serial_number": "SN-1234"}


def test_attachments_arrive_as_base64_and_are_stored_as_checked_files(acme_api):
    photo = png_bytes()

    response = acme_api.post(
        "/complaints",
        carol_payload(attachments=[{"filename": "kapotte-hoek.png", "content_base64": b64(photo)}]),
    )

    assert response.status_code == 201
    body = response.json()
    [listed] = body["attachments"]
    assert listed["filename"] == "kapotte-hoek.png"
    assert listed["content_type"] == "image/png"
    assert listed["field"] == ""
    stored = Attachment.objects.get(pk=listed["id"])
    assert stored.complaint.reference == body["reference"]
    assert stored.size == listed["size"] > 0
    with stored.file.open("rb") as f:
        content = f.read()
    assert content.startswith(b"\x89PNG")  # re-encoded (metadata dropped), still a PNG
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert Event.objects.get(complaint=stored.complaint, kind="received").data["attachments"] == 1


def test_staff_intake_of_a_phone_call_needs_only_a_phone_number(acme_api):
    response = acme_api.post(
        "/complaints", carol_payload(channel="phone", contact_email="", contact_phone="+31 20 123 4567")
    )

    assert response.status_code == 201
    assert response.json()["channel"] == "phone"
    assert response.json()["contact_email"] == ""
    assert not OutboundMail.objects.filter(complaint__reference=response.json()["reference"]).exists()


# --- GET /complaints ----------------------------------------------------------------------------


def _filed(acme, received_at, **values) -> Complaint:
    new = dict(
        description="De boxspring kwam beschadigd aan.",
        contact_name="Carol de Vries",
        contact_email="carol@example.nl",
        category="delivery",
    )
    new.update(values)
    return file_complaint(acme, NewComplaint(**new), channel="web", by=Actor.system(), received_at=received_at)


def _at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T10:00:00+01:00")


@pytest.fixture
def acme_register(acme, alice, manon, as_manon):
    """Four complaints of Acme in different states, categories, handlers and months."""
    investigating = _filed(acme, _at("2025-01-10"), description="Bezorger was onbeleefd.")
    actions.assign(investigating, by=as_manon, handler=alice)
    actions.start(investigating, by=as_manon)
    lamp = _filed(acme, _at("2025-02-10"), category="product", field_values={"serial_number": "SN-0001"},
                  description="De lamp flikkert.")
    escalated = _filed(acme, _at("2025-03-10"), description="Pakket nooit aangekomen.")
    actions.assign(escalated, by=as_manon, handler=alice)
    actions.escalate(escalated, by=as_manon, reason="Klant wil een manager.")
    karel = _filed(acme, _at("2025-03-20"), contact_name="Karel Appel", contact_email="karel@example.nl",
                   order_number="ORD-77")
    actions.assign(karel, by=as_manon, handler=manon)
    return {"investigating": investigating, "lamp": lamp, "escalated": escalated, "karel": karel}


def references_listed(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["items"]]


def test_the_list_is_newest_first_with_summaries_and_a_total(acme_api, acme_register):
    response = acme_api.get("/complaints")

    r = acme_register
    assert references_listed(response) == [
        r["karel"].reference, r["escalated"].reference, r["lamp"].reference, r["investigating"].reference
    ]
    assert response.json()["count"] == 4
    first = response.json()["items"][0]
    assert first == {
        "reference": r["karel"].reference,
        "internal_id": r["karel"].public_id,
        "status": "acknowledged",
        "stage": 1,
        "channel": "web",
        "category": "delivery",
        "handler": "manon",
        "contact_name": "Karel Appel",
        "order_number": "ORD-77",
        "received_at": first["received_at"],
        "updated_at": first["updated_at"],
        "next_deadline_at": first["next_deadline_at"],
    }
    assert datetime.datetime.fromisoformat(first["received_at"]) == _at("2025-03-20")
    assert datetime.datetime.fromisoformat(first["next_deadline_at"]) == r["karel"].next_deadline_at


# Each filter with what it leaves of the register, newest first.
FILTERS = [
    ({"status": "investigating"}, ["investigating"]),
    ({"status": "escalated"}, ["escalated"]),
    ({"status": "closed"}, []),
    ({"stage": 2}, ["escalated"]),
    ({"stage": 1}, ["karel", "lamp", "investigating"]),
    ({"category": "product"}, ["lamp"]),
    ({"category": "delivery"}, ["karel", "escalated", "investigating"]),
    ({"category": "no-such-category"}, []),
    ({"handler": "alice"}, ["investigating"]),  # the escalation took the handler off
    ({"handler": "manon"}, ["karel"]),
    ({"handler": "none"}, ["escalated", "lamp"]),
    ({"handler": "nobody-here"}, []),
    ({"q": "flikkert"}, ["lamp"]),
    ({"q": "ORD-77"}, ["karel"]),
    ({"q": "karel appel"}, ["karel"]),
    ({"q": "CAROL@EXAMPLE.NL"}, ["escalated", "lamp", "investigating"]),
    ({"status": "open"}, ["karel", "escalated", "lamp", "investigating"]),
    ({"received_after": "2025-03-01T00:00:00+01:00"}, ["karel", "escalated"]),
    ({"received_before": "2025-02-01T00:00:00+01:00"}, ["investigating"]),
    ({"received_after": "2025-02-01T00:00:00Z", "received_before": "2025-03-01T00:00:00Z"}, ["lamp"]),
    ({"received_after": "2025-03-10T10:00:00+01:00"}, ["karel", "escalated"]),  # inclusive
    ({"received_before": "2025-03-10T10:00:00+01:00"}, ["lamp", "investigating"]),  # exclusive
    ({"received_after": "0001-01-01T00:00:00+14:00"}, ["karel", "escalated", "lamp", "investigating"]),  # before UTC
    ({"received_before": "9999-12-31T23:59:59-14:00"}, ["karel", "escalated", "lamp", "investigating"]),  # after it
    ({"category": "delivery", "handler": "none"}, ["escalated"]),
    ({"status": "acknowledged", "q": "boxspring"}, ["karel"]),
]


def test_each_filter_narrows_the_list_and_the_count(acme_api, acme_register):
    # One test over the whole table: the register is built once, not once per filter.
    wrong = {}
    for params, expected in FILTERS:
        response = acme_api.get("/complaints", params)
        listed = references_listed(response)
        wanted = [acme_register[name].reference for name in expected]
        counted = None if "q" in params else len(expected)
        if listed != wanted or response.json()["count"] != counted:
            wrong[str(params)] = (listed, response.json()["count"], wanted)

    assert wrong == {}


def test_text_search_finds_a_complaint_by_its_reference(acme_api, acme_register):
    reference = acme_register["lamp"].reference

    assert references_listed(acme_api.get("/complaints", {"q": reference.lower()})) == [reference]
    assert references_listed(acme_api.get("/complaints", {"q": f"  {reference}  "})) == [reference]


def test_the_queue_order_puts_the_nearest_deadline_first(acme_api, acme_register):
    response = acme_api.get("/complaints", {"status": "open", "order": "deadline"})

    deadlines = [item["next_deadline_at"] for item in response.json()["items"]]
    running = [deadline for deadline in deadlines if deadline is not None]
    assert len(deadlines) == 4 and len(running) == 3
    assert deadlines == sorted(running, key=datetime.datetime.fromisoformat) + [None]  # no deadline: last


def test_a_search_is_not_counted_but_says_whether_more_follow(acme_api, acme_register):
    first = acme_api.get("/complaints", {"q": "carol@example.nl", "limit": 2}).json()
    last = acme_api.get("/complaints", {"q": "carol@example.nl", "limit": 2, "offset": 2}).json()
    unsearched = acme_api.get("/complaints", {"limit": 2}).json()

    assert (first["count"], first["has_more"], len(first["items"])) == (None, True, 2)
    assert (last["count"], last["has_more"], len(last["items"])) == (None, False, 1)
    assert (unsearched["count"], unsearched["has_more"]) == (4, True)


def test_pages_follow_limit_and_offset_and_count_counts_them_all(acme_api, acme_register):
    everything = references_listed(acme_api.get("/complaints"))

    first = acme_api.get("/complaints", {"limit": 3})
    second = acme_api.get("/complaints", {"limit": 3, "offset": 3})
    beyond = acme_api.get("/complaints", {"limit": 3, "offset": 10})

    assert references_listed(first) == everything[:3]
    assert references_listed(second) == everything[3:]
    assert references_listed(beyond) == []
    assert first.json()["count"] == second.json()["count"] == beyond.json()["count"] == 4
    for limit in (1, 2, 100):  # anything from 1 to 100
        assert references_listed(acme_api.get("/complaints", {"limit": limit})) == everything[:limit]


def test_complaints_received_at_the_same_instant_keep_one_order_across_pages(acme_api, acme):
    same_instant = _at("2025-05-01")
    filed = [_filed(acme, same_instant, description=f"Klacht {n}") for n in range(7)]

    pages = [references_listed(acme_api.get("/complaints", {"limit": 2, "offset": offset})) for offset in range(0, 8, 2)]
    listed = [reference for page in pages for reference in page]

    assert listed == [c.reference for c in sorted(filed, key=lambda c: c.pk, reverse=True)]
    assert listed == references_listed(acme_api.get("/complaints", {"limit": 7}))


# --- GET /complaints/{reference} ------------------------------------------------------------------


def test_the_detail_shows_the_whole_complaint(acme_api, acme, as_manon, alice):
    complaint = carol_complaint(acme, category="product", field_values={"serial_number": "SN-4321"})
    actions.assign(complaint, by=as_manon, handler=alice)

    response = acme_api.get(f"/complaints/{complaint.reference}")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == complaint.reference
    assert body["status"] == "acknowledged"
    assert body["handler"] == "alice"
    assert body["category"] == "product"
    assert body["fields"] == {"serial_number": "SN-4321"}
    assert body["contact_email"] == "carol@example.nl"
    assert body["channel"] == "web"
    assert body["feedback"] is None


def test_reading_the_detail_puts_the_view_of_personal_data_on_the_timeline(acme_api, complaint, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC), tick=False)
    acme_api.get(f"/complaints/{complaint.reference}")
    time_machine.move_to(datetime.datetime(2026, 3, 2, 14, 14, tzinfo=datetime.UTC), tick=False)
    acme_api.get(f"/complaints/{complaint.reference}")  # within the quarter hour: the same view
    time_machine.move_to(datetime.datetime(2026, 3, 2, 14, 16, tzinfo=datetime.UTC), tick=False)
    acme_api.get(f"/complaints/{complaint.reference}")

    views = Event.objects.filter(complaint=complaint, kind="personal_data_viewed")
    assert [(e.actor_kind, e.actor_label, e.consumer_visible, e.created_at.minute) for e in views] == [
        ("api", INTEGRATION, False, 0),
        ("api", INTEGRATION, False, 16),
    ]


def test_the_reference_in_the_path_may_carry_stray_spaces(acme_api, complaint):
    assert acme_api.get(f"/complaints/%20{complaint.reference}%20").status_code == 200


# --- GET /complaints/{reference}/timeline ---------------------------------------------------------


def test_the_timeline_lists_every_event_in_order_with_message_texts(acme_api, complaint, as_alice):
    actions.add_message(complaint, by=as_alice, body="We kijken ernaar.")
    actions.add_message(complaint, by=as_alice, body="Leverancier gebeld.", internal=True)

    response = acme_api.get(f"/complaints/{complaint.reference}/timeline")

    assert response.status_code == 200
    events = response.json()
    assert [e["kind"] for e in events] == ["received", "acknowledged", "message_added", "note_added"]
    received, acknowledged, message, note = events
    assert received["actor_kind"] == "system" and received["data"]["channel"] == "web"
    assert acknowledged["consumer_visible"] is True
    assert acknowledged["data"]["reference"] == complaint.reference
    assert (message["actor"], message["message"], message["consumer_visible"]) == ("Alice", "We kijken ernaar.", True)
    assert (note["message"], note["consumer_visible"]) == ("Leverancier gebeld.", False)
    assert received["message"] is None
    stamps = [datetime.datetime.fromisoformat(e["at"]) for e in events]
    assert stamps == sorted(stamps)


def test_the_detail_brings_its_timeline_in_the_same_answer_when_asked(acme_api, complaint, as_alice):
    actions.add_message(complaint, by=as_alice, body="We kijken ernaar.")

    together = acme_api.get(f"/complaints/{complaint.reference}", {"include": "timeline"})

    assert together.status_code == 200
    body = together.json()
    # The view this read recorded is on the timeline it answers with, as on a later read of it.
    assert [e["kind"] for e in body["timeline"]] == ["received", "acknowledged", "message_added", "personal_data_viewed"]
    assert body["timeline"] == acme_api.get(f"/complaints/{complaint.reference}/timeline").json()
    assert body["timeline"][2]["message"] == "We kijken ernaar."
    alone = acme_api.get(f"/complaints/{complaint.reference}").json()
    assert alone["timeline"] is None
    assert {**alone, "timeline": body["timeline"]} == body


def test_only_the_timeline_can_be_included(acme_api, complaint):
    response = acme_api.get(f"/complaints/{complaint.reference}", {"include": "messages"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and "include" in response.json()["errors"]
    assert not Event.objects.filter(complaint=complaint, kind="personal_data_viewed").exists()


# --- POST /complaints/{reference}/messages ----------------------------------------------------------


def test_a_staff_message_is_stored_and_queued_as_mail_to_carol(acme_api, complaint):
    response = acme_api.post(f"/complaints/{complaint.reference}/messages", {"body": "We sturen een monteur."})

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["body"], body["author"], body["attachments"]) == (
        "staff", "We sturen een monteur.", INTEGRATION, []
    )
    message = Message.objects.get(pk=body["id"])
    assert message.complaint == complaint and message.kind == "staff"
    mail = OutboundMail.objects.get(complaint=complaint, kind="staff_message")
    assert mail.to_address == "carol@example.nl"
    assert mail.automatic is False
    assert mail.state == OutboundMail.State.QUEUED
    assert complaint.reference in mail.subject
    assert "We sturen een monteur." in mail.body_text
    assert Event.objects.filter(complaint=complaint, kind="message_added", consumer_visible=True).exists()


def test_an_internal_note_is_never_mailed(acme_api, complaint):
    response = acme_api.post(
        f"/complaints/{complaint.reference}/messages", {"body": "Klant belde al drie keer.", "internal": True}
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert mails_to_carol(complaint) == ["acknowledgement"]
    note = Event.objects.get(complaint=complaint, kind="note_added")
    assert note.consumer_visible is False


def test_a_message_relayed_on_behalf_of_carol_is_hers(acme_api, complaint):
    response = acme_api.post(
        f"/complaints/{complaint.reference}/messages",
        {"body": "Ik ben dinsdag thuis.", "on_behalf_of_consumer": True},
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "consumer"
    assert response.json()["author"] == f"Carol de Vries ({INTEGRATION})"
    assert mails_to_carol(complaint) == ["acknowledgement"]
    assert Event.objects.get(complaint=complaint, kind="message_added").actor_kind == "consumer"
    assert complaint.messages.get().channel == "api"  # relayed by the integration, not typed on our web form


def test_carols_relayed_message_answers_an_open_question(acme_api, complaint, as_alice):
    actions.ask_info(complaint, by=as_alice, question="Heeft u een foto?")

    response = acme_api.post(
        f"/complaints/{complaint.reference}/messages",
        {"body": "Zie bijlage.", "on_behalf_of_consumer": True,
         "attachments": [{"filename": "foto.png", "content_base64": b64(png_bytes())}]},
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "consumer"
    assert [a["content_type"] for a in response.json()["attachments"]] == ["image/png"]
    complaint.refresh_from_db()
    assert complaint.status == "investigating"
    assert event_kinds(complaint.reference)[-1] == "information_received"


# --- POST /complaints/{reference}/actions/{action} ----------------------------------------------------


def test_the_whole_life_of_a_complaint_through_the_api(acme_api, alice, manon):
    def act(action, body=None):
        response = acme_api.post(f"/complaints/{reference}/actions/{action}", body)
        assert response.status_code == 200, response.content
        return response.json()

    filed = acme_api.post("/complaints", carol_payload())
    reference = filed.json()["reference"]
    assert filed.json()["status"] == "acknowledged"  # vxhome: the acknowledgement is automatic

    assigned = act("assign", {"handler": "alice"})
    assert (assigned["status"], assigned["handler"]) == ("acknowledged", "alice")

    assert act("start")["status"] == "investigating"

    asked = act("ask_info", {"question": "Kunt u een foto van de schade sturen?"})
    assert asked["status"] == "awaiting_consumer"

    answered = act("info_received", {"answer": "De foto volgt per post.", "on_behalf_of_consumer": True})
    assert answered["status"] == "investigating"
    assert Message.objects.filter(
        complaint__reference=reference, kind="consumer", body="De foto volgt per post."
    ).exists()

    proposed = act(
        "propose_resolution", {"kinds": ["refund"], "text": "We betalen de bezorgkosten terug.", "refund_amount": "49.95"}
    )
    assert proposed["status"] == "resolution_proposed"
    [resolution] = proposed["resolutions"]
    assert resolution["kinds"] == ["refund"]
    assert Decimal(str(resolution["refund_amount"])) == Decimal("49.95")
    assert resolution["compensation_amount"] is None and resolution["response"] == ""
    assert Resolution.objects.get(complaint__reference=reference).refund_amount == Decimal("49.95")

    rejected = act("reject", {"comment": "Dat is te weinig.", "on_behalf_of_consumer": True})
    assert rejected["status"] == "investigating"
    assert rejected["resolutions"][0]["response"] == "rejected"
    assert "escalate" in rejected["allowed_actions"]

    escalated = act("escalate", {"reason": "Ik wil een manager spreken.", "on_behalf_of_consumer": True})
    assert (escalated["status"], escalated["stage"], escalated["handler"]) == ("escalated", 2, None)
    assert "acknowledge" in escalated["allowed_actions"]

    assert act("acknowledge")["status"] == "acknowledged"  # the escalation is acknowledged by hand

    letter = {
        "actions_taken": "Bezorgdienst en foto's bekeken.",
        "conclusions": "De schade ontstond bij de bezorging.",
        "changes": "Bezorgdienst krijgt instructies voor zware pakketten.",
        "decision": "Wij vergoeden de helft van de aankoopprijs.",
    }
    decided = act("decide", {"decision": "partially_upheld", "letter": letter})
    assert (decided["status"], decided["outcome"]) == ("closed", "partially_upheld")
    assert decided["closed_at"] is not None
    [written] = decided["outcome_letters"]
    assert {key: written[key] for key in letter} == letter
    assert written["stage"] == 2
    assert "escalate" not in decided["allowed_actions"]  # vxhome has no stage after the manager
    assert "refer" in decided["allowed_actions"]

    referred = act("refer", {"body": "WebwinkelKeur"})
    assert (referred["status"], referred["stage"], referred["referred_to"]) == ("referred", 4, "WebwinkelKeur")

    assert event_kinds(reference) == [
        "received", "acknowledged", "assigned", "investigation_started", "information_requested",
        "information_received", "resolution_proposed", "resolution_rejected", "escalated",
        "escalation_acknowledged", "decided", "referred",
    ]
    actors = dict(
        Event.objects.filter(complaint__reference=reference).values_list("kind", "actor_kind")
    )
    assert actors["assigned"] == "api" and actors["escalated"] == "consumer" and actors["acknowledged"] == "system"
    assert mails_to_carol(reference) == [
        "acknowledgement", "information_request", "resolution_proposal", "escalation_received",
        "escalation_acknowledgement", "outcome", "referral",
    ]
    outcome_mail = OutboundMail.objects.get(complaint__reference=reference, kind="outcome")
    assert "Wij vergoeden de helft van de aankoopprijs." in outcome_mail.body_text


def test_carol_accepts_a_proposal_relayed_by_the_integration(acme_api, complaint, as_alice):
    actions.propose_resolution(complaint, by=as_alice, kinds=["replacement"], text="Een nieuwe boxspring.")

    response = acme_api.post(
        f"/complaints/{complaint.reference}/actions/accept", {"comment": "Prima!", "on_behalf_of_consumer": True}
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("resolved", "accepted")
    assert response.json()["resolutions"][0]["response"] == "accepted"


def test_closing_without_a_resolution_needs_a_letter_and_an_outcome(acme_api, complaint):
    letter = {"actions_taken": "Nagevraagd.", "conclusions": "Geen fout gevonden.", "decision": "Niet gegrond."}

    response = acme_api.post(f"/complaints/{complaint.reference}/actions/close", {"letter": letter})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("closed", "not_upheld")
    assert mails_to_carol(complaint)[-1] == "outcome"


def test_a_complaint_can_be_withdrawn_and_spam_rejected(acme_api, acme, complaint):
    spam = carol_complaint(acme, description="Koop goedkope horloges!")

    withdrawn = acme_api.post(f"/complaints/{complaint.reference}/actions/withdraw", {"reason": "Opgelost."})
    rejected = acme_api.post(f"/complaints/{spam.reference}/actions/reject_as_spam", {"reason": "Reclame."})

    assert withdrawn.json()["status"] == "withdrawn"
    assert rejected.json()["status"] == "rejected"
    spam.refresh_from_db()
    assert spam.rejection_reason == "Reclame."


# --- GET /categories ----------------------------------------------------------------------------------


def test_a_category_is_named_in_the_language_the_client_asks_for(acme_api, acme):
    acme.categories.filter(slug="delivery").update(name="Levering", name_en="Delivery")

    english = acme_api.get("/categories").json()
    dutch = acme_api.get("/categories", headers={"Accept-Language": "nl"}).json()

    assert (english[0]["name"], dutch[0]["name"]) == ("Delivery", "Levering")
    assert english[0]["names"] == dutch[0]["names"] == {"nl": "Levering", "en": "Delivery"}


def test_the_categories_come_with_their_fields(acme_api, acme):
    Category.objects.create(organisation=acme, slug="retired", name="Old category", active=False)

    response = acme_api.get("/categories")

    assert response.status_code == 200
    assert response.json() == [
        {"slug": "delivery", "name": "Delivery", "names": {"nl": "Delivery", "en": ""}, "description": "", "fields": []},
        {
            "slug": "product",
            "name": "Product",
            "names": {"nl": "Product", "en": ""},
            "description": "",
            "fields": [
                {
                    "key": "serial_number",
                    "label": "Serial number",
                    "type": "serial",
                    "required": True,
                    "choices": [],
                    "pattern": r"SN-\d{4}",
                    "help_text": "",
                }
            ],
        },
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Dutch full-text search is PostgreSQL's")
def test_search_finds_other_forms_of_a_dutch_word(acme_api, acme):
    damaged = _filed(acme, _at("2025-04-01"), description="De verpakking was beschadigd en de lampen flikkerden.")

    assert references_listed(acme_api.get("/complaints", {"q": "beschadigde lamp"})) == [damaged.reference]
    assert references_listed(acme_api.get("/complaints", {"q": '"lampen flikkerden" -verpakking'})) == []
