"""The register's forms: its query string (the queue's filters and a few more) and a saved view."""

import dataclasses
import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from gehoord.complaints import selection
from gehoord.complaints.models import Outcome, Status
from gehoord.desk.forms import QueueFilterForm
from gehoord.insights.saved_views import MAX_NAME


class RegisterFilterForm(QueueFilterForm):
    """The queue's filters over every complaint, open or closed, with the register's own parts."""

    product = forms.CharField(label=_("Product"), required=False, max_length=200)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    kept = forms.ChoiceField(
        label=_("Deadlines kept"),
        required=False,
        choices=[("", _("Any")), (selection.KEPT, _("All met in time")), (selection.MISSED, _("One missed or met late"))],
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_until = forms.DateField(label=_("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["status"].choices = [("", _("All")), (selection.OPEN, _("Open")), *Status.choices]
        self.fields["outcome"].choices = [("", _("Any")), *Outcome.choices]
        self.fields["order"].choices = [
            ("", _("Newest first")),
            (selection.BY_OLDEST, _("Oldest first")),
            (selection.BY_DEADLINE, _("Nearest deadline first")),
            (selection.BY_REFERENCE, _("Reference")),
        ]
        del self.fields["mine"]

    def _start_of(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(), tzinfo=self.zone)

    def chosen(self, user) -> selection.Selection:
        queue_part = super().chosen(user)
        data = self.cleaned_data
        after, until = data.get("received_from"), data.get("received_until")
        return dataclasses.replace(
            queue_part,
            status=data.get("status") or selection.ALL,
            order=data.get("order") or selection.BY_RECEIVED,
            product=data.get("product") or "",
            outcome=data.get("outcome") or "",
            kept=data.get("kept") or "",
            received_after=self._start_of(after) if after else None,
            # The day typed is included: up to the start of the next.
            received_before=self._start_of(until + datetime.timedelta(days=1)) if until else None,
        )

    def filters(self) -> dict:
        """The valid, non-empty values as typed: what an export's access-log entry records."""
        return {name: str(value) for name, value in self.cleaned_data.items() if value not in (None, "", False)}


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=MAX_NAME)
    team = forms.TypedChoiceField(label=_("Share with"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("Only me")), *[(team.pk, team.name) for team in teams]]


class RenameViewForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=MAX_NAME)
