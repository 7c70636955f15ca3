"""The dashboard of an e-mail-only company (seed 004): log in with a link mailed to the registry
address, see the complaints sent to it and its score card, answer them, and claim the entry.

The session holds the organisation (and the registry address it logged in with: a changed
address ends the session); no Django user is involved. Every page loads the company's complaints
through `_complaints`, which is scoped to that organisation.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.errors import DomainError
from gehoord.mail import outbound
from gehoord.organisations.models import Organisation
from gehoord.platform import autoscreen, companies
from gehoord.platform.moderation_forms import ChangedReplyForm, ReportForm
from gehoord.platform.models import CompanyScore
from gehoord.portal import ratelimit

SESSION_KEY = "gehoord.portal.company"  # [organisation id, registry address]

LOGIN_PER_IP = ratelimit.Limit("company-login-ip", 20, 3600)
LOGIN_PER_ADDRESS = ratelimit.Limit("company-login-address", 3, 3600)
ANSWERS_PER_COMPANY = ratelimit.Limit("company-answers", 60, 3600)
CLAIMS_PER_IP = ratelimit.Limit("company-claims-ip", 5, 3600)
REPORTS_PER_COMPANY = ratelimit.Limit("company-reports", 20, 3600)


class LoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your company's complaint e-mail address"), max_length=254)


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your answer"), max_length=actions.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )


class ClaimForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"), max_length=150,
        help_text=gettext_lazy("We send an invitation to become the company's admin to this address."),
    )


def _organisation(request) -> Organisation | None:
    """The company this session logged in as, while its entry is still e-mail only at that address."""
    held = request.session.get(SESSION_KEY)
    if not held:
        return None
    organisation_id, address = held
    return companies.entries_with_address(address).filter(pk=organisation_id).first()


def _complaints(organisation: Organisation):
    # Only what was sent to the company: a complaint still waiting for screening is not its yet.
    return Complaint.objects.filter(organisation=organisation, platform=True, company_notified_at__isnull=False)


def _logged_in(view):
    def wrapped(request, *args, **kwargs):
        organisation = _organisation(request)
        if organisation is None:
            return redirect("portal:company_login")
        return view(request, organisation, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        # The same answer whatever was entered, and whether or not a limit stopped the mail.
        if LOGIN_PER_IP.take(ratelimit.client_ip(request)) and LOGIN_PER_ADDRESS.take(address):
            _mail_login_links(address)
        messages.success(request, _(
            "If this is the complaint address of a company on the platform, we have sent a login link to it."
        ))
        return redirect("portal:company_login")
    return render(request, "portal/company/login.html", {"form": form}, status=400 if form.errors else 200)


def _mail_login_links(address: str) -> None:
    entries = list(companies.entries_with_address(address)[:10])
    if not entries:
        return
    links = [
        (entry.name, settings.GEHOORD_BASE_URL + reverse("portal:company_link", args=[companies.login_token(entry)]))
        for entry in entries
    ]
    minutes = int(companies.LOGIN_LINK_LIFETIME.total_seconds() // 60)
    outbound.send_company_login_link(entries[0].complaint_email, links, entries[0].language, minutes)


@never_cache
@require_http_methods(["GET", "POST"])
def link(request, token: str):
    """GET only shows a button: mail scanners open links, and must not spend a single-use one."""
    organisation = companies.organisation_for_login(token, use=request.method == "POST")
    if organisation is None:
        messages.error(request, _("This login link has expired or was used already. Ask for a new one."))
        return redirect("portal:company_login")
    if request.method == "GET":
        return render(request, "portal/company/link.html", {"organisation": organisation})
    request.session.cycle_key()
    request.session[SESSION_KEY] = [organisation.pk, organisation.complaint_email.lower()]
    return redirect("portal:company_dashboard")


@require_POST
def logout(request):
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    return redirect("portal:company_login")


@never_cache
@_logged_in
def dashboard(request, organisation: Organisation):
    complaints = list(_complaints(organisation).newest_first()[:200])
    score = CompanyScore.objects.filter(organisation=organisation).first()
    context = {
        "organisation": organisation,
        "complaints": complaints,
        "score": score if score is not None and score.score is not None else None,
        "unanswered": [complaint.pk for complaint in complaints if complaint.first_reply_at is None and complaint.is_open],
    }
    return render(request, "portal/company/dashboard.html", context)


def _sent_complaint(organisation: Organisation, public_id: str) -> Complaint:
    found = _complaints(organisation).select_related("organisation").filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


@never_cache
@require_http_methods(["GET", "POST"])
@_logged_in
def complaint(request, organisation: Organisation, public_id: str):
    found = _sent_complaint(organisation, public_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ANSWERS_PER_COMPANY.take(str(organisation.pk)):
            form.add_error(None, _("Many answers were sent in a short time. Please wait a while; your text is kept below."))
        else:
            try:
                actions.add_message(found, by=Actor.company(organisation), body=form.cleaned_data["body"])
            except DomainError as problem:
                form.add_error(None, problem.message)
            else:
                autoscreen.screen_when_committed(found)
                messages.success(request, _("Your answer was sent to the consumer."))
                return redirect("portal:company_complaint", public_id=found.public_id)
    return _complaint_page(request, organisation, found, form=form)


def _complaint_page(request, organisation: Organisation, found: Complaint, **forms_in_use):
    """The complaint's page; a form that failed is shown again as it was filled in."""
    correspondence = list(
        found.messages.filter(kind__in=[Message.Kind.CONSUMER, Message.Kind.STAFF, Message.Kind.COMPANY])
        .exclude(publication=Publication.WITHHELD, withheld_reason=companies.NOT_THE_COMPANY)
        .order_by("created_at", "id")
    )
    failed_reply = forms_in_use.pop("changed_reply", None)  # (message id, form)
    for message in correspondence:
        # A withheld reply of the company: it may change it and submit it again.
        if message.kind == Message.Kind.COMPANY and message.publication == Publication.WITHHELD:
            message.change_form = (
                failed_reply[1] if failed_reply and failed_reply[0] == message.pk
                else ChangedReplyForm(initial={"body": message.body}, prefix=f"reply-{message.pk}")
            )
    public = found.publication == Publication.PUBLISHED
    context = {
        "organisation": organisation,
        "complaint": found,
        "correspondence": correspondence,
        "form": forms_in_use.get("form") or AnswerForm(),
        "public": public,
        "report_form": (forms_in_use.get("report_form") or ReportForm()) if public else None,
        "open_report": found.reports.filter(state="open").exists(),
    }
    status = 400 if any(form.errors for form in forms_in_use.values()) or (failed_reply and failed_reply[1].errors) else 200
    return render(request, "portal/company/complaint.html", context, status=status)


@never_cache
@require_POST
@_logged_in
def report(request, organisation: Organisation, public_id: str):
    """Report a published complaint to the moderators (platform/reports.py)."""
    found = _sent_complaint(organisation, public_id)
    form = ReportForm(request.POST)
    if form.is_valid():
        if not REPORTS_PER_COMPANY.take(str(organisation.pk)):
            form.add_error(None, _("Many reports were sent in a short time. Please wait a while; your text is kept below."))
        else:
            try:
                actions.perform("report", found, by=Actor.company(organisation), **form.cleaned_data)
            except DomainError as problem:
                form.apply_domain_errors(problem)
            else:
                messages.success(request, _("Your report was sent to the moderators. We tell you their decision by e-mail."))
                return redirect("portal:company_complaint", public_id=found.public_id)
    return _complaint_page(request, organisation, found, report_form=form)


@never_cache
@require_POST
@_logged_in
def resubmit_reply(request, organisation: Organisation, public_id: str, message_id: int):
    """Change a reply a moderator withheld and submit it again for publication."""
    found = _sent_complaint(organisation, public_id)
    form = ChangedReplyForm(request.POST, prefix=f"reply-{message_id}")
    if form.is_valid():
        try:
            actions.perform(
                "resubmit_reply", found, by=Actor.company(organisation), message_id=message_id, body=form.cleaned_data["body"]
            )
        except DomainError as problem:
            form.apply_domain_errors(problem)
        else:
            messages.success(request, _("Your changed reply was submitted again: a moderator checks it before it is published."))
            return redirect("portal:company_complaint", public_id=found.public_id)
    return _complaint_page(request, organisation, found, changed_reply=(message_id, form))


@never_cache
@require_http_methods(["GET", "POST"])
@_logged_in
def claim(request, organisation: Organisation):
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not CLAIMS_PER_IP.take(ratelimit.client_ip(request)):
            form.add_error(None, _("Too many attempts. Please wait an hour."))
        else:
            try:
                with transaction.atomic():
                    invitation, token = companies.claim(organisation, email=form.cleaned_data["email"])
                    accept = settings.GEHOORD_BASE_URL + reverse("desk:invitation", args=[organisation.slug, token])
                    outbound.send_staff_invitation(invitation, accept)
            except DomainError as problem:
                _add_errors(form, problem)
            else:
                # The entry is a tenant now: its staff work in the desk, the dashboard is done.
                request.session.pop(SESSION_KEY, None)
                return render(request, "portal/company/claimed.html", {"organisation": organisation, "email": invitation.email})
    return render(request, "portal/company/claim.html", {"organisation": organisation, "form": form},
                  status=400 if form.errors else 200)


def _add_errors(form: forms.Form, problem: DomainError) -> None:
    if not problem.errors:
        form.add_error(None, problem.message)
    for field, message in problem.errors.items():
        form.add_error("email" if field == "email" else None, message)
