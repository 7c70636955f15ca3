"""The platform's own records: its settings, the prepared score-card numbers, legal-aid handovers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gehoord.complaints.models import Complaint
from gehoord.organisations.models import Organisation


class PlatformSettings(models.Model):
    """One row: the score card's weights, period, minimum and smoothing, and the platform's terms.

    SPEC 8 gives the defaults: 50 % resolution, 35 % response rate, 15 % response speed over the
    last 12 months, a complaint without any reply for 30 days counting as unanswered."""

    resolution_weight = models.PositiveSmallIntegerField(_("weight of resolution (%)"), default=50)
    response_weight = models.PositiveSmallIntegerField(_("weight of response rate (%)"), default=35)
    speed_weight = models.PositiveSmallIntegerField(_("weight of response speed (%)"), default=15)
    period_months = models.PositiveSmallIntegerField(
        _("period (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    minimum_complaints = models.PositiveSmallIntegerField(_("minimum number of complaints for a score"), default=5)
    # The platform average counts as this many complaints in a company's score (a Bayesian average).
    smoothing_complaints = models.PositiveSmallIntegerField(_("smoothing (complaints of the platform average)"), default=10)
    unanswered_days = models.PositiveSmallIntegerField(_("days without reply before unanswered"), default=30)
    # Speed scores 1 for a median first reply within the first bound, 0 from the second, linear between.
    speed_full_hours = models.PositiveIntegerField(_("full speed score up to (hours)"), default=24)
    speed_zero_hours = models.PositiveIntegerField(_("no speed score from (hours)"), default=720)
    reminder_days = models.PositiveSmallIntegerField(_("remind the company after (days)"), default=23)
    legal_aid_after_days = models.PositiveSmallIntegerField(_("legal aid possible without reply after (days)"), default=30)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("platform settings")
        verbose_name_plural = _("platform settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolution_weight__lte=100, response_weight__lte=100, speed_weight__lte=100),
                name="platform_weights_percent",
            ),
        ]

    def clean(self):
        if not (self.resolution_weight or self.response_weight or self.speed_weight):
            raise ValidationError(_("Give at least one part of the score a weight."))
        if self.speed_full_hours >= self.speed_zero_hours:
            raise ValidationError(
                {"speed_zero_hours": _("The speed scores nothing from a later time than it scores full marks up to.")}
            )

    @classmethod
    def current(cls) -> "PlatformSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class CompanyScore(models.Model):
    """A company's score card as prepared by the platform (kept on write and by the worker), read
    by its public page and the public API; never aggregated per request."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="score")
    period_start = models.DateField()
    period_end = models.DateField()
    complaints = models.PositiveIntegerField(default=0)
    public_complaints = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    median_reply_hours = models.FloatField(null=True)
    response_rate = models.FloatField(null=True)
    resolution_rate = models.FloatField(null=True)
    speed_score = models.FloatField(null=True)
    # 0–100 after smoothing; None below the minimum number of complaints.
    score = models.FloatField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("score card")
        verbose_name_plural = _("score cards")


class CompanyMonth(models.Model):
    """One company's figures for one calendar month: the score card's chart."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="score_months")
    month = models.DateField()  # the first day of the month
    complaints = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True)

    class Meta:
        ordering = ["organisation", "month"]
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="company_month_once")]


class LegalAidHandover(models.Model):
    """A subscriber's dossier handed to the legal-aid service, and where the advisors are with it."""

    class Reason(models.TextChoices):
        NO_REPLY = "no_reply", _("no reply from the company")
        NOT_RESOLVED = "not_resolved", _("not resolved")

    class State(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="legal_aid")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    question = models.TextField(_("question for legal aid"), blank=True)
    handed_over_at = models.DateTimeField(_("handed over"))
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="legal_aid_dossiers",
        verbose_name=_("legal advisor"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.NEW)

    class Meta:
        ordering = ["-handed_over_at", "-id"]
        indexes = [models.Index(fields=["state", "-handed_over_at"], name="legal_aid_state")]
        verbose_name = _("legal-aid dossier")
        verbose_name_plural = _("legal-aid dossiers")


class Report(models.Model):
    """A company reports a published complaint for review (issue 13); it goes to the moderators."""

    class Reason(models.TextChoices):
        HATE = "hate", _("hate or discrimination")
        THREAT = "threat", _("threat")
        OBSCENITY = "obscenity", _("obscenity")
        DEFAMATION = "defamation", _("defamation")
        PERSONAL_DATA = "personal_data", _("personal data")
        ADVERTISING = "advertising", _("advertising")
        NOT_A_CUSTOMER = "not_a_customer", _("not a genuine customer")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        UPHELD = "upheld", _("upheld")
        DISMISSED = "dismissed", _("dismissed")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    details = models.TextField(_("details"), blank=True)
    reported_at = models.DateTimeField(_("reported"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reported_at", "id"]
        indexes = [models.Index(fields=["state", "reported_at"], name="report_state")]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
