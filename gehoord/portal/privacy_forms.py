"""The forms of the consumer's data pages; they parse, `platform.privacy` and `data_export` decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gehoord.platform.accounts import MAX_EMAIL
from gehoord.portal.forms import PortalForm


class DataLinkForm(PortalForm):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=MAX_EMAIL,
        help_text=_("The address you filed your complaints with. We mail a download link to it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EraseForm(PortalForm):
    confirm = forms.BooleanField(
        label=_("I understand that my data is erased for good and my account closed."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
