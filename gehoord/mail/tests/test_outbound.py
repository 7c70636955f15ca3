"""What we send: every mail about a complaint, in the complainant's language, with text and HTML
parts, the reference tag, a stored Message-ID, the thread's headers and a Reply-To token."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail as django_mail

from gehoord.complaints import notices
from gehoord.complaints.models import Complaint
from gehoord.env import ConfigurationError
from gehoord.mail import outbound
from gehoord.mail.config import parse_email_url, parse_imap_url
from gehoord.mail.models import InboundMail, OutboundMail, ReplyAddress
from gehoord.mail.tasks import build_message

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC)
MESSAGE = SimpleNamespace(body="Kunt u een foto sturen? / Could you send a photo?")
RESOLUTION = SimpleNamespace(text="Een nieuwe lattenbodem.", refund_amount=Decimal("25.00"), compensation_amount=None)
LETTER = SimpleNamespace(actions_taken="Gekeken.", conclusions="Geen fout.", changes="", decision="Afgewezen.")
DEADLINE = SimpleNamespace(due_at=WHEN, extension_reason="Wij wachten op de fabrikant.")

# The consumer's mails of the issue: function, its arguments, a line only that mail has (nl, en).
MAILS = {
    "acknowledgement": (outbound.send_acknowledgement, (WHEN,), ("Het kenmerk is", "Its reference is")),
    "information_request": (outbound.send_information_request, (MESSAGE,), ("nog wat informatie nodig", "some more information")),
    "staff_message": (outbound.send_staff_message, (MESSAGE,), ("Kunt u een foto sturen?", "Kunt u een foto sturen?")),
    "resolution_proposal": (outbound.send_resolution_proposal, (RESOLUTION,), ("Terugbetaling: EUR 25,00", "Refund: EUR 25.00")),
    "outcome": (outbound.send_outcome, (LETTER,), ("Ons besluit", "Our decision")),
    "deadline_extension": (outbound.send_deadline_extension, (DEADLINE,), ("15 januari 2027", "Jan. 15, 2027")),
    "progress_update": (outbound.send_progress_update, (WHEN,), ("nog in behandeling", "still being handled")),
    "escalation_received": (outbound.send_escalation_received, (), ("voorgelegd aan het volgende niveau", "escalated to the next level")),
    "closing": (outbound.send_closing, (), ("is gesloten", "has been closed")),
}


def escalated(complaint) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(stage=2)
    return Complaint.objects.select_related("organisation").get(pk=complaint.pk)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", list(MAILS))
def test_every_mail_to_the_consumer_in_both_languages(complaint, kind, language):
    Complaint.objects.filter(pk=complaint.pk).update(contact_language=language)
    complaint.refresh_from_db()
    send, arguments, lines = MAILS[kind]

    send(complaint, *arguments)

    mail = OutboundMail.objects.filter(kind=kind).latest("id")
    assert mail.to_address == "carol@example.nl"
    assert mail.language == language
    assert mail.subject.startswith(f"[{complaint.reference}] ")
    expected = lines[0] if language == "nl" else lines[1]
    assert expected in mail.body_text
    assert ("Beste Carol de Vries," if language == "nl" else "Dear Carol de Vries,") in mail.body_text
    assert expected.replace("'", "&#x27;") in mail.body_html
    assert f'<html lang="{language}">' in mail.body_html
    token = ReplyAddress.objects.get(complaint=complaint).token
    assert mail.reply_to == f"reply+{token}@gehoord.localhost"
    assert re.fullmatch(r"[a-z2-7]{24}", token)
    assert mail.message_id.endswith("@gehoord.localhost")
    assert mail.auto_submitted == ("" if kind == "staff_message" else "auto-generated")


def test_the_escalation_acknowledgement(complaint):
    outbound.send_acknowledgement(escalated(complaint), WHEN)

    mail = OutboundMail.objects.get(kind="escalation_acknowledgement")
    assert "volgende niveau" in mail.body_text


def test_the_acknowledgement_carries_the_tracking_link(complaint):
    mail = OutboundMail.objects.get(complaint=complaint, kind="acknowledgement")

    assert "http://127.0.0.1:8000/" in mail.body_text
    assert 'href="http://127.0.0.1:8000/' in mail.body_html


def test_the_message_on_the_wire_has_both_parts_and_all_thread_headers(complaint):
    InboundMail.objects.create(message_id="carol-1@example.nl", raw=b"x", size=1, source="file",
                               received_at=WHEN, complaint=complaint)
    outbound.send_closing(complaint)
    mail = OutboundMail.objects.get(kind="closing")
    acknowledgement = OutboundMail.objects.get(kind="acknowledgement")

    message = build_message(mail).message()

    assert message["Message-ID"] == f"<{mail.message_id}>"
    assert message["In-Reply-To"] == "<carol-1@example.nl>"
    assert message["References"].split() == [f"<{acknowledgement.message_id}>", "<carol-1@example.nl>"]
    assert message["Reply-To"] == mail.reply_to
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["From"] == "Acme <klachten@gehoord.localhost>"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.get_payload()] == ["text/plain", "text/html"]


def test_a_mail_is_recorded_inside_the_transaction_and_sent_only_after_commit(complaint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbound.send_closing(complaint)
        assert OutboundMail.objects.get(kind="closing").state == "queued"
        assert not django_mail.outbox

    assert len(callbacks) == 1
    assert OutboundMail.objects.get(kind="closing").state == "sent"
    [sent] = django_mail.outbox
    assert sent.subject.startswith(f"[{complaint.reference}]")


def test_each_complaint_keeps_one_reply_token(complaint):
    first = outbound.reply_address(complaint)

    assert outbound.reply_address(complaint) == first
    assert ReplyAddress.objects.count() == 1


def test_the_reply_domain_can_be_its_own(complaint, settings):
    settings.GEHOORD_REPLY_DOMAIN = "antwoord.gehoord.example"

    outbound.send_closing(complaint)

    assert OutboundMail.objects.get(kind="closing").reply_to.endswith("@antwoord.gehoord.example")


# -- EMAIL_URL and IMAP_URL -------------------------------------------------------------------


def test_email_url_forms():
    assert parse_email_url("", default_file_path="/tmp/mail").backend.endswith("filebased.EmailBackend")
    assert parse_email_url("console:", default_file_path="x").backend.endswith("console.EmailBackend")
    relay = parse_email_url("smtp://relay.internal", default_file_path="x")
    assert (relay.host, relay.port, relay.use_tls, relay.use_ssl, relay.user) == ("relay.internal", 25, False, False, "")
    submission = parse_email_url("submission://klachten%40acme.nl:p%40ss@smtp.acme.nl?timeout=10", default_file_path="x")
    assert (submission.port, submission.use_tls, submission.user, submission.password, submission.timeout) == (
        587, True, "klachten@acme.nl", "p@ss", 10
    )
    smtps = parse_email_url("smtps://u:p@smtp.acme.nl:2465", default_file_path="x")
    assert (smtps.port, smtps.use_ssl, smtps.use_tls) == (2465, True, False)
    assert parse_email_url("file:///var/mail/out", default_file_path="x").file_path == "/var/mail/out"


@pytest.mark.parametrize("url", [
    "smtp:", "smtpx://host", "smtp://host:notaport", "smtp://host/path", "smtp://host?tls=yes",
    "smtp://host?timeout=0", "console://host", "smtp://:secret@host", "file:relative",
])
def test_a_wrong_email_url_stops_the_start(url):
    with pytest.raises(ConfigurationError):
        parse_email_url(url, default_file_path="x")


def test_imap_url_forms():
    config = parse_imap_url("imaps://klachten%40acme.nl:geheim@imap.acme.nl/Klachten%20in")
    assert (config.host, config.port, config.user, config.password, config.mailbox, config.use_ssl) == (
        "imap.acme.nl", 993, "klachten@acme.nl", "geheim", "Klachten in", True
    )
    plain = parse_imap_url("imap://u:p@127.0.0.1:1143?starttls=false")
    assert (plain.port, plain.use_ssl, plain.starttls, plain.mailbox) == (1143, False, False, "INBOX")
    for wrong in ("", "pop3://u:p@h", "imap://h", "imaps://u:p@h?starttls=true", "imap://u:p@h?x=1"):
        with pytest.raises(ConfigurationError):
            parse_imap_url(wrong)


def test_every_notice_an_action_can_tell_has_its_mail():
    assert set(outbound.SENDERS) == set(notices.Notice)


def test_a_notice_told_without_a_messenger_is_refused_not_dropped(complaint, monkeypatch):
    monkeypatch.setattr(notices, "_messenger", None)

    with pytest.raises(RuntimeError, match="No messenger"):
        notices.tell(complaint, notices.Notice.CLOSING)


# What a visitor types to turn the company's own mail into a phishing page.
HOSTILE = '</p><h1>Actie vereist</h1><a href="https://evil.example/login">Log in</a><img src="https://evil.example/p.gif">'
HOSTILE_PARTS = ("<h1>", '<a href="https://evil.example', "<img")


@pytest.mark.parametrize("kind", [*MAILS, "escalation_acknowledgement"])
def test_every_mail_escapes_what_people_typed_in_its_html_part(complaint, alice, kind):
    Complaint.objects.filter(pk=complaint.pk).update(contact_name=HOSTILE, product=HOSTILE)
    complaint.refresh_from_db()
    hostile = SimpleNamespace(
        body=HOSTILE, text=HOSTILE, refund_amount=Decimal("1.00"), compensation_amount=None,
        actions_taken=HOSTILE, conclusions=HOSTILE, changes=HOSTILE, decision=HOSTILE,
        due_at=WHEN, extension_reason=HOSTILE, get_kind_display=lambda: HOSTILE,
    )
    alice.first_name = HOSTILE
    if kind == "escalation_acknowledgement":
        outbound.send_acknowledgement(escalated(complaint), WHEN)
    else:
        send, arguments, _lines = MAILS[kind]
        send(complaint, *[hostile if isinstance(argument, SimpleNamespace) else argument for argument in arguments])

    mail = OutboundMail.objects.filter(kind=kind).latest("id")
    for part in HOSTILE_PARTS:
        assert part not in mail.body_html, (kind, part)
    assert "&lt;/p&gt;&lt;h1&gt;Actie vereist&lt;/h1&gt;" in mail.body_html
    assert '<a href="' not in mail.body_html or 'href="http://127.0.0.1:8000/' in mail.body_html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_staff_invitation_is_about_no_complaint_and_carries_its_link(acme, ada, language):
    from gehoord.organisations import invitations

    acme.language = language
    acme.save(update_fields=["language"])
    invitation, token = invitations.invite(acme, email="Eve@Example.nl", roles=["agent", "manager"], by=ada)
    link = f"http://127.0.0.1:8000/desk/acme/invitation/{token}/"

    outbound.send_staff_invitation(invitation, link)

    mail = OutboundMail.objects.get(kind="staff_invitation")
    assert (mail.complaint, mail.to_address, mail.language) == (None, "eve@example.nl", language)
    assert "Acme" in mail.subject and "[" not in mail.subject
    assert link in mail.body_text and f'href="{link}"' in mail.body_html
    assert "Ada" in mail.body_text
    assert f'<html lang="{language}">' in mail.body_html
    assert mail.reply_to == "" and mail.in_reply_to == ""
    assert mail.automatic and mail.auto_submitted == "auto-generated"
    message = build_message(mail).message()
    assert message["To"] == "eve@example.nl" and message["Message-ID"] == f"<{mail.message_id}>"


def test_the_staff_invitation_escapes_names_in_its_html_part(acme, ada):
    from gehoord.organisations import invitations

    acme.name = HOSTILE
    acme.save(update_fields=["name"])
    ada.first_name = HOSTILE
    ada.save(update_fields=["first_name"])
    invitation, token = invitations.invite(acme, email="eve@example.nl", roles=["agent"], by=ada)

    outbound.send_staff_invitation(invitation, f"http://127.0.0.1:8000/desk/acme/invitation/{token}/")

    mail = OutboundMail.objects.get(kind="staff_invitation")
    for part in HOSTILE_PARTS:
        assert part not in mail.body_html, part
    assert "&lt;/p&gt;&lt;h1&gt;Actie vereist&lt;/h1&gt;" in mail.body_html


def test_an_invited_address_gets_no_more_than_the_daily_limit(acme, ada, settings):
    from gehoord.organisations import invitations

    settings.GEHOORD_AUTOMATIC_MAILS_PER_DAY = 2
    for _ in range(3):
        invitation, token = invitations.invite(acme, email="eve@example.nl", roles=["agent"], by=ada)
        outbound.send_staff_invitation(invitation, f"http://127.0.0.1:8000/desk/acme/invitation/{token}/")

    states = list(OutboundMail.objects.filter(kind="staff_invitation").order_by("id").values_list("state", flat=True))
    assert states == ["queued", "queued", "suppressed"]
