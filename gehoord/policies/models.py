import dataclasses
import json
from functools import cached_property

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gehoord.organisations.models import Organisation
from gehoord.policies.rules import DeadlineKind, DeadlineRule, LocalText, PolicySpec


class PolicyVersionQuerySet(models.QuerySet):
    def current(self, organisation: Organisation) -> "PolicyVersion":
        """The version in force now; an organisation without one gets the default preset."""
        version = self.filter(organisation=organisation).order_by("-number").first()
        if version is None:
            version = PolicyVersion.publish(organisation, default_spec(organisation), preset="default")
        return version


def default_spec(organisation: Organisation) -> PolicySpec:
    """The first seed's procedure on the organisation's own country and time zone."""
    from gehoord.policies.presets import PRESETS

    base = PRESETS["vxhome"]
    calendar = dataclasses.replace(
        base.calendar, country=organisation.country, subdivision=None, timezone=organisation.time_zone
    )
    notes = LocalText(
        nl="De standaardprocedure van Gehoord: antwoord binnen 14 kalenderdagen, escalatie naar een leidinggevende.",
        en="Gehoord's default procedure: an answer within 14 calendar days, escalation to a manager.",
    )
    return dataclasses.replace(base, calendar=calendar, notes=notes)


# A deadline's parsed rule by its JSON text; DeadlineRule is frozen, so one object serves every row.
_PARSED_RULES: dict[str, DeadlineRule] = {}
MAX_PARSED_RULES = 1000


class PolicyVersion(models.Model):
    """One version of an organisation's complaint policy. Versions are never edited: a change
    publishes a new version, and each complaint keeps the version in force at its receipt."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="policy_versions")
    number = models.PositiveIntegerField()
    preset = models.CharField(_("based on preset"), max_length=40, blank=True)
    spec_data = models.JSONField(_("policy"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="policy_version_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} policy v{self.number}"

    @cached_property
    def spec(self) -> PolicySpec:
        return PolicySpec.from_dict(self.spec_data)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("A policy version is never changed; publish a new version instead")
        super().save(*args, **kwargs)

    @classmethod
    def publish(
        cls, organisation: Organisation, spec: PolicySpec, *, preset: str = "", change_note: str = "", by=None
    ) -> "PolicyVersion":
        """Store `spec` as the organisation's next version (the unique constraint settles races)."""
        for _attempt in range(5):
            latest = cls.objects.filter(organisation=organisation).order_by("-number").first()
            try:
                with transaction.atomic():
                    return cls.objects.create(
                        organisation=organisation,
                        number=(latest.number + 1) if latest else 1,
                        preset=preset,
                        spec_data=spec.to_dict(),
                        change_note=change_note,
                        created_by=by,
                    )
            except IntegrityError:
                continue
        raise RuntimeError("Could not publish a policy version: too many concurrent publishers")


DEADLINE_KIND_LABELS = {
    DeadlineKind.acknowledge: _("acknowledgement"),
    DeadlineKind.assign: _("assignment"),
    DeadlineKind.respond: _("answer"),
    DeadlineKind.progress_update: _("progress update"),
    DeadlineKind.resolve: _("resolution"),
    DeadlineKind.escalation_acknowledge: _("escalation acknowledgement"),
    DeadlineKind.escalation_resolve: _("escalation resolution"),
}


class DeadlineQuerySet(models.QuerySet):
    def pending(self) -> "DeadlineQuerySet":
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)

    def due_for_sweep(self, now) -> "DeadlineQuerySet":
        return self.filter(next_check_at__lte=now)


class Deadline(models.Model):
    """A policy rule put on one complaint's clock."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=30, choices=[(kind.value, label) for kind, label in DEADLINE_KIND_LABELS.items()])
    stage = models.PositiveSmallIntegerField(default=1)
    rule_data = models.JSONField(help_text="The policy rule that made this deadline, as it was")
    anchored_at = models.DateTimeField()
    due_at = models.DateTimeField()
    target_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    original_due_at = models.DateTimeField(null=True, blank=True, help_text="Before the first extension")
    extension_reason = models.TextField(blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    update_sent_at = models.DateTimeField(null=True, blank=True)
    reassigned_at = models.DateTimeField(null=True, blank=True)
    # When the sweep must next look at this row; null when nothing is left to do.
    next_check_at = models.DateTimeField(null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["next_check_at"], name="deadline_next_check", condition=Q(next_check_at__isnull=False)),
            models.Index(fields=["complaint", "kind", "stage"], name="deadline_complaint_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} (stage {self.stage}) due {self.due_at:%Y-%m-%d %H:%M}"

    @cached_property
    def rule(self) -> DeadlineRule:
        # Few distinct rules serve many deadlines (the queue shows 25 a page): each is parsed once
        # per process, keyed by its text (cheaper to make than the rule).
        key = json.dumps(self.rule_data, sort_keys=True)
        rule = _PARSED_RULES.get(key)
        if rule is None:
            if len(_PARSED_RULES) >= MAX_PARSED_RULES:
                _PARSED_RULES.clear()
            rule = _PARSED_RULES[key] = DeadlineRule.from_dict(self.rule_data)
        return rule

    @property
    def state(self) -> str:
        if self.met_at:
            return "met_late" if self.met_at > self.due_at else "met"
        # A deadline missed before its complaint was escalated or withdrawn stays missed.
        if self.missed_at:
            return "missed"
        if self.cancelled_at:
            return "cancelled"
        if self.paused_at:
            return "paused"
        return "open"

    def plan_next_check(self) -> None:
        """Set next_check_at to the earliest thing the sweep still has to do for this row."""
        candidates = []
        if self.cancelled_at is None and self.paused_at is None:
            # A reminder is only of use before the deadline is missed: once it is, the sweep
            # never sends it, and planning it would bring the row back at once, for ever.
            if self.met_at is None and self.missed_at is None and self.remind_at and self.reminded_at is None:
                candidates.append(self.remind_at)
            if self.missed_at is None and self.met_at is None:
                candidates.append(self.due_at)
            if self.rule.reassign_to_manager and self.reassigned_at is None:
                candidates.append(self.due_at)
        self.next_check_at = min(candidates) if candidates else None
