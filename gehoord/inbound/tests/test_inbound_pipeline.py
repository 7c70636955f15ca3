"""The inbound pipeline: store the raw mail, match it in SPEC 7's order, make one domain call.

Carol has a complaint at Acme (klachten@acme.example); what she and others mail in must reach
her complaint, open a new one, or wait in Acme's triage queue, and nothing is ever lost.
"""

import io

import pytest
from django.core.management import call_command
from PIL import Image

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.models import Attachment, Complaint, Message, Status
from gehoord.inbound import pipeline
from gehoord.mail import outbound
from gehoord.mail.models import ForeignTicketTag, InboundMail, OutboundMail, ReplyAddress
from gehoord.mail.tests.support import deliver_raw, make_mail

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def acknowledgement_of(complaint) -> OutboundMail:
    return OutboundMail.objects.get(complaint=complaint, kind="acknowledgement")


def token_of(complaint) -> str:
    return ReplyAddress.objects.get(complaint=complaint).token


QUOTED_REPLY = (
    "Het bed is er nog steeds niet.\n\nGroet,\nCarol\n\n"
    "Op ma 5 jan 2026 om 16:02 schreef Acme <klachten@gehoord.localhost>:\n"
    "> Wij hebben uw klacht ontvangen.\n"
)


# -- matching order ---------------------------------------------------------------------------


def test_a_reply_to_our_mail_reaches_the_complaint_by_its_thread_without_the_quoted_history(complaint):
    ack = acknowledgement_of(complaint)

    stored = deliver_raw(make_mail(to="iemand@elders.example", subject="Nieuw onderwerp", body=QUOTED_REPLY,
                                   in_reply_to=ack.message_id))

    assert (stored.state, stored.result, stored.matched_by) == ("done", "message", "thread")
    message = Message.objects.get(complaint=complaint, kind=Message.Kind.CONSUMER)
    assert message.body.startswith("Het bed is er nog steeds niet.")
    assert "Wij hebben uw klacht ontvangen" not in message.body
    assert stored.complaint_message == message
    assert b"Wij hebben uw klacht ontvangen" in bytes(stored.raw)  # the full raw mail is kept


def test_a_reply_by_mail_to_a_web_complaint_is_an_e_mail_message(complaint, client):
    """The message keeps the way it came (e-mail), not the complaint's channel (the web form)."""
    assert complaint.channel == "web"

    deliver_raw(make_mail(body="Per mail: de lattenbodem is ook kapot.", in_reply_to=acknowledgement_of(complaint).message_id))

    message = Message.objects.get(complaint=complaint, kind=Message.Kind.CONSUMER)
    assert message.channel == "email"
    assert message.author_name == "Carol de Vries (e-mail)"


def test_the_reply_to_token_finds_the_complaint_when_subject_and_thread_headers_are_gone(complaint):
    stored = deliver_raw(make_mail(to=f"reply+{token_of(complaint).upper()}@gehoord.localhost",
                                   subject="nog iets", body="Ook de lattenbodem is kapot."))

    assert (stored.complaint, stored.matched_by) == (complaint, "token")
    assert complaint.messages.get().body == "Ook de lattenbodem is kapot."


def test_the_subject_tag_finds_the_complaint_of_a_mail_to_the_desk_address(complaint):
    stored = deliver_raw(make_mail(subject=f"Vraag over [{complaint.reference}]", body="Hoe staat het ervoor?"))

    assert (stored.complaint, stored.matched_by) == (complaint, "subject_tag")


def test_a_sender_with_exactly_one_open_complaint_reaches_it(complaint):
    stored = deliver_raw(make_mail(subject="Over mijn bed", body="Nog steeds niets gehoord."))

    assert (stored.complaint, stored.matched_by) == (complaint, "sender")


def test_a_sender_with_two_open_complaints_waits_in_triage(acme, complaint):
    carol_complaint(acme, description="Ook de stoel is kapot.")

    stored = deliver_raw(make_mail(subject="Over mijn klacht", body="Wanneer hoor ik iets?"))

    assert stored.state == "triage"
    assert "several open complaints" in stored.triage_reason
    assert stored.organisation == acme
    assert not Message.objects.exists()


def test_thread_beats_token_beats_subject_tag(acme, complaint):
    other = carol_complaint(acme, description="Tweede klacht.")
    stored = deliver_raw(make_mail(
        to=f"reply+{token_of(other)}@gehoord.localhost",
        subject=f"Re: [{other.reference}]",
        in_reply_to=acknowledgement_of(complaint).message_id,
    ))

    assert (stored.complaint, stored.matched_by) == (complaint, "thread")


# -- new complaints ---------------------------------------------------------------------------


def test_a_consumers_first_mail_to_the_desk_address_opens_a_complaint_and_is_acknowledged(acme):
    raw = make_mail(
        sender="Dirk Peeters <Dirk@Example.be>",
        subject="Kapotte kast geleverd",
        body="De kast die ik bestelde is met een barst geleverd. Ik wil graag een nieuwe.\n\nDirk",
        message_id="<first-mail-1@example.be>",
        attachments=[("foto.png", "image/png", png_bytes()), ("factuur.pdf", "application/pdf", PDF)],
    )

    stored = deliver_raw(raw)

    complaint = stored.complaint
    assert (stored.state, stored.result, stored.matched_by) == ("done", "new_complaint", "new")
    assert (complaint.organisation, complaint.channel, complaint.category) == (acme, "email", None)
    assert (complaint.contact_email, complaint.contact_name, complaint.contact_language) == (
        "dirk@example.be", "Dirk Peeters", "nl"
    )
    assert complaint.description.startswith("Kapotte kast geleverd\n\nDe kast die ik bestelde")
    assert sorted(a.original_name for a in complaint.attachments.all()) == ["factuur.pdf", "foto.png"]
    ack = acknowledgement_of(complaint)
    assert ack.to_address == "dirk@example.be"
    assert ack.in_reply_to == "first-mail-1@example.be"
    assert ack.auto_submitted == "auto-replied"
    assert ack.subject.startswith(f"[{complaint.reference}] ")


def test_an_english_mail_gets_an_english_complaint(acme):
    stored = deliver_raw(make_mail(sender="mark@example.com", subject="Broken table",
                                   body="The table I ordered arrived broken and nobody answers my calls. Please help."))

    assert stored.complaint.contact_language == "en"


def test_mail_for_no_known_organisation_waits_in_triage_for_the_platform(acme):
    stored = deliver_raw(make_mail(to="info@unknown.example", subject="Hallo"))

    assert (stored.state, stored.organisation) == ("triage", None)
    assert not Complaint.objects.exists()


def test_a_web_form_mail_waits_in_triage_with_the_reply_to_address_suggested(acme):
    """A shop's form mails as itself for its customer: a person confirms who complains before anyone is mailed."""
    stored = deliver_raw(make_mail(sender="formulier@acme.example", headers={"Reply-To": "Wim <wim@example.nl>"},
                                   subject="Klachtformulier", body="Monteur is niet verschenen."))

    assert (stored.state, stored.organisation, stored.suggested_contact_email) == ("triage", acme, "wim@example.nl")
    assert stored.triage_reason == "the sender asks for answers at another address (Reply-To)"
    assert not Complaint.objects.exists()
    assert not OutboundMail.objects.exists()


def test_nobody_opens_a_complaint_in_someone_elses_name_by_reply_to(acme):
    stored = deliver_raw(make_mail(sender="Mallory <mallory@elders.example>", subject="Uw bestelling",
                                   headers={"Reply-To": "Victor <victor@example.nl>"},
                                   body="</p><h1>Actie vereist</h1><a href='https://elders.example/'>Log in</a>"))

    assert (stored.state, stored.suggested_contact_email) == ("triage", "victor@example.nl")
    assert not Complaint.objects.exists()
    assert not OutboundMail.objects.exists()  # neither the victim nor the sender is mailed


def test_a_mailed_complaint_is_the_senders_when_reply_to_names_the_sender_too(acme):
    stored = deliver_raw(make_mail(sender="Wim Jansen <wim@example.nl>", headers={"Reply-To": "W. Jansen <Wim@Example.NL>"},
                                   subject="Monteur", body="De monteur is niet verschenen."))

    complaint = stored.complaint
    assert (complaint.contact_email, complaint.contact_name) == ("wim@example.nl", "Wim Jansen")
    assert OutboundMail.objects.get().to_address == "wim@example.nl"


def test_the_complainants_mail_asking_for_answers_elsewhere_is_still_answered_at_her_address(complaint, as_alice):
    stored = deliver_raw(make_mail(subject=f"[{complaint.reference}] Vraag", body="Wanneer komt de monteur?",
                                   headers={"Reply-To": "iemand@elders.example"}))
    actions.add_message(complaint, by=as_alice, body="Dinsdag tussen 9 en 12.")

    assert (stored.result, stored.complaint) == ("message", complaint)
    assert set(OutboundMail.objects.values_list("to_address", flat=True)) == {"carol@example.nl"}


# -- once and only once -----------------------------------------------------------------------


def test_the_same_message_id_twice_is_stored_and_handled_once(complaint):
    raw = make_mail(subject=f"[{complaint.reference}]", body="Eén keer graag.", message_id="<once@example.nl>")

    first = deliver_raw(raw)
    again = pipeline.receive(raw, source="imap")

    assert again.duplicate and again.inbound.pk == first.pk
    assert InboundMail.objects.count() == 1
    assert InboundMail.objects.get().duplicates == 1
    assert complaint.messages.count() == 1


def test_a_failure_halfway_leaves_nothing_behind_and_the_mail_can_be_processed_again(complaint, monkeypatch):
    real = actions.add_message

    def crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(actions, "add_message", crash)
    stored = deliver_raw(make_mail(subject=f"[{complaint.reference}]", body="Tweede poging."))

    assert (stored.state, stored.attempts) == ("failed", 1)
    assert "the database went away" in stored.last_error
    assert not complaint.messages.exists()  # the half-done message was rolled back

    monkeypatch.setattr(actions, "add_message", real)
    assert pipeline.retry(older_than_seconds=0) == 1
    stored.refresh_from_db()
    assert (stored.state, stored.attempts) == ("done", 2)
    assert complaint.messages.get().body == "Tweede poging."


def test_a_malformed_mail_is_kept_and_flagged(acme):
    raw = (b"From: Carol <carol@example.nl>\r\nTo: klachten@acme.example\r\nSubject: kapot\r\n"
           b"Message-ID: <broken@example.nl>\r\nContent-Type: multipart/mixed\r\n\r\n"
           b"De tekst van een kapotte mail.\r\n")

    stored = deliver_raw(raw)

    assert stored.malformed
    assert stored.defects
    assert "De tekst van een kapotte mail." in stored.complaint.description
    assert bytes(stored.raw) == raw


def test_bytes_that_are_no_mail_at_all_are_still_kept(acme):
    stored = deliver_raw(b"\x00\x01 not a mail \xff")

    assert stored.message_id_synthetic
    assert stored.state == "triage"
    assert bytes(stored.raw) == b"\x00\x01 not a mail \xff"


# -- what a reply does to the complaint -------------------------------------------------------


def test_a_reply_while_information_is_awaited_answers_the_request(complaint, as_alice):
    actions.ask_info(complaint, by=as_alice, question="Welke maat heeft het bed?")
    question = OutboundMail.objects.get(complaint=complaint, kind="information_request")

    deliver_raw(make_mail(subject="Re: maat", body="180 bij 200.", in_reply_to=question.message_id))

    complaint.refresh_from_db()
    assert complaint.status != Status.AWAITING_CONSUMER
    assert complaint.events.filter(kind="information_received").exists()


def test_a_reply_to_a_closed_complaint_is_stored_without_reopening_it(complaint, as_alice):
    actions.start(complaint, by=as_alice)
    actions.close(complaint, by=as_alice, letter=actions.LetterInput("Gekeken.", "Geen fout.", "Afgewezen."))

    stored = deliver_raw(make_mail(to=f"reply+{token_of(complaint)}@gehoord.localhost", body="Daar ben ik het niet mee eens."))

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert stored.complaint_message.body == "Daar ben ik het niet mee eens."


def test_attachments_are_checked_like_uploads_and_refusals_are_recorded(complaint):
    stored = deliver_raw(make_mail(
        subject=f"[{complaint.reference}] foto's",
        body="Zie bijlagen.",
        attachments=[
            ("schade.png", "image/png", png_bytes()),
            ("bon.pdf", "application/pdf", PDF),
            ("virus.exe", "application/octet-stream", b"MZ\x90\x00" + b"\x00" * 100),
        ],
    ))

    assert sorted(a.original_name for a in stored.complaint_message.attachments.all()) == ["bon.pdf", "schade.png"]
    assert [item["name"] for item in stored.refused_attachments] == ["virus.exe"]
    event = complaint.events.get(kind="mail_attachments_refused")
    assert event.data["files"][0]["name"] == "virus.exe"
    assert not event.consumer_visible


def test_a_forwarded_mail_brings_its_text_and_its_attachments(complaint):
    forwarded = make_mail(sender="Bezorging <noreply@vervoerder.example>", to="carol@example.nl",
                          subject="Uw bezorgafspraak is geannuleerd", body="Wij komen niet op 12 januari.",
                          attachments=[("afspraak.pdf", "application/pdf", PDF)])
    stored = deliver_raw(make_mail(subject=f"Fwd: [{complaint.reference}]", body="Kijk wat ik kreeg.",
                                   attachments=[("afspraak.eml", "message/rfc822", forwarded)]))

    body = stored.complaint_message.body
    assert body.startswith("Kijk wat ik kreeg.")
    assert "Subject: Uw bezorgafspraak is geannuleerd" in body
    assert "Wij komen niet op 12 januari." in body
    assert [a.original_name for a in Attachment.objects.filter(message=stored.complaint_message)] == ["afspraak.pdf"]


# -- other senders ----------------------------------------------------------------------------


def test_mail_from_someone_else_on_the_thread_waits_in_triage_with_the_complaint_suggested(complaint):
    stored = deliver_raw(make_mail(sender="Zendesk <support@acme.zendesk.example>",
                                   to=f"reply+{token_of(complaint)}@gehoord.localhost",
                                   subject="[#48213] Re: Uw klacht", body="Wij vervangen het bed."))

    assert (stored.state, stored.suggested_complaint) == ("triage", complaint)
    assert "not the complainant" in stored.triage_reason
    assert not complaint.messages.exists()
    tag = ForeignTicketTag.objects.get()
    assert (tag.tag, tag.sender_domain, tag.complaint) == ("generic:#48213", "acme.zendesk.example", complaint)


@pytest.mark.parametrize("matched_by", ["subject_tag", "token", "thread"])
def test_a_stranger_who_names_the_complainant_in_reply_to_is_not_the_complainant(complaint, matched_by):
    """Only the From address counts: anyone can write Carol's address into Reply-To."""
    to, subject, in_reply_to = "klachten@acme.example", "Wijziging", ""
    if matched_by == "subject_tag":
        subject = f"[{complaint.reference}] Wijziging"
    elif matched_by == "token":
        to = f"reply+{token_of(complaint)}@gehoord.localhost"
    else:
        in_reply_to = acknowledgement_of(complaint).message_id

    stored = deliver_raw(make_mail(sender="Mallory <mallory@elders.example>", to=to, subject=subject,
                                   in_reply_to=in_reply_to, headers={"Reply-To": "Carol <carol@example.nl>"},
                                   body="Ik trek mijn klacht in; stuur het geld naar NL00BANK0123456789."))

    assert (stored.state, stored.matched_by, stored.suggested_complaint) == ("triage", matched_by, complaint)
    assert stored.triage_reason == "the sender is not the complainant"
    assert not complaint.messages.exists()


def test_a_remembered_foreign_ticket_tag_finds_the_complaint_when_nothing_else_does(complaint):
    deliver_raw(make_mail(sender="support@acme.zendesk.example", to=f"reply+{token_of(complaint)}@gehoord.localhost",
                          subject="[#48213] Re: Uw klacht", body="Wij vervangen het bed."))

    later = deliver_raw(make_mail(sender="support@acme.zendesk.example", to="klachten@acme.example",
                                  subject="Request #48213: bezorging ingepland", body="Donderdag."))

    assert (later.matched_by, later.suggested_complaint) == ("foreign_tag", complaint)


def test_the_same_ticket_number_from_another_company_does_not_match(complaint):
    deliver_raw(make_mail(sender="support@acme.zendesk.example", to=f"reply+{token_of(complaint)}@gehoord.localhost",
                          subject="[#48213] Re: Uw klacht", body="Wij vervangen het bed."))

    stranger = deliver_raw(make_mail(sender="help@elders.example", to="klachten@acme.example",
                                     subject="[#48213] iets anders", body="Hallo."))

    assert stranger.matched_by != "foreign_tag"


def test_our_own_mail_coming_back_is_ignored(complaint):
    ack = acknowledgement_of(complaint)
    raw = make_mail(sender="Acme <klachten@gehoord.localhost>", to="klachten@acme.example",
                    subject=ack.subject, body=ack.body_text, message_id=f"<{ack.message_id}>")

    stored = deliver_raw(raw)

    assert stored.state == "ignored"
    assert not complaint.messages.exists()
    assert Complaint.objects.count() == 1


def test_our_own_mail_is_known_by_its_message_id_whoever_sends_it_on(complaint):
    ack = acknowledgement_of(complaint)
    raw = make_mail(sender="Doorsturing <relay@lijst.example>", to="klachten@acme.example",
                    subject=ack.subject, body=ack.body_text, message_id=f"<{ack.message_id}>")

    stored = deliver_raw(raw)

    assert (stored.state, stored.triage_reason, stored.complaint) == ("ignored", "our own mail came back", None)
    assert not complaint.messages.exists()


# -- the ingest-mail command ------------------------------------------------------------------


def test_ingest_mail_reads_eml_files_and_maildirs_and_reports_a_missing_path(acme, tmp_path, capsys):
    (tmp_path / "one.eml").write_bytes(make_mail(sender="a@example.nl", subject="Kapotte lamp", body="De lamp is kapot."))
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(make_mail(sender="b@example.nl", subject="Lekkende kraan", body="Lekt."))

    call_command("ingest-mail", str(tmp_path / "one.eml"), str(maildir), str(tmp_path / "missing.eml"))

    out, err = capsys.readouterr()
    assert "2 done" in out and "1 unreadable" in out
    assert "missing.eml" in err
    assert set(Complaint.objects.values_list("contact_email", flat=True)) == {"a@example.nl", "b@example.nl"}


def test_answering_threads_queued_mail_onto_the_inbound_mail(complaint):
    with outbound.answering("their-mail@example.nl"):
        outbound.send_closing(complaint)

    mail = OutboundMail.objects.get(kind="closing")
    assert mail.in_reply_to == "their-mail@example.nl"
    assert mail.auto_submitted == "auto-replied"
    assert mail.references.split()[-1] == "their-mail@example.nl"
