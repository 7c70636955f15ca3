"""An e-mail-only company answers a platform complaint by mail, over real SMTP on 127.0.0.1: its
helpdesk changes the subject, quotes the history and adds its own ticket tag, and the reply still
reaches the complaint as the company's; a reply from another address waits for confirmation; the
consumer's answer goes back to the company on the company's thread.

Shop (klachten@shop.example) is e-mail only; Carol complains about it on the platform.
"""

import email
import email.policy
import smtplib
import time

import pytest
from django.utils import translation

from conftest import carol_complaint, make_organisation
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.mail.models import ForeignTicketTag, InboundMail
from gehoord.mail.tests.support import make_mail
from gehoord.platform import companies

pytestmark = pytest.mark.django_db(transaction=True)

QUOTED_HISTORY = (
    "Beste Carol,\n\nWij sturen u deze week een nieuwe boxspring.\n\nMet vriendelijke groet,\nShop klantenservice\n\n"
    "Op ma 7 dec 2026 om 10:00 schreef Gehoord <noreply@gehoord.localhost>:\n"
    "> Gehoord is an independent public complaint platform\n"
    "> De boxspring kwam beschadigd aan.\n"
)


def send(receiver, raw: bytes, *, to: str, sender: str):
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=10) as client:
        client.sendmail(sender, [to], raw)


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def mails_to(sink, address: str, count: int, timeout: float = 10.0):
    """The mails the sink got for `address`, once it has at least `count` of them."""
    deadline = time.monotonic() + timeout
    while True:
        found = [parsed(raw) for _, recipients, raw in list(sink.messages) if address in recipients]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} mails to {address}, got {len(found)}")
        time.sleep(0.05)


@pytest.fixture
def shop(db):
    return make_organisation("shop", preset="platform", name="Shop", connected=False)


@pytest.fixture
def published(shop, sink):
    complaint = carol_complaint(shop)
    Complaint.objects.filter(pk=complaint.pk).update(platform=True, publication=Publication.PUBLISHED)
    assert companies.notify(complaint.pk)
    return complaint


def test_a_helpdesk_reply_with_a_new_subject_quotes_and_its_own_tag_is_the_companys(published, receiver, sink):
    [to_company] = mails_to(sink, "klachten@shop.example", 1)
    with translation.override("nl"):  # the company's language
        told_public = translation.gettext("This complaint is PUBLIC: it is shown on the platform. Your reply will be public too.")
    assert told_public in to_company.get_body(("plain",)).get_content().replace("\r\n", "\n")

    reply = make_mail(
        sender="Shop klantenservice <KLACHTEN@shop.example>", to=to_company["Reply-To"],
        subject="[Shop Support] Re: Uw klacht - Request #48213", body=QUOTED_HISTORY,
        in_reply_to=to_company["Message-ID"].strip("<>"), message_id="<zd-1@shop.example>",
    )
    send(receiver, reply, to=to_company["Reply-To"], sender="klachten@shop.example")

    message = Message.objects.get(complaint=published, kind=Message.Kind.COMPANY)
    assert message.body.startswith("Beste Carol,")
    assert "Wij sturen u deze week een nieuwe boxspring." in message.body
    assert "Gehoord is an independent" not in message.body  # the quoted history is stripped
    assert (message.sender_email, message.sender_confirmed) == ("klachten@shop.example", True)
    # A clean reply on a published complaint: the automatic screening read it on commit and published it.
    assert message.publication == Publication.PUBLISHED
    assert published.events.filter(kind="auto_screened", data__message_id=message.pk, data__flagged=False).exists()
    published.refresh_from_db()
    assert published.first_reply_at is not None
    assert ForeignTicketTag.objects.filter(complaint=published, tag="generic:#48213", sender_domain="shop.example").exists()
    assert not Message.objects.filter(complaint=published, kind=Message.Kind.CONSUMER).exists()

    # Forwarded to Carol, on her own thread and with her own reply address.
    carols = mails_to(sink, "carol@example.nl", 2)
    forwarded = carols[-1]
    assert "Wij sturen u deze week een nieuwe boxspring." in forwarded.get_body(("plain",)).get_content()
    assert forwarded["Reply-To"] != to_company["Reply-To"]
    assert "zd-1@shop.example" not in (forwarded["References"] or "")

    # Carol answers the forwarded mail: it goes to Shop, on Shop's thread.
    answer = make_mail(
        to=forwarded["Reply-To"], subject=f"Re: {forwarded['Subject']}", body="Dank u, graag voor vrijdag.",
        in_reply_to=forwarded["Message-ID"].strip("<>"),
    )
    send(receiver, answer, to=forwarded["Reply-To"], sender="carol@example.nl")

    assert Message.objects.filter(complaint=published, kind=Message.Kind.CONSUMER).count() == 1
    to_shop = mails_to(sink, "klachten@shop.example", 2)[-1]
    assert "Dank u, graag voor vrijdag." in to_shop.get_body(("plain",)).get_content()
    assert to_shop["Reply-To"] == to_company["Reply-To"]
    assert to_shop["In-Reply-To"] == "<zd-1@shop.example>"


def test_a_reply_from_another_address_waits_for_the_consumer_to_confirm_it(published, receiver, sink):
    [to_company] = mails_to(sink, "klachten@shop.example", 1)
    consumer_mails = len([1 for _, recipients, _raw in sink.messages if "carol@example.nl" in recipients])

    reply = make_mail(
        sender="Jan <jan@helpdesk-mail.example>", to=to_company["Reply-To"], subject="RE: uw klacht",
        body="Wij kijken ernaar.",
    )
    send(receiver, reply, to=to_company["Reply-To"], sender="jan@helpdesk-mail.example")

    message = Message.objects.get(complaint=published, kind=Message.Kind.COMPANY)
    assert (message.sender_email, message.sender_confirmed) == ("jan@helpdesk-mail.example", False)
    assert message.publication == Publication.PRIVATE
    published.refresh_from_db()
    assert published.first_reply_at is None
    assert InboundMail.objects.get(message_id__contains="mail.example.nl").complaint_message == message
    assert len([1 for _, recipients, _raw in sink.messages if "carol@example.nl" in recipients]) == consumer_mails

    actions.perform("confirm_sender", published, by=Actor.consumer(published), message_id=message.pk, confirmed=True)

    forwarded = mails_to(sink, "carol@example.nl", consumer_mails + 1)[-1]
    assert "Wij kijken ernaar." in forwarded.get_body(("plain",)).get_content()


def test_a_later_mail_with_only_the_helpdesk_tag_finds_the_complaint_as_the_companys(published, receiver, sink):
    [to_company] = mails_to(sink, "klachten@shop.example", 1)
    first = make_mail(
        sender="klachten@shop.example", to=to_company["Reply-To"], subject="Request #48213: uw klacht",
        body="We hebben uw klacht ontvangen en kijken ernaar.",
    )
    send(receiver, first, to=to_company["Reply-To"], sender="klachten@shop.example")

    # No token, no thread: only the tag its helpdesk used before, from a colleague at the same domain.
    later = make_mail(
        sender="piet@shop.example", to="klachten@gehoord.localhost", subject="Request #48213 opgelost",
        body="De nieuwe boxspring is verstuurd.",
    )
    send(receiver, later, to="klachten@gehoord.localhost", sender="piet@shop.example")

    stored = InboundMail.objects.get(from_address="piet@shop.example")
    assert (stored.complaint, stored.matched_by) == (published, "foreign_tag")
    message = stored.complaint_message
    assert (message.kind, message.sender_confirmed) == (Message.Kind.COMPANY, False)


def test_the_helpdesks_automatic_receipt_stays_noise(published, receiver, sink):
    [to_company] = mails_to(sink, "klachten@shop.example", 1)
    receipt = make_mail(
        sender="klachten@shop.example", to=to_company["Reply-To"], subject="[Shop Support] Request #48213 received",
        body="We have received your request and will answer within 2 working days.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    send(receiver, receipt, to=to_company["Reply-To"], sender="klachten@shop.example")

    stored = InboundMail.objects.get(from_address="klachten@shop.example")
    assert (stored.result, stored.complaint) == ("auto_reply", published)
    assert not Message.objects.filter(complaint=published, kind=Message.Kind.COMPANY).exists()
    assert ForeignTicketTag.objects.filter(complaint=published, tag="generic:#48213").exists()


def test_a_new_mail_from_the_registry_address_with_only_the_reference_is_the_companys(published, receiver, sink):
    new_mail = make_mail(
        sender="klachten@shop.example", to="klachten@gehoord.localhost",
        subject=f"Vraag over [{published.reference}]", body="Welk adres mogen wij gebruiken?",
    )
    send(receiver, new_mail, to="klachten@gehoord.localhost", sender="klachten@shop.example")

    stored = InboundMail.objects.get(from_address="klachten@shop.example")
    assert (stored.complaint, stored.matched_by) == (published, "subject_tag")
    assert (stored.complaint_message.kind, stored.complaint_message.sender_confirmed) == (Message.Kind.COMPANY, True)


def test_a_stranger_with_only_the_reference_still_waits_in_triage(published, receiver, sink):
    stranger = make_mail(
        sender="iemand@elders.example", to="klachten@gehoord.localhost",
        subject=f"Over [{published.reference}]", body="Ik ben van Shop, echt waar.",
    )
    send(receiver, stranger, to="klachten@gehoord.localhost", sender="iemand@elders.example")

    stored = InboundMail.objects.get(from_address="iemand@elders.example")
    assert stored.state == "triage"
    assert not Message.objects.filter(complaint=published, kind=Message.Kind.COMPANY).exists()
