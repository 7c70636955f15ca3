"""E-mail-only companies: the complaint mailed once to the company, its replies (confirmed or
waiting for confirmation), and the consumer's answers forwarded to it.

Shop is an e-mail-only company of the platform (klachten@shop.example); Carol files about it.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from conftest import carol_complaint, make_organisation
from gehoord.complaints.tests.test_references import run_at_once
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.errors import ActionNotAllowed, NotPermitted
from gehoord.mail.models import OutboundMail, ReplyAddress
from gehoord.platform import companies
from gehoord.platform.tests.accounts_support import email_only_company, file_platform_complaint

pytestmark = pytest.mark.django_db

WORKERS = 4


@pytest.fixture
def shop(db):
    return make_organisation("shop", preset="platform", name="Shop", connected=False)


def platform_complaint(organisation, publication=Publication.PUBLISHED, **overrides):
    complaint = carol_complaint(organisation, **overrides)
    Complaint.objects.filter(pk=complaint.pk).update(platform=True, publication=publication)
    complaint.refresh_from_db()
    return complaint


def company_mails(complaint, kind="company_complaint"):
    return list(OutboundMail.objects.filter(complaint=complaint, kind=kind))


def test_a_published_complaint_is_mailed_once_to_the_registry_address_as_public(shop):
    complaint = platform_complaint(shop, product="Boxspring Deluxe")

    assert companies.notify(complaint.pk) is True
    assert companies.notify(complaint.pk) is False  # once only
    assert companies.notify_due() == 0

    [mail] = company_mails(complaint)
    assert mail.to_address == "klachten@shop.example"
    assert mail.subject.startswith(f"[{complaint.reference}] ")
    assert "Gehoord is an independent public complaint platform" in mail.body_text or "onafhankelijk" in mail.body_text
    assert "Carol de Vries" in mail.body_text and "De boxspring kwam beschadigd aan." in mail.body_text
    assert "Boxspring Deluxe" in mail.body_text
    assert "/bedrijf/inloggen/" in mail.body_text
    company_token = ReplyAddress.objects.get(complaint=complaint, party=ReplyAddress.Party.COMPANY).token
    assert mail.reply_to == f"reply+{company_token}@gehoord.localhost"
    consumer_token = ReplyAddress.objects.get(complaint=complaint, party=ReplyAddress.Party.CONSUMER).token
    assert consumer_token != company_token
    complaint.refresh_from_db()
    assert complaint.company_notified_at is not None
    event = complaint.events.get(kind=EventKind.COMPANY_NOTIFIED)
    assert event.data["public"] is True and event.data["outbound_id"] == mail.pk


def test_the_mail_says_public_and_asks_to_leave_personal_data_out_of_the_signature(shop):
    shop.language = "en"
    shop.save()
    public = platform_complaint(shop)
    private = platform_complaint(shop, publication=Publication.PRIVATE, order_number="A-1")
    withheld = platform_complaint(shop, publication=Publication.WITHHELD, order_number="A-2")

    assert companies.notify_due() == 3

    public_body = company_mails(public)[0].body_text
    assert "This complaint is PUBLIC" in public_body and "Your reply will be public too." in public_body
    assert "Leave personal data" in public_body and "signature" in public_body
    for not_public in (private, withheld):
        body = company_mails(not_public)[0].body_text
        assert "NOT public" in body and "will be public too" not in body
    assert companies.notify_due() == 0


def test_pending_screening_and_connected_companies_get_nothing(shop, acme):
    pending = platform_complaint(shop, publication=Publication.PENDING)
    acme.connected = True
    acme.save()
    desk_complaint = platform_complaint(acme, publication=Publication.PRIVATE)
    not_platform = carol_complaint(shop)

    assert companies.notify_due() == 0
    for complaint in (pending, desk_complaint, not_platform):
        assert company_mails(complaint) == []
        complaint.refresh_from_db()
        assert complaint.company_notified_at is None

    Complaint.objects.filter(pk=pending.pk).update(publication=Publication.PUBLISHED)  # screening decided
    assert companies.notify_due() == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need row locks")
@pytest.mark.django_db(transaction=True)
def test_workers_picking_up_the_same_complaints_at_once_mail_each_once(shop):
    complaints = [platform_complaint(shop, contact_email=f"carol{n}@example.nl") for n in range(10)]
    results = []

    def worker(_number):
        results.append([companies.notify(complaint.pk) for complaint in complaints] + [companies.notify_due()])

    assert run_at_once(WORKERS, worker) == []
    assert sum(sum(result) for result in results) == len(complaints)
    for complaint in complaints:
        assert len(company_mails(complaint)) == 1
        assert complaint.events.filter(kind=EventKind.COMPANY_NOTIFIED).count() == 1


def test_a_reply_from_the_registry_address_answers_and_goes_to_the_consumer(shop):
    complaint = platform_complaint(shop)
    companies.notify(complaint.pk)

    message = actions.add_message(
        complaint, by=Actor.company(shop, via="KLACHTEN@shop.example"), body="Wij sturen een nieuwe.",
        sender="KLACHTEN@shop.example",
    )

    assert (message.kind, message.sender_email, message.sender_confirmed) == ("company", "klachten@shop.example", True)
    assert message.publication == Publication.PENDING  # published by screening, as the complaint is public
    assert message.channel == "email"
    complaint.refresh_from_db()
    assert complaint.first_reply_at is not None
    [forwarded] = company_mails(complaint, "company_reply")
    assert forwarded.to_address == "carol@example.nl"
    assert "Wij sturen een nieuwe." in forwarded.body_text
    consumer_token = ReplyAddress.objects.get(complaint=complaint, party=ReplyAddress.Party.CONSUMER).token
    assert consumer_token in forwarded.reply_to


def test_a_reply_to_a_private_complaint_stays_private(shop):
    complaint = platform_complaint(shop, publication=Publication.PRIVATE)
    companies.notify(complaint.pk)

    message = actions.add_message(complaint, by=Actor.company(shop), body="Opgelost.")

    assert (message.sender_confirmed, message.publication) == (True, Publication.PRIVATE)


def test_a_reply_from_another_address_waits_until_the_consumer_confirms_it(shop):
    complaint = platform_complaint(shop)
    companies.notify(complaint.pk)

    message = actions.add_message(
        complaint, by=Actor.company(shop, via="jan@helpdesk.example"), body="Wij kijken ernaar.",
        sender="jan@helpdesk.example",
    )

    assert (message.sender_confirmed, message.publication) == (False, Publication.PRIVATE)
    complaint.refresh_from_db()
    assert complaint.first_reply_at is None
    assert company_mails(complaint, "company_reply") == []
    assert list(companies.waiting_for_confirmation(complaint)) == [message]

    actions.perform("confirm_sender", complaint, by=Actor.consumer(complaint), message_id=message.pk, confirmed=True)

    message.refresh_from_db()
    complaint.refresh_from_db()
    assert (message.sender_confirmed, message.publication) == (True, Publication.PENDING)
    assert complaint.first_reply_at is not None
    assert len(company_mails(complaint, "company_reply")) == 1
    event = complaint.events.get(kind=EventKind.SENDER_CONFIRMED)
    assert event.data["confirmed"] is True and event.data["message_id"] == message.pk
    assert list(companies.waiting_for_confirmation(complaint)) == []


def test_a_reply_the_consumer_denies_stays_off_every_page(shop):
    complaint = platform_complaint(shop)
    companies.notify(complaint.pk)
    message = actions.add_message(
        complaint, by=Actor.company(shop, via="x@spoof.example"), body="Klik hier.", sender="x@spoof.example",
    )

    actions.perform("confirm_sender", complaint, by=Actor.consumer(complaint), message_id=message.pk, confirmed=False)

    message.refresh_from_db()
    complaint.refresh_from_db()
    assert (message.sender_confirmed, message.publication) == (False, Publication.WITHHELD)
    assert complaint.first_reply_at is None
    assert company_mails(complaint, "company_reply") == []
    assert list(companies.waiting_for_confirmation(complaint)) == []


def test_another_company_cannot_write_on_the_complaint(shop, other):
    complaint = platform_complaint(shop)

    with pytest.raises(NotPermitted):
        actions.add_message(complaint, by=Actor.company(other), body="Ik ben Shop.")
    assert not Message.objects.filter(complaint=complaint, kind=Message.Kind.COMPANY).exists()


def test_the_consumers_answer_goes_to_the_company_on_its_own_thread(shop):
    complaint = platform_complaint(shop)
    companies.notify(complaint.pk)
    [to_company] = company_mails(complaint)

    actions.add_message(complaint, by=Actor.consumer(complaint), body="Graag een nieuwe boxspring.")

    [forward] = company_mails(complaint, "company_forward")
    assert forward.to_address == "klachten@shop.example"
    assert "Graag een nieuwe boxspring." in forward.body_text
    assert forward.reply_to == to_company.reply_to  # the company's token, not the consumer's
    assert forward.in_reply_to == to_company.message_id
    consumer_mails = OutboundMail.objects.filter(complaint=complaint, to_address="carol@example.nl")
    assert not any(to_company.message_id in mail.references for mail in consumer_mails)


def test_nothing_is_forwarded_before_the_company_has_the_complaint(shop):
    complaint = platform_complaint(shop, publication=Publication.PENDING)

    actions.add_message(complaint, by=Actor.consumer(complaint), body="Nog een foto.")

    assert company_mails(complaint, "company_forward") == []


def test_the_sweep_run_by_gehoord_serve_mails_what_is_due(shop):
    complaint = platform_complaint(shop, publication=Publication.PRIVATE)

    call_command("sweep", stdout=io.StringIO(), stderr=io.StringIO())

    assert len(company_mails(complaint)) == 1
    call_command("sweep", stdout=io.StringIO(), stderr=io.StringIO())
    assert len(company_mails(complaint)) == 1


def test_the_task_filing_and_screening_enqueue_mails_once_committed(shop, django_capture_on_commit_callbacks):
    complaint = platform_complaint(shop)

    with django_capture_on_commit_callbacks(execute=True):
        companies.send_when_committed(complaint)
        assert company_mails(complaint) == []  # not before the caller's transaction commits

    assert len(company_mails(complaint)) == 1


def test_a_moderator_confirms_a_reply(shop, django_user_model):
    complaint = platform_complaint(shop)
    companies.notify(complaint.pk)
    message = actions.add_message(
        complaint, by=Actor.company(shop, via="jan@helpdesk.example"), body="Opgelost.", sender="jan@helpdesk.example",
    )
    moderator = django_user_model.objects.create_user("mo", "mo@gehoord.example")

    actions.perform("confirm_sender", complaint, by=Actor.moderator(moderator), message_id=message.pk, confirmed=True)

    message.refresh_from_db()
    assert message.sender_confirmed is True
    assert complaint.events.get(kind=EventKind.SENDER_CONFIRMED).actor == moderator
    with pytest.raises(ActionNotAllowed):  # nothing is left to confirm
        actions.perform("confirm_sender", complaint, by=Actor.moderator(moderator), message_id=message.pk, confirmed=False)


def test_the_consumers_receipt_for_an_email_only_company_comes_from_the_platform():
    """The company has not seen the complaint yet: the receipt says the platform sends it on, and
    the platform signs it, not the company."""
    bakery = email_only_company()
    file_platform_complaint(bakery, public=False)
    receipt = " ".join(OutboundMail.objects.get(kind="acknowledgement").body_text.split())
    with translation.override("nl"):
        platform = translation.gettext("Gehoord, the public complaint platform")
        regards_from_company = translation.gettext("Kind regards,\n%(org)s") % {"org": bakery.name}
    assert platform in receipt
    assert " ".join(regards_from_company.split()) not in receipt
    assert bakery.name in receipt  # named as the one the complaint goes to
