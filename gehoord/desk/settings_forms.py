"""Forms of the desk's settings pages. They parse and check what was typed; they never save.

The views hand the cleaned values to `gehoord.organisations.settings` and
`gehoord.policies.editing`, and put the errors those raise back on the field they name.
"""

import datetime
import functools
import re
import unicodedata
import zoneinfo

import babel
import holidays
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.organisations.models import FieldType, Role, Team
from gehoord.organisations.settings import staff_of
from gehoord.policies import editing
from gehoord.policies.calendar import MAX_AMOUNT, PolicyError, Unit
from gehoord.policies.models import DEADLINE_KIND_LABELS
from gehoord.policies.rules import ESCALATION_STAGES, Anchor, DeadlineKind, EscalationHandler

ROLE_CHOICES = Role.choices


def person_label(user) -> str:
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


# --- Categories, fields, teams -------------------------------------------------------------


class CategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name in Dutch"), max_length=100, required=False)
    name_en = forms.CharField(
        label=gettext_lazy("Name in English"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Readers of each language see their own name; one name is enough."),
    )
    slug = forms.SlugField(
        label=gettext_lazy("Slug"),
        max_length=60,
        help_text=gettext_lazy("A short code for web addresses and the API: letters, digits and hyphens."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown to the consumer when choosing a category."),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, initial=0, help_text=gettext_lazy("Lower numbers come first.")
    )
    active = forms.BooleanField(
        label=gettext_lazy("Active"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Only active categories can be chosen for new complaints."),
    )
    route_to_team = forms.ModelChoiceField(
        label=gettext_lazy("Route to team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("No team"),
        help_text=gettext_lazy("New complaints of this category go to this team."),
    )
    route_to_user = StaffChoiceField(
        label=gettext_lazy("Route to person"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody in particular"),
        help_text=gettext_lazy("New complaints of this category are handled by this person."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route_to_team"].queryset = organisation.teams.all()
        self.fields["route_to_user"].queryset = staff_of(organisation)


class ChoicesField(forms.CharField):
    """One choice per line, as a list without empty lines."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class FieldForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=60,
        help_text=gettext_lazy("How the API and exports name the value, e.g. serial_number. Unique per category."),
    )
    field_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FieldType.choices, initial=FieldType.TEXT)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    help_text = forms.CharField(label=gettext_lazy("Help text"), max_length=300, required=False)
    choices = ChoicesField(
        label=gettext_lazy("Choices"),
        required=False,
        help_text=gettext_lazy("For a choice field: one choice per line."),
    )
    pattern = forms.CharField(
        label=gettext_lazy("Pattern"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "For text and serial or order numbers: a regular expression the whole value must match, e.g. SN-\\d{4}."
        ),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, initial=0, help_text=gettext_lazy("Lower numbers come first.")
    )


class ReplyTemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    text_nl = forms.CharField(
        label=gettext_lazy("Text in Dutch"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    text_en = forms.CharField(
        label=gettext_lazy("Text in English"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    members = StaffMultipleChoiceField(
        label=gettext_lazy("Members"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = staff_of(organisation)


# --- Staff and tokens ----------------------------------------------------------------------


def _roles_field(**kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=gettext_lazy("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, **kwargs
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        help_text=gettext_lazy("The invitation goes to this address; its link works once, for 7 days."),
    )
    roles = _roles_field(initial=[Role.AGENT])


class RolesForm(forms.Form):
    roles = _roles_field(required=False)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What will use the token, e.g. 'web shop' or 'CRM'."),
    )


# --- Policy --------------------------------------------------------------------------------


@functools.cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def _country_choices() -> list[tuple[str, str]]:
    """Every country the holiday library knows, named in the reader's language."""
    return _country_choices_in(translation.get_language() or settings.LANGUAGE_CODE)


@functools.cache
def _country_choices_in(language: str) -> list[tuple[str, str]]:
    names = babel.Locale.parse(translation.to_locale(language)).territories
    codes = holidays.list_supported_countries(include_aliases=False)
    return sorted(
        ((code, f"{names[code]} ({code})" if code in names else code) for code in codes),
        key=lambda choice: _reading_order(choice[1]),
    )


def _reading_order(text: str) -> str:
    """Sort names as a reader expects: "Åland" beside "Aland", not after "Z"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _unit_choices():
    return [(unit.value, editing.UNIT_LABELS[unit]) for unit in Unit]


class LongSelect(forms.Select):
    """A select of hundreds of plain options (time zones, countries), rendered in Python rather
    than with one template per option, which takes most of a second."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            "<option value=\"{}\"{}>{}</option>",
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group, choices, _index in context["optgroups"]
                for option in choices
            ),
        )
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(context["attrs"]), options)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self):
        super().__init__(format="%H:%M")


class DateLinesField(forms.CharField):
    """Dates as YYYY-MM-DD, one per line; the error names the line that is not one."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value) -> list[datetime.date]:
        text = super().to_python(value) or ""
        days = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", line):
                    raise ValueError
                days.append(datetime.date.fromisoformat(line))
            except ValueError:
                raise ValidationError(
                    _("%(value)s, on line %(number)d of the closure days, is not a date as YYYY-MM-DD."),
                    params={"number": number, "value": line},
                    code="invalid_date",
                ) from None
        return sorted(set(days))

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(day.isoformat() for day in value)
        return value


class PolicyForm(forms.Form):
    """The calendar, the switches and the change note of a policy edit."""

    timezone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=_time_zone_choices, widget=LongSelect)
    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        choices=_country_choices,
        widget=LongSelect,
        help_text=gettext_lazy("Its public holidays are not working days."),
    )
    subdivision = forms.CharField(
        label=gettext_lazy("Region"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Optional: the part of the country whose holidays apply, e.g. ENG for England."),
    )
    working_weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Working days"),
        coerce=int,
        choices=[(index, label) for index, label in enumerate(editing.WEEKDAY_LABELS)],
        widget=forms.CheckboxSelectMultiple,
    )
    opens = forms.TimeField(label=gettext_lazy("Opens at"), widget=TimeInput())
    closes = forms.TimeField(label=gettext_lazy("Closes at"), widget=TimeInput())
    closure_days = DateLinesField(
        label=gettext_lazy("Closure days"),
        required=False,
        help_text=gettext_lazy("Days the organisation is closed on top of public holidays: one per line, as YYYY-MM-DD."),
    )
    auto_acknowledge = forms.BooleanField(
        label=gettext_lazy("Acknowledge automatically on receipt"),
        required=False,
        help_text=gettext_lazy("Otherwise a person sends the acknowledgement."),
    )
    order_number_is_reference = forms.BooleanField(
        label=gettext_lazy("The order number is the complaint's reference"), required=False
    )
    pause_while_awaiting_consumer = forms.BooleanField(
        label=gettext_lazy("Pause deadlines while waiting for the consumer"), required=False
    )
    retention_days = forms.IntegerField(
        label=gettext_lazy("Retention (days)"),
        min_value=1,
        max_value=36_500,
        help_text=gettext_lazy("Closed complaints are anonymised this many days after closing."),
    )
    notes_nl = forms.CharField(
        label=gettext_lazy("Notes on the policy (Dutch)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes_en = forms.CharField(
        label=gettext_lazy("Notes on the policy (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    change_note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Required to publish; it goes into the version history."),
    )
    preset = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)


KIND_CHOICES = [("", gettext_lazy("— choose —"))] + [(kind.value, DEADLINE_KIND_LABELS[kind]) for kind in DeadlineKind]


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Deadline"), choices=KIND_CHOICES)
    stage = forms.TypedChoiceField(
        label=gettext_lazy("Stage"),
        coerce=int,
        choices=[(1, "1"), *((stage, str(stage)) for stage in ESCALATION_STAGES)],
        initial=1,
        help_text=gettext_lazy("1 for first-line deadlines; 2 or 3 for an escalation stage."),
    )
    anchor = forms.ChoiceField(
        label=gettext_lazy("Counted from"),
        choices=[(anchor.value, label) for anchor, label in editing.ANCHOR_LABELS.items()],
        initial=Anchor.received.value,
    )
    amount = forms.IntegerField(label=gettext_lazy("Term"), min_value=0, max_value=MAX_AMOUNT)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=_unit_choices, initial=Unit.calendar_days.value)
    reminder_amount = forms.IntegerField(
        label=gettext_lazy("Remind before"),
        min_value=0,
        max_value=MAX_AMOUNT,
        required=False,
        help_text=gettext_lazy("Empty: no reminder."),
    )
    reminder_unit = forms.ChoiceField(
        label=gettext_lazy("Reminder unit"), choices=_unit_choices, initial=Unit.working_days.value
    )
    target_amount = forms.IntegerField(
        label=gettext_lazy("Target"),
        min_value=0,
        max_value=MAX_AMOUNT,
        required=False,
        help_text=gettext_lazy("Optional softer aim, in the same unit as the term."),
    )
    reassign_to_manager = forms.BooleanField(
        label=gettext_lazy("Hand to the complaint manager at the due time if unresolved"), required=False
    )
    demands_update = forms.BooleanField(
        label=gettext_lazy("Demands a status update if not answered in time (answer only)"), required=False
    )
    note_nl = forms.CharField(
        label=gettext_lazy("Note (Dutch)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What the term means for staff; shown beside the deadline."),
    )
    note_en = forms.CharField(label=gettext_lazy("Note (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def summary(self) -> str:
        """The row in a few words, for its folded header: the deadline, the stage and the term."""
        if not self["kind"].value():
            return ""
        amount, unit = self["amount"].value(), _choice_label(self, "unit")
        term = f" · {amount} {unit}" if amount not in (None, "") else ""
        return f"{_choice_label(self, 'kind')} · {_choice_label(self, 'stage')}{term}"

class StageForm(forms.Form):
    number = forms.TypedChoiceField(
        label=gettext_lazy("Stage"),
        coerce=int,
        choices=[("", gettext_lazy("— choose —")), *((stage, str(stage)) for stage in ESCALATION_STAGES)],
    )
    handled_by = forms.ChoiceField(
        label=gettext_lazy("Handled by"),
        choices=[("", gettext_lazy("— choose —"))] + [(h.value, editing.HANDLER_LABELS[h]) for h in EscalationHandler],
    )
    label_nl = forms.CharField(label=gettext_lazy("Name shown to the consumer (Dutch)"), max_length=200, required=False)
    label_en = forms.CharField(label=gettext_lazy("Name shown to the consumer (English)"), max_length=200, required=False)

    def summary(self) -> str:
        """The row in a few words, for its folded header: the stage's name in the reader's language."""
        return _in_reader_language(self, "label")

class ExternalBodyForm(forms.Form):
    name_nl = forms.CharField(label=gettext_lazy("Name (Dutch)"), max_length=200, required=False)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)
    url = forms.URLField(label=gettext_lazy("Web address"), required=False, assume_scheme="https")
    description_nl = forms.CharField(
        label=gettext_lazy("Description (Dutch)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description_en = forms.CharField(
        label=gettext_lazy("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def summary(self) -> str:
        """The row in a few words, for its folded header: the body's name in the reader's language."""
        return _in_reader_language(self, "name")

def _choice_label(form: forms.Form, name: str) -> str:
    value = form[name].value()
    labels = {str(key): label for key, label in form.fields[name].choices}
    return str(labels.get(str(value), value or ""))


def _in_reader_language(form: forms.Form, name: str) -> str:
    first, second = ("en", "nl") if (translation.get_language() or "").startswith("en") else ("nl", "en")
    return (form[f"{name}_{first}"].value() or form[f"{name}_{second}"].value() or "").strip()


RuleFormSet = forms.formset_factory(RuleForm, extra=2, can_delete=True, max_num=30, validate_max=True)
StageFormSet = forms.formset_factory(StageForm, extra=1, can_delete=True, max_num=len(ESCALATION_STAGES) + 2)
ExternalBodyFormSet = forms.formset_factory(ExternalBodyForm, extra=1, can_delete=True, max_num=20, validate_max=True)


def _mark_languages(*form_classes) -> None:
    """A field for the Dutch or the English text carries that language (`lang`), for screen readers'
    pronunciation and spell checking, and so the pages' language check knows it is meant."""
    for form_class in form_classes:
        for name, field in form_class.base_fields.items():
            if name.endswith(("_nl", "_en")):
                field.widget.attrs["lang"] = name[-2:]


_mark_languages(CategoryForm, ReplyTemplateForm, PolicyForm, RuleForm, StageForm, ExternalBodyForm)

RULE_FIELDS = {
    "kind": "kind",
    "stage": "stage",
    "anchor": "anchor",
    "duration": "amount",
    "duration.amount": "amount",
    "duration.unit": "unit",
    "reminder_before": "reminder_amount",
    "reminder_before.amount": "reminder_amount",
    "reminder_before.unit": "reminder_unit",
    "target": "target_amount",
    "target.amount": "target_amount",
    "target.unit": "unit",
    "reassign_to_manager": "reassign_to_manager",
    "demands_update": "demands_update",
    "note": "note_nl",
    "note.nl": "note_nl",
    "note.en": "note_en",
}
# A policy text's problem lands on its Dutch input, the one a text needs first.
TEXT_FIELDS = {"label": "label_nl", "name": "name_nl", "description": "description_nl", "notes": "notes_nl"}
_ROW_PATH = re.compile(r"(?P<list>rules|stages|external_bodies)\[(?P<index>\d+)\](?:\.(?P<rest>.+))?")


class PolicyEditor:
    """The policy edit page's forms as one: the calendar and switches, then the rules, escalation
    stages and external bodies as formsets with empty rows to add more.

    `spec()` builds the policy from what was typed; a `PolicyError` goes onto the input it names.
    """

    ADD_ROW_ACTIONS = {"add_rule": "rules", "add_stage": "stages", "add_body": "bodies"}

    def __init__(self, data=None, *, values: editing.EditorValues | None = None):
        values = values or editing.EditorValues(main={}, rules=[], stages=[], bodies=[])
        self.main = PolicyForm(data, initial=values.main)
        self.rules = RuleFormSet(data, initial=values.rules, prefix="rules")
        self.stages = StageFormSet(data, initial=values.stages, prefix="stages")
        self.bodies = ExternalBodyFormSet(data, initial=values.bodies, prefix="bodies")
        self._used: dict[str, list[forms.Form]] = {}

    @classmethod
    def with_more_rows(cls, data, action: str) -> "PolicyEditor":
        """The same typed values with one empty row more in the list the button is for (no JavaScript needed)."""
        prefix = cls.ADD_ROW_ACTIONS[action]
        data = data.copy()
        key = f"{prefix}-TOTAL_FORMS"
        try:
            data[key] = str(int(data.get(key, "0")) + 1)
        except ValueError:
            pass
        return cls(data)

    @property
    def formsets(self):
        return (self.rules, self.stages, self.bodies)

    def is_valid(self) -> bool:
        results = [self.main.is_valid(), *(formset.is_valid() for formset in self.formsets)]
        return all(results)

    def spec(self):
        """The policy typed in, or None after putting every problem on its input."""
        if not self.is_valid():
            return None
        self._used = {
            "rules": self._rows(self.rules),
            "stages": self._rows(self.stages),
            "external_bodies": self._rows(self.bodies),
        }
        try:
            return editing.build_spec(
                self.main.cleaned_data,
                [form.cleaned_data for form in self._used["rules"]],
                [form.cleaned_data for form in self._used["stages"]],
                [form.cleaned_data for form in self._used["external_bodies"]],
            )
        except PolicyError as error:
            self.place(error)
            return None

    @staticmethod
    def _rows(formset) -> list[forms.Form]:
        """The rows that count: filled in and not marked for removal, in order."""
        # An empty extra row cleans to {}; a row marked for removal is skipped.
        return [form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]

    def place(self, error: PolicyError) -> None:
        """Put a PolicyError on the input its path names (e.g. `rules[1].duration.unit`)."""
        path, problem = error.field, error.problem
        row = _ROW_PATH.fullmatch(path)
        if row:
            rows = self._used.get(row["list"], [])
            index = int(row["index"])
            if index < len(rows):
                form = rows[index]
                rest = row["rest"] or ""
                if row["list"] == "rules":
                    field = RULE_FIELDS.get(rest)
                else:
                    text, _dot, language = rest.partition(".")
                    field = f"{text}_{language}" if language else TEXT_FIELDS.get(text, text) or None
                form.add_error(field if field in form.fields else None, problem)
                return
        name = path.split(".", 1)[1] if path.startswith("calendar.") else path
        name = re.sub(r"\[\d+\]$", "", name)
        name = TEXT_FIELDS.get(name, name.replace(".", "_"))
        if name in self.main.fields:
            self.main.add_error(name, problem)
        else:
            self.main.add_error(None, f"{path}: {problem}" if path else problem)

    def add_errors(self, errors: dict[str, str]) -> None:
        """Errors of publishing (keyed by main form field) onto the page."""
        for field, problem in errors.items():
            self.main.add_error(field if field in self.main.fields else None, problem)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(where, problem, id of the input) for every error on the page, for a summary at the top."""
        summary = [("", problem, "") for problem in self.main.non_field_errors()]
        summary += _field_errors(self.main, "")
        for formset, title in (
            (self.rules, _("Rule %(number)d")),
            (self.stages, _("Stage row %(number)d")),
            (self.bodies, _("External body %(number)d")),
        ):
            summary += [("", problem, "") for problem in formset.non_form_errors()]
            for number, form in enumerate(formset.forms, start=1):
                where = title % {"number": number}
                summary += [(where, problem, "") for problem in form.non_field_errors()]
                summary += _field_errors(form, where)
        return summary


def _field_errors(form: forms.Form, where: str) -> list[tuple[str, str, str]]:
    found = []
    for name, problems in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        label = f"{where} — {bound.label}" if where else str(bound.label)
        found += [(label, problem, bound.auto_id) for problem in problems]
    return found
