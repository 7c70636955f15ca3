"""The forms of the consumer's account pages; they parse, `platform.accounts` decides."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from gehoord.organisations.models import Language
from gehoord.platform.accounts import MAX_EMAIL, MAX_NAME
from gehoord.portal.forms import PortalForm


class SignUpForm(PortalForm):
    name = forms.CharField(label=_("Your name"), max_length=MAX_NAME, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("E-mail address"), max_length=MAX_EMAIL,
        help_text=_("We send a link to confirm it. You log in with this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language of our messages"), choices=Language.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rules a password must meet, as the configured validators state them.
        self.fields["password"].help_text = " ".join(password_validators_help_texts())


class LoginForm(PortalForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=MAX_EMAIL, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"), strip=False, max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class LoginLinkForm(PortalForm):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=MAX_EMAIL,
        help_text=_("We mail you a link that logs you in once, within half an hour."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SettingsForm(PortalForm):
    name = forms.CharField(label=_("Your name"), max_length=MAX_NAME, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    language = forms.ChoiceField(label=_("Language of our messages"), choices=Language.choices)
