"""The SMTP door for real: mail sent over SMTP to `gehoord smtpd` on 127.0.0.1, and what the
platform sends read from a real SMTP sink on 127.0.0.1 (both aiosmtpd)."""

import email
import email.policy
import smtplib

import pytest

from gehoord.complaints.models import Complaint
from gehoord.inbound import pipeline
from gehoord.mail.models import InboundMail
from gehoord.mail.tests.support import make_mail

pytestmark = pytest.mark.django_db(transaction=True)


def send(receiver, raw: bytes, *, to: str = "klachten@acme.example", sender: str = "carol@example.nl"):
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=10) as client:
        return client.sendmail(sender, [to], raw)


def test_a_mail_over_smtp_opens_a_complaint_and_the_acknowledgement_goes_out_over_smtp(acme, receiver, sink):
    raw = make_mail(subject="Kapotte kast", body="De kast is kapot aangekomen.", message_id="<smtp-1@example.nl>")

    send(receiver, raw)

    stored = InboundMail.objects.get()
    assert (stored.source, stored.envelope_from, stored.envelope_to) == ("smtp", "carol@example.nl", ["klachten@acme.example"])
    assert bytes(stored.raw).replace(b"\r\n", b"\n").strip() == raw.strip()  # SMTP speaks CRLF
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.contact_email) == ("email", "carol@example.nl")
    [(envelope_from, recipients, data)] = sink.wait_for(1)
    assert recipients == ["carol@example.nl"]
    acknowledgement = email.message_from_bytes(data, policy=email.policy.default)
    assert acknowledgement["Subject"].strip().startswith(f"[{complaint.reference}] ")
    assert acknowledgement["In-Reply-To"] == "<smtp-1@example.nl>"
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    assert acknowledgement["Reply-To"].startswith("reply+")
    assert acknowledgement.get_body(("plain",)).get_content().startswith("Beste Carol de Vries,")
    assert "<html" in acknowledgement.get_body(("html",)).get_content()


def test_unknown_recipients_are_refused_at_rcpt(acme, receiver):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(receiver, make_mail(), to="someone@elsewhere.example")

    assert refused.value.recipients["someone@elsewhere.example"][0] == 550
    assert not InboundMail.objects.exists()


def test_the_same_mail_delivered_twice_over_smtp_is_stored_once(acme, receiver, sink):
    raw = make_mail(message_id="<twice@example.nl>")

    send(receiver, raw)
    send(receiver, raw)

    assert InboundMail.objects.get().duplicates == 1
    assert Complaint.objects.count() == 1


def test_a_storage_failure_answers_451_so_the_sender_keeps_the_mail(acme, receiver, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "receive", broken)

    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(receiver, make_mail())

    assert refused.value.smtp_code == 451


def test_long_lines_and_eight_bit_text_are_accepted(acme, receiver, sink):
    body = "Lange regel: " + "é" * 3000
    raw = make_mail(subject="Één lange regel", body=body)

    send(receiver, raw)

    assert Complaint.objects.get().description.endswith("é" * 3000)
