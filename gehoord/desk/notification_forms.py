"""The choice of which notifications also come by mail, and in which language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gehoord.mail.models import NotificationKind
from gehoord.organisations.models import Language


class NotificationSettingsForm(forms.Form):
    by_mail = forms.MultipleChoiceField(
        label=_("Also send me an e-mail when"),
        help_text=_("Every notification shows at the bell; these also come by mail."),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of these mails"),
        choices=[("", _("The organisation's language")), *Language.choices],
        required=False,
    )
