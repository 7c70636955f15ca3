"""The consumer's forms. They parse and validate what was typed; the domain files and changes.

Where the domain has the rule (a category's fields, uploads) the form asks the domain's own
check, so every problem shows at once; what the domain still refuses when filing is put back on
the field it names with `apply_domain_errors`.
"""

import dataclasses

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gehoord.complaints import intake
from gehoord.complaints.actions import FeedbackInput
from gehoord.complaints.attachments import Upload
from gehoord.complaints.forms import ComplaintFormBase, DomainErrorsForm, MultipleFileField, as_upload, upload_limits
from gehoord.complaints.models import Visibility
from gehoord.organisations.models import Language, Organisation

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


class PortalForm(DomainErrorsForm):
    bound_field_class = PortalBoundField


class ComplaintForm(PortalForm, ComplaintFormBase):
    """The consumer's complaint (complaints/forms.py has the fields and checks): in the consumer's
    words, an address to follow it required, and a honeypot for robots."""

    category = forms.ChoiceField(label=_("What is your complaint about?"), required=False)
    description = forms.CharField(
        label=_("Describe your complaint"),
        help_text=_("What happened, and when?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=intake.MAX_DESCRIPTION,
    )
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
        help_text=_("Up to %(count)d files of at most %(size)d MB each, %(total)d MB together."),
    )
    contact_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send the confirmation here. You need it to follow your complaint."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_language = forms.ChoiceField(label=_("Language of our messages"), choices=Language.choices)
    # Which page the form was typed on (portal/submissions.py): a second sending of it files once.
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # The honeypot: hidden by CSS and skipped by the keyboard; people leave it empty, robots do not.
    homepage = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, organisation: Organisation, *args, **kwargs):
        super().__init__(organisation, *args, **kwargs)
        if self.order_number_is_reference:
            self.fields["order_number"].help_text = _(
                "Your order number is the reference of your complaint: you follow it with this number."
            )
        if not self.is_bound and not self.initial.get("contact_language"):
            language = (get_language() or "")[:2]
            self.initial["contact_language"] = language if language in Language.values else organisation.language


class PlatformComplaintForm(ComplaintForm):
    """The consumer's complaint on the public platform (seed 004): about any company, and public or private."""

    visibility = forms.ChoiceField(
        label=_("Public or private?"),
        choices=[
            (Visibility.PUBLIC, _("Public: everyone can read it on the platform")),
            (Visibility.PRIVATE, _("Private: only you, the company and the platform's moderators see it")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "A public complaint is published after a moderator has checked it, with personal data such as your "
            "name, e-mail address, phone number and bank account left out. The company's replies to a public "
            "complaint are public too. A private complaint is never published."
        ),
    )

    def new_complaint(self) -> intake.NewComplaint:
        return dataclasses.replace(super().new_complaint(), visibility=self.cleaned_data["visibility"])


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
    code = forms.CharField(
        label=_("Tracking code"),
        required=False,
        max_length=12,
        help_text=_("Only when your reference is your order number: the code from your confirmation."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class FreshLinkForm(PortalForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send a new link for each complaint made with this address."),
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


class ConcludeForm(FeedbackForm):
    """The consumer's verdict that closes a platform complaint (platform/closing.py)."""

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {"resolved": data["resolved"], "satisfaction": data["satisfaction"], "comment": data["comment"]}


class ConfirmForm(PortalForm):
    """An action that takes nothing but the consumer's click (closing as unanswered)."""

    def arguments(self) -> dict:
        return {}


class LegalAidForm(PortalForm):
    question = forms.CharField(
        label=_("Your question for the legal advisor"),
        required=False,
        max_length=MAX_COMMENT,
        help_text=_("What would you like legal aid to do for you?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def arguments(self) -> dict:
        return {"question": self.cleaned_data["question"]}


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
        help_text=_("Up to %(count)d files of at most %(size)d MB each, %(total)d MB together."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % upload_limits()

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
        return [as_upload(uploaded) for uploaded in chosen]


class ConfirmSenderForm(PortalForm):
    """Whether a reply from an address other than the company's registered one is the company's."""

    message_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    confirmed = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes", widget=forms.HiddenInput,
    )

    def arguments(self) -> dict:
        return {"message_id": self.cleaned_data["message_id"], "confirmed": self.cleaned_data["confirmed"]}


class ResubmitForm(PortalForm):
    """The consumer's changed text of a complaint a moderator withheld (platform/publication.py)."""

    description = forms.CharField(
        label=_("Your complaint"), max_length=intake.MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 8})
    )
    desired_solution = forms.CharField(
        label=_("Desired solution"), required=False, max_length=intake.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def arguments(self) -> dict:
        return {"description": self.cleaned_data["description"], "desired_solution": self.cleaned_data["desired_solution"]}


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
    "confirm_sender": ConfirmSenderForm,
    "conclude": ConcludeForm,
    "close_unanswered": ConfirmForm,
    "hand_to_legal_aid": LegalAidForm,
    "resubmit": ResubmitForm,
}
NOT_OFFERED = frozenset({"info_received", "refer"})
