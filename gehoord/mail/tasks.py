from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from gehoord.mail.models import OutboundMail


@task()
def deliver(outbound_id: int) -> str:
    """Send one recorded mail.

    The row is claimed with a conditional UPDATE before the SMTP call, so two workers never both
    send it, and no database transaction stays open while the SMTP server answers.
    """
    claimed = OutboundMail.objects.filter(pk=outbound_id, state=OutboundMail.State.QUEUED).update(
        state=OutboundMail.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "not queued"
    mail = OutboundMail.objects.select_related("complaint__organisation").get(pk=outbound_id)
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body_text,
        from_email=f"{mail.complaint.organisation.name} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[mail.to_address],
        headers={
            "Message-ID": f"<{mail.message_id}>",
            "Auto-Submitted": "auto-generated" if mail.automatic else "no",
        },
    )
    try:
        message.send()
    except Exception as problem:  # SMTP and socket errors alike: kept on the row, and the mail stays queued
        OutboundMail.objects.filter(pk=outbound_id).update(
            state=OutboundMail.State.QUEUED, last_error=f"{type(problem).__name__}: {problem}"
        )
        raise
    OutboundMail.objects.filter(pk=outbound_id).update(state=OutboundMail.State.SENT, sent_at=timezone.now())
    return OutboundMail.State.SENT
