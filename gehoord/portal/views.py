"""The consumer pages: file a complaint, then follow it and act on it.

Each view parses the request with a form, calls one domain function or query and renders;
every POST answers with a redirect (POST-redirect-GET) unless it re-shows a form with its errors.
Pages of a complaint load it only through `access.complaint_for_consumer`.
"""

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gehoord.complaints import actions, attachments, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import file_complaint
from gehoord.complaints.models import ActorKind, Channel, Message, Status
from gehoord.complaints.tracking import LinkExpired, token_for
from gehoord.errors import ActionNotAllowed, DomainError, DuplicateOrderNumber, NotPermitted
from gehoord.mail import outbound
from gehoord.organisations.models import Organisation
from gehoord.platform import companies
from gehoord.policies import deadlines
from gehoord.policies.models import PolicyVersion
from gehoord.platform.registry_forms import SearchForm
from gehoord.policies.rules import DeadlineKind
from gehoord.portal import access, forms, presentation, ratelimit, submissions
from gehoord.platform import accounts, autoscreen, filing
from gehoord.portal.forms import ComplaintForm, FreshLinkForm, MessageForm, PlatformComplaintForm, TrackForm

log = logging.getLogger(__name__)


@require_GET
def home(request):
    """The platform's front page: find any company, file about it, or use a connected company's own form."""
    context = {
        "organisations": Organisation.objects.in_registry().connected().order_by("name"),
        "search_form": SearchForm(),
        "track_form": TrackForm(),
    }
    return render(request, "portal/home.html", context)


# Filing a complaint


@dataclass(frozen=True)
class FilingPage:
    """Where a complaint form is filled in: an organisation's own page, or the platform's (seed 004),
    which files about any company in the registry and asks whether the complaint is public."""

    form_class: type[ComplaintForm]
    url_name: str
    confirmation_url_name: str
    on_platform: bool = False


ORGANISATION_PAGE = FilingPage(ComplaintForm, "portal:complaint_form", "portal:confirmation")
PLATFORM_PAGE = FilingPage(PlatformComplaintForm, "portal:platform_complaint_form", "portal:platform_confirmation", True)


def _complaint_form(organisation: Organisation, page: FilingPage = ORGANISATION_PAGE, **kwargs) -> ComplaintForm:
    policy = filing.procedure_for(organisation) if page.on_platform else PolicyVersion.objects.current(organisation)
    spec = policy.spec
    form = page.form_class(organisation, order_number_is_reference=spec.order_number_is_reference, **kwargs)
    # With JavaScript, choosing a category fetches its fields; without, the form's button reloads.
    form.fields["category"].widget.attrs.update(
        {
            "hx-get": reverse("portal:category_fields", kwargs={"org": organisation.slug}),
            "hx-target": "#category-fields",
            "hx-trigger": "change",
        }
    )
    return form


def _render_complaint_form(
    request, organisation: Organisation, form: ComplaintForm, status: int = 200, page: FilingPage = ORGANISATION_PAGE
):
    context = {
        "organisation": organisation,
        "form": form,
        "form_url": reverse(page.url_name, kwargs={"org": organisation.slug}),
        "on_platform": page.on_platform,
    }
    return render(request, "portal/complaint_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_form(request, org: str):
    return filing_page(request, get_object_or_404(Organisation, slug=org), ORGANISATION_PAGE)


def filing_page(request, organisation: Organisation, page: FilingPage, initial: dict | None = None):
    """The complaint form of `page` about `organisation`: shown (with `initial`) or filed."""
    if request.method == "GET":
        initial = {**(initial or {}), "category": request.GET.get("category", ""), "submission": submissions.new_token()}
        return _render_complaint_form(request, organisation, _complaint_form(organisation, page, initial=initial), page=page)
    # Every attempt counts, before its files are checked: a robot's invalid posts cost as much as valid ones.
    if not ratelimit.FILING_ATTEMPTS_PER_IP.take(ratelimit.client_ip(request)):
        messages.error(request, _(
            "Many complaints were sent from your connection in a short time. Please wait an hour before you "
            "send another one; what you typed is kept below, your files must be chosen again."
        ))
        form = _complaint_form(organisation, page, initial=_typed(request))
        return _render_complaint_form(request, organisation, form, 429, page)
    if request.POST.get("homepage"):
        return _honeypot(request, organisation, page)
    if "show_fields" in request.POST:
        # Without JavaScript the category's fields come with a reload that keeps what was typed.
        form = _complaint_form(organisation, page, initial=_typed(request))
        return _render_complaint_form(request, organisation, form, page=page)
    form = _complaint_form(organisation, page, data=request.POST, files=request.FILES)
    if form.is_valid() and (complaint := _file(request, organisation, form, page)) is not None:
        access.grant(request, complaint)
        request.session[access.FILED_KEY] = complaint.public_id
        return redirect(page.confirmation_url_name, org=organisation.slug)
    return _render_complaint_form(request, organisation, form, page=page)


def _typed(request) -> dict:
    return {key: request.POST.get(key) for key in request.POST if key not in ("csrfmiddlewaretoken", "show_fields")}


def _file(request, organisation: Organisation, form: ComplaintForm, page: FilingPage):
    """File the complaint, or put on the form why not; returns the complaint or None.

    The same form sent again (a double click, a reload) finds the complaint its first sending filed.
    """
    email = form.cleaned_data["contact_email"]
    token = form.cleaned_data.get("submission") or submissions.new_token()
    if (earlier := _filed_before(token, email)) is not None:
        return earlier
    if not ratelimit.FILING_PER_EMAIL.take(email):
        form.add_error(
            None,
            _(
                "You have sent several complaints in a short time. Please wait an hour before you send "
                "another one; what you typed is kept below."
            ),
        )
        return None
    consumer = Actor(kind=ActorKind.CONSUMER, label=form.cleaned_data["contact_name"], organisation_id=organisation.pk)
    try:
        with transaction.atomic():
            if not submissions.claim(token):  # the first sending committed meanwhile
                return _filed_before(token, email)
            if page.on_platform:
                account = accounts.consumer_of(request.user)
                complaint = filing.file_on_platform(
                    organisation, form.new_complaint(), by=consumer, consumer=account.user if account else None,
                    uploads=form.uploads,
                )
            else:
                complaint = file_complaint(
                    organisation, form.new_complaint(), channel=Channel.WEB, by=consumer, uploads=form.uploads
                )
            submissions.record(token, complaint)
    except DuplicateOrderNumber as duplicate:
        existing = duplicate.details.get("existing_reference", "")
        track_url = reverse("portal:track") + "?" + urlencode({"reference": existing})
        link = format_html('{} <a href="{}">{}</a>', duplicate.message, track_url, _("Follow that complaint"))
        form.add_error("order_number", link)
        return None
    except DomainError as problem:
        form.apply_domain_errors(problem)
        return None
    return complaint


def _filed_before(token: str, email: str):
    """The complaint an earlier sending of this form filed, for the same address (else None)."""
    earlier = submissions.filed_by(token)
    return earlier if earlier is not None and earlier.contact_email == email.strip().lower() else None


def _honeypot(request, organisation: Organisation, page: FilingPage):
    """A robot filled the hidden field: answer as if all went well, store nothing (the attempt counted)."""
    ip = ratelimit.client_ip(request)
    log.warning("Honeypot filled on the complaint form of %s from %s; nothing stored", organisation.slug, ip)
    request.session.pop(access.FILED_KEY, None)
    return redirect(page.confirmation_url_name, org=organisation.slug)


@require_GET
def category_fields(request, org: str):
    """The chosen category's own fields, for htmx to put into the form."""
    organisation = get_object_or_404(Organisation, slug=org)
    category = request.GET.get("category", "")
    if not request.headers.get("HX-Request"):
        url = reverse("portal:complaint_form", kwargs={"org": organisation.slug})
        return redirect(f"{url}?{urlencode({'category': category})}" if category else url)
    form = _complaint_form(organisation, initial={"category": category})
    return render(request, "portal/_category_fields.html", {"organisation": organisation, "form": form})


@never_cache
@require_GET
def confirmation(request, org: str):
    organisation = get_object_or_404(Organisation, slug=org)
    public_id = request.session.get(access.FILED_KEY)
    complaint = access.complaint_for_consumer(request, public_id) if public_id else None
    context = {"organisation": organisation, "complaint": None}
    if complaint is not None and complaint.organisation_id == organisation.pk:
        context.update(
            complaint=complaint,
            handler=_handler_name(complaint),
            expected=deadlines.expected_answer_by(complaint),
            acknowledge_by=_acknowledge_by(complaint),
            tracking_url=request.build_absolute_uri(
                reverse("portal:tracking_link", kwargs={"token": token_for(complaint)})
            ),
        )
    return render(request, "portal/confirmation.html", context)


def _handler_name(complaint) -> str:
    """Who handles it, as the acknowledgement says (seed 001): never nobody."""
    return lifecycle.who_handles(complaint) or _("our customer service")


def _acknowledge_by(complaint):
    if complaint.status != Status.RECEIVED:
        return None
    deadline = complaint.deadlines.pending().filter(kind=DeadlineKind.acknowledge).order_by("due_at").first()
    return deadline.due_at if deadline else None


# Following a complaint


def _track_page(request, form=None, fresh_link_form=None, status: int = 200, **context):
    context = {"form": form or TrackForm(), "fresh_link_form": fresh_link_form or FreshLinkForm(), **context}
    return render(request, "portal/track.html", context, status=status)


TOO_MANY_ATTEMPTS = gettext_lazy("Too many attempts. Please try again later, or use the link in the confirmation e-mail.")


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    if request.method == "GET":
        return _track_page(request, TrackForm(initial={"reference": request.GET.get("reference", "")}))
    form = TrackForm(request.POST)
    if form.is_valid():
        reference, email = form.cleaned_data["reference"].strip(), form.cleaned_data["email"]
        ip = ratelimit.client_ip(request)
        # Failures count per client address, and per reference from it: a count per reference alone
        # let anyone lock the real consumer out of their own complaint.
        reference_from_ip = f"{reference.upper()} {ip}"
        if (
            not ratelimit.TRACKING_PER_IP.take(ip)
            or ratelimit.TRACKING_FAILURES_PER_IP.exceeded(ip)
            or ratelimit.TRACKING_FAILURES_PER_REFERENCE_AND_IP.exceeded(reference_from_ip)
        ):
            form.add_error(None, TOO_MANY_ATTEMPTS)
            return _track_page(request, form, status=429)
        if not (found := access.find_for_consumer(reference, email, form.cleaned_data["code"])):
            ratelimit.TRACKING_FAILURES_PER_IP.hit(ip)
            ratelimit.TRACKING_FAILURES_PER_REFERENCE_AND_IP.hit(reference_from_ip)
            form.add_error(None, _(
                "There is no complaint with this reference and e-mail address (and, where the reference is "
                "your order number, this tracking code)."
            ))
        else:
            for complaint in found:
                access.grant(request, complaint)
            if len(found) == 1:
                return redirect("portal:tracking", public_id=found[0].public_id)
            return _track_page(request, found=found)
    return _track_page(request, form)


@never_cache
@require_POST
def fresh_link(request):
    """Mail a fresh link to each complaint of an address; the answer never says whether there are any."""
    form = FreshLinkForm(request.POST)
    if not form.is_valid():
        return _track_page(request, fresh_link_form=form)
    email = form.cleaned_data["email"]
    if not ratelimit.LINK_REQUESTS_PER_IP.take(ratelimit.client_ip(request)) or not ratelimit.LINK_REQUESTS_PER_EMAIL.take(email):
        form.add_error(None, TOO_MANY_ATTEMPTS)
        return _track_page(request, fresh_link_form=form, status=429)
    for complaint in access.complaints_of(email):
        outbound.send_tracking_link(complaint)
    messages.success(request, _(
        "If there are complaints made with %(email)s, a new link to each is on its way to that address."
    ) % {"email": email})
    return redirect("portal:track")


@never_cache
@require_GET
def tracking_link(request, token: str):
    try:
        complaint = access.complaint_from_token(token)
    except LinkExpired:
        messages.error(request, _("This link has expired. Ask for a fresh one below, or enter your reference."))
        return redirect("portal:track")
    if complaint is None:
        messages.error(request, _("This link does not work (any more). Enter your reference and e-mail address."))
        return redirect("portal:track")
    access.grant(request, complaint)
    # Off the token's address at once, so the link does not stay in the address bar or history.
    return redirect("portal:tracking", public_id=complaint.public_id)


@never_cache
@require_GET
@access.consumer_view(ask_when_missing=True)
def tracking(request, complaint):
    return render(request, "portal/tracking.html", _tracking_context(complaint))


@never_cache
@require_GET
@access.consumer_view()
def attachment(request, complaint, attachment_id: int):
    found = access.consumer_attachments(complaint).filter(pk=attachment_id).first()
    handle = attachments.open_stored(found) if found else None
    if handle is None:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=found.original_name, content_type=found.content_type)


DONE = {
    "accept": gettext_lazy("You accepted the proposed resolution."),
    "reject": gettext_lazy("You rejected the proposed resolution."),
    "escalate": gettext_lazy("Your request for escalation has been received."),
    "close": gettext_lazy("Thank you for your feedback. Your complaint is closed."),
    "withdraw": gettext_lazy("Your complaint has been withdrawn."),
    "conclude": gettext_lazy("Thank you for your verdict. Your complaint is closed."),
    "close_unanswered": gettext_lazy("Your complaint is closed as unanswered by the company."),
    "hand_to_legal_aid": gettext_lazy("Your dossier has been handed to legal aid. We have sent you a confirmation."),
    "message": gettext_lazy("Your information has been added to your complaint."),
    "answer": gettext_lazy("Thank you. Your answer has been sent."),
    "confirm_sender": gettext_lazy("Thank you. We have noted whether the reply is the company's."),
    "resubmit": gettext_lazy("Your changed complaint was submitted again: a moderator checks it before it is published."),
}


def _form(action: str, *args, **kwargs):
    form_class = MessageForm if action == "message" else forms.ACTION_FORMS[action]
    return form_class(*args, prefix=action, **kwargs)


def _perform(action: str, complaint, by: Actor, form) -> None:
    if action == "message":
        actions.add_message(complaint, by=by, body=form.cleaned_data["body"], uploads=form.uploads)
    else:
        actions.perform(action, complaint, by=by, **form.arguments())
    autoscreen.screen_when_committed(complaint)  # a public text it added is screened before it is published


@never_cache
@require_POST
@access.consumer_view()
def act(request, complaint, action: str):
    """One of the consumer's actions on their complaint, offered as a form on the tracking page."""
    if action not in forms.ACTION_FORMS and action != "message":
        raise Http404
    by = Actor.consumer(complaint)
    form = _form(action, request.POST, request.FILES)
    if action not in presentation.offered_actions(complaint, by):
        return _stale(request, complaint)
    if form.is_valid():
        if action in ("accept", "reject") and _pending_id(complaint) != form.cleaned_data["resolution"]:
            return _stale(request, complaint)  # the proposal on the page is not the one pending now
        if action == "message" and ratelimit.MESSAGES_PER_COMPLAINT.exceeded(complaint.public_id):
            form.add_error(None, _("You have sent many messages in a short time. Please try again later."))
        else:
            answering = complaint.status == Status.AWAITING_CONSUMER
            try:
                _perform(action, complaint, by, form)
            except (ActionNotAllowed, NotPermitted):
                return _stale(request, complaint)
            except DomainError as problem:
                form.apply_domain_errors(problem)
            else:
                if action == "message":
                    ratelimit.MESSAGES_PER_COMPLAINT.hit(complaint.public_id)
                messages.success(request, DONE["answer" if action == "message" and answering else action])
                return redirect("portal:tracking", public_id=complaint.public_id)
    return render(request, "portal/tracking.html", _tracking_context(complaint, failed=(action, form)))


def _stale(request, complaint):
    messages.warning(
        request,
        _(
            "This is no longer possible: your complaint has changed in the meantime. Nothing was changed; "
            "see its current state below."
        ),
    )
    return redirect("portal:tracking", public_id=complaint.public_id)


def _pending_id(complaint) -> int | None:
    pending = access.pending_resolution(complaint)
    return pending.pk if pending else None


def _legal_aid_refusal(complaint, by: Actor, offered: list[str]) -> str:
    """Why a platform complaint cannot go to legal aid (yet), in the lifecycle's own plain words."""
    if not complaint.platform or "hand_to_legal_aid" in offered:
        return ""
    try:
        lifecycle.check("hand_to_legal_aid", complaint, by)
    except DomainError as refused:
        return refused.message
    return ""


def _tracking_context(complaint, failed: tuple[str, object] | None = None) -> dict:
    by = Actor.consumer(complaint)
    offered = presentation.offered_actions(complaint, by)
    pending = access.pending_resolution(complaint) if complaint.status == Status.RESOLUTION_PROPOSED else None
    action_forms = {}
    for action in offered:
        initial = {"resolution": pending.pk} if pending and action in ("accept", "reject") else None
        if action == "resubmit":  # the withheld text, to change
            initial = {"description": complaint.description, "desired_solution": complaint.desired_solution}
        action_forms[action] = _form(action, initial=initial)
    if failed and failed[0] in action_forms:
        action_forms[failed[0]] = failed[1]
    resolutions = list(complaint.resolutions.exclude(response=""))
    for resolution in [*resolutions, *([pending] if pending else [])]:
        resolution.kind_labels = presentation.resolution_kinds(resolution)
    question = None
    if complaint.status == Status.AWAITING_CONSUMER:
        question = access.consumer_messages(complaint).filter(kind=Message.Kind.STAFF).last()
    expected = deadlines.expected_answer_by(complaint) if complaint.is_open else None
    return {
        "organisation": complaint.organisation,
        "complaint": complaint,
        "status_label": presentation.STATUS_FOR_CONSUMER.get(complaint.status, complaint.get_status_display()),
        "handler": _handler_name(complaint),
        "expected": expected,
        # An escalation stage the policy gives no term (vxhome): said plainly instead of no date at all.
        "escalated_without_term": complaint.is_open and complaint.stage > 1 and expected is None,
        "field_values": presentation.field_values(complaint),
        "field_labels": presentation.field_labels(complaint),
        "attachments": access.consumer_attachments(complaint),
        "timeline": presentation.timeline(complaint),
        "pending": pending,
        "resolutions": resolutions,
        "letters": list(complaint.outcome_letters.all()),
        "forms": action_forms,
        "failed_action": failed[0] if failed else "",
        "question": question,
        # Company replies from an unknown address, for the consumer to confirm (platform.companies).
        "replies_to_confirm": companies.waiting_for_confirmation(complaint) if "confirm_sender" in offered else (),
        "confirm_choices": [("yes", _("Yes, it is the company's")), ("no", _("No, it is not"))],
        "legal_aid_refusal": _legal_aid_refusal(complaint, by, offered),
        "next_stage": presentation.next_stage_label(complaint),
        "external_bodies": (
            complaint.policy.spec.external_bodies if presentation.internal_procedure_exhausted(complaint) else ()
        ),
    }
