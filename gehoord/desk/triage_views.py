"""The triage queue: mail to an organisation's complaint address that no complaint claimed.

Staff of that organisation see it and either put it on one of their complaints (it becomes the
consumer's message there), open a new complaint from it, or set it aside (spam, newsletters).
Views are adapters: `staff_view` checks who asks, a form parses, one function of mail/received.py acts.
Mail for no known organisation is not here: Django superusers see it in the admin.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from gehoord.complaints.models import Complaint
from gehoord.desk.access import HANDLING_ROLES, staff_view
from gehoord.errors import DomainError
from gehoord.mail import received
from gehoord.mail.models import InboundMail
from gehoord.organisations.models import Language

PAGE_SIZE = 50


class AttachForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Reference of the complaint"), max_length=64)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_reference(self) -> Complaint:
        reference = self.cleaned_data["reference"].strip()
        complaint = (
            Complaint.objects.of_organisation(self.organisation)
            .select_related("organisation")
            .filter(reference__iexact=reference)
            .first()
        )
        if complaint is None:
            raise forms.ValidationError(_("No complaint %(reference)s here.") % {"reference": reference})
        return complaint


class OpenForm(forms.Form):
    contact_name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    contact_email = forms.EmailField(label=gettext_lazy("E-mail address"))
    contact_language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)


def _mails(organisation):
    return InboundMail.objects.filter(organisation=organisation).defer("raw", "html_sanitised")


def _mail(organisation, pk: int) -> InboundMail:
    mail = _mails(organisation).select_related("suggested_complaint", "complaint").filter(pk=pk).first()
    if mail is None:
        raise Http404
    return mail


@staff_view(roles=HANDLING_ROLES)
@require_safe
def triage(request, organisation):
    showing = "noise" if request.GET.get("show") == "noise" else "triage"
    state = InboundMail.State.IGNORED if showing == "noise" else InboundMail.State.TRIAGE
    rows = _mails(organisation).filter(state=state).select_related("suggested_complaint").order_by("-received_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "desk/triage.html", {
        "organisation": organisation,
        "nav": "triage",
        "page": page,
        "showing": showing,
        "waiting": _mails(organisation).filter(state=InboundMail.State.TRIAGE).count(),
    })


@staff_view(roles=HANDLING_ROLES)
@require_safe
def triage_mail(request, organisation, pk: int):
    mail = _mail(organisation, pk)
    return render(request, "desk/triage_mail.html", _detail_context(organisation, mail))


def _detail_context(organisation, mail, attach_form=None, open_form=None) -> dict:
    contact = mail.suggested_contact_email or mail.from_address
    return {
        "organisation": organisation,
        "nav": "triage",
        "mail": mail,
        "attach_form": attach_form or AttachForm(
            organisation=organisation,
            initial={"reference": mail.suggested_complaint.reference if mail.suggested_complaint else ""},
        ),
        "open_form": open_form or OpenForm(initial={
            "contact_name": (contact == mail.from_address and mail.from_name) or contact.partition("@")[0],
            "contact_email": contact,
            "contact_language": received.guess_language(f"{mail.subject}\n{mail.text_visible}", organisation.language),
        }),
    }


def _refused(request, organisation, mail, problem: DomainError, **forms_):
    messages.error(request, problem.message)
    return render(request, "desk/triage_mail.html", _detail_context(organisation, mail, **forms_), status=409)


@staff_view(roles=HANDLING_ROLES)
@require_POST
def triage_attach(request, organisation, pk: int):
    mail = _mail(organisation, pk)
    form = AttachForm(request.POST, organisation=organisation)
    if not form.is_valid():
        return render(request, "desk/triage_mail.html", _detail_context(organisation, mail, attach_form=form), status=422)
    complaint = form.cleaned_data["reference"]
    try:
        received.attach_from_triage(mail.pk, complaint, by=request.actor)
    except DomainError as problem:
        return _refused(request, organisation, mail, problem, attach_form=form)
    messages.success(request, _("The mail is now a message on %(reference)s.") % {"reference": complaint.reference})
    return redirect("desk:triage", org=organisation.slug)


@staff_view(roles=HANDLING_ROLES)
@require_POST
def triage_open(request, organisation, pk: int):
    mail = _mail(organisation, pk)
    form = OpenForm(request.POST)
    if not form.is_valid():
        return render(request, "desk/triage_mail.html", _detail_context(organisation, mail, open_form=form), status=422)
    try:
        complaint = received.open_from_triage(mail.pk, organisation, by=request.actor, **form.cleaned_data)
    except DomainError as problem:
        return _refused(request, organisation, mail, problem, open_form=form)
    messages.success(request, _("Complaint %(reference)s opened from the mail.") % {"reference": complaint.reference})
    return redirect("desk:complaint", org=organisation.slug, reference=complaint.reference)


@staff_view(roles=HANDLING_ROLES)
@require_POST
def triage_dismiss(request, organisation, pk: int):
    mail = _mail(organisation, pk)
    try:
        received.dismiss_from_triage(mail.pk, organisation, by=request.actor)
    except DomainError as problem:
        return _refused(request, organisation, mail, problem)
    messages.success(request, _("The mail was set aside."))
    return redirect("desk:triage", org=organisation.slug)
