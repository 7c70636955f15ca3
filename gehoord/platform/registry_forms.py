"""The registry's forms, shared by the consumer's "add a company" page and the moderators' edit page.

They parse what was typed into `registry.CompanyDetails`; the registry checks it (the same rules
for every door) and its refusals land back on the fields they name.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from gehoord.complaints.forms import DomainErrorsForm
from gehoord.platform.registry import COUNTRIES, MAX_QUERY_LENGTH, CompanyDetails

COUNTRY_NAMES = {
    "NL": _("Netherlands"), "BE": _("Belgium"), "LU": _("Luxembourg"), "DE": _("Germany"), "FR": _("France"),
    "GB": _("United Kingdom"),
}


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Company name, KvK/KBO number or website"), required=False, max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class CompanyForm(DomainErrorsForm):
    name = forms.CharField(label=_("Company name"), max_length=200)
    complaint_email = forms.EmailField(
        label=_("E-mail address for complaints"), max_length=254,
        help_text=_("The platform sends your complaint to this address, e.g. the customer service's."),
    )
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    registration_number = forms.CharField(
        label=_("Registry number (KvK, KBO or Companies House)"), required=False, max_length=40
    )
    country = forms.ChoiceField(label=_("Country"), choices=[(code, COUNTRY_NAMES[code]) for code in COUNTRIES])

    def details(self) -> CompanyDetails:
        data = self.cleaned_data
        return CompanyDetails(
            name=data["name"], complaint_email=data["complaint_email"], website=data["website"],
            registration_number=data["registration_number"], country=data["country"],
            contact_person=data.get("contact_person", ""),
        )


class ModeratedCompanyForm(CompanyForm):
    """Every registry field, as a moderator corrects an entry and confirms it."""

    contact_person = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    verified = forms.BooleanField(label=_("Verified"), required=False)


class MergeForm(forms.Form):
    into = forms.SlugField(label=_("Merge into"), max_length=60)
