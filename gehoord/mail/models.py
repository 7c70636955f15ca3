import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _

from gehoord.policies.models import DEADLINE_KIND_LABELS


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
        # Never handed to SMTP on purpose: the daily limit of automatic mails to the address.
        SUPPRESSED = "suppressed", _("not sent (daily limit)")

    complaint = models.ForeignKey(
        "complaints.Complaint", null=True, on_delete=models.CASCADE, related_name="outbound_mails"
    )
    kind = models.CharField(max_length=40)
    to_address = models.EmailField()
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, unique=True)
    # The thread as it stood when the mail was recorded: ids without angle brackets.
    in_reply_to = models.CharField(max_length=250, blank=True)
    references = models.TextField(blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    automatic = models.BooleanField(default=True)
    # RFC 3834: "auto-replied" for a mail caused by a mail we received, else "auto-generated".
    auto_submitted = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="outbound_state_created"),
            models.Index(fields=["complaint", "created_at"], name="outbound_complaint_created"),
            models.Index(
                fields=["next_attempt_at"], name="outbound_retry_due", condition=Q(state="queued")
            ),
        ]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mails")

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_address} ({self.state})"


class OutboundAttachment(models.Model):
    """A file sent with an outgoing mail, stored with it in the outbox (the monthly report's PDF);
    one with a `content_id` is shown inside the HTML part (a chart: `<img src="cid:…">`)."""

    mail = models.ForeignKey(OutboundMail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content_id = models.CharField(max_length=100, blank=True)
    content = models.BinaryField()


class ReplyAddress(models.Model):
    """The unguessable token of a complaint's Reply-To address, ``reply+<token>@<reply domain>``.

    One per party of the complaint: the consumer's mails carry one token, an e-mail-only company's
    another, so an answer to either is known to be that party's whoever's client sends it.
    Lower-case only: mail servers and clients change the case of local parts (tags.plus_token).
    """

    class Party(models.TextChoices):
        CONSUMER = "consumer", _("consumer")
        COMPANY = "company", _("company")

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="reply_addresses")
    party = models.CharField(max_length=10, choices=Party, default=Party.CONSUMER)
    token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "party"], name="reply_address_once_per_party")]

    def __str__(self) -> str:
        return self.token


class FailingAddress(models.Model):
    """An address that bounced permanently or was refused with a 5xx: nothing more is sent to it.

    A person's mail from the address clears it again (it works after all).
    """

    address = models.EmailField(unique=True)
    reason = models.TextField()
    status = models.CharField(max_length=20, blank=True)  # the DSN or SMTP status, e.g. 5.1.1 or 550
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    inbound = models.ForeignKey("InboundMail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outbound = models.ForeignKey(OutboundMail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("failing address")
        verbose_name_plural = _("failing addresses")

    def __str__(self) -> str:
        return self.address


class AutomaticMailCount(models.Model):
    """How many automatic mails an address got on one (UTC) day: the loop breaker of SPEC 7.

    Counted with one conditional upsert (see outbound), so concurrent writers cannot pass the limit together.
    """

    address = models.EmailField()
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "day"], name="automatic_mail_count_once")]


class ComplaintsByMailCount(models.Model):
    """How many mails opened a complaint at an organisation in one (UTC) hour: from all senders
    together (a blank domain) and from each sender domain. The loop breaker for robots that
    answer from a new address each time; counted with one conditional upsert per row (inbound.caps).
    """

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    sender_domain = models.CharField(max_length=254, blank=True)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sender_domain", "hour"], name="complaints_by_mail_count_once"
            ),
        ]


class ForeignTicketTag(models.Model):
    """Another helpdesk's ticket tag (``generic:#48213``) seen on mail from the company's side.

    Remembered with the sender's domain, so a later mail that carries only that tag finds the
    complaint again, and a tag of the same shape from another company does not.
    """

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="foreign_tags")
    tag = models.CharField(max_length=120)
    sender_domain = models.CharField(max_length=254)
    first_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "sender_domain", "complaint"], name="foreign_tag_once"),
        ]
        indexes = [models.Index(fields=["tag", "sender_domain"], name="foreign_tag_lookup")]


class InboundMail(models.Model):
    """One received message: the raw bytes as they came, stored before anything else happens.

    Unique on the Message-ID (a synthetic one from the bytes when the sender gave none), so the
    same mail delivered twice, by one door or by two, is stored and handled once.
    """

    class Source(models.TextChoices):
        SMTP = "smtp", "SMTP"
        IMAP = "imap", "IMAP"
        HTTP = "http", "HTTP"
        FILE = "file", _("file")

    class State(models.TextChoices):
        RECEIVED = "received", _("received, not yet processed")
        DONE = "done", _("processed")
        TRIAGE = "triage", _("waiting for triage")
        IGNORED = "ignored", _("noise without a complaint")
        FAILED = "failed", _("processing failed")

    class Result(models.TextChoices):
        NONE = "", "—"
        MESSAGE = "message", _("message on a complaint")
        NEW_COMPLAINT = "new_complaint", _("new complaint")
        AUTO_REPLY = "auto_reply", _("auto-reply recorded")
        BOUNCE = "bounce", _("bounce recorded")
        DISMISSED = "dismissed", _("dismissed")

    message_id = models.CharField(max_length=255, unique=True)
    message_id_synthetic = models.BooleanField(default=False)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source)
    envelope_from = models.CharField(max_length=254, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField()
    # Redeliveries of the same Message-ID that were not stored again.
    duplicates = models.PositiveIntegerField(default=0)

    state = models.CharField(max_length=10, choices=State, default=State.RECEIVED)
    result = models.CharField(max_length=20, choices=Result, default=Result.NONE, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    # What parsing found, kept for the triage pages and the admin (the raw stays the source).
    from_address = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    text_visible = models.TextField(blank=True)
    html_sanitised = models.TextField(blank=True)
    noise = models.CharField(max_length=12, blank=True)
    noise_reason = models.CharField(max_length=300, blank=True)
    malformed = models.BooleanField(default=False)
    defects = models.JSONField(default=list, blank=True)
    refused_attachments = models.JSONField(default=list, blank=True)

    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails"
    )
    complaint_message = models.ForeignKey(
        "complaints.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails"
    )
    matched_by = models.CharField(max_length=20, blank=True)
    # Triage: why no complaint was chosen, the complaint the mail seems to belong to, and the
    # address that seems to be the complainant's when it is not the sender's (Reply-To).
    triage_reason = models.CharField(max_length=300, blank=True)
    suggested_complaint = models.ForeignKey(
        "complaints.Complaint", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_contact_email = models.CharField(max_length=254, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "state", "-received_at"], name="inbound_org_state"),
            models.Index(fields=["complaint", "received_at"], name="inbound_complaint_received"),
            models.Index(fields=["state", "received_at"], name="inbound_state_received"),
        ]
        verbose_name = _("incoming mail")
        verbose_name_plural = _("incoming mails")

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"[:120]


class NotificationKind(models.TextChoices):
    """What a staff member is told about (mail/staff_notifications.py decides who, from the timeline).

    The deadline kinds keep the names their mails had before notifications existed, so the outbox
    and the data generator name them as before.
    """

    NEW_COMPLAINT = "new_complaint", _("A new complaint in my team")
    ASSIGNED = "assigned", _("A complaint assigned to me")
    CONSUMER_ANSWERED = "consumer_answered", _("The consumer answered or added evidence")
    PROPOSAL_REJECTED = "proposal_rejected", _("The consumer rejected a proposal")
    ESCALATION_REQUESTED = "escalation_requested", _("The consumer asked for escalation")
    ESCALATION_ARRIVED = "escalation_arrived", _("An escalation arrived at my stage")
    DEADLINE_REMINDER = "deadline_reminder", _("A deadline of mine is near")
    DEADLINE_MISSED = "deadline_missed", _("A deadline was missed")


_DEADLINE_KINDS = frozenset({NotificationKind.DEADLINE_REMINDER, NotificationKind.DEADLINE_MISSED})
_TITLES = {
    NotificationKind.NEW_COMPLAINT: _("New complaint"),
    NotificationKind.ASSIGNED: _("Assigned to you"),
    NotificationKind.CONSUMER_ANSWERED: _("The consumer answered"),
    NotificationKind.PROPOSAL_REJECTED: _("The consumer rejected the proposal"),
    NotificationKind.ESCALATION_REQUESTED: _("The consumer asked for escalation"),
    NotificationKind.ESCALATION_ARRIVED: _("Escalated to your stage"),
}


class StaffNotificationQuerySet(models.QuerySet):
    def for_recipient(self, user, organisation) -> "StaffNotificationQuerySet":
        """A person's own notifications at one organisation: the only way the desk reads them."""
        return self.filter(recipient=user, organisation=organisation)

    def unread(self) -> "StaffNotificationQuerySet":
        return self.filter(read_at__isnull=True)


class StaffNotification(models.Model):
    """One thing a staff member is told about a complaint: the bell in the desk, and a mail when
    their settings ask for one. Written in the transaction of the event that causes it; holds no
    personal data of its own (the complaint's page shows that, to those allowed to see it)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("complaints.Event", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=NotificationKind)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    mail = models.ForeignKey(OutboundMail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = StaffNotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="staff_notification_once_per_event"),
        ]
        indexes = [
            # The bell: one count of a person's unread notifications on every desk page.
            models.Index(
                fields=["recipient", "organisation"], name="staff_notification_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(fields=["recipient", "organisation", "-created_at", "-id"], name="staff_notification_list"),
        ]
        verbose_name = _("staff notification")
        verbose_name_plural = _("staff notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.complaint_id})"

    def title(self) -> str:
        """What happened, in the current language, without the reference (the bell and the mail add it)."""
        if self.kind == NotificationKind.DEADLINE_REMINDER:
            return gettext("Deadline coming up: %(kind)s") % {"kind": self.deadline_label()}
        if self.kind == NotificationKind.DEADLINE_MISSED:
            return gettext("Deadline missed: %(kind)s") % {"kind": self.deadline_label()}
        return str(_TITLES.get(self.kind, self.kind))

    def deadline_label(self) -> str:
        """A deadline notification's kind of deadline ("resolution"), in the current language."""
        return str(DEADLINE_KIND_LABELS.get(self.event.data.get("deadline_kind"), "")) if self.kind in _DEADLINE_KINDS else ""

    def due_at(self) -> datetime.datetime | None:
        """A deadline notification's due instant."""
        value = self.event.data.get("due_at") if self.kind in _DEADLINE_KINDS else None
        return datetime.datetime.fromisoformat(value) if value else None


class NotificationSettings(models.Model):
    """A staff member's choices: which kinds also come by mail (the bell always shows every kind),
    and the language of those mails. No row: the defaults (mail/staff_notifications.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    # The kinds that come by mail; the others come to the bell only.
    by_mail = models.JSONField(default=list, blank=True)
    # "" for the organisation's language.
    language = models.CharField(max_length=2, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.by_mail)}"
