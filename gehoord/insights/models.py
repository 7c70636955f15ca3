"""What the register and the reports read: prepared numbers, saved views and recurring problems (SPEC 9)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gehoord.complaints.models import Complaint
from gehoord.organisations.models import Organisation, Team


class ComplaintEmbedding(models.Model):
    """A complaint's description as a sentence vector (insights/embeddings.py), computed once.

    Stored as float16 bytes (1 kB for 512 dimensions): half of float32, and the cosines that the
    clustering compares differ by less than 0.001.
    """

    complaint = models.OneToOneField(Complaint, primary_key=True, on_delete=models.CASCADE, related_name="embedding")
    # Which encoder made it, so a new model can embed the old complaints again.
    encoder = models.CharField(max_length=40)
    vector = models.BinaryField()


class ProblemScan(models.Model):
    """When an organisation's recurring problems are next looked for: a timer the sweepers claim."""

    organisation = models.OneToOneField(Organisation, primary_key=True, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(db_index=True)
    scanned_at = models.DateTimeField(null=True, blank=True)


class ProblemKind(models.TextChoices):
    PRODUCT = "product", _("same product")
    MODEL = "model", _("same model")
    SERIAL_RANGE = "serial_range", _("serial-number range")
    CATEGORY = "category", _("same category")
    SIMILAR_TEXT = "similar_text", _("similar descriptions")


class AlertState(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


class ProblemAlertQuerySet(models.QuerySet):
    def of_organisation(self, organisation: Organisation) -> "ProblemAlertQuerySet":
        return self.filter(organisation=organisation)

    def unresolved(self) -> "ProblemAlertQuerySet":
        return self.exclude(state=AlertState.RESOLVED)

    def for_page(self) -> "ProblemAlertQuerySet":
        """Open first, then acknowledged, then resolved; the latest rise first within each."""
        order = models.Case(
            models.When(state=AlertState.OPEN, then=0), models.When(state=AlertState.ACKNOWLEDGED, then=1), default=2
        )
        return self.order_by(order, "-last_fired_at", "-id")


class ProblemAlert(models.Model):
    """A group of complaints that rose against its own baseline (insights/problems.py).

    The numbers are those of the latest detection in which the group fired; the sentence that says
    why is rendered from them in the reader's language. While unresolved, each detection that finds
    the group again updates this row instead of adding one.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="problem_alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=ProblemKind)
    # What the complaints share: a folded product name, "field key=value", a serial prefix, a category
    # id; for similar texts the internal id of the complaint the group was first found around.
    key = models.CharField(max_length=255)
    # How the page names the group: the product, "Model: SW-5000 TL", "SW50-2304-00…", the category,
    # or for similar texts the opening words of the most typical description.
    label = models.CharField(_("group"), max_length=255)
    state = models.CharField(_("state"), max_length=20, choices=AlertState, default=AlertState.OPEN)
    # Whether the latest detection still found the rise.
    rising = models.BooleanField(default=True)
    first_fired_at = models.DateTimeField()
    last_fired_at = models.DateTimeField()
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    window_days = models.PositiveSmallIntegerField()
    baseline_days = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()
    expected = models.FloatField()
    baseline_count = models.FloatField()
    baseline_total = models.PositiveIntegerField()
    recent_total = models.PositiveIntegerField()
    p_value = models.FloatField()
    # The mean vector of a similar-text group (float16 bytes), to recognise it in the next detection.
    centroid = models.BinaryField(null=True, blank=True)
    complaints = models.ManyToManyField(Complaint, related_name="problem_alerts")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)

    objects = ProblemAlertQuerySet.as_manager()

    class Meta:
        constraints = [
            # One unresolved alert per group: a detection run twice updates it (several sweepers too).
            models.UniqueConstraint(
                fields=["organisation", "kind", "key"], condition=~Q(state="resolved"), name="one_unresolved_alert_per_group"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "state", "-last_fired_at"], name="alert_org_state")]
        verbose_name = _("recurring problem")
        verbose_name_plural = _("recurring problems")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class Watermark(models.Model):
    """How far a summary has read the timeline: the last event id it took in (insights/daily.py).

    One row per summary; a summariser locks it for the whole of its batch, so a second one waits."""

    name = models.CharField(max_length=40, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    summarised_at = models.DateTimeField(null=True, blank=True)


class ComplaintContribution(models.Model):
    """What one complaint adds to the daily figures, as last summarised: the summariser takes it
    away and adds the new one, so summarising a complaint again (or late) never counts it twice."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # {"organisation": id, "platform": bool, "rows": [[day, metric, dimension, key, count, amount], ...]}
    rows = models.JSONField(default=dict)


class DailyFigure(models.Model):
    """One number of one organisation's day (in its time zone): complaints received by channel,
    deadlines met per kind and stage, acknowledgement times in one histogram bucket, money refunded…
    The report pages add these up over a period; they never read the complaints themselves."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # Complaints filed on the public platform: the moderators' report of a company reads only these.
    platform = models.BooleanField(default=False)
    metric = models.CharField(max_length=30)
    dimension = models.CharField(max_length=40, blank=True)
    key = models.CharField(max_length=200, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "platform", "metric", "dimension", "key"], name="daily_figure_once"
            )
        ]
        indexes = [
            # The backlog reads one metric over all days.
            models.Index(fields=["organisation", "metric", "day"], name="daily_figure_metric"),
        ]
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")


class MonthlyReport(models.Model):
    """The monthly report of one organisation for one month: claimed by inserting this row, so two
    sweeps never send it twice (insights/monthly.py)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month reported on")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="monthly_report_once")]


class RegisterExport(models.Model):
    """One export of the register (CSV or XLSX, from the desk or the API): an entry of the
    organisation's access log (SPEC 10) with who, when, which filters and how many rows. Written
    before the first row is sent; `rows` is set when the stream ends, also when it was cut off."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="register_exports")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=4, choices=Format)
    filters = models.JSONField(default=dict, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    finished = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at", "-id"], name="register_export_org_created")]


class SavedView(models.Model):
    """A named set of filters and an order of the register or the queue (issue 15): a person's own,
    or shared with one of the organisation's teams. `query` is the page's query string, parsed by
    the page's own filter form each time it is used, so a view never holds a value the form refuses."""

    class Page(models.TextChoices):
        QUEUE = "queue", _("queue")
        REGISTER = "register", _("register")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="saved_views")
    page = models.CharField(max_length=10, choices=Page)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views", verbose_name=_("shared with")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organisation", "page", "owner"], name="saved_view_org_page_owner")]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="saved_view_has_name"),
        ]

    def __str__(self) -> str:
        return self.name
