"""The consumer's forms. They parse and validate what was typed; the domain files and changes.

Where the domain has the rule (a category's fields, uploads) the form asks the domain's own
check, so every problem shows at once; what the domain still refuses when filing is put back on
the field it names with `apply_domain_errors`.
"""

from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gehoord.complaints import attachments, intake
from gehoord.complaints.actions import FeedbackInput
from gehoord.complaints.attachments import CheckedUpload, Upload
from gehoord.complaints.intake import NewComplaint
from gehoord.errors import DomainError, InvalidInput
from gehoord.organisations import category_fields
from gehoord.organisations.models import Category, FieldType, Language, Organisation

ACCEPTED_FILES = "image/*,video/*,application/pdf"
MAX_COMMENT = 5000


class PortalBoundField(BoundField):
    """Adds the "choose your files again" notice to a file input's description after a failed submission."""

    @property
    def files_lost(self) -> bool:
        return (
            self.form.is_bound
            and isinstance(self.field, forms.FileField)
            and bool(self.form.files.getlist(self.html_name))
        )

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if described is not None and self.files_lost:
            described = f"{described} {self.auto_id}_again".strip()
        return described


class PortalForm(forms.Form):
    bound_field_class = PortalBoundField
    # Domain error keys that name a field of this form differently.
    error_aliases: dict[str, str] = {}

    def field_name_for(self, key: str) -> str | None:
        name = self.error_aliases.get(key, key)
        return name if name in self.fields else None

    def apply_domain_errors(self, error: DomainError) -> None:
        """Put the domain's errors on the fields they name; anything else above the form."""
        problems = error.errors if isinstance(error, InvalidInput) and error.errors else {None: error.message}
        for key, message in problems.items():
            name = self.field_name_for(key) if key else None
            if name is not None and name in self.errors:
                continue  # already explained by the form's own check
            self.add_error(name, message)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPTED_FILES}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _read(uploaded) -> bytes:
    uploaded.seek(0)
    return uploaded.read()


def _category_form_field(category_field) -> forms.Field:
    """The form field for one of a category's own fields; the domain checks its value."""
    common = dict(label=category_field.label, help_text=category_field.help_text, required=category_field.required)
    kind = category_field.field_type
    if kind == FieldType.LONG_TEXT:
        textarea = forms.Textarea(attrs={"rows": 4})
        return forms.CharField(widget=textarea, max_length=category_fields.MAX_LONG_TEXT, **common)
    if kind == FieldType.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **common)
    if kind == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.CHOICE:
        choices = [("", _("Choose…"))] + [(choice, choice) for choice in category_field.choices]
        return forms.ChoiceField(choices=choices, **common)
    if kind == FieldType.FILE:
        return forms.FileField(widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}), **common)
    attrs = {"autocomplete": "off"}
    if kind == FieldType.SERIAL:
        attrs.update(spellcheck="false", autocapitalize="characters")
    if category_field.pattern:
        attrs["pattern"] = browser_pattern(category_field.pattern)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), max_length=category_fields.MAX_TEXT, **common)


class ComplaintForm(PortalForm):
    """A complaint for one organisation; the chosen category adds its own fields (named `field_<key>`)."""

    category = forms.ChoiceField(label=_("What is your complaint about?"), required=False)
    description = forms.CharField(
        label=_("Describe your complaint"),
        help_text=_("What happened, and when?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=intake.MAX_DESCRIPTION,
    )
    order_number = forms.CharField(label=_("Order number"), required=False, max_length=64)
    product = forms.CharField(label=_("Product or service"), required=False, max_length=200)
    purchase_date = forms.DateField(
        label=_("Date of purchase"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    desired_solution = forms.CharField(
        label=_("How would you like it solved?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_COMMENT,
    )
    attachments = MultipleFileField(
        label=_("Photos, a video or a PDF"),
        required=False,
        help_text=_("Up to %(count)d files of at most %(size)d MB each."),
    )
    contact_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send the confirmation here. You need it to follow your complaint."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_language = forms.ChoiceField(label=_("Language of our messages"), choices=Language.choices)
    # The honeypot: hidden by CSS and skipped by the keyboard; people leave it empty, robots do not.
    homepage = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    common_fields = ("description", "order_number", "product", "purchase_date", "desired_solution")
    contact_fields = ("contact_name", "contact_email", "contact_phone", "contact_language")

    def __init__(self, organisation: Organisation, *args, order_number_is_reference: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.uploads: list[Upload | CheckedUpload] = []
        self.upload_fields: list[str] = []  # the form field each upload came from, by index
        categories = list(Category.objects.filter(organisation=organisation, active=True))
        self.categories = categories
        category_field = self.fields["category"]
        category_field.choices = [("", _("Choose a category"))] + [(c.slug, c.name) for c in categories]
        category_field.required = bool(categories)
        slug = (self.data.get("category") if self.is_bound else self.initial.get("category")) or ""
        # Not `self.category`: in a template `form.category` is the bound field of that name.
        self.chosen_category = next((c for c in categories if c.slug == slug), None)
        self.category_fields = list(self.chosen_category.fields.all()) if self.chosen_category else []
        for spec in self.category_fields:
            self.fields[f"field_{spec.key}"] = _category_form_field(spec)
        self.order_number_is_reference = order_number_is_reference
        if order_number_is_reference:
            self.fields["order_number"].required = True
            self.fields["order_number"].help_text = _(
                "Your order number is the reference of your complaint: you follow it with this number."
            )
        self.fields["attachments"].help_text = self.fields["attachments"].help_text % {
            "count": attachments.MAX_FILES_PER_SUBMISSION,
            "size": _max_upload_mb(),
        }
        self.fields["purchase_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound and not self.initial.get("contact_language"):
            language = (get_language() or "")[:2]
            self.initial["contact_language"] = language if language in Language.values else organisation.language

    def field_name_for(self, key: str) -> str | None:
        if key.startswith("fields."):
            key = "field_" + key.removeprefix("fields.")
        elif key.startswith("attachments."):
            index = key.removeprefix("attachments.")
            known = index.isdigit() and int(index) < len(self.upload_fields)
            key = self.upload_fields[int(index)] if known else "attachments"
        return super().field_name_for(key)

    def category_bound_fields(self) -> list[BoundField]:
        return [self[f"field_{spec.key}"] for spec in self.category_fields]

    def common_bound_fields(self) -> list[BoundField]:
        return [self[name] for name in self.common_fields]

    def contact_bound_fields(self) -> list[BoundField]:
        return [self[name] for name in self.contact_fields]

    def errors_in_page_order(self) -> list[tuple[BoundField, str]]:
        """Every field error as (field, text naming the field), in the order the fields stand on the page."""
        names = ["category", *(f"field_{spec.key}" for spec in self.category_fields), *self.common_fields,
                 "attachments", *self.contact_fields]
        found = []
        for name in names:
            label = str(self[name].label)
            for message in self.errors.get(name, []):
                # The domain's messages often start with the field's label already.
                named = message if str(message).startswith(label) else format_html("{}: {}", label, message)
                found.append((self[name], named))
        return found

    def clean(self):
        cleaned = super().clean()
        self._collect_uploads(cleaned)
        if self.chosen_category is not None:
            values = {
                spec.key: cleaned.get(f"field_{spec.key}")
                for spec in self.category_fields
                if spec.field_type != FieldType.FILE and cleaned.get(f"field_{spec.key}") not in (None, "")
            }
            uploaded = {
                spec.key
                for spec in self.category_fields
                if spec.field_type == FieldType.FILE and cleaned.get(f"field_{spec.key}")
            }
            try:
                category_fields.clean_field_values(self.category_fields, values, uploaded)
            except InvalidInput as problem:
                self.apply_domain_errors(problem)
        if self.uploads:
            try:
                self.uploads = attachments.check_uploads(self.uploads)
            except InvalidInput as problem:
                self.apply_domain_errors(problem)
        return cleaned

    def _collect_uploads(self, cleaned) -> None:
        for uploaded in cleaned.get("attachments") or []:
            self.uploads.append(Upload(name=uploaded.name, content=_read(uploaded)))
            self.upload_fields.append("attachments")
        for spec in self.category_fields:
            uploaded = cleaned.get(f"field_{spec.key}") if spec.field_type == FieldType.FILE else None
            if uploaded:
                self.uploads.append(Upload(name=uploaded.name, content=_read(uploaded), field_key=spec.key))
                self.upload_fields.append(f"field_{spec.key}")

    def new_complaint(self) -> NewComplaint:
        data = self.cleaned_data
        return NewComplaint(
            description=data["description"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data.get("contact_phone") or "",
            contact_language=data["contact_language"],
            category=data.get("category") or "",
            field_values={
                spec.key: data[f"field_{spec.key}"]
                for spec in self.category_fields
                if spec.field_type != FieldType.FILE and data.get(f"field_{spec.key}") not in (None, "")
            },
            order_number=data.get("order_number") or "",
            product=data.get("product") or "",
            purchase_date=data.get("purchase_date"),
            desired_solution=data.get("desired_solution") or "",
        )


def _max_upload_mb() -> int:
    return settings.GEHOORD_MAX_UPLOAD_BYTES // 2**20


class TrackForm(PortalForm):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        help_text=_("As in your confirmation, for example KL-26-7QF3MX."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The address you gave with your complaint."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


# The tracking page's forms, one per consumer action; each is rendered with the action as prefix.


class ResponseForm(PortalForm):
    """Accept or reject the proposed resolution that the consumer saw."""

    resolution = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def arguments(self) -> dict:
        return {"comment": self.cleaned_data["comment"]}


class ReasonForm(PortalForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def arguments(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class FeedbackForm(PortalForm):
    error_aliases = {"feedback.satisfaction": "satisfaction", "feedback.comment": "comment"}

    resolved = forms.TypedChoiceField(
        label=_("Is your complaint resolved?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling? (1 = not at all, 5 = very)"),
        choices=[(str(score), str(score)) for score in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def arguments(self) -> dict:
        data = self.cleaned_data
        feedback = FeedbackInput(resolved=data["resolved"], satisfaction=data["satisfaction"], comment=data["comment"])
        return {"feedback": feedback}


class MessageForm(PortalForm):
    """Add information or evidence; while a question is open, this is the answer."""

    error_aliases = {"answer": "body", "attachments": "files"}

    body = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=intake.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(
        label=_("Photos, a video or a PDF"),
        required=False,
        help_text=_("Up to %(count)d files of at most %(size)d MB each."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % {
            "count": attachments.MAX_FILES_PER_SUBMISSION,
            "size": _max_upload_mb(),
        }

    def field_name_for(self, key: str) -> str | None:
        if key.startswith("attachments."):
            key = "files"
        return super().field_name_for(key)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("body") or "").strip() and not cleaned.get("files") and not self.errors:
            self.add_error("body", _("Write a message or add a file."))
        return cleaned

    @property
    def uploads(self) -> list[Upload]:
        chosen = self.cleaned_data.get("files") or []
        return [Upload(name=uploaded.name, content=_read(uploaded)) for uploaded in chosen]


# The consumer's lifecycle actions on the tracking page, each with its form (arguments() gives the
# action's parameters). The registry's other consumer actions are not offered as forms of their own:
# answering a question is a message (add_message runs info_received), and a referral is recorded by
# the organisation or its API once the consumer has gone to the external body.
ACTION_FORMS: dict[str, type[PortalForm]] = {
    "accept": ResponseForm,
    "reject": ResponseForm,
    "escalate": ReasonForm,
    "close": FeedbackForm,
    "withdraw": ReasonForm,
}
NOT_OFFERED = frozenset({"info_received", "refer"})


_CLASS_RESERVED = frozenset("()[{}/|")


def browser_pattern(pattern: str) -> str:
    """The regular expression as a browser's `pattern` attribute needs it.

    Browsers compile `pattern` with the `v` flag, which reserves ( ) [ { } / | and a bare - inside
    a character class; escaped, the expression means the same to Python and to the browser.
    """
    out, in_class, class_start, index = [], False, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if not in_class:
            if char == "[":
                in_class = True
                class_start = index + 1 + (pattern[index + 1 : index + 2] == "^")
            out.append(char)
        elif char == "]":
            in_class = False
            out.append(char)
        elif char == "-" and (index == class_start or pattern[index + 1 : index + 2] == "]"):
            out.append("\\-")
        elif char in _CLASS_RESERVED:
            out.append("\\" + char)
        else:
            out.append(char)
        index += 1
    return "".join(out)
