"""Legal aid (seed 004): a subscriber hands an unanswered or unresolved platform complaint to the
legal-aid service, once; the guard says in plain words why not otherwise."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint
from gehoord.errors import ActionNotAllowed, InvalidInput
from gehoord.mail.models import OutboundMail
from gehoord.platform.closing import close_unanswered
from gehoord.platform.models import LegalAidHandover, PlatformSettings
from gehoord.platform.tests.endings_support import (
    consumer_account,
    email_only_company,
    open_tracking_page,
    platform_complaint,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are read in English here; the Dutch catalogue has them too."""
    with translation.override("en"):
        yield


@pytest.fixture
def company():
    return email_only_company()


@pytest.fixture
def sanne():
    return consumer_account("sanne", subscriber=True)


def hand_over(complaint, **arguments):
    return actions.perform("hand_to_legal_aid", complaint, by=Actor.consumer(complaint), **arguments)


def refusal(complaint) -> str:
    with pytest.raises(ActionNotAllowed) as refused:
        hand_over(complaint)
    assert not LegalAidHandover.objects.filter(complaint=complaint).exists()
    return refused.value.message


def test_a_subscriber_without_reply_after_the_term_hands_the_dossier_over(company, sanne):
    complaint = platform_complaint(company, consumer=sanne, days_ago=31)
    assert "hand_to_legal_aid" in lifecycle.allowed_actions(complaint, Actor.consumer(complaint))

    hand_over(complaint, question="Kan ik mijn geld terugkrijgen?")

    handover = LegalAidHandover.objects.get(complaint=complaint)
    assert handover.reason == LegalAidHandover.Reason.NO_REPLY
    assert handover.question == "Kan ik mijn geld terugkrijgen?"
    assert handover.state == LegalAidHandover.State.NEW and handover.handed_over_by == sanne
    event = complaint.events.get(kind="handed_to_legal_aid")
    assert event.consumer_visible and event.data == {"reason": "no_reply", "question": "Kan ik mijn geld terugkrijgen?"}
    mail = OutboundMail.objects.get(kind="legal_aid_handover")
    assert mail.to_address == sanne.email and complaint.reference in mail.subject
    # The complaint itself goes on as it was: the company may still answer.
    assert Complaint.objects.get(pk=complaint.pk).status == complaint.status


def test_once_only(company, sanne):
    complaint = platform_complaint(company, consumer=sanne, days_ago=31)
    hand_over(complaint)
    with pytest.raises(ActionNotAllowed, match="already"):
        hand_over(complaint)
    assert LegalAidHandover.objects.count() == 1


def test_closed_as_not_resolved_after_a_reply(company, sanne):
    complaint = platform_complaint(company, consumer=sanne, days_ago=3)
    Complaint.objects.filter(pk=complaint.pk).update(first_reply_at=timezone.now() - datetime.timedelta(days=1))
    complaint.refresh_from_db()
    assert "answered" in refusal(complaint)
    actions.perform("conclude", complaint, by=Actor.consumer(complaint), resolved=False, satisfaction=1)
    complaint.refresh_from_db()
    hand_over(complaint)
    assert LegalAidHandover.objects.get(complaint=complaint).reason == LegalAidHandover.Reason.NOT_RESOLVED


def test_closed_as_resolved_is_not_for_legal_aid(company, sanne):
    complaint = platform_complaint(company, consumer=sanne, days_ago=3)
    Complaint.objects.filter(pk=complaint.pk).update(first_reply_at=timezone.now())
    complaint.refresh_from_db()
    actions.perform("conclude", complaint, by=Actor.consumer(complaint), resolved=True)
    complaint.refresh_from_db()
    assert "answered" in refusal(complaint)


def test_closed_as_unanswered(company, sanne):
    settings_row = PlatformSettings.current()
    settings_row.legal_aid_after_days = 60  # a longer term for legal aid than for closing as unanswered
    settings_row.save()
    complaint = platform_complaint(company, consumer=sanne, days_ago=31)
    assert "still has time" in refusal(complaint)
    close_unanswered(complaint, by=Actor.consumer(complaint))
    complaint.refresh_from_db()
    hand_over(complaint)
    assert LegalAidHandover.objects.get(complaint=complaint).reason == LegalAidHandover.Reason.NO_REPLY


def test_the_company_still_has_time_says_until_when(company, sanne):
    complaint = platform_complaint(company, consumer=sanne, days_ago=10)
    message = refusal(complaint)
    assert "The company still has time to answer until" in message
    assert str((complaint.received_at + datetime.timedelta(days=30)).astimezone().year) in message


def test_not_a_subscriber(company):
    someone = consumer_account("piet", subscriber=False)
    complaint = platform_complaint(company, consumer=someone, days_ago=31)
    assert "subscribers" in refusal(complaint)


def test_without_an_account(company):
    complaint = platform_complaint(company, consumer=None, days_ago=31)
    assert "subscribers" in refusal(complaint)


def test_a_desk_complaint_is_not_for_legal_aid(complaint):
    assert "platform" in refusal(complaint)


def test_a_question_with_characters_that_cannot_be_stored_changes_nothing(company, sanne):
    complaint = platform_complaint(company, consumer=sanne, days_ago=31)
    with pytest.raises(InvalidInput):
        hand_over(complaint, question="nul\x00byte")
    assert not LegalAidHandover.objects.exists()
    assert not complaint.events.filter(kind="handed_to_legal_aid").exists()


def test_offered_on_the_tracking_page_and_shown_on_its_timeline(client, company, sanne):
    complaint = platform_complaint(company, consumer=sanne, days_ago=31)
    open_tracking_page(client, complaint)
    page = reverse("portal:tracking", args=[complaint.public_id])
    assert 'id="action-hand_to_legal_aid"' in client.get(page).content.decode()

    done = client.post(
        reverse("portal:action", args=[complaint.public_id, "hand_to_legal_aid"]),
        {"hand_to_legal_aid-question": "Wat kan ik nog doen?"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert done.status_code == 302
    assert LegalAidHandover.objects.get(complaint=complaint).question == "Wat kan ik nog doen?"
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="action-hand_to_legal_aid"' not in html
    assert "Handed to legal aid" in html


def test_the_tracking_page_says_why_not_yet(client, company, sanne):
    complaint = platform_complaint(company, consumer=sanne, days_ago=10)
    open_tracking_page(client, complaint)
    html = client.get(reverse("portal:tracking", args=[complaint.public_id]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="action-hand_to_legal_aid"' not in html
    assert "The company still has time to answer until" in html


def test_a_desk_complaints_page_says_nothing_about_legal_aid(client, complaint):
    open_tracking_page(client, complaint)
    html = client.get(reverse("portal:tracking", args=[complaint.public_id]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "legal aid" not in html.lower()
