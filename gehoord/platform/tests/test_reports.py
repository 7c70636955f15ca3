"""A company reports a published complaint to the moderators (issue 13).

Bakkerij Brood (e-mail only, from its dashboard) and Acme (connected: agent Alice, from the desk)
report Carol's published complaints; Mona, a moderator, upholds or dismisses the reports. The
complaint stays public meanwhile, unless the reason is a threat or personal data.
"""

import pytest
from django.test import Client

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Event, Publication
from gehoord.errors import ActionNotAllowed, InvalidInput, NotPermitted
from gehoord.mail.models import OutboundMail
from gehoord.platform import companies, public
from gehoord.platform.models import Report
from gehoord.platform.tests.accounts_support import email_only_company, file_platform_complaint

pytestmark = pytest.mark.django_db

THREAT = "Het brood was beschimmeld. Ik weet waar de bakker woont, hij gaat eraan."


@pytest.fixture
def as_bakery(bakery):
    return Actor.company(bakery)


@pytest.fixture
def published(bakery, as_mona):
    complaint = file_platform_complaint(bakery, public=True, description=THREAT)
    actions.perform("publish", complaint, by=as_mona)
    companies.notify(complaint.pk)
    complaint.refresh_from_db()
    return complaint


def report_of(complaint) -> Report:
    return Report.objects.get(complaint=complaint)


def events(complaint, kind):
    return list(Event.objects.filter(complaint=complaint, kind=kind).values_list("actor_label", "data"))


def public_page(complaint) -> int:
    return Client().get(f"/klachten/{complaint.public_id}/").status_code


class TestReporting:
    def test_a_reported_complaint_stays_public_while_the_moderators_look(self, published, as_bakery):
        actions.perform("report", published, by=as_bakery, reason="defamation", details="Wij hebben nooit brood verkocht.")

        report = report_of(published)
        published.refresh_from_db()
        assert (report.reason, report.details, report.state) == ("defamation", "Wij hebben nooit brood verkocht.", "open")
        assert published.publication == Publication.PUBLISHED and public_page(published) == 200
        assert events(published, "reported") == [
            ("Bakkerij Brood", {"reason": "defamation", "report_id": report.pk, "details": "Wij hebben nooit brood verkocht."})
        ]

    @pytest.mark.parametrize("reason", ["threat", "personal_data"])
    def test_a_threat_or_personal_data_leaves_every_public_page_at_once(self, published, as_bakery, reason):
        actions.perform("report", published, by=as_bakery, reason=reason)

        published.refresh_from_db()
        assert published.publication == Publication.PENDING
        assert not Complaint.objects.public().exists() and public_page(published) == 404
        assert Client().get(f"/api/v1/public/complaints/{published.public_id}").status_code == 404
        # Read already: the automatic screening does not publish it again on its own.
        assert published.screening is not None

    def test_only_a_published_complaint_is_reported_once_at_a_time(self, bakery, published, as_bakery):
        pending = file_platform_complaint(bakery, public=True)
        with pytest.raises(ActionNotAllowed):
            actions.perform("report", pending, by=as_bakery, reason="hate")
        actions.perform("report", published, by=as_bakery, reason="hate")
        with pytest.raises(ActionNotAllowed):
            actions.perform("report", published, by=as_bakery, reason="obscenity")
        assert Report.objects.count() == 1

    def test_a_report_needs_a_reason_from_the_list(self, published, as_bakery):
        for arguments in ({"reason": "boring"}, {"reason": ""}, {"reason": "hate", "details": "x" * 2001}):
            with pytest.raises(InvalidInput):
                actions.perform("report", published, by=as_bakery, **arguments)
        assert not Report.objects.exists()

    def test_only_the_complaints_company_reports_it(self, published, as_mona):
        other = email_only_company("andere-bakker", name="Andere Bakker")
        for actor in (Actor.consumer(published), as_mona, Actor.company(other)):
            with pytest.raises(NotPermitted):
                actions.perform("report", published, by=actor, reason="hate")
        assert not Report.objects.exists()

    def test_the_company_reports_from_its_dashboard(self, bakery, published):
        client = Client(headers={"accept-language": "en"})
        client.post(f"/bedrijf/link/{companies.login_token(bakery)}/")
        url = f"/bedrijf/klachten/{published.public_id}/melden/"
        assert "Report this complaint to the moderators" in client.get(f"/bedrijf/klachten/{published.public_id}/").content.decode()

        refused = client.post(url, {"reason": "nonsense", "details": "Mijn uitleg."})
        done = client.post(url, {"reason": "threat", "details": "Een bedreiging."}, follow=True)

        assert refused.status_code == 400 and "Mijn uitleg." in refused.content.decode()
        assert "sent to the moderators" in done.content.decode()
        assert "the moderators are looking at it" in done.content.decode()
        assert (report_of(published).reason, public_page(published)) == ("threat", 404)

    def test_a_connected_companys_staff_report_from_the_desk(self, acme, alice, as_mona):
        complaint = file_platform_complaint(
            acme, public=True, description="Acme is een stel criminelen, bel 06-12345678.", category="delivery"
        )
        actions.perform("publish", complaint, by=as_mona)
        client = Client(headers={"accept-language": "en"})
        client.force_login(alice)
        page = f"/desk/acme/k/{complaint.reference}/"
        assert "Report to the moderators" in client.get(page).content.decode()

        client.post(f"{page}action/report/", {"report-reason": "personal_data", "report-details": "Een telefoonnummer."})

        assert (report_of(complaint).reason, report_of(complaint).details) == ("personal_data", "Een telefoonnummer.")
        assert events(complaint, "reported")[0][0] == "Alice"


class TestDeciding:
    def test_a_dismissed_threat_report_puts_the_complaint_back_and_the_company_is_told(
        self, published, as_bakery, as_mona, django_capture_on_commit_callbacks
    ):
        actions.perform("report", published, by=as_bakery, reason="threat")
        report = report_of(published)

        with django_capture_on_commit_callbacks(execute=True):
            actions.perform("decide_report", published, by=as_mona, report_id=report.pk, decision="dismiss")

        report.refresh_from_db()
        published.refresh_from_db()
        assert (report.state, report.decided_by.username) == ("dismissed", "mona")
        assert published.publication == Publication.PUBLISHED and public_page(published) == 200
        assert events(published, "report_decided") == [("Mona", {"report_id": report.pk, "decision": "dismiss", "note": ""})]
        mail = OutboundMail.objects.get(kind="report_decision")
        assert (mail.to_address, mail.state) == ("klachten@bakkerij-brood.example", "sent")
        assert published.reference in mail.subject and not OutboundMail.objects.filter(
            kind="report_decision", to_address="carol@example.nl"
        ).exists()

    def test_upheld_by_withholding_the_consumer_is_told_why(self, published, as_bakery, as_mona):
        actions.perform("report", published, by=as_bakery, reason="threat")

        actions.perform(
            "decide_report", published, by=as_mona, report_id=report_of(published).pk, decision="withhold", reason="threat"
        )

        published.refresh_from_db()
        assert (published.publication, published.screening["withheld_for"]) == (Publication.WITHHELD, "threat")
        assert report_of(published).state == "upheld"
        assert OutboundMail.objects.get(kind="screening_decision").to_address == "carol@example.nl"
        assert OutboundMail.objects.get(kind="report_decision").to_address == "klachten@bakkerij-brood.example"
        assert events(published, "screened")[-1] == ("Mona", {"decision": "withheld", "reason": "threat", "note": ""})

    def test_upheld_by_an_edit_the_edited_text_is_public(self, published, as_bakery, as_mona):
        actions.perform("report", published, by=as_bakery, reason="threat")
        report = report_of(published)
        with pytest.raises(ActionNotAllowed):  # nothing edited yet
            actions.perform("decide_report", published, by=as_mona, report_id=report.pk, decision="edited")

        actions.perform("edit_public_text", published, by=as_mona, field="description", text="Het brood was beschimmeld.")
        actions.perform("decide_report", published, by=as_mona, report_id=report.pk, decision="edited")

        published.refresh_from_db()
        assert published.publication == Publication.PUBLISHED and published.description == THREAT
        assert public.PublishedComplaint.of(published).description == "Het brood was beschimmeld."

    def test_a_report_is_decided_once_and_only_by_a_moderator(self, published, as_bakery, as_mona):
        actions.perform("report", published, by=as_bakery, reason="hate")
        report = report_of(published)
        with pytest.raises(NotPermitted):
            actions.perform("decide_report", published, by=as_bakery, report_id=report.pk, decision="dismiss")
        with pytest.raises(InvalidInput):
            actions.perform("decide_report", published, by=as_mona, report_id=report.pk, decision="maybe")
        actions.perform("decide_report", published, by=as_mona, report_id=report.pk, decision="dismiss")
        with pytest.raises(ActionNotAllowed):
            actions.perform("decide_report", published, by=as_mona, report_id=report.pk, decision="withhold", reason="hate")
        assert OutboundMail.objects.filter(kind="report_decision").count() == 1

    def test_a_connected_company_without_a_registry_address_is_told_at_the_reporters_address(self, acme, alice, as_mona):
        complaint = file_platform_complaint(acme, public=True, category="delivery")
        actions.perform("publish", complaint, by=as_mona)
        type(acme).objects.filter(pk=acme.pk).update(complaint_email="")
        complaint.refresh_from_db()
        actions.perform("report", complaint, by=Actor.staff(alice, acme), reason="not_a_customer")

        actions.perform("decide_report", complaint, by=as_mona, report_id=report_of(complaint).pk, decision="dismiss")

        assert OutboundMail.objects.get(kind="report_decision").to_address == alice.email
