"""The moderation's forms, shared by the doors that offer them: a company's report (its dashboard and
the desk), the moderator's decisions and edits (the desk's moderation pages), a company's changed
reply (its dashboard). They parse; the actions (publication.py, reports.py) check and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gehoord.complaints.actions import MAX_TEXT
from gehoord.complaints.forms import DomainErrorsForm
from gehoord.platform import publication, reports
from gehoord.platform.models import Report


class ReportForm(DomainErrorsForm):
    reason = forms.ChoiceField(label=_("Why do you report this complaint?"), choices=Report.Reason.choices)
    details = forms.CharField(
        label=_("Explain (for the moderators)"), required=False, max_length=reports.MAX_DETAILS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A threat or personal data takes the complaint off the public pages at once, until a moderator decides."),
    )


class WithholdForm(DomainErrorsForm):
    reason = forms.ChoiceField(label=_("Reason (told to the author)"), choices=publication.WithholdReason.choices)
    note = forms.CharField(
        label=_("Note to the author"), required=False, max_length=publication.MAX_REASON,
        help_text=_("Required for another reason."),
    )


class ReportDecisionForm(WithholdForm):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, initial=reports.DISMISS,
        choices=[
            (reports.DISMISS, _("Dismiss: the complaint stays (or is again) public")),
            (reports.WITHHOLD, _("Uphold: withhold the complaint with the reason below")),
            (reports.EDITED, _("Uphold: publish my edited public text")),
        ],
    )
    field_order = ["decision", "reason", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A reason only when withholding.
        self.fields["reason"].required = False
        self.fields["reason"].choices = [("", "—"), *publication.WithholdReason.choices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == reports.WITHHOLD and not cleaned.get("reason"):
            self.add_error("reason", _("Say why it is withheld: the author is told."))
        return cleaned


class PublicTextForm(DomainErrorsForm):
    """A moderator's edit of a complaint's public texts."""

    description = forms.CharField(label=_("Public description"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}))
    desired_solution = forms.CharField(
        label=_("Public desired solution"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChangedReplyForm(DomainErrorsForm):
    body = forms.CharField(label=_("Your changed reply"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}))
