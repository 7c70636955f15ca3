"""Stored inbound mail once it is read: its content, and how it is settled.

Shared by the inbound pipeline (the door app that receives and matches mail) and the desk's
triage pages (a person decides what an unmatched mail is): both turn a stored mail into a
consumer's message or a new complaint through the complaint actions, and record the outcome on
the row in the same transaction.
"""

import re

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import MAX_FILES_PER_SUBMISSION, CheckedUpload, Upload, check_upload
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Channel, Complaint
from gehoord.errors import DomainError
from gehoord.mail import outbound, recording
from gehoord.mail.models import ForeignTicketTag, InboundMail
from gehoord.mail.parsing import ParsedMail, parse_message
from gehoord.mail.tags import find_foreign_ticket_tags

MAX_FORWARD_DEPTH = 2

State = InboundMail.State
Result = InboundMail.Result

PROCESSED_FIELDS = [
    "state", "result", "attempts", "last_error", "processed_at", "from_address", "from_name", "subject", "sent_at",
    "text_visible", "html_sanitised", "noise", "noise_reason", "malformed", "defects", "refused_attachments",
    "organisation", "complaint", "complaint_message", "matched_by", "triage_reason", "suggested_complaint",
    "suggested_contact_email",
]


def finish(inbound: InboundMail, state: str, result: str = "", **fields) -> None:
    inbound.state = state
    inbound.result = result
    for name, value in fields.items():
        setattr(inbound, name, value)


def remember_foreign_tags(mail: ParsedMail, complaint: Complaint) -> None:
    """Another helpdesk's ticket tag on mail from the company's side: remember it for later mails."""
    domain = mail.from_address.rpartition("@")[2]
    if not domain:
        return
    for tag in find_foreign_ticket_tags(mail.subject):
        ForeignTicketTag.objects.get_or_create(
            tag=tag, sender_domain=domain, complaint=complaint, defaults={"first_seen_at": timezone.now()}
        )


def answerable_id(inbound: InboundMail) -> str:
    return "" if inbound.message_id_synthetic else inbound.message_id


def content(mail: ParsedMail, language: str) -> tuple[str, list[CheckedUpload], list[dict]]:
    """The message text (visible text plus forwarded mails) and the attachments that pass the checks."""
    texts = [mail.text_visible.strip()]
    candidates = []
    _collect(mail, texts, candidates, depth=0)
    body = "\n\n".join(text for text in texts if text).strip()
    uploads: list[CheckedUpload] = []
    refused: list[dict] = []
    for attachment in candidates:
        if len(uploads) >= MAX_FILES_PER_SUBMISSION:
            refused.append({"name": attachment.filename, "reason": "too many files in one mail"})
            continue
        try:
            uploads.append(check_upload(Upload.from_bytes(attachment.filename, attachment.payload)))
        except ValueError as problem:
            refused.append({"name": attachment.filename, "reason": str(problem)})
    if not body and not uploads:
        with translation.override(language):
            body = mail.subject.strip() or _("(The e-mail had no text.)")
    return body, uploads, refused


def _collect(mail: ParsedMail, texts: list[str], candidates: list, depth: int) -> None:
    for attachment in mail.attachments:
        if attachment.is_forwarded_message and depth < MAX_FORWARD_DEPTH:
            inner = parse_message(attachment.payload)
            header = [f"---------- {attachment.filename} ----------"]
            if inner.from_address:
                sender = f"{inner.from_name} <{inner.from_address}>" if inner.from_name else inner.from_address
                header.append(f"From: {sender}")
            if inner.date:
                header.append(f"Date: {inner.date:%Y-%m-%d %H:%M %z}")
            if inner.subject:
                header.append(f"Subject: {inner.subject}")
            texts.append("\n".join(header) + "\n\n" + inner.text_full.strip())
            _collect(inner, texts, candidates, depth + 1)
        elif not attachment.content_type.startswith(("message/", "text/rfc822")):
            candidates.append(attachment)


_ENGLISH = re.compile(r"\b(the|and|my|your|you|is|was|have|not|with|please|order|regards)\b", re.IGNORECASE)
_DUTCH = re.compile(r"\b(de|het|een|en|mijn|uw|je|is|niet|met|graag|bestelling|groet)\b", re.IGNORECASE)


def guess_language(text: str, default: str) -> str:
    """Dutch or English, for the acknowledgement of a complaint that came by mail."""
    english, dutch = len(_ENGLISH.findall(text)), len(_DUTCH.findall(text))
    if english > 1.5 * dutch and english >= 3:
        return "en"
    if dutch > 1.5 * english and dutch >= 3:
        return "nl"
    return default


# -- triage: a person decides -----------------------------------------------------------------


class NotInTriage(DomainError):
    code = "not_in_triage"
    status = 409


def _locked_for_triage(inbound_id: int, organisation) -> InboundMail:
    inbound = (
        InboundMail.objects.select_for_update()
        .filter(pk=inbound_id, organisation=organisation, state=State.TRIAGE)
        .first()
    )
    if inbound is None:
        raise NotInTriage(_("This mail has already been handled."))
    return inbound


def attach_from_triage(inbound_id: int, complaint: Complaint, *, by: Actor) -> InboundMail:
    """Staff put a mail on one of their organisation's complaints: it becomes the consumer's message."""
    with transaction.atomic():
        inbound = _locked_for_triage(inbound_id, complaint.organisation)
        mail = parse_message(bytes(inbound.raw))
        body, uploads, refused = content(mail, complaint.contact_language)
        if mail.from_address != (complaint.contact_email or "").lower():
            remember_foreign_tags(mail, complaint)
        with outbound.answering(answerable_id(inbound)):
            message = actions.add_message(
                complaint, by=Actor.consumer(complaint, via=_("e-mail"), channel=Channel.EMAIL), body=body,
                uploads=uploads,
            )
        recording.record_triage_attached(complaint, inbound, by)
        if refused:
            recording.record_refused_attachments(complaint, inbound, refused)
        finish(inbound, State.DONE, Result.MESSAGE, complaint=complaint, complaint_message=message,
                matched_by="triage", refused_attachments=refused, handled_by=by.user)
        inbound.save(update_fields=[*PROCESSED_FIELDS, "handled_by"])
    return inbound


def open_from_triage(
    inbound_id: int, organisation, *, by: Actor, contact_name: str, contact_email: str, contact_language: str
) -> Complaint:
    """Staff open a new complaint (channel e-mail) from a mail; the consumer gets the acknowledgement."""
    with transaction.atomic():
        inbound = _locked_for_triage(inbound_id, organisation)
        mail = parse_message(bytes(inbound.raw))
        body, uploads, refused = content(mail, contact_language)
        subject = " ".join(mail.subject.split())
        description = f"{subject}\n\n{body}" if subject and not body.startswith(subject) else body
        new = NewComplaint(
            description=description[:20_000],
            contact_name=contact_name,
            contact_email=contact_email,
            contact_language=contact_language,
        )
        with outbound.answering(answerable_id(inbound) if contact_email.lower() == mail.from_address else ""):
            complaint = file_complaint(organisation, new, channel=Channel.EMAIL, by=by, uploads=uploads)
        if refused:
            recording.record_refused_attachments(complaint, inbound, refused)
        finish(inbound, State.DONE, Result.NEW_COMPLAINT, complaint=complaint, matched_by="triage",
                refused_attachments=refused, handled_by=by.user)
        inbound.save(update_fields=[*PROCESSED_FIELDS, "handled_by"])
    return complaint


def dismiss_from_triage(inbound_id: int, organisation, *, by: Actor) -> InboundMail:
    """Not a complaint (spam, a newsletter, a misdirected mail): kept, but off the queue."""
    with transaction.atomic():
        inbound = _locked_for_triage(inbound_id, organisation)
        finish(inbound, State.IGNORED, Result.DISMISSED, handled_by=by.user)
        inbound.save(update_fields=["state", "result", "handled_by"])
    return inbound
