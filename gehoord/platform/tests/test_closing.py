"""Closing a platform complaint (seed 004): the consumer's verdict, closing as unanswered after the
platform's term, and the reminder an e-mail-only company gets before that term."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conftest import make_staff
from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Outcome, Status
from gehoord.complaints.sweep import sweep
from gehoord.errors import ActionNotAllowed, InvalidInput, NotPermitted
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Role
from gehoord.platform.closing import close_unanswered
from gehoord.platform.models import PlatformSettings
from gehoord.platform.tests.endings_support import email_only_company, open_tracking_page, platform_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are read in English here; the Dutch catalogue has them too."""
    with translation.override("en"):
        yield


@pytest.fixture
def company():
    return email_only_company()


def consumer(complaint):
    return Actor.consumer(complaint)


class TestConclude:
    def test_the_consumer_closes_an_open_complaint_as_resolved_with_satisfaction_and_comment(self, company):
        complaint = platform_complaint(company)
        assert "conclude" in lifecycle.allowed_actions(complaint, consumer(complaint))

        actions.perform("conclude", complaint, by=consumer(complaint), resolved=True, satisfaction=4, comment="Netjes opgelost.")

        complaint.refresh_from_db()
        assert complaint.status == Status.CLOSED and complaint.closed_at is not None
        assert (complaint.feedback_resolved, complaint.feedback_satisfaction, complaint.feedback_comment) == (True, 4, "Netjes opgelost.")
        assert complaint.feedback_at is not None
        closed = complaint.events.get(kind="closed")
        assert closed.consumer_visible
        assert closed.data["feedback_resolved"] is True and closed.data["feedback_satisfaction"] == 4
        assert not complaint.deadlines.pending().exists()

    def test_not_resolved_without_a_score_is_a_verdict_too(self, company):
        complaint = platform_complaint(company)
        actions.perform("conclude", complaint, by=consumer(complaint), resolved=False)
        complaint.refresh_from_db()
        assert complaint.status == Status.CLOSED and complaint.feedback_resolved is False
        assert complaint.feedback_satisfaction is None

    @pytest.mark.parametrize("score", [0, 6, "5"])
    def test_a_score_outside_one_to_five_changes_nothing(self, company, score):
        complaint = platform_complaint(company)
        with pytest.raises(InvalidInput):
            actions.perform("conclude", complaint, by=consumer(complaint), resolved=True, satisfaction=score)
        complaint.refresh_from_db()
        assert complaint.status != Status.CLOSED and complaint.feedback_at is None
        assert not complaint.events.filter(kind="closed").exists()

    def test_only_on_the_platform_and_only_by_the_consumer(self, company, complaint, as_alice):
        # `complaint` is a desk complaint of Acme, not filed on the platform.
        with pytest.raises(ActionNotAllowed, match="filed on the platform"):
            actions.perform("conclude", complaint, by=consumer(complaint), resolved=True)
        on_platform = platform_complaint(company)
        with pytest.raises(NotPermitted):
            actions.perform("conclude", on_platform, by=Actor.company(company), resolved=True)

    def test_a_connected_company_keeps_its_procedure_until_it_resolves(self, acme, as_alice):
        acme.connected = True
        acme.save()
        complaint = platform_complaint(acme, category="delivery")
        assert "conclude" not in lifecycle.allowed_actions(complaint, consumer(complaint))
        with pytest.raises(ActionNotAllowed, match="once it is resolved"):
            actions.perform("conclude", complaint, by=consumer(complaint), resolved=True)

        actions.start(complaint, by=as_alice)
        actions.propose_resolution(complaint, by=as_alice, kinds=["repair"], text="We repareren het.")
        actions.accept(complaint, by=consumer(complaint))
        complaint.refresh_from_db()
        assert complaint.status == Status.RESOLVED
        assert "conclude" in lifecycle.allowed_actions(complaint, consumer(complaint))
        actions.perform("conclude", complaint, by=consumer(complaint), resolved=True, satisfaction=5)
        complaint.refresh_from_db()
        assert complaint.status == Status.CLOSED and complaint.feedback_satisfaction == 5


class TestCloseUnanswered:
    def test_not_before_the_platform_term_and_the_refusal_gives_the_date(self, company):
        complaint = platform_complaint(company, days_ago=10)
        assert "close_unanswered" not in lifecycle.allowed_actions(complaint, consumer(complaint))
        with pytest.raises(ActionNotAllowed, match="still has time to answer until"):
            actions.perform("close_unanswered", complaint, by=consumer(complaint))

    def test_after_the_term_the_consumer_closes_it_as_unanswered(self, company):
        complaint = platform_complaint(company, days_ago=31)
        assert "close_unanswered" in lifecycle.allowed_actions(complaint, consumer(complaint))
        actions.perform("close_unanswered", complaint, by=consumer(complaint))
        complaint.refresh_from_db()
        assert complaint.status == Status.CLOSED and complaint.outcome == Outcome.UNANSWERED
        assert complaint.events.get(kind="closed").data["outcome"] == "unanswered"

    def test_the_term_is_the_platform_setting(self, company):
        settings_row = PlatformSettings.current()
        settings_row.unanswered_days = 5
        settings_row.save()
        complaint = platform_complaint(company, days_ago=6)
        assert "close_unanswered" in lifecycle.allowed_actions(complaint, consumer(complaint))

    def test_a_company_that_answered_is_not_unanswered(self, company):
        complaint = platform_complaint(company, days_ago=40)
        type(complaint).objects.filter(pk=complaint.pk).update(first_reply_at=timezone.now() - datetime.timedelta(days=35))
        complaint.refresh_from_db()
        with pytest.raises(ActionNotAllowed, match="has answered"):
            actions.perform("close_unanswered", complaint, by=consumer(complaint))

    def test_gehoord_itself_may_close_it_and_tells_the_consumer(self, company):
        complaint = platform_complaint(company, days_ago=31)
        close_unanswered(complaint, by=Actor.system())
        assert OutboundMail.objects.filter(complaint=complaint, kind="closing", to_address="sanne@example.nl").exists()


class TestTheTrackingPage:
    def test_offers_the_verdict_with_radio_buttons_and_closes(self, client, company):
        complaint = platform_complaint(company)
        open_tracking_page(client, complaint)
        html = client.get(reverse("portal:tracking", args=[complaint.public_id])).content.decode()
        assert 'id="action-conclude"' in html
        assert 'type="radio" name="conclude-resolved"' in html and 'name="conclude-satisfaction"' in html
        assert 'id="action-close"' not in html  # one way to close here

        page = client.post(
            reverse("portal:action", args=[complaint.public_id, "conclude"]),
            {"conclude-resolved": "no", "conclude-satisfaction": "2", "conclude-comment": "Geen reactie gehad."},
        )
        assert page.status_code == 302
        complaint.refresh_from_db()
        assert complaint.status == Status.CLOSED
        assert (complaint.feedback_resolved, complaint.feedback_satisfaction) == (False, 2)

    def test_a_missing_verdict_is_a_clear_error_and_changes_nothing(self, client, company):
        complaint = platform_complaint(company)
        open_tracking_page(client, complaint)
        page = client.post(reverse("portal:action", args=[complaint.public_id, "conclude"]), {"conclude-satisfaction": "9"},
                           HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert "This field is required." in page.content.decode()
        complaint.refresh_from_db()
        assert complaint.status != Status.CLOSED

    def test_offers_closing_as_unanswered_after_the_term(self, client, company):
        complaint = platform_complaint(company, days_ago=31)
        open_tracking_page(client, complaint)
        assert 'id="action-close_unanswered"' in client.get(reverse("portal:tracking", args=[complaint.public_id])).content.decode()
        page = client.post(reverse("portal:action", args=[complaint.public_id, "close_unanswered"]), {})
        assert page.status_code == 302
        complaint.refresh_from_db()
        assert complaint.outcome == Outcome.UNANSWERED


class TestTheReminderToTheCompany:
    def test_an_email_only_company_is_reminded_at_its_registry_address_a_week_before(self, company):
        complaint = platform_complaint(company)
        respond = complaint.deadlines.get(kind="respond")
        assert (respond.due_at - respond.remind_at).days == 7  # a week before, from the start of that day

        assert sweep(now=respond.remind_at + datetime.timedelta(minutes=1)).reminded == 1

        [reminder] = OutboundMail.objects.filter(kind="company_reminder")
        assert reminder.to_address == company.complaint_email
        assert reminder.subject.startswith(f"[{complaint.reference}]")
        with translation.override(company.language):
            how_to_answer = translation.gettext("How to answer: reply to this e-mail, from any mail program or your own helpdesk, and keep the reference in the subject. Your answer is forwarded to the consumer.")
        assert how_to_answer in " ".join(reminder.body_text.split())
        assert complaint.description in reminder.body_text
        [event] = complaint.events.filter(kind="company_reminded")
        assert event.data == {"unanswered_at": respond.due_at.astimezone(datetime.UTC).isoformat()}
        assert not complaint.events.filter(kind="deadline_reminder_sent").exists()
        assert not OutboundMail.objects.filter(kind="deadline_reminder").exists()

    def test_in_the_company_language(self, company):
        company.language = "nl"
        company.save()
        complaint = platform_complaint(company)
        respond = complaint.deadlines.get(kind="respond")
        sweep(now=respond.remind_at + datetime.timedelta(minutes=1))
        assert OutboundMail.objects.get(kind="company_reminder").language == "nl"

    def test_a_connected_company_reminds_its_staff_as_before(self, acme):
        acme.connected = True
        acme.save()
        manon = make_staff(acme, "manon", Role.MANAGER)
        complaint = platform_complaint(acme, category="delivery")
        first = complaint.deadlines.exclude(remind_at=None).order_by("remind_at").first()
        sweep(now=first.remind_at + datetime.timedelta(minutes=1))
        assert OutboundMail.objects.filter(kind="deadline_reminder", to_address=manon.email).exists()
        assert not OutboundMail.objects.filter(kind="company_reminder").exists()
