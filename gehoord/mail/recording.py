"""What mail does to a complaint's timeline: mails not sent, auto-replies and bounces received.

These are facts about the correspondence, not lifecycle actions: they never change a status,
a deadline or anyone's obligations, and they are internal (the consumer does not see them).
"""

from django.db import transaction

from gehoord.complaints import timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind


def record_not_sent(mail) -> None:
    """A mail that was recorded but will not go out (failing address, daily limit)."""
    if mail.complaint_id is None:
        return
    kind = EventKind.MAIL_FAILED if mail.state == "failed" else EventKind.MAIL_SUPPRESSED
    timeline.record(
        mail.complaint, kind, Actor.system(), mail_kind=mail.kind, to=mail.to_address, reason=mail.last_error,
        outbound_id=mail.pk,
    )


def record_delivery_failed(mail) -> None:
    """A permanent SMTP failure, or the last of the retries, for a mail about a complaint."""
    if mail.complaint_id is None:
        return
    with transaction.atomic():
        timeline.record(
            mail.complaint, EventKind.MAIL_FAILED, Actor.system(), mail_kind=mail.kind, to=mail.to_address,
            reason=mail.last_error, attempts=mail.attempts, outbound_id=mail.pk,
        )


def record_noise(complaint, inbound, noise) -> None:
    """An auto-reply or a bounce about the complaint: recorded, never answered, never reopening it."""
    data = dict(inbound_id=inbound.pk, sender=inbound.from_address, subject=inbound.subject, reason=noise.reason)
    if noise.kind == "bounce":
        data.update(failed_recipients=list(noise.failed_recipients), status=noise.status, permanent=noise.permanent)
        timeline.record(complaint, EventKind.BOUNCE_RECEIVED, Actor.system(), **data)
    else:
        data["text"] = inbound.text_visible[:2000]
        timeline.record(complaint, EventKind.AUTO_REPLY_RECEIVED, Actor.system(), **data)


def record_refused_attachments(complaint, inbound, refused: list[dict]) -> None:
    timeline.record(complaint, EventKind.MAIL_ATTACHMENTS_REFUSED, Actor.system(), inbound_id=inbound.pk, files=refused)


def record_triage_attached(complaint, inbound, by) -> None:
    timeline.record(complaint, EventKind.MAIL_ATTACHED_FROM_TRIAGE, by, inbound_id=inbound.pk, subject=inbound.subject)
