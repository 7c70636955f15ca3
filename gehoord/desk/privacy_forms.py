"""The forms of the desk's personal-data settings pages: they parse, the platform decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gehoord.platform.accounts import MAX_EMAIL


class AccessLogFilter(forms.Form):
    staff = forms.TypedChoiceField(label=_("Staff member"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, staff_members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", _("Everyone"))] + [
            (member.pk, member.get_full_name() or member.get_username()) for member in staff_members
        ]


class PersonExportForm(forms.Form):
    email = forms.EmailField(
        label=_("The person's e-mail address"), max_length=MAX_EMAIL,
        help_text=_("The ZIP holds this person's complaints at your organisation; the export is on each one's timeline."),
    )
