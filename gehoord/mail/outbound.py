"""Every mail Gehoord sends about a complaint: one function per mail, one template set per mail.

A function renders the mail in the complainant's language and records it in the outbox inside
the caller's transaction; delivery is a task enqueued once that transaction commits.
"""

import secrets

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from gehoord.mail.models import OutboundMail


def send_acknowledgement(complaint, expected_answer_by) -> None:
    template = "escalation_acknowledgement" if complaint.stage > 1 else "acknowledgement"
    _queue(template, complaint, expected_answer_by=expected_answer_by)


def send_information_request(complaint, message) -> None:
    _queue("information_request", complaint, message=message)


def send_staff_message(complaint, message) -> None:
    _queue("staff_message", complaint, message=message, automatic=False)


def send_resolution_proposal(complaint, resolution) -> None:
    _queue("resolution_proposal", complaint, resolution=resolution)


def send_escalation_received(complaint) -> None:
    _queue("escalation_received", complaint)


def send_outcome(complaint, letter) -> None:
    _queue("outcome", complaint, letter=letter)


def send_closing(complaint) -> None:
    _queue("closing", complaint)


def send_progress_update(complaint, new_estimate) -> None:
    """The update a `respond` deadline demands when no answer went out in time (seed 000)."""
    _queue("progress_update", complaint, new_estimate=new_estimate)


def send_deadline_extension(complaint, deadline) -> None:
    """The consumer is told the reason and the new date at once (seeds 002, 003)."""
    _queue("deadline_extension", complaint, deadline=deadline)


def send_deadline_reminder(complaint, deadline, staff) -> None:
    for person in staff:
        _queue("deadline_reminder", complaint, deadline=deadline, to=person.email, language=complaint.organisation.language)


def send_deadline_missed(complaint, deadline, staff) -> None:
    for person in staff:
        _queue("deadline_missed", complaint, deadline=deadline, to=person.email, language=complaint.organisation.language)


def _queue(
    template: str, complaint, automatic: bool = True, to: str = "", language: str = "", **context
) -> OutboundMail | None:
    """Render and record one mail; by default to the complainant, in the complainant's language."""
    to = to or complaint.contact_email
    language = language or complaint.contact_language
    if not to:
        return None
    context.update(complaint=complaint, organisation=complaint.organisation)
    with translation.override(language):
        subject = " ".join(render_to_string(f"mail/{template}/subject.txt", context).split())
        body = render_to_string(f"mail/{template}/body.txt", context)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2]
    mail = OutboundMail.objects.create(
        complaint=complaint,
        kind=template,
        to_address=to,
        language=language,
        subject=f"[{complaint.reference}] {subject}",
        body_text=body,
        message_id=f"{complaint.public_id}.{secrets.token_hex(8)}@{domain}",
        automatic=automatic,
        created_at=timezone.now(),
    )
    from gehoord.mail.tasks import deliver

    transaction.on_commit(lambda: deliver.enqueue(mail.pk))
    return mail
