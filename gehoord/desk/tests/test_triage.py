"""The triage pages: mail to Acme's complaint address that found no complaint waits for Acme's
staff, who put it on a complaint, open a new complaint from it, or set it aside. Other
organisations' staff never see it; mail for no organisation is for superusers in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from conftest import carol_complaint
from gehoord.complaints.models import Complaint, Message
from gehoord.mail.models import InboundMail, OutboundMail
from gehoord.mail.tests.support import deliver_raw, make_mail

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def waiting(acme, complaint):
    """Carol has two open complaints, so her mail without a tag waits for a person."""
    carol_complaint(acme, description="Ook de stoel is kapot.")
    return deliver_raw(make_mail(subject="Over mijn klacht", body="Wanneer komt de monteur?"))


def test_staff_see_the_waiting_mail_and_why(alice, waiting):
    page = logged_in(alice).get("/desk/acme/triage/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Over mijn klacht" in html
    assert "de afzender heeft meerdere open klachten" in html  # the desk speaks Dutch first
    detail = logged_in(alice).get(f"/desk/acme/triage/{waiting.pk}/")
    assert "Wanneer komt de monteur?" in detail.content.decode()


def test_another_organisations_staff_do_not_see_it(oscar, waiting):
    assert logged_in(oscar).get("/desk/acme/triage/").status_code == 404
    assert logged_in(oscar).get(f"/desk/other/triage/{waiting.pk}/").status_code == 404


def test_putting_it_on_a_complaint_makes_it_the_consumers_message(alice, complaint, waiting):
    response = logged_in(alice).post(f"/desk/acme/triage/{waiting.pk}/attach/", {"reference": complaint.reference})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.state, waiting.complaint, waiting.handled_by) == ("done", complaint, alice)
    message = Message.objects.get(complaint=complaint)
    assert (message.kind, message.body) == ("consumer", "Wanneer komt de monteur?")
    assert complaint.events.get(kind="mail_attached_from_triage").actor == alice
    again = logged_in(alice).post(f"/desk/acme/triage/{waiting.pk}/attach/", {"reference": complaint.reference})
    assert again.status_code == 409
    assert Message.objects.count() == 1


def test_only_the_organisations_own_complaints_can_be_chosen(alice, oscar, other, waiting):
    theirs = carol_complaint(other, description="Elders.")

    response = logged_in(alice).post(f"/desk/acme/triage/{waiting.pk}/attach/", {"reference": theirs.reference})

    assert response.status_code == 422
    assert not Message.objects.exists()


def test_opening_a_complaint_from_it_acknowledges_the_consumer(alice, acme, waiting):
    response = logged_in(alice).post(f"/desk/acme/triage/{waiting.pk}/open/", {
        "contact_name": "Carol de Vries", "contact_email": "carol@example.nl", "contact_language": "nl",
    })

    waiting.refresh_from_db()
    new = waiting.complaint
    assert response.status_code == 302 and response["Location"].endswith(f"/desk/acme/k/{new.reference}/")
    assert (new.channel, new.contact_email) == ("email", "carol@example.nl")
    assert "Wanneer komt de monteur?" in new.description
    assert new.events.get(kind="received").actor == alice
    ack = OutboundMail.objects.get(complaint=new, kind="acknowledgement")
    assert ack.in_reply_to == waiting.message_id


def test_a_web_form_mail_offers_its_reply_to_address_for_a_person_to_confirm(alice, acme):
    held = deliver_raw(make_mail(sender="Webformulier <formulier@acme.example>", subject="Klachtformulier",
                                 headers={"Reply-To": "Wim <wim@example.nl>"}, body="Monteur is niet verschenen."))

    detail = logged_in(alice).get(f"/desk/acme/triage/{held.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    html = detail.content.decode()
    assert "the sender asks for answers at another address (Reply-To)" in html
    assert "Asks for answers at</dt><dd>&lt;wim@example.nl&gt;" in html
    offered = detail.context["open_form"].initial
    assert (offered["contact_email"], offered["contact_name"]) == ("wim@example.nl", "wim")
    logged_in(alice).post(f"/desk/acme/triage/{held.pk}/open/", {**offered, "contact_name": "Wim Jansen"})
    held.refresh_from_db()
    assert (held.complaint.contact_email, held.complaint.contact_name) == ("wim@example.nl", "Wim Jansen")
    assert OutboundMail.objects.get(kind="acknowledgement").to_address == "wim@example.nl"


def test_setting_it_aside_keeps_it_off_the_list(alice, waiting):
    logged_in(alice).post(f"/desk/acme/triage/{waiting.pk}/dismiss/")

    waiting.refresh_from_db()
    assert (waiting.state, waiting.result) == ("ignored", "dismissed")
    assert "Over mijn klacht" not in logged_in(alice).get("/desk/acme/triage/").content.decode()
    assert "Over mijn klacht" in logged_in(alice).get("/desk/acme/triage/?show=noise").content.decode()


def test_mail_for_no_organisation_is_for_superusers_in_the_admin(acme):
    stored = deliver_raw(make_mail(to="info@unknown.example", subject="Voor wie is dit?"))
    admin = get_user_model().objects.create_superuser("root", "root@example.nl", "pw-123456789")

    listing = logged_in(admin).get("/admin/mail/inboundmail/?without_organisation=1")
    detail = logged_in(admin).get(f"/admin/mail/inboundmail/{stored.pk}/change/")

    assert listing.status_code == 200 and "Voor wie is dit?" in listing.content.decode()
    assert detail.status_code == 200 and "info@unknown.example" in detail.content.decode()
    assert InboundMail.objects.get().organisation is None
    assert not Complaint.objects.filter(contact_email="carol@example.nl", channel="email").exists()
