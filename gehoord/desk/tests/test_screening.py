"""The moderator's screening pages (seed 004): /moderatie/ and /moderatie/screening/.

Mona, a moderator, sees what waits for screening, oldest first with the full text, and publishes
or withholds it with a reason. Staff of a company, consumers and strangers get 404, as if the pages
did not exist; nobody else can post a decision.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Channel, Complaint, Message, Publication
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import PlatformMembership, PlatformRole
from gehoord.platform.models import Report
from gehoord.platform.tests.accounts_support import consumer, email_only_company, file_platform_complaint, moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def bakery():
    return email_only_company()


@pytest.fixture
def mona_browser():
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(moderator())
    return client


def reply(complaint, body="Wij sturen u een nieuw brood."):
    return Message.objects.create(
        complaint=complaint, kind=Message.Kind.COMPANY, channel=Channel.EMAIL, author_name="Bakkerij Brood",
        body=body, created_at=timezone.now(), publication=Publication.PENDING,
    )


def test_the_home_page_counts_what_waits(bakery, mona_browser):
    first = file_platform_complaint(bakery, public=True)
    file_platform_complaint(bakery, public=True, description="Nog een.")
    file_platform_complaint(bakery, public=False, description="Privé.")
    reply(first)
    Report.objects.create(complaint=first, reason=Report.Reason.ADVERTISING, reported_at=timezone.now())

    page = mona_browser.get(reverse("moderation:home")).content.decode()

    assert "2 complaints wait for screening" in page and "1 reply waits for screening" in page
    assert "1 report waits for a decision" in page
    assert reverse("moderation:screening") in page


def test_the_queue_shows_the_full_texts_oldest_first_and_escaped(bakery, mona_browser):
    older = file_platform_complaint(bakery, public=True, description="Oud <script>alert(1)</script> " + "lang " * 500)
    newer = file_platform_complaint(bakery, public=True, description="Nieuw.")
    private = file_platform_complaint(bakery, public=False, description="Dit is privé.")
    answer = reply(older, body="Antwoord <b>vet</b>.")

    page = mona_browser.get(reverse("moderation:screening")).content.decode()

    assert page.index(older.reference) < page.index(newer.reference)
    assert older.description.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "<script>alert(1)</script>" not in page
    assert private.reference not in page and "Dit is privé." not in page
    assert "Antwoord &lt;b&gt;vet&lt;/b&gt;." in page
    assert reverse("moderation:screen_reply", args=[answer.pk]) in page


def test_mona_publishes_a_complaint(bakery, mona_browser):
    complaint = file_platform_complaint(bakery, public=True)

    answer = mona_browser.post(reverse("moderation:screen_complaint", args=[complaint.public_id]), {"decision": "publish"})

    assert answer["Location"] == reverse("moderation:screening")
    complaint.refresh_from_db()
    assert complaint.publication == Publication.PUBLISHED
    queue = mona_browser.get(reverse("moderation:screening")).content.decode()
    assert f"{complaint.reference}: Published." in queue and f'id="complaint-{complaint.public_id}"' not in queue


def test_mona_withholds_a_complaint_with_a_reason_and_the_consumer_is_told(bakery, mona_browser):
    complaint = file_platform_complaint(bakery, public=True)

    mona_browser.post(
        reverse("moderation:screen_complaint", args=[complaint.public_id]),
        {"decision": "withhold", "reason": "Bevat een telefoonnummer."},
    )

    complaint.refresh_from_db()
    assert (complaint.publication, complaint.withheld_reason) == (Publication.WITHHELD, "Bevat een telefoonnummer.")
    assert OutboundMail.objects.get(kind="screening_decision").to_address == "carol@example.nl"


def test_withholding_without_a_reason_changes_nothing_and_says_why(bakery, mona_browser):
    complaint = file_platform_complaint(bakery, public=True)

    answer = mona_browser.post(
        reverse("moderation:screen_complaint", args=[complaint.public_id]), {"decision": "withhold", "reason": " "},
        follow=True,
    )

    assert "Say why it is withheld" in answer.content.decode()
    complaint.refresh_from_db()
    assert complaint.publication == Publication.PENDING
    assert not OutboundMail.objects.filter(kind="screening_decision").exists()


def test_mona_withholds_a_company_reply(bakery, mona_browser):
    complaint = file_platform_complaint(bakery, public=True)
    answer = reply(complaint)

    mona_browser.post(
        reverse("moderation:screen_reply", args=[answer.pk]), {"decision": "withhold", "reason": "Handtekening met adres."}
    )

    answer.refresh_from_db()
    assert answer.publication == Publication.WITHHELD
    assert OutboundMail.objects.get(kind="screening_decision").to_address == bakery.complaint_email


def test_a_decision_on_something_already_screened_changes_nothing(bakery, mona_browser):
    complaint = file_platform_complaint(bakery, public=True)
    url = reverse("moderation:screen_complaint", args=[complaint.public_id])
    mona_browser.post(url, {"decision": "publish"})

    answer = mona_browser.post(url, {"decision": "withhold", "reason": "Te laat."}, follow=True)

    assert "not waiting for screening" in answer.content.decode()
    complaint.refresh_from_db()
    assert complaint.publication == Publication.PUBLISHED


def test_unknown_decisions_and_texts_are_refused(bakery, mona_browser):
    complaint = file_platform_complaint(bakery, public=True)
    mona_browser.post(reverse("moderation:screen_complaint", args=[complaint.public_id]), {"decision": "delete"})
    mona_browser.post(reverse("moderation:screen_complaint", args=["KL-00-NOPE"]), {"decision": "publish"})
    mona_browser.post(reverse("moderation:screen_reply", args=[999999]), {"decision": "publish"})

    complaint.refresh_from_db()
    assert complaint.publication == Publication.PENDING


def test_only_moderators_see_or_use_the_pages(bakery, alice, acme):
    complaint = file_platform_complaint(bakery, public=True)
    answer = reply(complaint)
    advisor = moderator("lena")
    PlatformMembership.objects.filter(user=advisor).update(role=PlatformRole.LEGAL_ADVISOR)
    visitors = [Client(), Client(), Client(), Client()]
    visitors[1].force_login(alice)
    visitors[2].force_login(consumer())
    visitors[3].force_login(advisor)

    for client in visitors:
        for url in (reverse("moderation:home"), reverse("moderation:screening")):
            page = client.get(url)
            assert page.status_code in (302, 404), url
            if page.status_code == 302:
                assert page["Location"].startswith(reverse("login"))
        client.post(reverse("moderation:screen_complaint", args=[complaint.public_id]), {"decision": "publish"})
        client.post(reverse("moderation:screen_reply", args=[answer.pk]), {"decision": "publish"})

    assert Complaint.objects.get().publication == Publication.PENDING
    assert Message.objects.get().publication == Publication.PENDING


@pytest.mark.parametrize(("answer", "confirmed"), [("yes", True), ("no", False)])
def test_mona_says_whether_a_reply_from_an_unknown_address_is_the_companys(bakery, mona_browser, answer, confirmed):
    complaint = file_platform_complaint(bakery, public=True)
    Complaint.objects.filter(pk=complaint.pk).update(publication=Publication.PUBLISHED)
    complaint.refresh_from_db()
    stranger = actions.add_message(
        complaint, by=Actor.company(bakery, via="jan@helpdesk.example"), body="Wij sturen u een nieuw brood.",
        sender="jan@helpdesk.example",
    )
    page = mona_browser.get(reverse("moderation:screening"))
    assert f'id="sender-{stranger.pk}"' in page.content.decode()

    mona_browser.post(reverse("moderation:confirm_sender", args=[stranger.pk]), {"confirmed": answer})

    stranger.refresh_from_db()
    complaint.refresh_from_db()
    assert stranger.sender_confirmed is confirmed
    assert stranger.publication == (Publication.PENDING if confirmed else Publication.WITHHELD)
    assert (complaint.first_reply_at is not None) is confirmed
    [event] = complaint.events.filter(kind="sender_confirmed")
    assert (event.actor_label, event.data["confirmed"]) == ("Mona", confirmed)
    assert f'id="sender-{stranger.pk}"' not in mona_browser.get(reverse("moderation:screening")).content.decode()
