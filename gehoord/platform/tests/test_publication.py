"""Screening (seed 004): a moderator publishes or withholds a platform complaint or a reply.

Mona, a moderator, screens Carol's public complaint about Bakkerij Brood and the bakery's reply.
Withholding tells the author why: Carol for her complaint or message, the bakery (at its registry
address) for its reply. Nobody but a moderator screens; a private complaint is never screened.
"""

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from gehoord.complaints import actions, lifecycle
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Channel, Complaint, Event, Message, Publication, Status
from gehoord.errors import ActionNotAllowed, InvalidInput, NotPermitted
from gehoord.mail.models import OutboundMail
from gehoord.platform import publication
from gehoord.platform.tests.accounts_support import file_platform_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def carols_complaint(bakery):
    return file_platform_complaint(bakery, public=True)


def reply(complaint, kind=Message.Kind.COMPANY, body="Wij sturen u een nieuw brood.", publication=Publication.PENDING):
    return Message.objects.create(
        complaint=complaint, kind=kind, channel=Channel.EMAIL, author_name="Bakkerij Brood", body=body,
        created_at=timezone.now(), publication=publication,
    )


def screened(complaint):
    return list(Event.objects.filter(complaint=complaint, kind="screened").values_list("actor_label", "data"))


class TestTheComplaint:
    def test_a_moderator_publishes_a_pending_complaint_and_its_status_stays(self, carols_complaint, as_mona):
        status = carols_complaint.status

        actions.perform("publish", carols_complaint, by=as_mona)

        carols_complaint.refresh_from_db()
        assert (carols_complaint.publication, carols_complaint.status) == (Publication.PUBLISHED, status)
        assert list(Complaint.objects.public()) == [carols_complaint]
        assert screened(carols_complaint) == [("Mona", {"decision": "published"})]
        assert not OutboundMail.objects.filter(kind="screening_decision").exists()

    def test_withholding_stores_the_reason_and_mails_it_to_the_consumer(
        self, carols_complaint, as_mona, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            actions.perform(
                "withhold", carols_complaint, by=as_mona, reason="personal_data", note="Bevat de naam van een medewerker."
            )

        carols_complaint.refresh_from_db()
        assert carols_complaint.publication == Publication.WITHHELD
        assert carols_complaint.withheld_reason == "Bevat de naam van een medewerker."
        assert carols_complaint.screening == {"withheld_for": "personal_data"}
        assert not Complaint.objects.public().exists()
        assert screened(carols_complaint) == [
            ("Mona", {"decision": "withheld", "reason": "personal_data", "note": "Bevat de naam van een medewerker."})
        ]
        mail = OutboundMail.objects.get(kind="screening_decision")
        assert (mail.to_address, mail.language, mail.state) == ("carol@example.nl", "nl", "sent")
        assert "Bevat de naam van een medewerker." in mail.body_text
        assert [sent.to for sent in django_mail.outbox if "Bevat de naam" in sent.body] == [["carol@example.nl"]]

    def test_a_reason_in_the_moderators_own_words_counts_as_another_reason(self, carols_complaint, as_mona):
        actions.perform("withhold", carols_complaint, by=as_mona, reason="Bevat de naam van een medewerker.")

        carols_complaint.refresh_from_db()
        assert (carols_complaint.withheld_reason, carols_complaint.screening) == (
            "Bevat de naam van een medewerker.", {"withheld_for": "other"}
        )

    def test_withholding_needs_a_reason_that_fits(self, carols_complaint, as_mona):
        for reason in ("", "   ", "x" * 201):
            with pytest.raises(InvalidInput):
                actions.perform("withhold", carols_complaint, by=as_mona, reason=reason)
        for note in ("", "  "):  # "other" says which
            with pytest.raises(InvalidInput):
                actions.perform("withhold", carols_complaint, by=as_mona, reason="other", note=note)
        with pytest.raises(InvalidInput):
            actions.perform("withhold", carols_complaint, by=as_mona, reason="insult", note="x" * 201)
        carols_complaint.refresh_from_db()
        assert (carols_complaint.publication, carols_complaint.withheld_reason) == (Publication.PENDING, "")

    def test_only_a_pending_complaint_is_screened(self, bakery, carols_complaint, as_mona):
        private = file_platform_complaint(bakery, public=False)
        actions.perform("publish", carols_complaint, by=as_mona)

        for complaint in (private, carols_complaint):
            for name, arguments in (("publish", {}), ("withhold", {"reason": "Nee."})):
                with pytest.raises(ActionNotAllowed):
                    actions.perform(name, complaint, by=as_mona, **arguments)
        private.refresh_from_db()
        assert private.publication == Publication.PRIVATE

    def test_nobody_but_a_moderator_screens(self, carols_complaint, bakery, alice, acme):
        others = [Actor.consumer(carols_complaint), Actor.company(bakery), Actor.staff(alice, acme)]
        for actor in others:
            for name, arguments in (("publish", {}), ("withhold", {"reason": "Nee."})):
                with pytest.raises((NotPermitted, ActionNotAllowed)):
                    actions.perform(name, carols_complaint, by=actor, **arguments)
        # The automatic screen publishes clean text; withholding is a person's decision.
        with pytest.raises(NotPermitted):
            actions.perform("withhold", carols_complaint, by=Actor.system(), reason="Nee.")
        carols_complaint.refresh_from_db()
        assert carols_complaint.publication == Publication.PENDING

    def test_a_moderator_screens_only_complaints_filed_on_the_platform(self, acme, as_mona):
        desk_complaint = file_complaint(
            acme, NewComplaint(description="Kapot.", contact_name="Carol", contact_email="carol@example.nl", category="delivery"),
            channel=Channel.WEB, by=Actor.system(),
        )
        Complaint.objects.filter(pk=desk_complaint.pk).update(publication=Publication.PENDING)
        with pytest.raises(NotPermitted):
            actions.perform("publish", desk_complaint, by=as_mona)

    def test_the_screening_actions_run_in_any_status(self):
        for name in ("publish", "withhold", "publish_reply", "withhold_reply", "edit_public_text"):
            declared = lifecycle.ACTIONS[name]
            assert declared.sources == frozenset(Status) and declared.target is None
            # The automatic screen publishes clean text; only a moderator withholds.
            expected = {lifecycle.MODERATOR, lifecycle.SYSTEM} if name.startswith("publish") else {lifecycle.MODERATOR}
            assert declared.who == expected


class TestReplies:
    def test_a_company_reply_is_published(self, carols_complaint, as_mona):
        answer = reply(carols_complaint)

        actions.perform("publish_reply", carols_complaint, by=as_mona, message_id=answer.pk)

        answer.refresh_from_db()
        assert answer.publication == Publication.PUBLISHED
        assert screened(carols_complaint) == [("Mona", {"decision": "published", "message_id": answer.pk})]

    def test_a_withheld_company_reply_is_explained_to_the_company_at_its_registry_address(
        self, carols_complaint, as_mona, django_capture_on_commit_callbacks
    ):
        answer = reply(carols_complaint)

        with django_capture_on_commit_callbacks(execute=True):
            actions.perform("withhold_reply", carols_complaint, by=as_mona, message_id=answer.pk,
                            reason="Uw handtekening bevat een telefoonnummer.")

        answer.refresh_from_db()
        assert (answer.publication, answer.withheld_reason) == (Publication.WITHHELD, "Uw handtekening bevat een telefoonnummer.")
        mail = OutboundMail.objects.get(kind="screening_decision")
        assert mail.to_address == "klachten@bakkerij-brood.example"
        assert "Uw handtekening bevat een telefoonnummer." in mail.body_text
        assert "Bakkerij Brood," in mail.body_text.splitlines()[0]
        # The company has no complaint page to follow: no consumer's link, no consumer's reply address.
        assert "/volgen/" not in mail.body_text and mail.reply_to == ""

    def test_a_withheld_consumer_message_is_explained_to_the_consumer(self, carols_complaint, as_mona):
        message = reply(carols_complaint, kind=Message.Kind.CONSUMER, body="Wat een oplichters!")

        actions.perform("withhold_reply", carols_complaint, by=as_mona, message_id=message.pk, reason="Een belediging.")

        assert OutboundMail.objects.get(kind="screening_decision").to_address == "carol@example.nl"

    def test_only_a_pending_message_of_this_complaint_is_screened(self, bakery, carols_complaint, as_mona):
        other_complaint = file_platform_complaint(bakery, public=True, description="Ander brood.")
        elsewhere = reply(other_complaint)
        published = reply(carols_complaint, publication=Publication.PUBLISHED)
        note = reply(carols_complaint, kind=Message.Kind.NOTE, publication=Publication.PRIVATE)

        for message_id in (elsewhere.pk, published.pk, note.pk, "x", None, 10**9):
            with pytest.raises(ActionNotAllowed):
                actions.perform("publish_reply", carols_complaint, by=as_mona, message_id=message_id)
        assert Message.objects.get(pk=elsewhere.pk).publication == Publication.PENDING
        assert not Event.objects.filter(kind="screened").exists()


def test_the_queues_hold_what_waits_oldest_first(bakery, as_mona):
    first = file_platform_complaint(bakery, public=True, description="Eerste.")
    second = file_platform_complaint(bakery, public=True, description="Tweede.")
    file_platform_complaint(bakery, public=False, description="Privé.")
    answer = reply(first)
    reply(first, publication=Publication.PUBLISHED)

    assert list(publication.complaints_awaiting_screening()) == [first, second]
    assert list(publication.replies_awaiting_screening()) == [answer]
    actions.perform("publish", first, by=as_mona)
    assert list(publication.complaints_awaiting_screening()) == [second]


class TestWhatWaitsForScreening:
    """Every reply on a public platform complaint waits for screening, whoever writes it: the consumer,
    the connected company's staff from the desk, the e-mail-only company by mail; on a private one
    nothing ever does."""

    def test_the_consumers_message_on_a_public_complaint_waits(self, carols_complaint):
        message = actions.add_message(carols_complaint, by=Actor.consumer(carols_complaint), body="Nog steeds niets.")
        assert message.publication == Publication.PENDING
        assert list(publication.replies_awaiting_screening()) == [message]

    def test_a_connected_companys_answer_from_the_desk_waits(self, acme, as_alice):
        complaint = file_platform_complaint(acme, public=True, category="delivery")
        message = actions.add_message(complaint, by=as_alice, body="Wij vervangen het product.")
        assert message.publication == Publication.PENDING
        note = actions.add_message(complaint, by=as_alice, body="Intern: leverancier bellen.", internal=True)
        assert note.publication == Publication.PRIVATE

    def test_nothing_on_a_private_complaint_waits(self, bakery):
        complaint = file_platform_complaint(bakery, public=False)
        message = actions.add_message(complaint, by=Actor.consumer(complaint), body="Nog steeds niets.")
        answer = actions.add_message(
            complaint, by=Actor.company(bakery), body="Wij bellen u morgen.", sender="",
        )
        assert (message.publication, answer.publication) == (Publication.PRIVATE, Publication.PRIVATE)
        assert not publication.replies_awaiting_screening().exists()
