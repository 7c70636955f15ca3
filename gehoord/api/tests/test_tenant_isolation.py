"""One organisation's token (or staff) can neither read nor change anything of another's.

Oscar works for Other. Other's integration knows — or guesses — the reference of Carol's complaint
at Acme. For every endpoint it gets exactly what a reference that exists nowhere gets (404
not_found), and nothing of Acme's changes: no state, no event (not even a "viewed" one), no
message, no mail, no file.
"""

import pytest
from django.forms.models import model_to_dict

from conftest import carol_complaint, make_organisation
from gehoord.api.schemas import ACTION_BODIES
from gehoord.organisations.models import ApiToken
from gehoord.api.tests.conftest import ApiClient, b64, carol_payload, png_bytes
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Attachment, Complaint, Event, Message, OutcomeLetter, Resolution
from gehoord.errors import NotPermitted
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Category

pytestmark = pytest.mark.django_db

GUESSED = "KL-26-QQQQQQ"  # a well-formed reference of no complaint anywhere
LETTER = {"actions_taken": "Nagekeken.", "conclusions": "Geen fout.", "decision": "Niet gegrond."}


def snapshot(complaint: Complaint) -> dict:
    """Everything of a complaint the API could change."""
    return {
        "complaint": model_to_dict(Complaint.objects.get(pk=complaint.pk)),
        "updated_at": Complaint.objects.get(pk=complaint.pk).updated_at,
        "events": list(Event.objects.filter(complaint=complaint).values_list("pk", "kind")),
        "messages": list(Message.objects.filter(complaint=complaint).values_list("pk", "body")),
        "attachments": list(Attachment.objects.filter(complaint=complaint).values_list("pk", flat=True)),
        "resolutions": list(Resolution.objects.filter(complaint=complaint).values_list("pk", "response")),
        "letters": list(OutcomeLetter.objects.filter(complaint=complaint).values_list("pk", flat=True)),
        "mails": list(OutboundMail.objects.filter(complaint=complaint).values_list("pk", "kind")),
    }


def assert_same_as_for_a_guessed_reference(response, guessed_response, reference: str) -> None:
    assert response.status_code == guessed_response.status_code == 404
    body, guessed = response.json(), guessed_response.json()
    assert body["code"] == guessed["code"] == "not_found"
    assert body["errors"] == guessed["errors"] == {}
    # Word for word the same answer, but for the reference the caller gave.
    assert body["message"].replace(reference, "…") == guessed["message"].replace(GUESSED, "…")


@pytest.fixture
def carols(acme):
    return carol_complaint(acme, category="product", field_values={"serial_number": "SN-1234"})


@pytest.fixture
def oscars(other):
    return carol_complaint(other, contact_name="Olive Oak", contact_email="olive@example.co.uk")


# --- reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/timeline"])
def test_other_reads_nothing_of_acmes_complaint(other_api, carols, path):
    before = snapshot(carols)

    response = other_api.get(f"/complaints/{carols.reference}{path}")

    assert_same_as_for_a_guessed_reference(response, other_api.get(f"/complaints/{GUESSED}{path}"), carols.reference)
    assert "Carol" not in response.content.decode()
    assert snapshot(carols) == before  # not even a personal_data_viewed event


def test_acmes_own_token_does_read_it(acme_api, carols):
    # The counterpart of the test above: the 404 is about the organisation, not the reference.
    assert acme_api.get(f"/complaints/{carols.reference}").status_code == 200
    assert acme_api.get(f"/complaints/{carols.reference}/timeline").status_code == 200


def test_other_lists_only_its_own_complaints(other_api, carols, oscars, acme):
    carol_complaint(acme, description="Nog een klacht van Carol.")

    everything = other_api.get("/complaints", {"limit": 100})
    searched = other_api.get("/complaints", {"q": carols.reference})
    by_category = other_api.get("/complaints", {"category": "product"})
    by_email = other_api.get("/complaints", {"q": "carol@example.nl"})

    assert [item["reference"] for item in everything.json()["items"]] == [oscars.reference]
    assert everything.json()["count"] == 1
    for response in (searched, by_category, by_email):
        assert response.json()["items"] == [] and not response.json()["has_more"]
    assert by_category.json()["count"] == 0


def test_acme_lists_only_its_own_complaints(acme_api, carols, oscars):
    listed = acme_api.get("/complaints", {"limit": 100}).json()

    assert [item["reference"] for item in listed["items"]] == [carols.reference]
    assert acme_api.get("/complaints", {"q": "Olive"}).json()["items"] == []


def test_other_sees_only_its_own_categories(other_api, acme_api, other):
    Category.objects.create(organisation=other, slug="billing", name="Billing")

    assert [c["slug"] for c in other_api.get("/categories").json()] == ["billing"]
    assert [c["slug"] for c in acme_api.get("/categories").json()] == ["delivery", "product"]


def test_an_organisation_without_categories_lists_none(other_api, acme):
    assert other_api.get("/categories").json() == []


# --- writing ----------------------------------------------------------------------------------------


def test_other_cannot_write_on_acmes_complaint(other_api, carols):
    before = snapshot(carols)
    body = {"body": "Wij zijn het ook!", "attachments": [{"filename": "x.png", "content_base64": b64(png_bytes())}]}

    for payload in (body, {**body, "internal": True}, {**body, "on_behalf_of_consumer": True}):
        response = other_api.post(f"/complaints/{carols.reference}/messages", payload)
        guessed = other_api.post(f"/complaints/{GUESSED}/messages", payload)
        assert_same_as_for_a_guessed_reference(response, guessed, carols.reference)

    assert snapshot(carols) == before
    assert not Message.objects.exists() and not Attachment.objects.exists()


def _escalated(complaint, as_manon):
    actions.escalate(complaint, by=as_manon, reason="Klant wil verder.")
    return complaint


def _awaiting(complaint, as_manon):
    actions.ask_info(complaint, by=as_manon, question="Welke kleur?")
    return complaint


def _proposed(complaint, as_manon):
    actions.propose_resolution(complaint, by=as_manon, kinds=["apology"], text="Onze excuses.")
    return complaint


def _closed(complaint, as_manon):
    actions.close(complaint, by=as_manon, letter=actions.LetterInput(**LETTER))
    return complaint


def _as_filed(complaint, as_manon):
    return complaint


# Each action with a body Acme's own token could run it with, and the state in which it can.
EVERY_ACTION = [
    ("assign", {"handler": "alice"}, _as_filed),
    ("set_category", {"category": "delivery"}, _as_filed),
    ("acknowledge", None, _escalated),
    ("start", None, _as_filed),
    ("ask_info", {"question": "Heeft u een foto?"}, _as_filed),
    ("info_received", {"answer": "Rood.", "on_behalf_of_consumer": True}, _awaiting),
    ("propose_resolution", {"kinds": ["refund"], "text": "Geld terug.", "refund_amount": "10.00"}, _as_filed),
    ("accept", {"comment": "Goed.", "on_behalf_of_consumer": True}, _proposed),
    ("reject", {"comment": "Nee.", "on_behalf_of_consumer": True}, _proposed),
    ("escalate", {"reason": "Ik wil verder."}, _as_filed),
    ("decide", {"decision": "not_upheld", "letter": LETTER}, _escalated),
    ("close", {"letter": LETTER}, _as_filed),
    ("refer", {"body": "WebwinkelKeur"}, _closed),
    ("extend_deadline", {"kind": "respond", "due_at": "2099-01-31T17:00:00+01:00", "reason": "Wij wachten op de vervoerder."}, _as_filed),
    ("withdraw", {"reason": "Opgelost."}, _as_filed),
    ("reject_as_spam", {"reason": "Reclame."}, _as_filed),
]


def test_every_action_of_the_api_is_covered_here():
    assert {action for action, _body, _state in EVERY_ACTION} == set(ACTION_BODIES)


@pytest.mark.parametrize(("action", "payload", "state"), EVERY_ACTION, ids=[a for a, _b, _s in EVERY_ACTION])
def test_other_cannot_run_any_action_on_acmes_complaint(
    other_api, acme_api, carols, alice, as_manon, action, payload, state
):
    ready = state(carols, as_manon)
    before = snapshot(ready)

    response = other_api.post(f"/complaints/{ready.reference}/actions/{action}", payload)

    guessed = other_api.post(f"/complaints/{GUESSED}/actions/{action}", payload)
    assert_same_as_for_a_guessed_reference(response, guessed, ready.reference)
    assert snapshot(ready) == before
    # And the complaint was ready for it: Acme's own token can run the very same request.
    assert acme_api.post(f"/complaints/{ready.reference}/actions/{action}", payload).status_code == 200


def test_acme_cannot_hand_its_complaint_to_oscar(acme_api, carols, oscar):
    before = snapshot(carols)

    response = acme_api.post(f"/complaints/{carols.reference}/actions/assign", {"handler": "oscar"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"handler"}
    assert snapshot(carols) == before


def test_acme_cannot_filter_its_list_by_oscar(acme_api, oscars, oscar, other):
    actions.assign(oscars, by=Actor.staff(oscar, other), handler=oscar)

    assert acme_api.get("/complaints", {"handler": "oscar"}).json() == {"items": [], "count": 0, "has_more": False}


# --- filing -----------------------------------------------------------------------------------------


def test_a_complaint_is_filed_into_the_tokens_own_organisation(other_api, acme, other, carols):
    acme_before = list(Complaint.objects.filter(organisation=acme).values_list("pk", flat=True))

    response = other_api.post("/complaints", carol_payload(category=""))

    assert response.status_code == 201
    filed = Complaint.objects.get(reference=response.json()["reference"], organisation=other)
    assert filed.policy.organisation == other
    assert list(Complaint.objects.filter(organisation=acme).values_list("pk", flat=True)) == acme_before


def test_another_organisations_category_cannot_be_used(other_api, acme):
    response = other_api.post("/complaints", carol_payload(category="product", fields={"serial_number": "SN-1234"}))

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"category"}
    assert not Complaint.objects.exists()


def test_the_same_reference_at_two_organisations_answers_each_its_own(shop_api):
    second_shop = make_organisation("secondshop", preset="webshop-board")
    _token, plaintext = ApiToken.issue(second_shop, "second shop integration")
    second_api = ApiClient(plaintext)
    ours = shop_api.post("/complaints", carol_payload(category="", order_number="ORD-1", description="Van shop."))
    theirs = second_api.post("/complaints", carol_payload(category="", order_number="ORD-1", description="Van de tweede."))
    assert ours.json()["reference"] == theirs.json()["reference"] == "ORD-1"

    assert shop_api.get("/complaints/ORD-1").json()["description"] == "Van shop."
    assert second_api.get("/complaints/ORD-1").json()["description"] == "Van de tweede."
    assert shop_api.post("/complaints/ORD-1/actions/withdraw").json()["status"] == "withdrawn"
    assert second_api.get("/complaints/ORD-1").json()["status"] == "received"


# --- staff users ------------------------------------------------------------------------------------


def test_oscar_sees_only_others_complaints(oscar, carols, oscars, manon):
    assert list(Complaint.objects.visible_to(oscar)) == [oscars]
    assert not Complaint.objects.visible_to(oscar).filter(reference=carols.reference).exists()
    assert list(Complaint.objects.visible_to(manon)) == [carols]


def test_a_session_of_oscar_opens_no_api_door(oscar, carols):
    api = ApiClient(None)
    api.client.force_login(oscar)

    assert api.get(f"/complaints/{carols.reference}").status_code == 401
    assert api.post(f"/complaints/{carols.reference}/actions/start").status_code == 401


def test_oscar_cannot_act_on_acmes_complaint_through_the_domain(carols, as_oscar):
    # The API's 404 sits on top of this: the actions themselves refuse another organisation's staff.
    before = snapshot(carols)

    for run in (
        lambda: actions.start(carols, by=as_oscar),
        lambda: actions.add_message(carols, by=as_oscar, body="Hallo"),
    ):
        with pytest.raises(NotPermitted):
            run()

    assert snapshot(carols) == before
