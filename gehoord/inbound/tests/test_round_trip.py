"""The whole conversation over real SMTP: Carol mails the desk address and gets the
acknowledgement; she answers from another mail client that changed the subject and dropped the
thread headers, and her answer lands on the same complaint; Alice answers; Carol's out-of-office
is recorded on the complaint and not answered."""

import email
import email.policy
import smtplib
import time

import pytest

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Message
from gehoord.mail.models import InboundMail, OutboundMail
from gehoord.mail.tests.support import make_mail

pytestmark = pytest.mark.django_db(transaction=True)


def smtp_send(receiver, raw: bytes, to: str) -> None:
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=10) as client:
        client.sendmail("carol@example.nl", [to], raw)


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def test_a_consumer_conversation_by_mail_from_start_to_out_of_office(acme, alice, receiver, sink):
    # 1. Carol writes to the desk address.
    smtp_send(receiver, make_mail(
        sender="Carol de Vries <carol@example.nl>", to="Acme klachten <klachten@acme.example>",
        subject="Bank kapot geleverd", body="De bank kwam met een scheur in de zitting.\n\nCarol",
        message_id="<carol-first@mail.example.nl>",
    ), "klachten@acme.example")
    complaint = Complaint.objects.get()
    [(_, _, data)] = sink.wait_for(1)
    acknowledgement = parsed(data)
    assert acknowledgement["In-Reply-To"] == "<carol-first@mail.example.nl>"
    reply_to = acknowledgement["Reply-To"]
    assert reply_to.startswith("reply+")

    # 2. She answers from another client: new subject, no In-Reply-To or References, the
    #    Reply-To address as the recipient (and the quoted acknowledgement below her text).
    quoted = "\n".join(f"> {line}" for line in acknowledgement.get_body(("plain",)).get_content().splitlines())
    smtp_send(receiver, make_mail(
        sender="Carol de Vries <carol@example.nl>", to=reply_to, subject="Foto van de scheur",
        body=f"Hierbij nog de maat: de scheur is 20 cm.\n\nOp 1 maart 2027 schreef Acme <{reply_to}>:\n{quoted}\n",
        message_id="<carol-second@other-client.example>",
    ), reply_to)
    reply = InboundMail.objects.get(message_id="carol-second@other-client.example")
    assert (reply.complaint, reply.matched_by) == (complaint, "token")
    message = Message.objects.get(complaint=complaint, kind="consumer")
    assert message.body == "Hierbij nog de maat: de scheur is 20 cm."

    # 3. Alice answers on the desk; the mail threads onto Carol's latest mail.
    actions.add_message(complaint, by=Actor.staff(alice, acme), body="Wij sturen een nieuwe bank.")
    [_, (_, recipients, data)] = sink.wait_for(2)
    answer = parsed(data)
    assert recipients == ["carol@example.nl"]
    assert answer["Subject"].strip().startswith(f"[{complaint.reference}]")
    assert answer["In-Reply-To"] == "<carol-second@other-client.example>"
    assert acknowledgement["Message-ID"] in answer["References"].split()
    assert "Auto-Submitted" not in answer  # a person wrote it
    assert "Wij sturen een nieuwe bank." in answer.get_body(("plain",)).get_content()

    # 4. Carol's out-of-office answers Alice: recorded, never answered.
    smtp_send(receiver, make_mail(
        sender="carol@example.nl", to=reply_to, subject=f"Automatisch antwoord: {answer['Subject'].strip()}",
        body="Ik ben tot 15 maart met vakantie.", in_reply_to=answer["Message-ID"].strip("<>"),
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    ), reply_to)
    out_of_office = InboundMail.objects.get(subject__startswith="Automatisch antwoord")
    assert (out_of_office.result, out_of_office.complaint) == ("auto_reply", complaint)
    assert complaint.events.filter(kind="auto_reply_received").count() == 1
    time.sleep(0.5)
    assert len(sink.messages) == 2
    assert OutboundMail.objects.filter(complaint=complaint).count() == 2
    assert Message.objects.filter(complaint=complaint).count() == 2  # Carol's reply and Alice's answer
