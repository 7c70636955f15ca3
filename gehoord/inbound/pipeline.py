"""The one inbound-mail pipeline behind every door (SMTP, IMAP, HTTP, files).

``receive`` stores the raw bytes first, keyed on the Message-ID (the same mail twice is stored
once), and hands the row to processing once that is committed. ``process`` parses, matches
(`matching`) and makes one domain call, all in one transaction with the row locked:

- an auto-reply or a bounce is recorded on its complaint, never answered and never reopening it;
  a permanent bounce marks the address as failing, so nothing more is sent to it;
- the complainant's mail becomes a message on the complaint (`actions.add_message`);
- on a platform complaint of an e-mail-only company, a mail on the company's side (its reply
  token or thread, a ticket tag its helpdesk used, or its registry address) is the company's
  reply (`add_message` as the company: confirmed from the registry address, else waiting);
- a consumer's mail to an organisation's complaint address that matches nothing opens a new
  complaint (`intake.file_complaint`, channel e-mail), which sends the acknowledgement, as long
  as the organisation's hourly caps of complaints by mail allow (`caps`);
- anything else waits in the triage queue for a person: mail for no known organisation, a
  sender who is not the complainant, a sender with several open complaints, a new mail that
  asks for answers at another address than its sender's, a new mail past an hourly cap.

The complainant is always the From address, never Reply-To: anyone can name another person there.

A processing error leaves the row FAILED with the error, to be processed again (`retry`); the
raw bytes are never dropped, whatever the parser makes of them.
"""

import datetime
import hashlib
import logging
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Channel, Complaint
from gehoord.errors import DomainError
from gehoord.inbound import caps, matching
from gehoord.inbound.noise import Noise, NoiseKind, classify
from gehoord.mail import outbound, received, recording, tasks
from gehoord.mail.models import FailingAddress, InboundMail, ReplyAddress
from gehoord.mail.parsing import SYNTHETIC_ID_DOMAIN, ParsedMail, message_id_of, parse_message
from gehoord.mail.received import guess_language
from gehoord.platform import autoscreen

logger = logging.getLogger(__name__)

MAX_PROCESS_ATTEMPTS = 5

State = InboundMail.State
Result = InboundMail.Result

# Why a mail waits in triage: stored in English, shown translated ({% translate %} on the page).
NOT_THE_COMPLAINANT = gettext_noop("the sender is not the complainant")
NO_ORGANISATION = gettext_noop("not sent to the complaint address of a known organisation")
NO_SENDER = gettext_noop("no sender address to answer")
ANSWERS_ELSEWHERE = gettext_noop("the sender asks for answers at another address (Reply-To)")
OUR_OWN_MAIL = gettext_noop("our own mail came back")


def max_bytes() -> int:
    return settings.GEHOORD_MAX_INBOUND_BYTES


@dataclass(frozen=True)
class Received:
    inbound: InboundMail
    duplicate: bool


class TooLarge(ValueError):
    pass


# -- store ------------------------------------------------------------------------------------


def receive(
    raw: bytes,
    *,
    source: str,
    envelope_from: str = "",
    envelope_to: list[str] | tuple[str, ...] = (),
    enqueue: bool = True,
) -> Received:
    """Store one raw message (once per Message-ID) and, after the commit, have it processed.

    With ``enqueue=False`` the caller processes it (``process``) itself.
    """
    raw = bytes(raw)
    if len(raw) > max_bytes():
        raise TooLarge(f"message of {len(raw)} bytes is larger than {max_bytes()}")
    message_id, synthetic = _message_id(raw)
    try:
        # Alone, the INSERT is its own transaction; inside a caller's, a savepoint keeps a
        # duplicate's IntegrityError from breaking it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            inbound = InboundMail.objects.create(
                message_id=message_id,
                message_id_synthetic=synthetic,
                raw=raw,
                size=len(raw),
                source=source,
                envelope_from=(envelope_from or "")[:254],
                envelope_to=[address.strip().lower() for address in envelope_to if address],
                received_at=timezone.now(),
            )
    except IntegrityError:
        InboundMail.objects.filter(message_id=message_id).update(duplicates=F("duplicates") + 1)
        logger.info("Inbound mail %s was delivered again; stored once", message_id)
        return Received(InboundMail.objects.get(message_id=message_id), duplicate=True)
    if enqueue:
        # robust: the row is committed and the sweep hands it on, so a task queue that is down (a broker
        # out of reach) is logged rather than failing a request whose change has already committed.
        transaction.on_commit(lambda: process_inbound.enqueue(inbound.pk), robust=True)
    return Received(inbound, duplicate=False)


def drop_stale_connections() -> None:
    """For long-running doors (SMTP, IMAP): drop database connections that broke or grew old,
    as Django does between requests. Not inside a transaction (a test's, or a caller's)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _message_id(raw: bytes) -> tuple[str, bool]:
    try:
        message_id, synthetic = message_id_of(raw)
    except Exception:  # the parser does not raise; if it ever does, the mail is still kept
        message_id, synthetic = f"{hashlib.sha256(raw).hexdigest()}@{SYNTHETIC_ID_DOMAIN}", True
    if len(message_id) > 255:
        message_id = f"{hashlib.sha256(message_id.encode()).hexdigest()}@long-id.{SYNTHETIC_ID_DOMAIN}"
    return message_id, synthetic


# -- process ----------------------------------------------------------------------------------


@task()
def process_inbound(inbound_id: int) -> str:
    """The task that processes one stored mail (the worker runs it after the door's commit)."""
    return process(inbound_id)


def process(inbound_id: int) -> str:
    """Process one stored mail once; returns its state. Safe to call again (and concurrently)."""
    try:
        with transaction.atomic():
            inbound = (
                InboundMail.objects.select_for_update()
                .filter(pk=inbound_id, state__in=[State.RECEIVED, State.FAILED])
                .first()
            )
            if inbound is None:
                return "already processed"
            _handle(inbound)
            inbound.attempts += 1
            inbound.processed_at = timezone.now()
            inbound.last_error = ""
            inbound.save(update_fields=received.PROCESSED_FIELDS)
            return inbound.state
    except Exception as problem:
        # Rolled back: none of the half-done writes stay. The row is marked unless another
        # worker has processed it meanwhile.
        logger.exception("Inbound mail %s could not be processed", inbound_id)
        InboundMail.objects.filter(pk=inbound_id, state__in=[State.RECEIVED, State.FAILED]).update(
            state=State.FAILED, attempts=F("attempts") + 1, last_error=f"{type(problem).__name__}: {problem}"[:2000]
        )
        return State.FAILED


def retry(*, older_than_seconds: int = 300, limit: int = 500) -> int:
    """Process again what failed, and what was stored but never processed (a lost task)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(
        InboundMail.objects.filter(
            Q(state=State.FAILED, attempts__lt=MAX_PROCESS_ATTEMPTS) | Q(state=State.RECEIVED, received_at__lt=cutoff)
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for inbound_id in ids:
        process(inbound_id)
    return len(ids)


def _handle(inbound: InboundMail) -> None:
    mail = parse_message(bytes(inbound.raw))
    noise = classify(mail)
    recipients = list(dict.fromkeys([*mail.recipients, *inbound.envelope_to]))
    _describe(inbound, mail, noise)

    match = matching.find_complaint(mail, recipients, noise, exclude_inbound=inbound.pk)
    if match.our_own or _from_ourselves(mail.from_address):
        # Our own mail came back (a complaint filed with the desk address as the consumer's).
        received.finish(inbound, State.IGNORED, triage_reason=OUR_OWN_MAIL)
        return

    complaint, organisation = match.complaint, match.organisation
    inbound.organisation = organisation
    inbound.matched_by = match.by

    if noise.is_noise:
        _handle_noise(inbound, mail, noise, complaint)
        return
    if complaint is None and match.ambiguous:
        _to_triage(inbound, match.ambiguous, suggested=match.candidates[0] if match.candidates else None)
        return
    if complaint is not None:
        if _from_complainant(mail, complaint):
            _add_to_complaint(inbound, mail, complaint)
            return
        received.remember_foreign_tags(mail, complaint)
        if _from_the_company(match, mail, complaint):
            _add_company_reply(inbound, mail, complaint)
            return
        _to_triage(inbound, NOT_THE_COMPLAINANT, suggested=complaint)
        return
    if organisation is None:
        _to_triage(inbound, NO_ORGANISATION)
        return
    _open_complaint(inbound, mail, organisation)


def _describe(inbound: InboundMail, mail: ParsedMail, noise: Noise) -> None:
    inbound.from_address = _storable(mail.from_address)[:254]
    inbound.from_name = _storable(mail.from_name)[:200]
    inbound.subject = _storable(mail.subject)[:500]
    inbound.sent_at = mail.date
    inbound.text_visible = _storable(mail.text_visible)
    inbound.html_sanitised = _storable(mail.html_sanitised)
    inbound.noise = noise.kind.value if noise.is_noise else ""
    inbound.noise_reason = _storable(noise.reason)[:300]
    inbound.malformed = mail.malformed
    inbound.defects = [_storable(defect)[:500] for defect in mail.defects[:50]]


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; what a mail says is still in the raw bytes.
    return text.replace("\x00", "\ufffd")


def _to_triage(
    inbound: InboundMail, reason: str, suggested: Complaint | None = None, suggested_contact: str = ""
) -> None:
    received.finish(
        inbound, State.TRIAGE, triage_reason=reason[:300], suggested_complaint=suggested,
        suggested_contact_email=suggested_contact[:254], complaint=None,
    )


def _from_ourselves(address: str) -> bool:
    ours = {settings.DEFAULT_FROM_EMAIL.lower()}
    domain = address.rpartition("@")[2]
    return address in ours or (address.startswith("reply+") and domain == outbound.reply_domain().lower())


def _from_complainant(mail: ParsedMail, complaint: Complaint) -> bool:
    # Only From counts: anyone can put the complainant's address into Reply-To.
    contact = (complaint.contact_email or "").lower()
    return bool(contact) and mail.from_address == contact


def _from_the_company(match: matching.Match, mail: ParsedMail, complaint: Complaint) -> bool:
    """A mail on the company side of a platform complaint of an e-mail-only company: an answer to
    the company's reply token or to its thread, a ticket tag its helpdesk used before, or any
    mail about the complaint from its registry address. Whether it is the company's own word is
    `add_message`'s to decide (by the sender address)."""
    if not complaint.platform or complaint.organisation.connected:
        return False
    registry = (complaint.organisation.complaint_email or "").lower()
    return (
        match.party == ReplyAddress.Party.COMPANY
        or match.by == matching.FOREIGN_TAG
        or (bool(registry) and mail.from_address == registry)
    )


# -- noise ------------------------------------------------------------------------------------


def _handle_noise(inbound: InboundMail, mail: ParsedMail, noise: Noise, complaint: Complaint | None) -> None:
    result = Result.BOUNCE if noise.kind == NoiseKind.BOUNCE else Result.AUTO_REPLY
    if noise.kind == NoiseKind.BOUNCE and noise.permanent:
        tasks.record_bounce(
            failed_recipients=noise.failed_recipients, original_message_id=noise.original_message_id,
            status=noise.status, reason=noise.reason, inbound=inbound,
        )
    if complaint is None:
        received.finish(inbound, State.IGNORED, result)
        return
    if not _from_complainant(mail, complaint):
        received.remember_foreign_tags(mail, complaint)
    received.finish(inbound, State.DONE, result, complaint=complaint)
    recording.record_noise(complaint, inbound, noise)


# -- a person's mail --------------------------------------------------------------------------


def _add_to_complaint(inbound: InboundMail, mail: ParsedMail, complaint: Complaint) -> None:
    body, uploads, refused = received.content(mail, complaint.contact_language)
    # The complainant writes again from this address: it works after all.
    FailingAddress.objects.filter(address=mail.from_address).delete()
    try:
        # No savepoint of our own: an action that refuses has changed nothing (complaints.actions).
        with outbound.answering(received.answerable_id(inbound)):
            message = actions.add_message(
                complaint, by=Actor.consumer(complaint, via=_("e-mail"), channel=Channel.EMAIL), body=body,
                uploads=uploads,
            )
    except DomainError as problem:
        _to_triage(inbound, f"refused: {problem.message}", suggested=complaint)
        return
    received.finish(inbound, State.DONE, Result.MESSAGE, complaint=complaint, complaint_message=message,
            refused_attachments=refused)
    autoscreen.screen_when_committed(complaint)  # a reply on a public platform complaint
    if refused:
        recording.record_refused_attachments(complaint, inbound, refused)


def _add_company_reply(inbound: InboundMail, mail: ParsedMail, complaint: Complaint) -> None:
    organisation = complaint.organisation
    body, uploads, refused = received.content(mail, organisation.language)
    try:
        # Not `answering` this mail: what it causes goes to the consumer, who never saw it.
        message = actions.add_message(
            complaint, by=Actor.company(organisation, via=mail.from_address), body=body, uploads=uploads,
            sender=mail.from_address,
        )
    except DomainError as problem:
        _to_triage(inbound, f"refused: {problem.message}", suggested=complaint)
        return
    received.finish(inbound, State.DONE, Result.MESSAGE, complaint=complaint, complaint_message=message,
            refused_attachments=refused)
    autoscreen.screen_when_committed(complaint)  # a reply on a public platform complaint
    if refused:
        recording.record_refused_attachments(complaint, inbound, refused)


def _open_complaint(inbound: InboundMail, mail: ParsedMail, organisation) -> None:
    # A shop's web form mailing as itself for its customer, or a stranger naming a victim: either
    # way a person confirms who complains before anyone is mailed.
    elsewhere = next((address for address in mail.reply_to if address != mail.from_address), "")
    if elsewhere:
        _to_triage(inbound, ANSWERS_ELSEWHERE, suggested_contact=elsewhere)
        return
    contact = mail.from_address
    # An address without a domain cannot be answered (nor counted against the cap per domain).
    if not contact.rpartition("@")[2] or contact == (organisation.complaint_email or "").lower():
        _to_triage(inbound, NO_SENDER)
        return
    cap_reached = caps.count_new_complaint(organisation, contact)
    if cap_reached:
        _to_triage(inbound, cap_reached)
        return
    language = guess_language(f"{mail.subject}\n{mail.text_visible}", organisation.language)
    body, uploads, refused = received.content(mail, language)
    subject = " ".join(mail.subject.split())
    description = f"{subject}\n\n{body}" if subject and not body.startswith(subject) else body
    name = mail.from_name or contact.partition("@")[0]
    new = NewComplaint(
        description=description[:20_000],
        contact_name=name[:200],
        contact_email=contact,
        contact_language=language,
    )
    try:
        with transaction.atomic(), outbound.answering(received.answerable_id(inbound)):
            complaint = file_complaint(
                organisation, new, channel=Channel.EMAIL, by=Actor.system(), uploads=uploads,
            )
    except DomainError as problem:
        _to_triage(inbound, f"could not open a complaint: {problem.message}")
        return
    received.finish(inbound, State.DONE, Result.NEW_COMPLAINT, complaint=complaint, matched_by="new",
            refused_attachments=refused)
    if refused:
        recording.record_refused_attachments(complaint, inbound, refused)
