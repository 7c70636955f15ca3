"""The legal advisors' pages (seed 004): the queue of dossiers subscribers handed over, each
dossier's full file with its attachments, taking it on and marking it done, and the PDF and ZIP.

Only the platform's legal advisors get in (`platform_view`); anyone else gets 404. A dossier opens
only once it was handed over: the complaint behind it is reached through its handover."""

import io

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gehoord.complaints import attachments, events, timeline
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Message
from gehoord.desk.access import platform_view
from gehoord.errors import ActionNotAllowed
from gehoord.organisations.models import Language, PlatformRole
from gehoord.platform import dossier, legalaid
from gehoord.platform.dossier import Purpose
from gehoord.platform.models import LegalAidHandover

advisor_view = platform_view(PlatformRole.LEGAL_ADVISOR)


def _handover(public_id: str) -> LegalAidHandover:
    return get_object_or_404(
        LegalAidHandover.objects.select_related("complaint__organisation", "advisor"), complaint__public_id=public_id
    )


def _language() -> str:
    language = (get_language() or "")[:2]
    return language if language in Language.values else Language.ENGLISH


@advisor_view
@require_safe
def queue(request):
    """The handed-over dossiers, the latest first, filtered by state."""
    state = request.GET.get("state", "")
    dossiers = LegalAidHandover.objects.select_related("complaint__organisation", "advisor")
    if state in LegalAidHandover.State.values:
        dossiers = dossiers.filter(state=state)
    else:
        state = ""
    return render(
        request,
        "desk/legalaid/queue.html",
        {"dossiers": dossiers[:200], "state": state, "states": LegalAidHandover.State.choices},
    )


@advisor_view
@require_safe
def file(request, public_id):
    """The full file: details, deadlines and whether they were met, correspondence, files, timeline."""
    handover = _handover(public_id)
    complaint = handover.complaint
    # SPEC 1: every view of a complaint's personal data by staff is on the timeline.
    timeline.record(complaint, EventKind.PERSONAL_DATA_VIEWED, legalaid.advisor_actor(request.user))
    return render(
        request,
        "desk/legalaid/file.html",
        {
            "handover": handover,
            "complaint": complaint,
            "time_zone": complaint.organisation.time_zone,
            "correspondence": complaint.messages.exclude(kind=Message.Kind.NOTE).prefetch_related("attachments"),
            "attachments": complaint.attachments.all(),
            "deadlines": [
                {"deadline": deadline, "result": dossier.DEADLINE_STATES.get(deadline.state, deadline.state)}
                for deadline in complaint.deadlines.all()
            ],
            "timeline": [(event, events.label(event.kind)) for event in complaint.events.all()],
        },
    )


@advisor_view
@require_POST
def take(request, public_id):
    return _change(request, public_id, legalaid.take, _("You work on this dossier now."))


@advisor_view
@require_POST
def finish(request, public_id):
    return _change(request, public_id, legalaid.finish, _("The dossier is marked done."))


def _change(request, public_id, change, done: str):
    handover = _handover(public_id)
    try:
        change(handover, request.user)
    except ActionNotAllowed as refused:
        messages.warning(request, refused.message)
    else:
        messages.success(request, done)
    return redirect("legalaid:file", public_id=public_id)


@advisor_view
@require_safe
def pdf(request, public_id):
    complaint = _handover(public_id).complaint
    document = dossier.pdf(
        complaint, by=legalaid.advisor_actor(request.user), purpose=Purpose.LEGAL_AID, language=_language()
    )
    return _download(io.BytesIO(document), dossier.filename(complaint, "pdf"), "application/pdf")


@advisor_view
@require_safe
def attachments_zip(request, public_id):
    complaint = _handover(public_id).complaint
    archive = dossier.attachments_zip(complaint, by=legalaid.advisor_actor(request.user), purpose=Purpose.LEGAL_AID)
    return _download(archive, dossier.filename(complaint, "zip"), "application/zip")


@advisor_view
@require_safe
def attachment(request, public_id, pk):
    stored = _handover(public_id).complaint.attachments.filter(pk=pk).first()
    handle = attachments.open_stored(stored) if stored else None
    if handle is None:
        raise Http404
    return _download(handle, stored.original_name, stored.content_type)


def _download(handle, name: str, content_type: str) -> FileResponse:
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=name)
    patch_cache_control(response, private=True, no_store=True)
    return response
