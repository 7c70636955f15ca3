"""The legal advisors' queue (seed 004): only advisors get in; the dossiers handed over, the latest
first and by state; the full file with its downloads; taking a dossier on and marking it done."""

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from conftest import make_staff
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.desk.tests.conftest import browser, png_bytes
from gehoord.organisations.models import PlatformMembership, PlatformRole, Role
from gehoord.platform.models import LegalAidHandover
from gehoord.platform.tests.endings_support import consumer_account, email_only_company, legal_advisor, platform_complaint

pytestmark = pytest.mark.django_db

PHOTO = png_bytes()


@pytest.fixture
def company():
    return email_only_company(name="Zeepwinkel")


def handed_over(company, username="sanne", **fields):
    consumer = consumer_account(username)
    complaint = platform_complaint(company, consumer=consumer, days_ago=31, **fields)
    actions.perform("hand_to_legal_aid", complaint, by=Actor.consumer(complaint), question=f"Vraag van {username}")
    return complaint


@pytest.fixture
def dossier(company):
    complaint = handed_over(company, uploads=[Upload.from_bytes("foto.png", PHOTO)])
    actions.add_message(complaint, by=Actor.consumer(complaint), body="Nog altijd niets gehoord.")
    return complaint


@pytest.fixture
def lotte():
    return browser(legal_advisor("lotte"))


class TestAccess:
    @pytest.mark.parametrize("url", ["legalaid:queue", "legalaid:file", "legalaid:pdf", "legalaid:zip"])
    def test_only_legal_advisors_get_in(self, client, acme, dossier, url):
        args = [] if url == "legalaid:queue" else [dossier.public_id]
        assert client.get(reverse(url, args=args)).status_code == 302  # to the login
        manon = make_staff(acme, "manon", Role.MANAGER)
        assert browser(manon).get(reverse(url, args=args)).status_code == 404
        moderator = make_staff(acme, "mo", Role.AGENT)
        PlatformMembership.objects.create(user=moderator, role=PlatformRole.MODERATOR)
        assert browser(moderator).get(reverse(url, args=args)).status_code == 404

    def test_a_complaint_not_handed_over_is_not_there(self, lotte, company):
        complaint = platform_complaint(company, days_ago=31)
        assert lotte.get(reverse("legalaid:file", args=[complaint.public_id])).status_code == 404
        assert lotte.get(reverse("legalaid:pdf", args=[complaint.public_id])).status_code == 404


class TestTheQueue:
    def test_lists_the_dossiers_latest_first(self, lotte, company):
        first = handed_over(company, "sanne")
        second = handed_over(company, "piet")
        html = lotte.get(reverse("legalaid:queue")).content.decode()
        assert html.index(second.reference) < html.index(first.reference)
        assert "no reply from the company" in html and "Zeepwinkel" in html

    def test_filters_by_state(self, lotte, company):
        first = handed_over(company, "sanne")
        second = handed_over(company, "piet")
        LegalAidHandover.objects.filter(complaint=first).update(state=LegalAidHandover.State.DONE)
        html = lotte.get(reverse("legalaid:queue"), {"state": "new"}).content.decode()
        assert second.reference in html and first.reference not in html
        # An unknown state shows them all rather than failing.
        html = lotte.get(reverse("legalaid:queue"), {"state": "<script>"}).content.decode()
        assert second.reference in html and first.reference in html and "<script>" not in html


class TestTheFile:
    def test_shows_the_whole_file(self, lotte, dossier):
        html = lotte.get(reverse("legalaid:file", args=[dossier.public_id])).content.decode()
        for expected in [dossier.reference, dossier.description, "Nog altijd niets gehoord.", "foto.png",
                         "Vraag van sanne", "Deadlines", "Timeline", "Handed to legal aid", "Zeepwinkel"]:
            assert expected in html
        assert dossier.events.filter(kind="personal_data_viewed", actor_label="Lotte (legal aid)").exists()

    def test_downloads_an_attachment(self, lotte, dossier):
        stored = dossier.attachments.get()
        response = lotte.get(reverse("legalaid:attachment", args=[dossier.public_id, stored.pk]))
        assert b"".join(response.streaming_content) == PHOTO
        other = handed_over(email_only_company("ander"), "piet", uploads=[Upload.from_bytes("x.png", png_bytes((1, 2, 3)))])
        # Another dossier's file is not reachable through this one.
        assert lotte.get(reverse("legalaid:attachment", args=[dossier.public_id, other.attachments.get().pk])).status_code == 404

    def test_downloads_the_pdf_and_the_zip(self, lotte, dossier):
        response = lotte.get(reverse("legalaid:pdf", args=[dossier.public_id]))
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text()
        assert dossier.reference in text and "Legal aid" in text
        response = lotte.get(reverse("legalaid:zip", args=[dossier.public_id]))
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        assert archive.read("001-foto.png") == PHOTO
        assert [event.data["purpose"] for event in dossier.events.filter(kind="dossier_exported")] == ["legal_aid", "legal_aid"]


class TestTakingAndFinishing:
    def test_an_advisor_takes_a_dossier_and_marks_it_done(self, lotte, dossier):
        handover = dossier.legal_aid
        assert lotte.post(reverse("legalaid:take", args=[dossier.public_id])).status_code == 302
        handover.refresh_from_db()
        assert handover.state == LegalAidHandover.State.IN_PROGRESS and handover.advisor.username == "lotte"
        lotte.post(reverse("legalaid:finish", args=[dossier.public_id]))
        handover.refresh_from_db()
        assert handover.state == LegalAidHandover.State.DONE

    def test_a_dossier_another_advisor_works_on_stays_theirs(self, lotte, dossier):
        lotte.post(reverse("legalaid:take", args=[dossier.public_id]))
        koen = browser(legal_advisor("koen"))
        page = koen.post(reverse("legalaid:take", args=[dossier.public_id]), follow=True)
        assert "Another legal advisor works on this dossier." in page.content.decode()
        koen.post(reverse("legalaid:finish", args=[dossier.public_id]))
        handover = LegalAidHandover.objects.get(complaint=dossier)
        assert handover.advisor.username == "lotte" and handover.state == LegalAidHandover.State.IN_PROGRESS

    def test_only_by_post(self, lotte, dossier):
        assert lotte.get(reverse("legalaid:take", args=[dossier.public_id])).status_code == 405
