"""An author changes a withheld text and submits it again (issue 13): back to screening.

Mona, a moderator, withholds Carol's complaint about Bakkerij Brood (or the bakery's reply). Carol
changes her complaint on its page; the bakery changes its reply on its dashboard. The changed text
replaces the text for everyone (it is the author's to word); the text as it was stays on the record
in the TEXT_RESUBMITTED event.
"""

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Channel, Event, Message, Publication
from gehoord.complaints.tracking import tracking_url
from gehoord.errors import ActionNotAllowed, InvalidInput, NotPermitted
from gehoord.mail.models import OutboundMail
from gehoord.platform import companies, public
from gehoord.platform.publication import WithholdReason
from gehoord.platform.tests.accounts_support import email_only_company, file_platform_complaint

pytestmark = pytest.mark.django_db

INSULTING = "Het brood was beschimmeld. De bakker is een idioot."
CHANGED = "Het brood was beschimmeld. Ik wil mijn geld terug."


@pytest.fixture
def withheld_complaint(bakery, as_mona):
    complaint = file_platform_complaint(bakery, public=True, description=INSULTING)
    actions.perform("withhold", complaint, by=as_mona, reason="insult", note="Laat het scheldwoord weg.")
    complaint.refresh_from_db()
    return complaint


def in_dutch(text) -> str:
    """What the mail (in the author's language, Dutch) says for this source string."""
    with translation.override("nl"):
        return gettext(str(text)) if isinstance(text, str) else str(text)


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def resubmitted(complaint):
    return list(Event.objects.filter(complaint=complaint, kind="text_resubmitted").values_list("consumer_visible", "data"))


class TestTheConsumersComplaint:
    def test_the_changed_complaint_goes_back_to_screening_and_the_old_text_stays_on_record(self, withheld_complaint):
        actions.perform(
            "resubmit", withheld_complaint, by=Actor.consumer(withheld_complaint), description=CHANGED,
            desired_solution="Geld terug.",
        )

        withheld_complaint.refresh_from_db()
        assert (withheld_complaint.description, withheld_complaint.desired_solution) == (CHANGED, "Geld terug.")
        assert (withheld_complaint.publication, withheld_complaint.withheld_reason, withheld_complaint.screening) == (
            Publication.PENDING, "", None
        )
        assert resubmitted(withheld_complaint) == [(True, {"previous": {"description": INSULTING, "desired_solution": ""}})]

    def test_approved_after_the_change_the_public_reads_the_new_text(self, withheld_complaint, as_mona):
        actions.perform("resubmit", withheld_complaint, by=Actor.consumer(withheld_complaint), description=CHANGED)
        actions.perform("publish", withheld_complaint, by=as_mona)

        withheld_complaint.refresh_from_db()
        assert public.PublishedComplaint.of(withheld_complaint).description == CHANGED

    def test_only_a_withheld_complaint_is_changed_and_only_by_its_consumer(self, bakery, withheld_complaint, as_mona):
        pending = file_platform_complaint(bakery, public=True)
        with pytest.raises(ActionNotAllowed):
            actions.perform("resubmit", pending, by=Actor.consumer(pending), description=CHANGED)
        for actor in (Actor.company(bakery), as_mona, Actor.consumer(pending)):
            with pytest.raises(NotPermitted):
                actions.perform("resubmit", withheld_complaint, by=actor, description=CHANGED)

    def test_an_empty_or_too_long_text_changes_nothing(self, withheld_complaint):
        for description in ("", "   ", "x" * 20_001):
            with pytest.raises(InvalidInput):
                actions.perform("resubmit", withheld_complaint, by=Actor.consumer(withheld_complaint), description=description)
        withheld_complaint.refresh_from_db()
        assert (withheld_complaint.description, withheld_complaint.publication) == (INSULTING, Publication.WITHHELD)

    def test_the_mail_gives_the_reason_and_the_way_to_change_the_text(self, withheld_complaint):
        mail = OutboundMail.objects.get(kind="screening_decision")
        assert f"{in_dutch(WithholdReason.INSULT.label)}: Laat het scheldwoord weg." in mail.body_text
        how = "You can change your complaint and submit it again for publication: open your complaint's page (the link below) and change the text there."
        assert in_dutch(how) in mail.body_text and "/volgen/link/" in mail.body_text

    def test_the_consumer_changes_it_on_the_complaints_page(self, client, withheld_complaint):
        page = client.get(tracking_url(withheld_complaint), follow=True).content.decode()
        assert "It contains an insult: Laat het scheldwoord weg." in page
        assert 'id="action-resubmit"' in page and "De bakker is een idioot." in page

        url = f"/volgen/{withheld_complaint.public_id}/resubmit/"
        refused = client.post(url, {"resubmit-description": "  "})
        answer = client.post(url, {"resubmit-description": CHANGED, "resubmit-desired_solution": ""}, follow=True)

        assert "This field is required." in refused.content.decode()
        assert "submitted again" in answer.content.decode()
        withheld_complaint.refresh_from_db()
        assert (withheld_complaint.description, withheld_complaint.publication) == (CHANGED, Publication.PENDING)
        assert 'id="action-resubmit"' not in answer.content.decode()


class TestTheCompanysReply:
    @pytest.fixture
    def withheld_reply(self, bakery, as_mona):
        complaint = file_platform_complaint(bakery, public=True)
        actions.perform("publish", complaint, by=as_mona)
        companies.notify(complaint.pk)
        reply = Message.objects.create(
            complaint=complaint, kind=Message.Kind.COMPANY, channel=Channel.EMAIL, author_name="Bakkerij Brood",
            body="Excuses. Piet Bakker, 06-98765432", created_at=timezone.now(), publication=Publication.PENDING,
        )
        actions.perform("withhold_reply", complaint, by=as_mona, message_id=reply.pk, reason="personal_data")
        reply.refresh_from_db()
        return reply

    def test_the_company_changes_its_reply_and_it_goes_back_to_screening(self, bakery, withheld_reply):
        complaint = withheld_reply.complaint

        actions.perform("resubmit_reply", complaint, by=Actor.company(bakery), message_id=withheld_reply.pk, body="Excuses.")

        withheld_reply.refresh_from_db()
        assert (withheld_reply.body, withheld_reply.publication, withheld_reply.screening) == (
            "Excuses.", Publication.PENDING, None
        )
        assert resubmitted(complaint) == [
            (True, {"message_id": withheld_reply.pk, "previous": {"body": "Excuses. Piet Bakker, 06-98765432"}})
        ]

    def test_the_mail_tells_the_company_where_to_change_it(self, withheld_reply):
        mail = OutboundMail.objects.get(kind="screening_decision", to_address="klachten@bakkerij-brood.example")
        assert in_dutch(WithholdReason.PERSONAL_DATA.label) in mail.body_text and "/bedrijf/inloggen/" in mail.body_text

    def test_only_a_withheld_reply_of_the_company_is_changed(self, bakery, withheld_reply, as_mona):
        complaint = withheld_reply.complaint
        consumers = Message.objects.create(
            complaint=complaint, kind=Message.Kind.CONSUMER, channel=Channel.WEB, author_name="Carol", body="Hm.",
            created_at=timezone.now(), publication=Publication.WITHHELD,
        )
        for message_id in (consumers.pk, "x", 999999):
            with pytest.raises(ActionNotAllowed):
                actions.perform("resubmit_reply", complaint, by=Actor.company(bakery), message_id=message_id, body="Ja.")
        other = email_only_company("andere-bakker", name="Andere Bakker")
        with pytest.raises(NotPermitted):
            actions.perform("resubmit_reply", complaint, by=Actor.company(other), message_id=withheld_reply.pk, body="Ja.")

    def test_the_company_changes_it_on_its_dashboard(self, client, bakery, withheld_reply):
        complaint = withheld_reply.complaint
        client.post(f"/bedrijf/link/{companies.login_token(bakery)}/")
        page = client.get(f"/bedrijf/klachten/{complaint.public_id}/").content.decode()
        assert "It contains personal data" in page and "Submit the changed reply again" in page

        url = f"/bedrijf/klachten/{complaint.public_id}/antwoorden/{withheld_reply.pk}/opnieuw/"
        refused = client.post(url, {f"reply-{withheld_reply.pk}-body": " "})
        done = client.post(url, {f"reply-{withheld_reply.pk}-body": "Excuses."}, follow=True)

        assert refused.status_code == 400
        assert "submitted again" in done.content.decode()
        withheld_reply.refresh_from_db()
        assert (withheld_reply.body, withheld_reply.publication) == ("Excuses.", Publication.PENDING)
