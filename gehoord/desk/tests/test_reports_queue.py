"""The moderators' pages of issue 13: one complaint's decision with a reason from the fixed list and
its public text (/moderatie/klacht/<id>/), and the companies' reports (/moderatie/meldingen/).

Mona, a moderator, decides; agent Alice of Acme, consumers and strangers get 404, as if the pages
did not exist.
"""

import pytest
from django.test import Client
from django.urls import reverse

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Publication
from gehoord.mail.models import OutboundMail
from gehoord.platform import public
from gehoord.platform.models import Report
from gehoord.platform.tests.accounts_support import consumer, email_only_company, file_platform_complaint, moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def bakery():
    return email_only_company()


@pytest.fixture
def mona():
    return moderator()


@pytest.fixture
def mona_browser(mona):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(mona)
    return client


def published(bakery, mona, description="Het brood was beschimmeld."):
    complaint = file_platform_complaint(bakery, public=True, description=description)
    actions.perform("publish", complaint, by=Actor.moderator(mona))
    complaint.refresh_from_db()
    return complaint


def reported(complaint, reason, details=""):
    actions.perform("report", complaint, by=Actor.company(complaint.organisation), reason=reason, details=details)
    return Report.objects.get(complaint=complaint, state="open")


def test_nobody_but_a_moderator_sees_or_decides(bakery, mona, alice):
    complaint = published(bakery, mona)
    report = reported(complaint, "hate")
    visitors = [Client()]
    for user in (alice, consumer()):
        visitor = Client()
        visitor.force_login(user)
        visitors.append(visitor)

    for visitor in visitors:
        for url in (reverse("moderation:reports"), reverse("moderation:complaint", args=[complaint.public_id])):
            answer = visitor.get(url)
            assert answer.status_code in (302, 404) and "Het brood" not in answer.content.decode()
        visitor.post(reverse("moderation:report_decide", args=[report.pk]), {f"report-{report.pk}-decision": "withhold",
                                                                             f"report-{report.pk}-reason": "hate"})
        visitor.post(reverse("moderation:complaint_withhold", args=[complaint.public_id]), {"withhold-reason": "insult"})
    report.refresh_from_db()
    complaint.refresh_from_db()
    assert (report.state, complaint.publication) == ("open", Publication.PUBLISHED)


def test_the_reports_wait_oldest_first_with_the_companys_words_escaped(bakery, mona, mona_browser):
    older = reported(published(bakery, mona, description="Eerste klacht."), "defamation", "Niet waar <script>x</script>")
    newer = reported(published(bakery, mona, description="Tweede klacht."), "threat")

    page = mona_browser.get(reverse("moderation:reports")).content.decode()

    assert page.index(f'id="report-{older.pk}"') < page.index(f'id="report-{newer.pk}"')
    assert "Niet waar &lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert "defamation" in page and "threat" in page
    assert reverse("moderation:reports") in mona_browser.get(reverse("moderation:home")).content.decode()


def test_mona_upholds_a_report_by_withholding_and_everyone_is_told(bakery, mona, mona_browser):
    complaint = published(bakery, mona)
    report = reported(complaint, "threat")
    prefix = f"report-{report.pk}"

    answer = mona_browser.post(
        reverse("moderation:report_decide", args=[report.pk]),
        {f"{prefix}-decision": "withhold", f"{prefix}-reason": "threat", f"{prefix}-note": "Een bedreiging."},
        follow=True,
    )

    assert "Decided; the company is told by e-mail." in answer.content.decode()
    report.refresh_from_db()
    complaint.refresh_from_db()
    assert (report.state, complaint.publication, complaint.withheld_reason) == ("upheld", Publication.WITHHELD, "Een bedreiging.")
    assert {mail.kind: mail.to_address for mail in OutboundMail.objects.filter(kind__in=["report_decision", "screening_decision"])} == {
        "report_decision": "klachten@bakkerij-brood.example", "screening_decision": "carol@example.nl",
    }


def test_withholding_without_a_reason_changes_nothing_and_says_why(bakery, mona, mona_browser):
    complaint = published(bakery, mona)
    report = reported(complaint, "hate", "Racistisch.")
    prefix = f"report-{report.pk}"

    answer = mona_browser.post(
        reverse("moderation:report_decide", args=[report.pk]), {f"{prefix}-decision": "withhold", f"{prefix}-note": "Mijn notitie."}
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Say why it is withheld" in page and "Mijn notitie." in page
    report.refresh_from_db()
    assert report.state == "open" and not OutboundMail.objects.filter(kind="report_decision").exists()


def test_mona_dismisses_a_report(bakery, mona, mona_browser):
    complaint = published(bakery, mona)
    report = reported(complaint, "personal_data")
    assert not Complaint.objects.public().exists()

    mona_browser.post(reverse("moderation:report_decide", args=[report.pk]), {f"report-{report.pk}-decision": "dismiss"})

    report.refresh_from_db()
    assert report.state == "dismissed" and list(Complaint.objects.public()) == [complaint]


def test_mona_withholds_a_complaint_with_a_reason_from_the_list(bakery, mona_browser):
    complaint = file_platform_complaint(bakery, public=True, description="De bakker is een idioot.")
    url = reverse("moderation:complaint", args=[complaint.public_id])
    page = mona_browser.get(url).content.decode()
    assert "De bakker is een idioot." in page and 'value="discrimination"' in page

    refused = mona_browser.post(reverse("moderation:complaint_withhold", args=[complaint.public_id]), {"withhold-reason": "other"})
    mona_browser.post(
        reverse("moderation:complaint_withhold", args=[complaint.public_id]), {"withhold-reason": "insult", "withhold-note": ""}
    )

    assert refused.status_code == 400
    complaint.refresh_from_db()
    assert (complaint.publication, complaint.screening, complaint.withheld_reason) == (
        Publication.WITHHELD, {"withheld_for": "insult"}, ""
    )
    assert "It contains an insult" in mona_browser.get(url).content.decode()


def test_mona_edits_the_public_text_and_publishes_it(bakery, mona_browser):
    complaint = file_platform_complaint(bakery, public=True, description="De bakker Piet Jansen is een idioot.")

    mona_browser.post(
        reverse("moderation:complaint_edit", args=[complaint.public_id]),
        {"public-description": "De bakker is [verwijderd].", "public-desired_solution": ""},
    )
    mona_browser.post(reverse("moderation:complaint_publish", args=[complaint.public_id]))

    complaint.refresh_from_db()
    assert complaint.publication == Publication.PUBLISHED
    assert complaint.description == "De bakker Piet Jansen is een idioot."
    assert public.PublishedComplaint.of(complaint).description == "De bakker is [verwijderd]."
