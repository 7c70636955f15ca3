"""Delivery of recorded mail, and processing of stored inbound mail, as tasks.

Delivery: the row is claimed with a conditional UPDATE before the SMTP call, so two workers never
both send it, and no database transaction stays open while the SMTP server answers. The claim is a
lease: a mail still being sent after GEHOORD_MAIL_STUCK_AFTER_SECONDS belonged to a worker that
died, and the sweep (`requeue_due`) hands it on; the outcome is written only while the claim still
holds, so a worker that was taken over cannot overwrite what the next one did.

What this guarantees: every recorded mail reaches the SMTP server at least once. It reaches it twice
only when the worker dies (or loses the database) after the server accepted the message and before
the SENT state was written; both copies carry the same Message-ID. A failure is
classified: permanent ones (5xx, recipients refused) end the mail at once, and a refused
recipient becomes a failing address; transient ones (no connection, timeouts, 4xx) retry with
exponential backoff until GEHOORD_MAIL_MAX_ATTEMPTS, then the mail fails. Every failure of a
mail about a complaint shows on its timeline.
"""

import datetime
import logging
import smtplib
from email.mime.image import MIMEImage
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from gehoord.mail import recording
from gehoord.mail.models import FailingAddress, OutboundMail

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = datetime.timedelta(hours=6)
# What `deliver` returns to a worker whose claim the sweep handed on: the other worker decides.
TAKEN_OVER = "claim handed on"
# A queued mail whose task was lost (process killed between commit and enqueue).
LOST_AFTER = datetime.timedelta(minutes=5)


def max_attempts() -> int:
    return settings.GEHOORD_MAIL_MAX_ATTEMPTS


def stuck_after() -> datetime.timedelta:
    """How long a claim holds. Keep it far above the longest send (every SMTP step may take
    EMAIL_TIMEOUT): the mail of a live worker that is taken over goes out twice."""
    return datetime.timedelta(seconds=settings.GEHOORD_MAIL_STUCK_AFTER_SECONDS)


def retry_delay(attempts: int) -> datetime.timedelta:
    """1×, 2×, 4×, … the base delay after the 1st, 2nd, 3rd, … failed attempt, at most six hours."""
    base = settings.GEHOORD_MAIL_RETRY_BASE_SECONDS
    return min(datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_RETRY_DELAY)


@task()
def deliver(outbound_id: int) -> str:
    """Send one recorded mail, if it is queued and due."""
    now = timezone.now()
    claimed = (
        OutboundMail.objects.filter(pk=outbound_id, state=OutboundMail.State.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(state=OutboundMail.State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "not due"
    mail = OutboundMail.objects.select_related("complaint__organisation").get(pk=outbound_id)
    blocked = FailingAddress.objects.filter(address=mail.to_address).first()
    if blocked is not None:  # it bounced after this mail was queued
        return _fail(mail, f"not sent: {mail.to_address} is failing ({blocked.reason})")
    try:
        build_message(mail).send()
    except Exception as problem:
        return _failed_attempt(mail, problem)
    if not _still_claimed(mail).update(
        state=OutboundMail.State.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    ):
        logger.warning("Mail %s to %s was sent after its claim had been handed on: it may go out twice",
                       mail.pk, mail.to_address)
        return TAKEN_OVER
    return OutboundMail.State.SENT


def _still_claimed(mail: OutboundMail):
    """The mail, as long as the claim this worker made (at `mail.claimed_at`) has not been handed on."""
    return OutboundMail.objects.filter(pk=mail.pk, state=OutboundMail.State.SENDING, claimed_at=mail.claimed_at)


def build_message(mail: OutboundMail) -> EmailMultiAlternatives:
    headers = {"Message-ID": f"<{mail.message_id}>"}
    if mail.in_reply_to:
        headers["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        headers["References"] = " ".join(f"<{message_id}>" for message_id in mail.references.split())
    if mail.auto_submitted:
        headers["Auto-Submitted"] = mail.auto_submitted
        # Exchange and Outlook: no out-of-office or read receipts in answer to a robot.
        headers["X-Auto-Response-Suppress"] = "All"
    complaint = mail.complaint if mail.complaint_id else None
    # An e-mail-only company's complaint: every mail about it is the platform's, not the company's.
    from_company = complaint is not None and not (complaint.platform and not complaint.organisation.connected)
    sender = complaint.organisation.name if from_company else ""
    message = _Message(
        subject=mail.subject,
        body=mail.body_text,
        from_email=formataddr((sender, settings.DEFAULT_FROM_EMAIL)) if sender else settings.DEFAULT_FROM_EMAIL,
        to=[mail.to_address],
        reply_to=[mail.reply_to] if mail.reply_to else None,
        headers=headers,
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    for attachment in mail.attachments.all():
        content = bytes(attachment.content)
        if attachment.content_id:
            image = MIMEImage(content, _subtype=attachment.content_type.partition("/")[2])
            image.add_header("Content-ID", f"<{attachment.content_id}>")
            image.add_header("Content-Disposition", "inline", filename=attachment.filename)
            message.inline.append(image)
        else:
            message.attach(attachment.filename, content, attachment.content_type)
    return message


class _Message(EmailMultiAlternatives):
    """A mail whose HTML may show images of its own (`cid:`): those sit beside the text and HTML in
    a multipart/related part, so clients show them in the HTML and not as files; other files follow."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inline: list[MIMEImage] = []

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline:
            return msg
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
        related.attach(msg)
        for image in self.inline:
            related.attach(image)
        return related


def classify_failure(problem: Exception) -> tuple[bool, bool, str]:
    """(permanent, the address itself is refused, SMTP status) for an exception from sending."""
    if isinstance(problem, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in problem.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return permanent, permanent, str(max(codes)) if codes else ""
    if isinstance(problem, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError):
        # Our own credentials or the relay's greeting: nothing to do with this mail, so retry.
        return False, False, str(problem.smtp_code)
    if isinstance(problem, smtplib.SMTPResponseException):
        return problem.smtp_code >= 500, False, str(problem.smtp_code)
    if isinstance(problem, ValueError | UnicodeError):  # a header Django refuses to write
        return True, False, ""
    return False, False, ""  # no connection, timeouts, a disconnect: try again later


def _describe(problem: Exception) -> str:
    if isinstance(problem, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in problem.recipients.items()
        )
    if isinstance(problem, smtplib.SMTPResponseException):
        error = problem.smtp_error
        return f"{problem.smtp_code} {error.decode('utf-8', 'replace') if isinstance(error, bytes) else error}"
    return f"{type(problem).__name__}: {problem}"


def _failed_attempt(mail: OutboundMail, problem: Exception) -> str:
    permanent, address_refused, status = classify_failure(problem)
    description = _describe(problem)
    if address_refused:
        mark_failing(mail.to_address, reason=description, status=status, outbound=mail)
    if permanent:
        return _fail(mail, description)
    if mail.attempts >= max_attempts():
        return _fail(mail, f"gave up after {mail.attempts} attempts; last: {description}")
    next_attempt = timezone.now() + retry_delay(mail.attempts)
    if not _still_claimed(mail).update(
        state=OutboundMail.State.QUEUED, last_error=description, next_attempt_at=next_attempt
    ):
        return TAKEN_OVER
    logger.warning("Mail %s to %s not sent (attempt %s), retry at %s: %s", mail.pk, mail.to_address,
                   mail.attempts, next_attempt.isoformat(), description)
    backend = deliver.get_backend()
    if backend.supports_defer:
        # On the next whole second: RQ schedules by the second, truncating, and would run the retry
        # a fraction of a second before it is due (then it finds the mail "not due" and ends).
        run_after = next_attempt.replace(microsecond=0) + datetime.timedelta(seconds=bool(next_attempt.microsecond))
        deliver.using(run_after=run_after).enqueue(mail.pk)
    # Otherwise (the inline backend of tests) `requeue_due` picks it up when it is due.
    return "retrying"


def _fail(mail: OutboundMail, reason: str) -> str:
    if not _record_failure(_still_claimed(mail), mail, reason):
        return TAKEN_OVER
    return OutboundMail.State.FAILED


def record_bounce(*, failed_recipients, original_message_id: str, status: str, reason: str, inbound=None) -> None:
    """A permanent bounce came back: the addresses we wrote to fail from now on, and the mail it
    returns failed after all (though the relay had accepted it)."""
    # Only addresses we did write to: a forged bounce must not silence a stranger's address.
    ours = set(OutboundMail.objects.filter(to_address__in=failed_recipients).values_list("to_address", flat=True))
    for address in failed_recipients:
        if address in ours:
            mark_failing(address, reason=reason[:500], status=status, inbound=inbound)
    if original_message_id:
        not_failed = OutboundMail.objects.filter(message_id=original_message_id).exclude(state=OutboundMail.State.FAILED)
        for mail in not_failed.select_related("complaint"):
            _record_failure(not_failed.filter(pk=mail.pk), mail, f"bounced: {status} {reason}"[:2000])


def _record_failure(rows, mail: OutboundMail, reason: str) -> bool:
    """The one way a mail fails for good: `rows` (the mail, if it may still be failed) marked failed,
    logged, and shown on its complaint's timeline. False when `rows` no longer matched."""
    now = timezone.now()
    if not rows.update(state=OutboundMail.State.FAILED, last_error=reason, failed_at=now, next_attempt_at=None):
        return False
    mail.state, mail.last_error, mail.failed_at = OutboundMail.State.FAILED, reason, now
    logger.error("Mail %s (%s) to %s failed: %s", mail.pk, mail.kind, mail.to_address, reason)
    recording.record_delivery_failed(mail)
    return True


def mark_failing(address: str, *, reason: str, status: str = "", outbound=None, inbound=None) -> FailingAddress:
    """Stop sending to `address`: it bounced permanently or the server refused it with a 5xx."""
    address = address.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        failing, created = FailingAddress.objects.select_for_update().get_or_create(
            address=address,
            defaults=dict(reason=reason[:2000], status=status, first_failed_at=now, last_failed_at=now,
                          outbound=outbound, inbound=inbound),
        )
        if not created:
            failing.reason, failing.status, failing.last_failed_at = reason[:2000], status, now
            failing.save(update_fields=["reason", "status", "last_failed_at"])
    return failing


def requeue_due(now: datetime.datetime | None = None) -> int:
    """Enqueue mails whose retry is due, whose task was lost, or whose worker died mid-send.

    Meant for the periodic sweep; safe to run anywhere, any number of times (`deliver` claims).
    """
    now = now or timezone.now()
    OutboundMail.objects.filter(state=OutboundMail.State.SENDING, claimed_at__lt=now - stuck_after()).update(
        state=OutboundMail.State.QUEUED, next_attempt_at=now
    )
    due = list(
        OutboundMail.objects.filter(state=OutboundMail.State.QUEUED)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lt=now - LOST_AFTER))
        .values_list("pk", flat=True)[:500]
    )
    for outbound_id in due:
        deliver.enqueue(outbound_id)
    return len(due)
