"""The period a report covers: the last days, a calendar month, or two dates."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gehoord.insights.reports import LONGEST_PERIOD, Period

MONTH = re.compile(r"(\d{4})-(\d{2})")
LAST_DAYS = {"30": 30, "90": 90, "365": 365}


class PeriodForm(forms.Form):
    last = forms.ChoiceField(label=_("The last"), required=False, choices=[("", "")] + [(key, key) for key in LAST_DAYS])
    month = forms.CharField(label=_("Month"), required=False, max_length=7, help_text=_("as 2026-11"))
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Up to and including"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, today: datetime.date):
        super().__init__(data)
        self.today = today

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = MONTH.fullmatch(value)
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise ValidationError(_("Give the month as year and month, e.g. 2026-11."))
        return int(match[1]), int(match[2])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start or end:
            if not (start and end):
                raise ValidationError(_("Give both dates, or neither."))
            if start > end:
                raise ValidationError(_("The period cannot end before it starts."))
            if end - start > LONGEST_PERIOD:
                raise ValidationError(_("A report covers at most three years."))
            data["period"] = Period(start, end)
        elif data.get("month"):
            data["period"] = Period.month(*data["month"])
        else:
            data["period"] = Period.last_days(self.today, LAST_DAYS.get(data.get("last") or "30", 30))
        return data
