from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMail(models.Model):
    """A mail we send, recorded in the same transaction as the change that causes it (the outbox).

    The row exists before any SMTP call, so a crash between commit and sending loses nothing: the
    task (or a later retry) picks the row up again.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    complaint = models.ForeignKey(
        "complaints.Complaint", null=True, on_delete=models.CASCADE, related_name="outbound_mails"
    )
    kind = models.CharField(max_length=40)
    to_address = models.EmailField()
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    message_id = models.CharField(max_length=200, unique=True)
    automatic = models.BooleanField(default=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "created_at"], name="outbound_state_created")]
