"""What the consumer does on the complaint's page: every action through the same domain functions as the desk."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import carol_complaint
from gehoord.complaints import actions, lifecycle
from gehoord.complaints.models import Message, Resolution, Status
from gehoord.portal import forms, ratelimit
from gehoord.portal.tests.conftest import png_bytes

pytestmark = pytest.mark.django_db

STALE = "This is no longer possible"
LETTER = actions.LetterInput(
    actions_taken="We checked the delivery.", conclusions="It was delivered intact.", decision="No compensation."
)


def opened(client, complaint):
    """Carol opens her complaint with its reference and address."""
    page = client.post(reverse("portal:track"), {"reference": complaint.reference, "email": complaint.contact_email})
    assert page.status_code == 302
    return complaint


def page_of(client, complaint) -> str:
    return client.get(reverse("portal:tracking", args=[complaint.public_id])).content.decode()


def act(client, complaint, action, data=None):
    return client.post(reverse("portal:action", args=[complaint.public_id, action]), data or {})


def proposed(complaint, as_alice):
    actions.start(complaint, by=as_alice)
    return actions.propose_resolution(complaint, by=as_alice, kinds=["replacement", "refund"], refund_amount="25.00",
                                      text="We send a new one and refund the shipping.")


@pytest.fixture
def carol_page(client, complaint):
    return opened(client, complaint)


class TestAProposedResolution:
    def test_is_shown_with_accept_and_reject(self, client, carol_page, as_alice):
        proposed(carol_page, as_alice)
        html = page_of(client, carol_page)
        assert "Proposed resolution" in html and "We send a new one and refund the shipping." in html
        assert "replacement" in html and "25.00 EUR" in html
        assert 'action="/volgen/%s/accept/"' % carol_page.public_id in html
        assert 'action="/volgen/%s/reject/"' % carol_page.public_id in html

    def test_accepting_resolves_the_complaint(self, client, carol_page, as_alice):
        proposed(carol_page, as_alice)
        resolution = carol_page.resolutions.get()
        page = act(client, carol_page, "accept", {"accept-resolution": resolution.pk, "accept-comment": "Prima."})
        assert page.status_code == 302 and page["Location"] == reverse("portal:tracking", args=[carol_page.public_id])
        carol_page.refresh_from_db()
        resolution.refresh_from_db()
        assert carol_page.status == Status.RESOLVED
        assert resolution.response == Resolution.Response.ACCEPTED and resolution.response_comment == "Prima."
        html = page_of(client, carol_page)
        assert "You accepted the proposed resolution." in html
        assert "Close your complaint" in html  # now the consumer may close it with feedback

    def test_rejecting_keeps_it_open_and_offers_escalation(self, client, carol_page, as_alice):
        proposed(carol_page, as_alice)
        resolution = carol_page.resolutions.get()
        data = {"reject-resolution": resolution.pk, "reject-comment": "I want my money back."}
        act(client, carol_page, "reject", data)
        carol_page.refresh_from_db()
        resolution.refresh_from_db()
        assert carol_page.status == Status.INVESTIGATING
        assert resolution.response == Resolution.Response.REJECTED
        html = page_of(client, carol_page)
        assert "You rejected the proposed resolution." in html
        assert "Ask for escalation" in html and "Proposals" in html

    def test_accepting_a_proposal_other_than_the_one_shown_changes_nothing(self, client, carol_page, as_alice):
        proposed(carol_page, as_alice)
        first = carol_page.resolutions.get()
        actions.reject(carol_page, by=actions.Actor.consumer(carol_page))
        actions.propose_resolution(carol_page, by=as_alice, kinds=["apology"], text="Sorry.")
        page = act(client, carol_page, "accept", {"accept-resolution": first.pk})  # from a tab left open
        assert page.status_code == 302
        carol_page.refresh_from_db()
        assert carol_page.status == Status.RESOLUTION_PROPOSED
        assert STALE in page_of(client, carol_page)


class TestEscalateWithdrawClose:
    def test_asking_for_escalation(self, client, carol_page, as_alice):
        actions.start(carol_page, by=as_alice)
        page = act(client, carol_page, "escalate", {"escalate-reason": "Nobody answers."})
        assert page.status_code == 302
        carol_page.refresh_from_db()
        assert carol_page.status == Status.ESCALATED and carol_page.stage == 2
        event = carol_page.events.get(kind="escalated")
        assert event.actor_kind == "consumer" and event.data["reason"] == "Nobody answers."
        html = page_of(client, carol_page)
        assert "Escalation requested" in html and "Nobody answers." in html

    def test_withdrawing(self, client, carol_page):
        act(client, carol_page, "withdraw", {"withdraw-reason": "Solved it myself."})
        carol_page.refresh_from_db()
        assert carol_page.status == Status.WITHDRAWN
        html = page_of(client, carol_page)
        assert "Your complaint has been withdrawn." in html and "Complaint withdrawn" in html
        assert "Withdraw my complaint" not in html and "Add information or evidence" not in html

    def test_closing_with_feedback(self, client, carol_page, as_alice):
        proposed(carol_page, as_alice)
        actions.accept(carol_page, by=actions.Actor.consumer(carol_page))
        page = act(client, carol_page, "close",
                   {"close-resolved": "yes", "close-satisfaction": "4", "close-comment": "Quick and kind."})
        assert page.status_code == 302
        carol_page.refresh_from_db()
        assert carol_page.status == Status.CLOSED
        assert carol_page.feedback_resolved is True and carol_page.feedback_satisfaction == 4
        assert carol_page.feedback_comment == "Quick and kind."
        html = page_of(client, carol_page)
        assert "Satisfaction: 4 out of 5" in html

    def test_feedback_without_an_answer_is_refused_and_kept(self, client, carol_page, as_alice):
        proposed(carol_page, as_alice)
        actions.accept(carol_page, by=actions.Actor.consumer(carol_page))
        page = act(client, carol_page, "close", {"close-satisfaction": "2", "close-comment": "Hmm."})
        html = page.content.decode()
        assert page.status_code == 200
        assert 'id="id_close-resolved_error"' in html and "Hmm." in html
        assert 'value="2" id="id_close-satisfaction_1" checked' in html
        carol_page.refresh_from_db()
        assert carol_page.status == Status.RESOLVED


class TestInformationAndEvidence:
    def test_answering_a_request_for_information_with_a_photo(self, client, carol_page, as_alice):
        actions.ask_info(carol_page, by=as_alice, question="Can you send a photo of the damage?")
        html = page_of(client, carol_page)
        assert "asks you for more information" in html and "Can you send a photo of the damage?" in html
        photo = SimpleUploadedFile("damage.png", png_bytes(), content_type="image/png")
        page = act(client, carol_page, "message", {"message-body": "Here it is.", "message-files": [photo]})
        assert page.status_code == 302
        carol_page.refresh_from_db()
        assert carol_page.status == Status.INVESTIGATING
        answer = carol_page.messages.get(kind=Message.Kind.CONSUMER)
        assert (answer.body, answer.channel) == ("Here it is.", "web")
        assert answer.attachments.get().original_name == "damage.png"
        html = page_of(client, carol_page)
        assert "Thank you. Your answer has been sent." in html
        assert "Information received" in html and "damage.png" in html

    def test_adding_evidence_while_it_is_investigated(self, client, carol_page, as_alice):
        actions.start(carol_page, by=as_alice)
        pdf = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                                 content_type="application/pdf")
        page = act(client, carol_page, "message", {"message-body": "", "message-files": [pdf]})
        assert page.status_code == 302
        carol_page.refresh_from_db()
        assert carol_page.status == Status.INVESTIGATING
        assert carol_page.attachments.get().content_type == "application/pdf"
        assert "Your information has been added to your complaint." in page_of(client, carol_page)

    def test_an_empty_message_is_refused(self, client, carol_page):
        page = act(client, carol_page, "message", {"message-body": "  "})
        assert page.status_code == 200
        assert "Write a message or add a file." in page.content.decode()
        assert not carol_page.messages.exists()

    def test_a_refused_file_is_named_and_the_text_kept(self, client, carol_page):
        fake = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 100)
        page = act(client, carol_page, "message", {"message-body": "See attached.", "message-files": [fake]})
        html = page.content.decode()
        assert "virus.exe: this type of file is not accepted" in html
        assert "See attached." in html and 'id="id_message-files_again"' in html
        assert not carol_page.messages.exists()


    def test_many_messages_in_an_hour_are_held_back(self, client, carol_page):
        for _message in range(ratelimit.MESSAGES_PER_COMPLAINT.limit):
            ratelimit.MESSAGES_PER_COMPLAINT.hit(carol_page.public_id)
        page = act(client, carol_page, "message", {"message-body": "And another thing."})
        html = page.content.decode()
        assert "You have sent many messages in a short time." in html and "And another thing." in html
        assert not carol_page.messages.exists()


class TestStaleForms:
    def test_accepting_when_there_is_nothing_to_accept_changes_nothing(self, client, carol_page):
        page = act(client, carol_page, "accept", {"accept-resolution": "1"})
        assert page.status_code == 302 and page["Location"] == reverse("portal:tracking", args=[carol_page.public_id])
        assert STALE in page_of(client, carol_page)
        carol_page.refresh_from_db()
        assert carol_page.status == Status.ACKNOWLEDGED

    def test_withdrawing_twice(self, client, carol_page):
        act(client, carol_page, "withdraw")
        act(client, carol_page, "withdraw")
        assert STALE in page_of(client, carol_page)
        assert carol_page.events.filter(kind="withdrawn").count() == 1

    def test_adding_information_to_a_closed_complaint(self, client, carol_page):
        actions.withdraw(carol_page, by=actions.Actor.consumer(carol_page))
        act(client, carol_page, "message", {"message-body": "One more thing."})
        assert not carol_page.messages.exists()

    def test_an_unknown_action_is_not_found(self, client, carol_page):
        assert act(client, carol_page, "decide").status_code == 404

    def test_only_the_actions_allowed_now_are_offered(self, client, carol_page):
        html = page_of(client, carol_page)  # acknowledged: the lifecycle allows escalate and withdraw
        assert "Withdraw my complaint" in html and "Add information or evidence" in html
        assert "Ask for escalation" in html
        assert "/accept/" not in html and "/reject/" not in html and "/close/" not in html


class TestExternalBodies:
    def test_not_shown_while_an_internal_stage_is_left(self, client, carol_page, as_alice):
        actions.start(carol_page, by=as_alice)
        actions.close(carol_page, by=as_alice, letter=LETTER, outcome="not_upheld")
        html = page_of(client, carol_page)
        assert "WebwinkelKeur" not in html
        assert "Ask for escalation" in html
        assert "Outcome letter" in html and "It was delivered intact." in html

    def test_shown_once_the_last_stage_has_decided_against_the_consumer(self, client, carol_page, as_alice, as_manon):
        actions.start(carol_page, by=as_alice)
        actions.escalate(carol_page, by=actions.Actor.consumer(carol_page))
        actions.decide(carol_page, by=as_manon, decision="not_upheld", letter=LETTER)
        html = page_of(client, carol_page)
        assert "Where you can go next" in html
        assert '<a href="https://www.webwinkelkeur.nl/kennisbank/consumenten/geschil" rel="noopener noreferrer">WebwinkelKeur</a>' in html
        assert "Geschillencommissie" in html
        assert "Ask for escalation" not in html

    def test_not_shown_when_the_complaint_was_resolved_in_the_consumers_favour(self, client, carol_page, as_alice):
        proposed(carol_page, as_alice)
        consumer = actions.Actor.consumer(carol_page)
        actions.accept(carol_page, by=consumer)
        actions.close(carol_page, by=consumer, feedback=actions.FeedbackInput(resolved=True, satisfaction=5))
        assert "Where you can go next" not in page_of(client, carol_page)

    def test_shown_when_referred(self, client, acme, as_alice, as_manon):
        complaint = opened(client, carol_complaint(acme))
        actions.start(complaint, by=as_alice)
        actions.escalate(complaint, by=as_alice)
        actions.decide(complaint, by=as_manon, decision="not_upheld", letter=LETTER)
        actions.refer(complaint, by=as_manon, body="WebwinkelKeur")
        html = page_of(client, complaint)
        assert "Referred" in html and "Where you can go next" in html


def test_the_tracking_page_offers_the_registrys_consumer_actions_or_says_why_not():
    consumer_side = {name for name, declared in lifecycle.ACTIONS.items() if lifecycle.CONSUMER in declared.who}
    assert set(forms.ACTION_FORMS) | forms.NOT_OFFERED == consumer_side
    assert not set(forms.ACTION_FORMS) & forms.NOT_OFFERED
