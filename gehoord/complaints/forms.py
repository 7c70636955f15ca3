"""The complaint form that every door with a page fills a new complaint from (SPEC 3, 7).

`ComplaintFormBase` holds what a complaint is made of, once: the common fields, the chosen
category's own fields (named `field_<key>`, with their patterns), the evidence, the contact, the
checks the domain can make before filing (the category's values and every upload, so that all
problems show at once), and the way the domain's refusals land on the fields they name. The doors
state only their differences: the consumer's form (portal) its wording and its robot trap, the
staff intake (desk) the channel and a phone number instead of an address.

Forms parse and check; they never file: the view hands `new_complaint()` and `uploads` to
`intake.file_complaint`. Their files are not read here: `SubmissionLimits`, the first upload handler,
refuses the files of a post with too many of them or too many bytes before any is kept, and the
files that pass reach the domain as they are, in memory or on disk (`as_upload`).
"""

import io

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gehoord.complaints import attachments, intake
from gehoord.complaints.attachments import MAX_FILES_PER_SUBMISSION, CheckedUpload, Upload
from gehoord.complaints.intake import NewComplaint
from gehoord.errors import DomainError, InvalidInput
from gehoord.organisations import category_fields, patterns
from gehoord.organisations.models import Category, FieldType, Language, Organisation

ACCEPTED_FILES = "image/*,video/*,application/pdf"
FIELD_PREFIX = "field_"


class DomainErrorsForm(forms.Form):
    """A form that shows the domain's refusals on the fields they name, the rest above the form."""

    # Domain error keys that name a field of this form differently.
    error_aliases: dict[str, str] = {}

    def field_name_for(self, key: str) -> str | None:
        name = self.error_aliases.get(key, key)
        return name if name in self.fields else None

    def apply_domain_errors(self, error: DomainError) -> None:
        problems = error.errors if isinstance(error, InvalidInput) and error.errors else {None: error.message}
        for key, message in problems.items():
            name = self.field_name_for(key) if key else None
            if name is not None and name in self.errors:
                continue  # already explained by the form's own check
            self.add_error(name, message)


# The form's text beside its files, when a post's size is held against the submission's limit.
FORM_TEXT_ALLOWANCE = 2**20


class RefusedFile(UploadedFile):
    """A file of a form post that was refused before any of it was kept (`SubmissionLimits`)."""

    TOO_MANY = "too_many"
    TOO_LARGE = "too_large"

    def __init__(self, name: str, reason: str, post_bytes: int):
        super().__init__(io.BytesIO(), name=name, content_type="application/octet-stream", size=0)
        self.reason = reason
        self.post_bytes = post_bytes

    def explanation(self) -> str:
        if self.reason == self.TOO_MANY:
            return _("%(name)s: not accepted, at most %(count)d files can be sent at once.") % {
                "name": self.name, "count": MAX_FILES_PER_SUBMISSION
            }
        return _(
            "%(name)s: not accepted, the files sent at once may be at most %(limit)d MB together (these were %(size)d MB)."
        ) % {
            "name": self.name,
            "limit": settings.GEHOORD_MAX_SUBMISSION_BYTES // 2**20,
            "size": -(-self.post_bytes // 2**20),
        }


class SubmissionLimits(FileUploadHandler):
    """The first upload handler (settings.FILE_UPLOAD_HANDLERS): the files of a post with more bytes
    than a submission may carry, and every file past the most one submission may have, are refused
    before a byte of them is kept in memory or on disk; they reach the form as `RefusedFile`s. The
    post's other fields are read as usual, so the form says what is wrong beside what was typed."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.post_bytes = content_length
        self.too_large = content_length > settings.GEHOORD_MAX_SUBMISSION_BYTES + FORM_TEXT_ALLOWANCE
        self.files_seen = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        self.refusal = None
        if self.too_large:
            self.refusal = RefusedFile.TOO_LARGE
        elif self.files_seen > MAX_FILES_PER_SUBMISSION:
            self.refusal = RefusedFile.TOO_MANY

    def receive_data_chunk(self, raw_data, start):
        return None if self.refusal else raw_data  # None: the handlers after this one get nothing

    def file_complete(self, file_size):
        return RefusedFile(self.file_name, self.refusal, self.post_bytes) if self.refusal else None


class EvidenceFileField(forms.FileField):
    """A file the domain checks (type, size, metadata); one refused on arrival says why here."""

    def to_python(self, data):
        if isinstance(data, RefusedFile):
            raise forms.ValidationError(data.explanation(), code=data.reason)
        return super().to_python(data)


class EvidenceFileInput(forms.FileInput):
    """A file input that tells the browser the limits, so a file too large or of the wrong type is
    refused before it is sent (gehoord/static/gehoord/upload-check.js); the server checks again."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = settings.GEHOORD_MAX_UPLOAD_BYTES
        context["widget"]["attrs"].update({
            "data-max-bytes": limit,
            "data-types": " ".join(attachments.ALLOWED_TYPES),
            # {name} and {size} are filled in by the script.
            "data-too-large": _("%(name)s: the file is %(size)s MB; the limit is %(limit)d MB")
            % {"name": "{name}", "size": "{size}", "limit": limit // 2**20},
            "data-wrong-type": _(
                "%(name)s: this type of file is not accepted; send a photo (JPEG, PNG, WebP), a video (MP4, MOV, WebM) or a PDF"
            ) % {"name": "{name}"},
        })
        return context


class MultipleFileInput(EvidenceFileInput):
    allow_multiple_selected = True


class MultipleFileField(EvidenceFileField):
    """Several files in one input; the domain checks each file's type and size."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPTED_FILES}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [item for item in data if item] if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned, problems = [], []
        for item in files:
            try:
                cleaned.append(super().clean(item, initial))
            except forms.ValidationError as problem:
                problems.extend(problem.error_list)
        if problems:
            raise forms.ValidationError(problems)
        if len(files) > MAX_FILES_PER_SUBMISSION:
            raise forms.ValidationError(_("At most %(count)d files at once.") % {"count": MAX_FILES_PER_SUBMISSION})
        return cleaned


def as_upload(uploaded: UploadedFile, field_key: str = "") -> Upload:
    """A file of a form post as the domain takes it: the file itself, in memory or on disk, not read."""
    return Upload(name=uploaded.name, file=uploaded, field_key=field_key)


def category_form_field(category_field) -> forms.Field:
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
        return EvidenceFileField(widget=EvidenceFileInput(attrs={"accept": ACCEPTED_FILES}), **common)
    attrs = {"autocomplete": "off"}
    if kind == FieldType.SERIAL:
        attrs.update(spellcheck="false", autocapitalize="characters")
    # A pattern that can backtrack for hours would freeze the consumer's browser: the server checks it (bounded).
    if category_field.pattern and patterns.is_safe(category_field.pattern):
        attrs["pattern"] = browser_pattern(category_field.pattern)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), max_length=category_fields.MAX_TEXT, **common)


class ComplaintFormBase(DomainErrorsForm):
    """A new complaint for one organisation; the chosen category adds its own fields."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    description = forms.CharField(
        label=_("Description of the complaint"), widget=forms.Textarea(attrs={"rows": 6}), max_length=intake.MAX_DESCRIPTION
    )
    order_number = forms.CharField(label=_("Order number"), required=False, max_length=64)
    product = forms.CharField(label=_("Product"), required=False, max_length=200)
    purchase_date = forms.DateField(
        label=_("Purchase date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    desired_solution = forms.CharField(
        label=_("Desired solution"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    attachments = MultipleFileField(
        label=_("Files"), required=False, help_text=_("Up to %(count)d files of at most %(size)d MB each, %(total)d MB together.")
    )
    contact_name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    contact_email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    contact_phone = forms.CharField(
        label=_("Phone number"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    common_fields = ("description", "order_number", "product", "purchase_date", "desired_solution")
    contact_fields = ("contact_name", "contact_email", "contact_phone", "contact_language")

    def __init__(self, organisation: Organisation, *args, order_number_is_reference: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.uploads: list[Upload | CheckedUpload] = []
        self.upload_fields: list[str] = []  # the form field each upload came from, by index
        self.categories = list(Category.objects.filter(organisation=organisation, active=True))
        category = self.fields["category"]
        category.choices = [("", _("Choose a category"))] + [(c.slug, c.local_name) for c in self.categories]
        category.required = bool(self.categories)
        slug = (self.data.get(self.add_prefix("category")) if self.is_bound else self.initial.get("category")) or ""
        # Not `self.category`: in a template `form.category` is the bound field of that name.
        self.chosen_category = next((c for c in self.categories if c.slug == slug), None)
        self.category_fields = list(self.chosen_category.fields.all()) if self.chosen_category else []
        for spec in self.category_fields:
            self.fields[f"{FIELD_PREFIX}{spec.key}"] = category_form_field(spec)
        self.order_number_is_reference = order_number_is_reference
        if order_number_is_reference:
            self.fields["order_number"].required = True
            self.fields["order_number"].help_text = _(
                "The order number is the reference of the complaint: it is followed with this number."
            )
        files = self.fields["attachments"]
        files.help_text = files.help_text % upload_limits()
        self.fields["purchase_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def field_name_for(self, key: str) -> str | None:
        if key.startswith("fields."):
            key = FIELD_PREFIX + key.removeprefix("fields.")
        elif key.startswith("attachments."):
            index = key.removeprefix("attachments.")
            known = index.isdigit() and int(index) < len(self.upload_fields)
            key = self.upload_fields[int(index)] if known else "attachments"
        return super().field_name_for(key)

    def category_bound_fields(self) -> list[BoundField]:
        return [self[f"{FIELD_PREFIX}{spec.key}"] for spec in self.category_fields]

    def common_bound_fields(self) -> list[BoundField]:
        return [self[name] for name in self.common_fields]

    def contact_bound_fields(self) -> list[BoundField]:
        return [self[name] for name in self.contact_fields]

    def page_order(self) -> list[str]:
        """The names of the fields in the order they stand on the page (a door's own fields first)."""
        ordered = [
            "category", *(f"{FIELD_PREFIX}{spec.key}" for spec in self.category_fields), *self.common_fields,
            "attachments", *self.contact_fields,
        ]
        return [name for name in self.fields if name not in ordered] + ordered

    def errors_in_page_order(self) -> list[tuple[BoundField, str]]:
        """Every field error as (field, text naming the field), in the order the fields stand on the page."""
        found = []
        for name in self.page_order():
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
            uploaded = {upload.field_key for upload in self.uploads if upload.field_key}
            try:
                category_fields.clean_field_values(self.category_fields, self._field_values(cleaned), uploaded)
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
            self.uploads.append(as_upload(uploaded))
            self.upload_fields.append("attachments")
        for spec in self.category_fields:
            uploaded = cleaned.get(f"{FIELD_PREFIX}{spec.key}") if spec.field_type == FieldType.FILE else None
            if uploaded:
                self.uploads.append(as_upload(uploaded, field_key=spec.key))
                self.upload_fields.append(f"{FIELD_PREFIX}{spec.key}")

    def _field_values(self, cleaned) -> dict:
        """The category's own values as typed (files are uploads, not values)."""
        return {
            spec.key: cleaned[f"{FIELD_PREFIX}{spec.key}"]
            for spec in self.category_fields
            if spec.field_type != FieldType.FILE and cleaned.get(f"{FIELD_PREFIX}{spec.key}") not in (None, "")
        }

    def new_complaint(self) -> NewComplaint:
        data = self.cleaned_data
        return NewComplaint(
            description=data["description"],
            contact_name=data["contact_name"],
            contact_email=data.get("contact_email") or "",
            contact_phone=data.get("contact_phone") or "",
            contact_language=data["contact_language"],
            category=data.get("category") or "",
            field_values=self._field_values(data),
            order_number=data.get("order_number") or "",
            product=data.get("product") or "",
            purchase_date=data.get("purchase_date"),
            desired_solution=data.get("desired_solution") or "",
        )


def upload_limits() -> dict[str, int]:
    """The limits a file input's help text states: count, size of each and of all (MB)."""
    return {
        "count": MAX_FILES_PER_SUBMISSION,
        "size": settings.GEHOORD_MAX_UPLOAD_BYTES // 2**20,
        "total": settings.GEHOORD_MAX_SUBMISSION_BYTES // 2**20,
    }


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
