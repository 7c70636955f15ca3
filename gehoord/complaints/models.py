import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gehoord.complaints.events import EventKind
from gehoord.organisations.models import Category, Language, Organisation, Role, Team


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    INVESTIGATING = "investigating", _("investigating")
    AWAITING_CONSUMER = "awaiting_consumer", _("awaiting consumer")
    RESOLUTION_PROPOSED = "resolution_proposed", _("resolution proposed")
    RESOLVED = "resolved", _("resolved")
    ESCALATED = "escalated", _("escalated")
    CLOSED = "closed", _("closed")
    REFERRED = "referred", _("referred")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.ACKNOWLEDGED,
        Status.INVESTIGATING,
        Status.AWAITING_CONSUMER,
        Status.RESOLUTION_PROPOSED,
        Status.ESCALATED,
    }
)


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    LETTER = "letter", _("letter")
    API = "api", _("API")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("private")
    PUBLIC = "public", _("public")


class Stage(models.IntegerChoices):
    FIRST_LINE = 1, _("first line")
    MANAGER = 2, _("internal escalation")
    BOARD = 3, _("board")
    EXTERNAL = 4, _("external")


class Outcome(models.TextChoices):
    """How the complaint ended, as far as the consumer's claim is concerned."""

    ACCEPTED = "accepted", _("resolution accepted")
    UPHELD = "upheld", _("upheld")
    PARTIALLY_UPHELD = "partially_upheld", _("partially upheld")
    NOT_UPHELD = "not_upheld", _("not upheld")
    # A platform complaint the company never answered within the platform's term (SPEC 8).
    UNANSWERED = "unanswered", _("unanswered by the company")


IN_FAVOUR_OUTCOMES = frozenset({Outcome.ACCEPTED, Outcome.UPHELD})


class Publication(models.TextChoices):
    """Whether a complaint (or a reply) shows on the public platform: a state beside its status."""

    PRIVATE = "private", _("private")
    PENDING = "pending", _("waiting for screening")
    PUBLISHED = "published", _("published")
    WITHHELD = "withheld", _("withheld")


class ComplaintQuerySet(models.QuerySet):
    def public(self) -> "ComplaintQuerySet":
        """The one way public pages and the public API read complaints: published ones only."""
        return self.filter(publication=Publication.PUBLISHED)


    def of_organisation(self, organisation: Organisation) -> "ComplaintQuerySet":
        return self.filter(organisation=organisation)

    def visible_to(self, user) -> "ComplaintQuerySet":
        """Complaints of the organisations where the user holds a staff role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user).distinct()

    def for_consumer(self, reference: str, email: str) -> "ComplaintQuerySet":
        """The tracking credential: the reference together with the complainant's address."""
        return self.filter(reference__iexact=reference.strip(), contact_email__iexact=email.strip())

    def open(self) -> "ComplaintQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def most_urgent_first(self) -> "ComplaintQuerySet":
        """The nearest running deadline first, complaints without one last, the oldest first."""
        return self.order_by(models.F("next_deadline_at").asc(nulls_last=True), "received_at", "id")

    def newest_first(self) -> "ComplaintQuerySet":
        return self.order_by("-received_at", "-id")


class Complaint(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="complaints")
    # Always ours and globally unique; the reference the consumer sees is the same unless the
    # organisation's policy uses the order number as the reference.
    public_id = models.CharField(_("internal id"), max_length=16, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=64, editable=False)
    # Where the order number is the reference (guessable, often sequential), following the complaint
    # also takes this code from the confirmation: random, like our own references (complaints/references.py).
    tracking_code = models.CharField(_("tracking code"), max_length=12, blank=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("category")
    )
    description = models.TextField(_("description"))
    field_values = models.JSONField(_("category fields"), default=dict, blank=True)
    order_number = models.CharField(_("order number"), max_length=64, blank=True)
    product = models.CharField(_("product"), max_length=200, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    desired_solution = models.TextField(_("desired solution"), blank=True)

    contact_name = models.CharField(_("name"), max_length=200)
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    contact_phone = models.CharField(_("phone number"), max_length=40, blank=True)
    contact_language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.DUTCH)

    # The policy version in force at receipt: changing a policy never moves existing deadlines.
    policy = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("policy")
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility, default=Visibility.PRIVATE)
    # Filed on the public platform (seed 004): its score card counts it, its moderators screen it.
    platform = models.BooleanField(_("filed on the platform"), default=False)
    publication = models.CharField(_("publication"), max_length=10, choices=Publication, default=Publication.PRIVATE)
    withheld_reason = models.CharField(_("reason withheld"), max_length=200, blank=True)
    # The automatic screening's finding (score, reasons) once it has read the text; None before.
    screening = models.JSONField(_("screening"), null=True, blank=True)
    # When the person's data was anonymised (erasure on request, or the policy's retention period).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # The consumer's platform account, when they filed while logged in (the reference and address
    # still open it as ever).
    consumer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints_filed",
        verbose_name=_("consumer account"),
    )
    # When the company first answered (a message to the consumer or a proposal): the score card's
    # response rate and speed read it.
    first_reply_at = models.DateTimeField(_("first company reply"), null=True, blank=True)
    # When the platform mailed the complaint to an e-mail-only company (after screening, or at once
    # when private); None while that is still to do.
    company_notified_at = models.DateTimeField(_("sent to the company"), null=True, blank=True)
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage, default=Stage.FIRST_LINE)
    status = models.CharField(_("status"), max_length=24, choices=Status, default=Status.RECEIVED)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints", verbose_name=_("team")
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_complaints",
        verbose_name=_("handler"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    received_at = models.DateTimeField(_("received"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    escalation_requested_at = models.DateTimeField(_("escalation requested"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The nearest due instant of the complaint's running deadlines (kept by policies.deadlines),
    # so the queue sorts by urgency with an index instead of a subquery per row.
    next_deadline_at = models.DateTimeField(_("next deadline"), null=True, blank=True)

    feedback_resolved = models.BooleanField(_("resolved according to the consumer"), null=True, blank=True)
    feedback_satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    feedback_comment = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="reference_unique_per_org"),
            models.CheckConstraint(
                condition=Q(feedback_satisfaction__isnull=True)
                | Q(feedback_satisfaction__gte=1, feedback_satisfaction__lte=5),
                name="satisfaction_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-received_at", "-id"], name="complaint_org_received"),
            # A status's complaints newest first (the lists), and the counts per status from the index alone.
            models.Index(fields=["organisation", "status", "-received_at", "-id"], name="complaint_org_status_received"),
            models.Index(fields=["organisation", "order_number"], name="complaint_org_order"),
            models.Index(fields=["handler", "status"], name="complaint_handler_status"),
            models.Index(fields=["organisation", "next_deadline_at"], name="complaint_org_next_deadline"),
            models.Index(fields=["organisation", "publication", "-received_at"], name="complaint_org_published"),
            models.Index(fields=["consumer", "-received_at"], name="complaint_consumer"),
            # The screening queue and the public lists of the platform.
            models.Index(fields=["publication", "-received_at"], name="complaint_publication"),
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def resolved_in_favour(self) -> bool:
        return self.outcome in IN_FAVOUR_OUTCOMES


class Resolution(models.Model):
    """A proposed resolution (SPEC 6); the consumer accepts or rejects it."""

    class Kind(models.TextChoices):
        REPAIR = "repair", _("repair")
        REPLACEMENT = "replacement", _("replacement")
        REFUND = "refund", _("refund")
        COMPENSATION = "compensation", _("credit or compensation")
        APOLOGY = "apology", _("apology")
        EXPLANATION = "explanation", _("explanation")
        NO_ACTION = "no_action", _("no action")

    class Response(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="resolutions")
    stage = models.PositiveSmallIntegerField(choices=Stage)
    kinds = models.JSONField(_("types"))
    refund_amount = models.DecimalField(_("refund"), max_digits=10, decimal_places=2, null=True, blank=True)
    compensation_amount = models.DecimalField(
        _("compensation"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    text = models.TextField(_("text"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField()
    response = models.CharField(max_length=10, choices=Response, blank=True)
    response_comment = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]


class OutcomeLetter(models.Model):
    """The written explanation of seeds 001 and 003: what was done, concluded, changed and decided."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="outcome_letters")
    stage = models.PositiveSmallIntegerField(choices=Stage)
    actions_taken = models.TextField(_("actions taken to investigate"))
    conclusions = models.TextField(_("conclusions"))
    changes = models.TextField(_("actions taken or process changes"), blank=True)
    decision = models.TextField(_("decision"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at", "id"]


class Message(models.Model):
    class Kind(models.TextChoices):
        CONSUMER = "consumer", _("from the consumer")
        STAFF = "staff", _("to the consumer")
        NOTE = "note", _("internal note")
        # An e-mail-only company's reply (by mail or from its dashboard): a correspondent of its own.
        COMPANY = "company", _("from the company")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind)
    channel = models.CharField(max_length=10, choices=Channel)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField()
    publication = models.CharField(max_length=10, choices=Publication, default=Publication.PRIVATE)
    withheld_reason = models.CharField(max_length=200, blank=True)
    screening = models.JSONField(null=True, blank=True)
    # A company reply by mail: the address it came from. One from an address other than the
    # registry's waits unconfirmed (not forwarded, not published, not counted) until the consumer
    # or a moderator confirms it belongs to the company.
    sender_email = models.EmailField(blank=True)
    sender_confirmed = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="message_complaint_created")]


def attachment_path(attachment: "Attachment", filename: str) -> str:
    # A random name: the original is kept in a column, never trusted as a path.
    return f"complaints/{attachment.complaint.public_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    field_key = models.CharField(max_length=60, blank=True)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]


class ActorKind(models.TextChoices):
    CONSUMER = "consumer", _("consumer")
    STAFF = "staff", _("staff")
    API = "api", _("API")
    SYSTEM = "system", _("system")
    # An e-mail-only company answering by mail (or from its dashboard), not a member of its staff.
    COMPANY = "company", _("company")
    MODERATOR = "moderator", _("moderator")


class Event(models.Model):
    """One immutable entry of a complaint's timeline: the register's "actions taken" and its audit trail."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=EventKind)
    created_at = models.DateTimeField()
    actor_kind = models.CharField(max_length=10, choices=ActorKind)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200)
    consumer_visible = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at", "id"], name="event_complaint_created")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Timeline events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Timeline events are immutable")


STAFF_ROLES_BY_STAGE = {
    Stage.FIRST_LINE: frozenset({Role.AGENT, Role.MANAGER}),
    Stage.MANAGER: frozenset({Role.MANAGER}),
    Stage.BOARD: frozenset({Role.BOARD}),
}
