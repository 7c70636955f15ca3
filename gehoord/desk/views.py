"""The staff desk's pages. Each view checks who is asking (`staff_view`), parses the request with a
form, calls one query or one action, and renders; the rules live in complaints/ and policies/.

Times on these pages are shown, and typed times read, in the organisation's own time zone.
"""

import datetime
import functools
import io
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gehoord.complaints import actions, bulk, events, lifecycle, selection
from gehoord.complaints.attachments import open_stored
from gehoord.complaints.events import EventKind
from gehoord.complaints.intake import file_complaint
from gehoord.complaints.models import Channel, Outcome, Resolution, Stage, Status
from gehoord.desk import forms, queries, saved_view_panel
from gehoord.desk.access import HANDLING_ROLES, organisations_of, staff_view
from gehoord.errors import DomainError, InvalidInput
from gehoord.organisations import settings as org_settings
from gehoord.organisations.models import Language, Membership, PlatformMembership, PlatformRole, Role
from gehoord.platform import autoscreen, dossier
from gehoord.platform.dossier import Purpose
from gehoord.policies.models import DEADLINE_KIND_LABELS

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def desk_view(view):
    """A page for the staff who handle complaints (agent, manager, board) of the URL's organisation."""

    @staff_view(roles=HANDLING_ROLES)
    @functools.wraps(view)
    def wrapper(request, organisation, *args, **kwargs):
        with timezone.override(ZoneInfo(organisation.time_zone)):
            return view(request, organisation, *args, **kwargs)

    return wrapper


def _is_htmx(request) -> bool:
    # A history restore asks for the whole page, not the fragment.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


# --- home ----------------------------------------------------------------------------------------


@login_required
@require_safe
def home(request):
    """Straight to the queue of one's organisation; a choice when there are several."""
    organisations = list(organisations_of(request.user))
    roles: dict[int, set[str]] = {}
    for organisation_id, role in Membership.objects.filter(user=request.user).values_list("organisation_id", "role"):
        roles.setdefault(organisation_id, set()).add(role)
    entries = [
        (organisation.name, url)
        for organisation in organisations
        if (url := _entry_url(organisation, roles.get(organisation.pk, set())))
    ]
    # The platform's own staff (seed 004): its moderators and its legal advisors.
    platform_roles = set(PlatformMembership.objects.filter(user=request.user).values_list("role", flat=True))
    if PlatformRole.MODERATOR in platform_roles:
        entries.append((_("Moderation of the platform"), reverse("moderation:home")))
    if PlatformRole.LEGAL_ADVISOR in platform_roles:
        entries.append((_("Legal aid"), reverse("legalaid:queue")))
    if len(entries) == 1:
        return redirect(entries[0][1])
    template = "desk/choose.html" if entries else "desk/no_organisation.html"
    return render(request, template, {"entries": entries})


def _entry_url(organisation, roles: set[str]) -> str | None:
    if roles & HANDLING_ROLES:
        return reverse("desk:queue", args=[organisation.slug])
    if Role.ADMIN in roles:
        try:
            return reverse("desk:settings", args=[organisation.slug])
        except NoReverseMatch:
            return None
    return None


# --- the queue -----------------------------------------------------------------------------------


@desk_view
@require_safe
def queue(request, organisation):
    categories, staff = queries.categories_of(organisation), queries.staff_of(organisation)
    filter_form = forms.QueueFilterForm(request.GET, categories=categories, staff=staff)
    chosen = filter_form.chosen(request.user)
    page, counts = queries.queue_page(organisation, chosen, request.GET.get("page"))
    context = {
        "organisation": organisation,
        "nav": "mine" if filter_form.cleaned_data.get("mine") else "queue",
        "filter_form": filter_form,
        "filters": chosen,
        "page": page,
        "rows": _queue_rows(page.object_list),
        "status_links": _status_links(request, counts, chosen.status),
        "page_query": _query_without(request, "page"),
        "now": timezone.now(),
        "bulk_form": forms.BulkActionForm(initial={"back": request.GET.urlencode()}, staff=staff),
        "bulk_limit": bulk.MAX_COMPLAINTS,
    }
    if _is_htmx(request):
        template = "desk/_queue_list.html"
    else:
        template = "desk/queue.html"
        context.update(saved_view_panel.context(
            request, organisation, "queue", lambda query: forms.QueueFilterForm(query, categories=categories, staff=staff)
        ))
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass
class QueueRow:
    complaint: object
    deadline: object | None
    rule: str  # the nearest deadline's kind and the policy rule's term
    urgency: str  # "overdue", "soon" or ""
    # The labels through the enums: the model's get_FOO_display rebuilds its choices on every call,
    # which cost a fifth of the queue's rendering.
    status: str
    channel: str
    stage: str


def _queue_rows(complaints) -> list[QueueRow]:
    now = timezone.now()
    rows = []
    for complaint in complaints:
        running = complaint.running_deadlines
        nearest = running[0] if running else None
        urgency = ""
        if complaint.next_deadline_at:
            if complaint.next_deadline_at < now:
                urgency = "overdue"
            elif complaint.next_deadline_at <= now + selection.DUE_SOON:
                urgency = "soon"
        rule = ""
        if nearest is not None:
            rule = _("%(kind)s: %(term)s from %(anchor)s") % {
                "kind": _deadline_kind(nearest.kind),
                "term": duration_text(nearest.rule.duration),
                "anchor": ANCHOR_LABELS.get(str(nearest.rule.anchor), nearest.rule.anchor),
            }
        rows.append(
            QueueRow(
                complaint,
                nearest,
                rule,
                urgency,
                status=Status(complaint.status).label,
                channel=Channel(complaint.channel).label,
                stage=Stage(complaint.stage).label,
            )
        )
    return rows


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _status_links(request, counts: dict[str, int], current: str) -> list[dict]:
    base = request.GET.copy()
    base.pop("page", None)
    links = []
    for value, label in (
        (selection.OPEN, _("Open")),
        (selection.ALL, _("All")),
        *((status.value, status.label) for status in Status),
    ):
        # Open statuses without complaints are left out; the closed ones are listed without a count.
        if value in counts and value != selection.OPEN and not counts[value]:
            continue
        query = base.copy()
        if value == selection.OPEN:
            query.pop("status", None)
        else:
            query["status"] = value
        links.append({"label": label, "count": counts.get(value), "query": query.urlencode(), "current": value == current})
    return links


# --- one complaint -------------------------------------------------------------------------------


@desk_view
@require_safe
def complaint(request, organisation, reference):
    complaint = queries.complaint_page(organisation, reference)
    if complaint is None:
        raise Http404
    # SPEC 1: every view of a complaint's personal data by staff is on the timeline.
    actions.record_personal_data_view(complaint, by=request.actor)
    return _complaint_page(request, complaint)


@desk_view
@require_http_methods(["GET", "HEAD", "POST"])
def action(request, organisation, reference, action):
    """GET shows the action's form (opened in the page by htmx, or the page with it open); POST runs it."""
    if request.method != "POST":
        return _action_form(request, organisation, reference, action)
    form_class = forms.ACTION_FORMS.get(action)
    complaint = queries.complaint_for_staff(organisation, reference)
    if form_class is None or complaint is None:
        raise Http404
    page = reverse("desk:complaint", args=[organisation.slug, complaint.reference])
    form = None
    try:
        # A page opened before someone else acted may offer what is no longer possible.
        lifecycle.check(action, complaint, request.actor)
        form = form_class(request.POST, complaint=complaint, actor=request.actor)
        if form.is_valid():
            actions.perform(action, complaint, by=request.actor, **form.arguments())
            messages.success(request, form.done)
            return redirect(page)
    except InvalidInput as invalid:
        form.apply_domain_errors(invalid)
    except DomainError as refused:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": refused.message})
        return redirect(page)
    return _complaint_page(request, queries.complaint_page(organisation, reference), bound=form, status=422)


def _action_form(request, organisation, reference, action):
    form_class = forms.ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    if not _is_htmx(request):
        complaint = queries.complaint_page(organisation, reference)
        if complaint is None:
            raise Http404
        actions.record_personal_data_view(complaint, by=request.actor)
        return _complaint_page(request, complaint, opened=action)
    complaint = queries.complaint_for_staff(organisation, reference)
    if complaint is None:
        raise Http404
    form = form_class(complaint=complaint, actor=request.actor)
    if action not in lifecycle.allowed_actions(complaint, request.actor):
        return HttpResponse(
            format_html('<p class="muted">{}</p>', _("This action is no longer possible. Reload the page."))
        )
    context = {
        "organisation": organisation,
        "complaint": complaint,
        "form": form,
        "reply_templates": _reply_templates(organisation) if form.reply_box else [],
    }
    return render(request, "desk/_action_form_body.html", context)


def _reply_templates(organisation) -> list:
    return list(org_settings.reply_templates_of(organisation).values("pk", "name"))


@desk_view
@require_POST
def message(request, organisation, reference):
    complaint = queries.complaint_for_staff(organisation, reference)
    if complaint is None:
        raise Http404
    page = reverse("desk:complaint", args=[organisation.slug, complaint.reference])
    internal = request.POST.get("kind") == "note"
    form = forms.MessageForm(request.POST, request.FILES, internal=internal)
    try:
        if form.is_valid():
            actions.add_message(complaint, by=request.actor, **form.arguments())
            autoscreen.screen_when_committed(complaint)  # a reply on a public platform complaint
            messages.success(request, _("The note was saved.") if internal else _("The message was sent."))
            return redirect(page)
    except InvalidInput as invalid:
        form.apply_domain_errors(invalid)
    except DomainError as refused:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": refused.message})
        return redirect(page)
    return _complaint_page(request, queries.complaint_page(organisation, reference), bound=form, status=422)


@desk_view
@require_safe
def attachment(request, organisation, reference, pk):
    """A file of the complaint: photos shown in the page, everything else as a download."""
    stored = queries.attachment_of(organisation, reference, pk)
    handle = open_stored(stored) if stored else None
    if handle is None:
        raise Http404
    inline = stored.content_type in INLINE_TYPES
    response = FileResponse(
        handle, content_type=stored.content_type, as_attachment=not inline, filename=stored.original_name
    )
    patch_cache_control(response, private=True, max_age=3600)
    return response


@staff_view(roles=frozenset({Role.MANAGER}))
@require_safe
def dossier_download(request, organisation, reference, fmt):
    """The complaint's dossier for the external body of a referral: one PDF, or its files as a ZIP."""
    complaint = queries.complaint_for_staff(organisation, reference)
    if complaint is None or fmt not in ("pdf", "zip"):
        raise Http404
    with timezone.override(ZoneInfo(organisation.time_zone)):
        if fmt == "pdf":
            language = (get_language() or "")[:2]
            document = dossier.pdf(
                complaint, by=request.actor, purpose=Purpose.REFERRAL,
                language=language if language in Language.values else organisation.language,
            )
            handle, content_type = io.BytesIO(document), "application/pdf"
        else:
            handle = dossier.attachments_zip(complaint, by=request.actor, purpose=Purpose.REFERRAL)
            content_type = "application/zip"
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=dossier.filename(complaint, fmt))
    patch_cache_control(response, private=True, no_store=True)
    return response


def _complaint_page(request, complaint, *, bound=None, opened: str = "", status: int = 200):
    actor = request.actor
    action_forms = []
    for name in lifecycle.allowed_actions(complaint, actor):
        form_class = forms.ACTION_FORMS.get(name)
        if form_class is None:
            continue
        action_forms.append(bound if isinstance(bound, form_class) else form_class(complaint=complaint, actor=actor))
    message_form = forms.MessageForm()
    note_form = forms.MessageForm(internal=True)
    if isinstance(bound, forms.MessageForm):
        if bound.internal:
            note_form = bound
        else:
            message_form = bound
    attachments = list(complaint.attachments.all())
    entries, views = _timeline(complaint, attachments)
    context = {
        "organisation": complaint.organisation,
        "complaint": complaint,
        "action_forms": action_forms,
        "message_form": message_form,
        "note_form": note_form,
        "failed_form": bound,
        "opened": opened,
        "category_values": _category_values(complaint, attachments),
        "attachments": attachments,
        "timeline": entries,
        "views": views,
        "deadlines": [_deadline_row(deadline, complaint.policy.spec) for deadline in complaint.deadlines.all()],
        "inline_types": INLINE_TYPES,
        "stage_label": _stage_label(complaint),
        "time_zone": complaint.organisation.time_zone,
        "reply_templates": _reply_templates(complaint.organisation),
    }
    return render(request, "desk/complaint.html", context, status=status)


def _stage_label(complaint) -> str:
    for stage in complaint.policy.spec.stages:
        if stage.number == complaint.stage:
            return f"{complaint.get_stage_display()} ({stage.label})"
    return complaint.get_stage_display()


def _category_values(complaint, attachments) -> list[dict]:
    if complaint.category is None:
        return []
    rows = []
    for category_field in complaint.category.fields.all():
        files = [a for a in attachments if a.field_key == category_field.key]
        value = complaint.field_values.get(category_field.key)
        if value is None and not files:
            continue
        rows.append({"label": category_field.label, "value": value, "files": files})
    return rows


# --- the timeline --------------------------------------------------------------------------------

MESSAGE_LABELS = {
    "consumer": gettext_lazy("Message from the consumer"),
    "staff": gettext_lazy("Message to the consumer"),
    "note": gettext_lazy("Internal note"),
}


@dataclass
class Entry:
    at: datetime.datetime
    label: str
    actor: str = ""
    details: list[str] = field(default_factory=list)
    message: object | None = None
    attachments: list = field(default_factory=list)
    resolution: dict | None = None
    letter: object | None = None
    consumer_visible: bool = False
    css: str = "event"


def _timeline(complaint, attachments) -> tuple[list[Entry], list]:
    """Events and messages in order; the views of personal data apart, as they are many."""
    messages_by_id = {message.pk: message for message in complaint.messages.all()}
    files_by_message: dict[int, list] = {}
    for stored in attachments:
        if stored.message_id:
            files_by_message.setdefault(stored.message_id, []).append(stored)
    resolutions = {resolution.pk: resolution for resolution in complaint.resolutions.all()}
    letters = {letter.pk: letter for letter in complaint.outcome_letters.all()}
    entries, views, shown_messages = [], [], set()
    for event in complaint.events.all():
        if event.kind == EventKind.PERSONAL_DATA_VIEWED:
            views.append(event)
            continue
        data = event.data or {}
        entry = Entry(
            at=event.created_at,
            label=events.label(event.kind),
            actor=event.actor_label,
            details=_event_details(event.kind, data),
            consumer_visible=event.consumer_visible,
        )
        message = messages_by_id.get(data.get("message_id"))
        if message is not None:
            shown_messages.add(message.pk)
            entry.message = message
            entry.attachments = files_by_message.get(message.pk, [])
            entry.css = f"message-{message.kind}"
            if event.kind in (EventKind.MESSAGE_ADDED, EventKind.NOTE_ADDED):
                entry.label = str(MESSAGE_LABELS[message.kind])
        if (resolution := resolutions.get(data.get("resolution_id"))) is not None:
            entry.resolution = _resolution_row(resolution)
        entry.letter = letters.get(data.get("letter_id"))
        entries.append(entry)
    # Messages that came in without an event of their own (e.g. from mail) still belong here.
    for message in messages_by_id.values():
        if message.pk not in shown_messages:
            entries.append(
                Entry(
                    at=message.created_at,
                    label=str(MESSAGE_LABELS[message.kind]),
                    actor=message.author_name,
                    message=message,
                    attachments=files_by_message.get(message.pk, []),
                    consumer_visible=message.kind != "note",
                    css=f"message-{message.kind}",
                )
            )
    entries.sort(key=lambda entry: entry.at)
    return entries, views


def _when(value) -> str:
    if not value:
        return ""
    try:
        instant = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    return formats.date_format(timezone.localtime(instant), "DATETIME_FORMAT")


def _deadline_kind(kind) -> str:
    return str(DEADLINE_KIND_LABELS.get(kind, kind))


def _outcome(value) -> str:
    return str(Outcome(value).label) if value in Outcome.values else str(value or "")


def _event_details(kind: str, data: dict) -> list[str]:
    details = []
    if kind == EventKind.RECEIVED and data.get("channel"):
        channel = data["channel"]
        label = Channel(channel).label if channel in Channel.values else channel
        details.append(_("By %(channel)s.") % {"channel": label})
    elif kind in (EventKind.ACKNOWLEDGED, EventKind.ESCALATION_ACKNOWLEDGED):
        if data.get("handler"):
            details.append(_("Handled by %(handler)s.") % {"handler": data["handler"]})
        if data.get("expected_answer_by"):
            details.append(_("Answer expected by %(when)s") % {"when": _when(data["expected_answer_by"])})
    elif kind == EventKind.CATEGORY_SET:
        details.append(_("Category: %(category)s.") % {"category": data.get("category", "")})
        if data.get("missing_fields"):
            details.append(_("Missing: %(fields)s.") % {"fields": ", ".join(data["missing_fields"])})
    elif kind == EventKind.ASSIGNED and data.get("handler"):
        details.append(_("Assigned to %(handler)s.") % {"handler": data["handler"]})
    elif kind == EventKind.ESCALATED:
        details.append(
            _("From %(from)s to %(to)s.")
            % {"from": _stage_name(data.get("from_stage")), "to": _stage_name(data.get("to_stage"))}
        )
    elif kind == EventKind.DECIDED:
        details.append(_("Decision: %(decision)s.") % {"decision": _outcome(data.get("decision"))})
    elif kind == EventKind.CLOSED and data.get("outcome"):
        details.append(_("Outcome: %(outcome)s.") % {"outcome": _outcome(data.get("outcome"))})
    elif kind == EventKind.REFERRED:
        details.append(_("Referred to %(body)s.") % {"body": data.get("body", "")})
    elif kind == EventKind.DEADLINE_EXTENDED:
        details.append(
            _("The %(kind)s deadline moved from %(old)s to %(new)s")
            % {
                "kind": _deadline_kind(data.get("deadline_kind")),
                "old": _when(data.get("original_due_at")),
                "new": _when(data.get("due_at")),
            }
        )
    elif kind in (EventKind.DEADLINE_MISSED, EventKind.DEADLINE_REMINDER_SENT):
        details.append(
            _("The %(kind)s deadline, due %(due)s")
            % {"kind": _deadline_kind(data.get("deadline_kind")), "due": _when(data.get("due_at"))}
        )
    elif kind == EventKind.PROGRESS_UPDATE_SENT and data.get("new_estimate"):
        details.append(_("New estimate: %(when)s") % {"when": _when(data["new_estimate"])})
    if data.get("reason"):
        details.append(_("Reason: %(reason)s") % {"reason": data["reason"]})
    return details


def _stage_name(number) -> str:
    return str(Stage(number).label) if number in Stage.values else str(number or "")


def _resolution_row(resolution) -> dict:
    return {
        "resolution": resolution,
        "kinds": [
            str(Resolution.Kind(kind).label) if kind in Resolution.Kind.values else kind for kind in resolution.kinds
        ],
        "response": resolution.get_response_display() if resolution.response else "",
    }


# --- deadlines -----------------------------------------------------------------------------------

STATE_LABELS = {
    "open": gettext_lazy("running"),
    "met": gettext_lazy("met"),
    "met_late": gettext_lazy("met late"),
    "missed": gettext_lazy("missed"),
    "overdue": gettext_lazy("overdue"),
    "paused": gettext_lazy("paused"),
    "cancelled": gettext_lazy("cancelled"),
}


ANCHOR_LABELS = {
    "received": gettext_lazy("receipt"),
    "acknowledged": gettext_lazy("acknowledgement"),
    "escalation_requested": gettext_lazy("the escalation"),
    "escalation_acknowledged": gettext_lazy("the escalation's acknowledgement"),
}


def duration_text(duration) -> str:
    amount, unit = duration.amount, str(duration.unit)
    if unit == "hours":
        return ngettext("%(count)d hour", "%(count)d hours", amount) % {"count": amount}
    if unit == "business_hours":
        return ngettext("%(count)d business hour", "%(count)d business hours", amount) % {"count": amount}
    if unit == "working_days":
        return ngettext("%(count)d working day", "%(count)d working days", amount) % {"count": amount}
    return ngettext("%(count)d calendar day", "%(count)d calendar days", amount) % {"count": amount}


def _deadline_row(deadline, spec) -> dict:
    rule = deadline.rule
    # The note is read from the complaint's policy version, whose texts are kept in both languages;
    # the copy of the rule on the deadline may predate that.
    current = spec.rule_for(rule.kind, rule.stage) or rule
    state = deadline.state
    if state == "open" and deadline.due_at < timezone.now():
        state = "overdue"  # the sweep has not marked it missed yet
    return {
        "deadline": deadline,
        "kind": _deadline_kind(deadline.kind),
        "state": state,
        "state_label": STATE_LABELS.get(state, state),
        "duration": duration_text(rule.duration),
        "anchor": ANCHOR_LABELS.get(str(rule.anchor), rule.anchor),
        "note": current.note,
    }


# --- intake by phone or letter -------------------------------------------------------------------


@desk_view
def intake(request, organisation):
    context = {"organisation": organisation, "nav": "intake"}
    if request.method == "POST" and "refresh" not in request.POST:
        form = forms.IntakeForm(organisation, request.POST, request.FILES)
        try:
            if form.is_valid():
                complaint = file_complaint(
                    organisation,
                    form.new_complaint(),
                    channel=form.cleaned_data["channel"],
                    by=request.actor,
                    uploads=form.uploads,
                )
                messages.success(
                    request, _("Complaint %(reference)s was filed.") % {"reference": complaint.reference}
                )
                return redirect("desk:complaint", organisation.slug, complaint.reference)
        except InvalidInput as invalid:
            form.apply_domain_errors(invalid)
        except DomainError as refused:  # e.g. a second open complaint about the same order
            form.add_error("order_number" if refused.code == "duplicate_order_number" else None, refused.message)
        return render(request, "desk/intake.html", {**context, "form": form}, status=422)
    if request.method == "POST":
        # Without JavaScript, choosing a category reloads the form with the category's fields.
        initial = {key: value for key, value in request.POST.items() if key not in ("csrfmiddlewaretoken", "refresh")}
        form = forms.IntakeForm(organisation, initial=initial)
    else:
        form = forms.IntakeForm(organisation, initial={"category": request.GET.get("category", "")})
    if _is_htmx(request):
        response = render(request, "desk/_category_fields.html", {**context, "form": form})
    else:
        response = render(request, "desk/intake.html", {**context, "form": form})
    patch_vary_headers(response, ["HX-Request"])
    return response
