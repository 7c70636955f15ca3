"""Following a complaint: /volgen/ (reference + e-mail address), the signed link, the complaint's page."""

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import carol_complaint, make_organisation
from gehoord.complaints import actions
from gehoord.complaints.attachments import Upload
from gehoord.complaints import tracking
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Membership, Organisation, Role
from gehoord.portal import access, ratelimit
from gehoord.portal.tests.conftest import inline_scripts, inline_styles, png_bytes

pytestmark = pytest.mark.django_db

NO_MATCH = "There is no complaint with this reference and e-mail address"


def track(client, reference, email, code="", **headers):
    return client.post(reverse("portal:track"), {"reference": reference, "email": email, "code": code}, **headers)


def tracking_url(complaint):
    return reverse("portal:tracking", kwargs={"public_id": complaint.public_id})


@pytest.fixture
def shop(alice):
    """A web shop whose order numbers are the references (seed 001)."""
    organisation = make_organisation("shop", preset="webshop-board")
    Membership.objects.create(user=alice, organisation=organisation, role=Role.AGENT)
    return organisation


@pytest.fixture
def as_alice_shop(shop, alice):
    return Actor.staff(alice, shop)


def english_client():
    return Client(headers={"accept-language": "en"})


class TestTheTrackingForm:
    def test_the_landing_page_lists_the_connected_organisations_and_the_tracking_form(self, client, acme, other):
        Organisation.objects.filter(pk__in=[acme.pk, other.pk]).update(connected=True)
        html = client.get("/").content.decode()
        assert f'href="{reverse("portal:complaint_form", kwargs={"org": "acme"})}"' in html
        assert ">Other</a>" in html
        assert 'action="/volgen/"' in html and 'name="reference"' in html and 'name="email"' in html
        assert inline_scripts(html) == [] and inline_styles(html) == []

    def test_the_right_reference_and_address_open_the_complaint(self, client, complaint):
        page = track(client, complaint.reference.lower(), "Carol@Example.NL")
        assert page.status_code == 302 and page["Location"] == tracking_url(complaint)
        html = client.get(page["Location"]).content.decode()
        assert complaint.reference in html
        assert "De boxspring kwam beschadigd aan." in html
        assert "Complaint received" in html

    def test_a_wrong_address_and_an_unknown_reference_get_the_same_answer(self, client, complaint):
        wrong_address = track(client, complaint.reference, "mallory@example.nl")
        unknown_reference = track(client, "KL-26-ZZZZZZ", complaint.contact_email)
        for page in (wrong_address, unknown_reference):
            assert page.status_code == 200
            assert NO_MATCH in page.content.decode()
        assert client.get(tracking_url(complaint)).status_code == 302  # still no access

    def test_the_reference_is_prefilled_from_the_link_of_a_duplicate_order(self, client, db):
        html = client.get(reverse("portal:track"), {"reference": "BS100200"}).content.decode()
        assert 'value="BS100200"' in html

    def test_guessing_the_address_of_a_reference_is_stopped_without_locking_the_consumer_out(self, client, complaint):
        """Failures count per client address and per reference from it: a guesser elsewhere could lock
        the real consumer out of their complaint for an hour when they counted per reference alone."""
        for attempt in range(ratelimit.TRACKING_FAILURES_PER_REFERENCE_AND_IP.limit):
            track(client, complaint.reference, f"guess{attempt}@example.nl", REMOTE_ADDR="198.51.100.9")
        page = track(client, complaint.reference, complaint.contact_email, REMOTE_ADDR="198.51.100.9")
        assert page.status_code == 429 and "Too many attempts" in page.content.decode()

        carol = Client()
        assert track(carol, complaint.reference, complaint.contact_email).status_code == 302

    def test_many_attempts_from_one_address_are_stopped(self, client, complaint):
        for attempt in range(ratelimit.TRACKING_PER_IP.limit):
            track(client, f"KL-26-AAAA{attempt:02d}", "someone@example.nl")
        assert "Too many attempts" in track(client, complaint.reference, complaint.contact_email).content.decode()


class TestAnOrderNumberReference:
    """Seed 001: the order number is the reference, so it can be guessed (sequential numbers found a
    complaint at try 12 of 25): following it also takes the tracking code of the confirmation."""

    @pytest.fixture
    def ordered(self, shop):
        return carol_complaint(shop, order_number="BO-55501")

    def test_the_order_number_and_the_address_alone_open_nothing(self, client, ordered):
        page = track(client, "BO-55501", ordered.contact_email)
        assert NO_MATCH in page.content.decode()
        assert client.get(tracking_url(ordered)).status_code == 302

    def test_with_the_code_from_the_confirmation_it_opens(self, client, ordered):
        assert len(ordered.tracking_code) == 6
        page = track(client, "bo-55501", ordered.contact_email, code=ordered.tracking_code.lower())
        assert page.status_code == 302 and page["Location"] == tracking_url(ordered)

    def test_the_internal_id_opens_it_without_a_code(self, client, ordered):
        page = track(client, ordered.public_id, ordered.contact_email)
        assert page.status_code == 302 and page["Location"] == tracking_url(ordered)

    def test_the_code_is_told_in_the_acknowledgement_and_on_the_confirmation(self, client, ordered, as_alice_shop):
        actions.acknowledge(ordered, by=as_alice_shop)
        mail = OutboundMail.objects.get(complaint=ordered, kind="acknowledgement")
        assert ordered.tracking_code in mail.body_text

    def test_our_own_references_need_no_code(self, client, complaint):
        assert complaint.tracking_code == ""
        assert track(client, complaint.reference, complaint.contact_email).status_code == 302


class TestTheSignedLink:
    def test_the_link_opens_the_complaint_and_leaves_the_token_behind(self, client, complaint):
        url = tracking.tracking_url(complaint)
        assert url.startswith("http://127.0.0.1:8000/volgen/link/")
        assert "carol" not in url  # the address is in the link only as a digest
        page = client.get(url.removeprefix("http://127.0.0.1:8000"))
        assert page.status_code == 302 and page["Location"] == tracking_url(complaint)
        assert complaint.reference in client.get(page["Location"]).content.decode()

    @override_settings(GEHOORD_BASE_URL="https://klachten.example.nl/")
    def test_the_link_uses_the_configured_address_of_the_site(self, complaint):
        assert tracking.tracking_url(complaint).startswith("https://klachten.example.nl/volgen/link/")

    def test_a_tampered_link_opens_nothing(self, client, complaint):
        token = tracking.token_for(complaint)
        page = client.get(reverse("portal:tracking_link", kwargs={"token": token[:-2] + "xx"}))
        assert page.status_code == 302 and page["Location"] == reverse("portal:track")
        assert "This link does not work" in client.get(page["Location"]).content.decode()
        assert client.get(tracking_url(complaint)).status_code == 302

    def test_a_link_expires_and_a_fresh_one_can_be_asked_for(self, client, complaint, settings, time_machine):
        settings.GEHOORD_TRACKING_LINK_DAYS = 90
        time_machine.move_to(datetime.datetime(2027, 1, 4, 12, tzinfo=datetime.UTC), tick=False)
        token = tracking.token_for(complaint)
        time_machine.move_to(datetime.datetime(2027, 4, 5, 12, tzinfo=datetime.UTC), tick=False)  # 91 days on

        page = client.get(reverse("portal:tracking_link", kwargs={"token": token}))

        assert page["Location"] == reverse("portal:track")
        html = client.get(page["Location"]).content.decode()
        assert "This link has expired" in html and 'action="/volgen/nieuwe-link/"' in html
        asked = client.post(reverse("portal:fresh_link"), {"email": "CAROL@example.nl"})
        [mail] = OutboundMail.objects.filter(complaint=complaint, kind="tracking_link")
        fresh = mail.body_text.split("/volgen/link/")[1].split("/")[0]
        assert client.get(reverse("portal:tracking_link", kwargs={"token": fresh}))["Location"] == tracking_url(complaint)
        assert "is on its way" in client.get(asked["Location"]).content.decode()

    def test_asking_a_link_for_an_unknown_address_answers_the_same_and_sends_nothing(self, client, complaint):
        asked = client.post(reverse("portal:fresh_link"), {"email": "nobody@example.nl"})
        assert asked.status_code == 302 and "is on its way" in client.get(asked["Location"]).content.decode()
        assert not OutboundMail.objects.filter(kind="tracking_link").exists()

    def test_links_for_one_address_are_sent_a_few_times_an_hour_at_most(self, client, complaint):
        for _request in range(ratelimit.LINK_REQUESTS_PER_EMAIL.limit):
            client.post(reverse("portal:fresh_link"), {"email": complaint.contact_email})
        held = client.post(reverse("portal:fresh_link"), {"email": complaint.contact_email})
        assert held.status_code == 429
        assert OutboundMail.objects.filter(kind="tracking_link").count() == ratelimit.LINK_REQUESTS_PER_EMAIL.limit

    def test_every_mail_to_the_consumer_carries_a_fresh_link(self, client, complaint, as_alice):
        actions.add_message(complaint, by=as_alice, body="Wij zoeken het uit.")
        mail = OutboundMail.objects.get(complaint=complaint, kind="staff_message")
        token = mail.body_text.split("/volgen/link/")[1].split("/")[0]
        assert client.get(reverse("portal:tracking_link", kwargs={"token": token}))["Location"] == tracking_url(complaint)

    def test_a_link_stops_working_when_the_address_changes(self, client, complaint):
        token = tracking.token_for(complaint)
        Complaint.objects.filter(pk=complaint.pk).update(contact_email="anonymised@example.invalid")
        page = client.get(reverse("portal:tracking_link", kwargs={"token": token}))
        assert page["Location"] == reverse("portal:track")


class TestOnlyYourOwnComplaint:
    def test_access_to_one_complaint_does_not_open_another(self, client, acme):
        carol = carol_complaint(acme)
        dave = carol_complaint(acme, contact_email="dave@example.nl", contact_name="Dave",
                               description="Daves eigen klacht.",
                               uploads=[Upload.from_bytes("dave.png", png_bytes())])
        track(client, carol.reference, carol.contact_email)
        page = client.get(tracking_url(dave))
        assert page.status_code == 302 and page["Location"] == reverse("portal:track")
        assert "Daves eigen klacht." not in client.get(page["Location"]).content.decode()
        daves_file = dave.attachments.get()
        # Neither his file nor his actions, also not under Carol's own complaint id.
        assert client.get(reverse("portal:attachment", args=[dave.public_id, daves_file.pk])).status_code == 404
        assert client.get(reverse("portal:attachment", args=[carol.public_id, daves_file.pk])).status_code == 404
        assert client.post(reverse("portal:action", args=[dave.public_id, "withdraw"]), {}).status_code == 404
        dave.refresh_from_db()
        assert dave.status != "withdrawn"

    def test_a_session_edited_to_name_another_complaint_opens_nothing(self, client, acme):
        carol = carol_complaint(acme)
        dave = carol_complaint(acme, contact_email="dave@example.nl", contact_name="Dave")
        track(client, carol.reference, carol.contact_email)
        session = client.session
        session[access.SESSION_KEY] = {dave.public_id: carol.contact_email}  # Carol's address, Dave's id
        session.save()
        assert client.get(tracking_url(dave)).status_code == 302

    def test_a_link_for_one_complaint_does_not_open_another(self, client, acme):
        from django.core import signing

        carol = carol_complaint(acme)
        dave = carol_complaint(acme, contact_email="dave@example.nl", contact_name="Dave")
        carols_address = signing.loads(tracking.token_for(carol), salt=tracking.TOKEN_SALT)["e"]
        forged = signing.dumps({"c": dave.public_id, "e": carols_address}, salt=tracking.TOKEN_SALT)
        assert client.get(reverse("portal:tracking_link", args=[forged]))["Location"] == reverse("portal:track")


class TestTheComplaintPage:
    def test_shows_status_details_files_and_the_consumer_visible_timeline(self, client, acme, as_alice):
        complaint = carol_complaint(acme, category="product", field_values={"serial_number": "SN-1234"},
                                    order_number="A-1001", uploads=[Upload.from_bytes("schade.png", png_bytes())])
        actions.start(complaint, by=as_alice)
        actions.add_message(complaint, by=as_alice, body="Interne notitie: klant belt vaak.", internal=True,
                            uploads=[Upload.from_bytes("intern.png", png_bytes(colour=(0, 0, 0)))])
        actions.add_message(complaint, by=as_alice, body="We kijken ernaar.")
        track(client, complaint.reference, complaint.contact_email)
        page = client.get(tracking_url(complaint))
        html = page.content.decode()
        assert page.status_code == 200
        assert "Being investigated" in html
        assert "Serial number</dt><dd>SN-1234" in html and "A-1001" in html
        assert "Complaint received" in html and "Investigation started" in html
        assert "We kijken ernaar." in html and "Acme" in html
        assert "schade.png" in html
        # Never the internal note nor its file.
        assert "Interne notitie" not in html and "intern.png" not in html
        assert inline_scripts(html) == [] and inline_styles(html) == []
        assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]

    def test_a_file_downloads_as_an_attachment_with_its_stored_type(self, client, acme, as_alice):
        complaint = carol_complaint(acme, uploads=[Upload.from_bytes("schade.png", png_bytes())])
        stored = complaint.attachments.get()
        track(client, complaint.reference, complaint.contact_email)
        page = client.get(reverse("portal:attachment", args=[complaint.public_id, stored.pk]))
        assert page.status_code == 200
        assert page["Content-Type"] == "image/png"
        assert page["Content-Disposition"] == 'attachment; filename="schade.png"'
        assert page["X-Content-Type-Options"] == "nosniff"
        body = b"".join(page.streaming_content)
        assert body[:8] == b"\x89PNG\r\n\x1a\n" and len(body) == stored.size

    def test_a_file_gone_from_the_storage_answers_not_found(self, client, acme, as_alice):
        complaint = carol_complaint(acme, uploads=[Upload.from_bytes("schade.png", png_bytes())])
        stored = complaint.attachments.get()
        stored.file.storage.delete(stored.file.name)
        track(client, complaint.reference, complaint.contact_email)
        assert client.get(reverse("portal:attachment", args=[complaint.public_id, stored.pk])).status_code == 404

    def test_a_file_of_an_internal_note_does_not_download(self, client, acme, as_alice):
        complaint = carol_complaint(acme)
        note_upload = Upload.from_bytes("i.png", png_bytes())
        actions.add_message(complaint, by=as_alice, body="Intern.", internal=True, uploads=[note_upload])
        note_file = complaint.attachments.get()
        track(client, complaint.reference, complaint.contact_email)
        assert client.get(reverse("portal:attachment", args=[complaint.public_id, note_file.pk])).status_code == 404

    def test_without_access_the_page_asks_for_the_reference(self, complaint):
        page = english_client().get(tracking_url(complaint))
        assert page.status_code == 302 and page["Location"] == reverse("portal:track")
