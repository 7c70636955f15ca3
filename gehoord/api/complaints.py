"""Complaint endpoints. Each one authenticates, parses, calls one domain function or query, and answers."""

import base64
import binascii
import tempfile
from typing import Literal

from django.conf import settings
from django.core.files.base import File
from django.db.models import Prefetch
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import translation
from ninja import Field as SchemaField
from ninja import Query, Router
from ninja import Status as Answer

from gehoord.api import idempotency, schemas
from gehoord.complaints import actions, events, lifecycle, selection
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Channel, Complaint, Message, Outcome, Stage, Status
from gehoord.errors import InvalidInput, NotFound
from gehoord.insights import exports, register
from gehoord.insights.models import RegisterExport
from gehoord.organisations.models import Category, CategoryField, Membership
from gehoord.platform import autoscreen

router = Router(tags=["complaints"])
ERRORS = {status: schemas.ErrorOut for status in (400, 401, 403, 404, 409, 413, 422)}


def _organisation(request):
    return request.auth.organisation


def _actor(request, on_behalf_of_consumer: bool = False, complaint: Complaint | None = None) -> Actor:
    if on_behalf_of_consumer:
        return Actor.consumer(complaint, via=f"API: {request.auth.name}", channel=Channel.API)
    return Actor.api(request.auth.name, request.auth.organisation_id)


def _complaint(request, reference: str) -> Complaint:
    """The token's organisation's complaint, or 404 — also for another organisation's reference."""
    if schemas.unstorable(reference):
        raise NotFound("No such complaint.")  # the database could not even compare it
    organisation = _organisation(request)
    # Stored references are upper case (complaints/references.py); an integration may type either.
    # The reference is unique per organisation: no ordering needed. The policy (a large document)
    # is read only by what needs it, an escalated complaint's actions for one.
    found = list(
        Complaint.objects.of_organisation(organisation)
        .select_related("category", "handler")
        .filter(reference=reference.strip().upper())
        .order_by()[:1]
    )
    if not found:
        raise NotFound(f"No complaint {reference}.")
    complaint = found[0]
    complaint.organisation = organisation  # the token's, read with it
    return complaint


def _uploads(items: list[schemas.UploadIn]) -> list[Upload]:
    uploads = []
    for index, item in enumerate(items):
        try:
            file = _decoded(item.content_base64, item.filename)
        except (binascii.Error, ValueError):
            raise InvalidInput({f"attachments.{index}.content_base64": "Not valid base64."}) from None
        uploads.append(Upload(name=item.filename, file=file, field_key=item.field))
    return uploads


# A multiple of 4 characters: each piece of the text decodes on its own.
BASE64_PIECE = 4 * 2**18


def _decoded(text: str, name: str) -> File:
    """The bytes of a base64 text in a temporary file, decoded a piece at a time: the upload is
    never in memory a second time beside its text."""
    file = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        for start in range(0, len(text), BASE64_PIECE):
            file.write(base64.b64decode(text[start : start + BASE64_PIECE], validate=True))
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return File(file, name=name)


def _summary(complaint: Complaint) -> dict:
    return {
        "reference": complaint.reference,
        "internal_id": complaint.public_id,
        "status": complaint.status,
        "stage": complaint.stage,
        "channel": complaint.channel,
        "category": complaint.category.slug if complaint.category else None,
        "handler": complaint.handler.get_username() if complaint.handler else None,
        "contact_name": complaint.contact_name,
        "order_number": complaint.order_number,
        "received_at": complaint.received_at,
        "updated_at": complaint.updated_at,
        "next_deadline_at": complaint.next_deadline_at,
    }


def _attachment(attachment) -> dict:
    return {
        "id": attachment.pk,
        "filename": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "field": attachment.field_key,
    }


def _detail(complaint: Complaint, actor: Actor, *, attachments=None, resolutions=None, outcome_letters=None) -> dict:
    """`attachments`, `resolutions`, `outcome_letters`: the complaint's, when the caller has them already."""
    feedback = None
    if complaint.feedback_at:
        feedback = {
            "resolved": complaint.feedback_resolved,
            "satisfaction": complaint.feedback_satisfaction,
            "comment": complaint.feedback_comment,
        }
    return {
        **_summary(complaint),
        "description": complaint.description,
        "fields": complaint.field_values,
        "product": complaint.product,
        "purchase_date": complaint.purchase_date,
        "desired_solution": complaint.desired_solution,
        "contact_email": complaint.contact_email,
        "contact_phone": complaint.contact_phone,
        "contact_language": complaint.contact_language,
        "visibility": complaint.visibility,
        "outcome": complaint.outcome,
        "referred_to": complaint.referred_to,
        "acknowledged_at": complaint.acknowledged_at,
        "resolved_at": complaint.resolved_at,
        "closed_at": complaint.closed_at,
        "feedback": feedback,
        "attachments": [_attachment(a) for a in (complaint.attachments.all() if attachments is None else attachments)],
        "resolutions": [
            {
                "kinds": r.kinds,
                "text": r.text,
                "refund_amount": r.refund_amount,
                "compensation_amount": r.compensation_amount,
                "proposed_at": r.proposed_at,
                "response": r.response,
                "responded_at": r.responded_at,
            }
            for r in (complaint.resolutions.all() if resolutions is None else resolutions)
        ],
        "outcome_letters": [
            {
                "stage": letter.stage,
                "actions_taken": letter.actions_taken,
                "conclusions": letter.conclusions,
                "changes": letter.changes,
                "decision": letter.decision,
                "written_at": letter.written_at,
            }
            for letter in (complaint.outcome_letters.all() if outcome_letters is None else outcome_letters)
        ],
        "allowed_actions": lifecycle.allowed_actions(complaint, actor),
    }


@router.post("/complaints", response={201: schemas.ComplaintDetail, **ERRORS}, summary="File a complaint")
@idempotency.idempotent
def create_complaint(request: HttpRequest, payload: schemas.ComplaintIn):
    new = NewComplaint(
        description=payload.description,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        contact_phone=payload.contact_phone,
        contact_language=payload.contact_language,
        category=payload.category,
        field_values=payload.fields,
        order_number=payload.order_number,
        product=payload.product,
        purchase_date=payload.purchase_date,
        desired_solution=payload.desired_solution,
        visibility=payload.visibility,
    )
    actor = _actor(request)
    uploads = _uploads(payload.attachments)
    complaint = file_complaint(_organisation(request), new, channel=payload.channel, by=actor, uploads=uploads)
    # Answered from the complaint as filed: it has only the files sent with it, no proposals or letters.
    attachments = complaint.attachments.all() if uploads else []
    return Answer(201, _detail(complaint, actor, attachments=attachments, resolutions=[], outcome_letters=[]))


class RegisterFilters(schemas.Clean):
    status: Literal[(selection.OPEN, *Status.values)] | None = SchemaField(
        None, description="A status, or 'open' for every open one"
    )
    stage: Stage | None = None
    category: str | None = SchemaField(None, description="Category slug")
    handler: str | None = SchemaField(None, description="Handler's username, or 'none' for unassigned")
    q: str | None = SchemaField(
        None,
        max_length=200,
        description="Words, a reference, order number, name, e-mail address or phone number (full text, Dutch stemming)",
    )
    channel: Channel | None = None
    product: str | None = SchemaField(None, max_length=200, description="The product as stored, in any case")
    outcome: Outcome | None = None
    deadlines: Literal[selection.KEPT, selection.MISSED] | None = SchemaField(
        None, description="'met': every deadline so far met in time; 'missed': one missed or met late"
    )
    received_after: schemas.Instant | None = SchemaField(None, description="ISO 8601, with its time zone")
    received_before: schemas.Instant | None = SchemaField(None, description="ISO 8601, with its time zone")
    order: Literal[selection.ORDERS] = SchemaField(
        selection.BY_RECEIVED,
        description="'received': newest first; 'oldest': oldest first; 'deadline': the nearest running deadline "
        "first (the queue); 'reference': by reference",
    )


class ComplaintFilters(RegisterFilters):
    limit: int = SchemaField(25, ge=1, le=100)
    # Bounded so that offset + limit always fits the database's integers (else a 500, not a 422).
    offset: int = SchemaField(0, ge=0, le=1_000_000_000)


# What a list item shows; the description and the rest stay in the database.
SUMMARY_COLUMNS = (
    "reference", "public_id", "status", "stage", "channel", "category__slug", "handler__username",
    "contact_name", "order_number", "received_at", "updated_at", "next_deadline_at",
)


@router.get("/complaints", response={200: schemas.ComplaintList, **ERRORS}, summary="List complaints")
def list_complaints(request: HttpRequest, filters: Query[ComplaintFilters]):
    organisation = _organisation(request)
    chosen = _chosen(organisation, filters)
    if chosen.handler is None and filters.handler:
        complaints = Complaint.objects.none()  # nobody of that name works here
    else:
        complaints = selection.with_status(selection.selected(organisation, chosen), chosen.status)
    # One more than the page, to tell whether another page follows.
    rows = list(
        selection.ordered(complaints, chosen.order).select_related("category", "handler").only(*SUMMARY_COLUMNS)[
            filters.offset : filters.offset + filters.limit + 1
        ]
    )
    return {
        "items": [_summary(c) for c in rows[: filters.limit]],
        "count": None if filters.q else complaints.count(),
        "has_more": len(rows) > filters.limit,
    }


def _chosen(organisation, filters: RegisterFilters) -> selection.Selection:
    return selection.Selection(
        status=filters.status or selection.ALL,
        stage=filters.stage,
        category=filters.category or "",
        handler=_handler_id(organisation, filters.handler),
        channel=filters.channel or "",
        q=filters.q or "",
        product=filters.product or "",
        outcome=filters.outcome or "",
        kept=filters.deadlines or "",
        received_after=filters.received_after,
        received_before=filters.received_before,
        order=filters.order,
    )


@router.get(
    "/register.csv",
    response={**ERRORS},
    summary="Export the register as CSV",
    description="Every complaint the filters select (as GET /complaints, all pages), streamed as CSV in the "
    "organisation's time zone and the request's language; cells a spreadsheet would run as a formula start "
    "with an apostrophe. Each export is an entry of the organisation's access log.",
    openapi_extra={"responses": {200: {"description": "The register as CSV (UTF-8 with a byte order mark)",
                                       "content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def export_register(request: HttpRequest, filters: Query[RegisterFilters]):
    organisation = _organisation(request)
    chosen = _chosen(organisation, filters)
    if chosen.handler is None and filters.handler:
        complaints = register.register(organisation, chosen).none()
    else:
        complaints = register.register(organisation, chosen)
    entry = exports.record(organisation, _actor(request), RegisterExport.Format.CSV, filters.model_dump(exclude_none=True, mode="json"))
    response = StreamingHttpResponse(
        exports.csv_lines(entry, complaints), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="klachtenregister-{organisation.slug}.csv"'
    return response


def _handler_id(organisation, username: str | None) -> int | str | None:
    """The selection's handler for the API's `handler` (a username, or 'none' for unassigned)."""
    if not username or username == selection.UNASSIGNED:
        return username or None
    return (
        Membership.objects.filter(organisation=organisation, user__username=username)
        .values_list("user_id", flat=True)
        .first()
    )


@router.get(
    "/complaints/{reference}", response={200: schemas.ComplaintWithTimeline, **ERRORS}, summary="One complaint"
)
def get_complaint(
    request: HttpRequest,
    reference: str,
    include: Literal["timeline"] | None = Query(None, description="'timeline': the timeline too, in the same answer"),
):
    complaint = _complaint(request, reference)
    actor = _actor(request)
    actions.record_personal_data_view(complaint, by=actor)
    detail = _detail(complaint, actor)
    if include == "timeline":
        detail["timeline"] = _timeline(complaint)
    return detail


@router.get("/complaints/{reference}/timeline", response={200: list[schemas.EventOut], **ERRORS}, summary="Timeline")
def get_timeline(request: HttpRequest, reference: str):
    return _timeline(_complaint(request, reference))


def _timeline(complaint: Complaint) -> list[dict]:
    timeline = list(complaint.events.order_by("created_at", "id"))
    # The texts of the messages the events name, and only those (a long file has many).
    message_ids = {event.data.get("message_id") for event in timeline} - {None}
    messages = {}
    if message_ids:
        messages = dict(Message.objects.filter(complaint=complaint, pk__in=message_ids).values_list("pk", "body"))
    return [
        {
            "kind": event.kind,
            "label": events.label(event.kind),
            "at": event.created_at,
            "actor": event.actor_label,
            "actor_kind": event.actor_kind,
            "consumer_visible": event.consumer_visible,
            "data": event.data,
            "message": messages.get(event.data.get("message_id")),
        }
        for event in timeline
    ]


@router.post(
    "/complaints/{reference}/messages", response={201: schemas.MessageOut, **ERRORS}, summary="Add a message or note"
)
@idempotency.idempotent
def add_message(request: HttpRequest, reference: str, payload: schemas.MessageIn):
    complaint = _complaint(request, reference)
    message = actions.add_message(
        complaint,
        by=_actor(request, payload.on_behalf_of_consumer, complaint),
        body=payload.body,
        internal=payload.internal,
        uploads=_uploads(payload.attachments),
    )
    autoscreen.screen_when_committed(complaint)  # a reply on a public platform complaint
    return Answer(
        201,
        {
            "id": message.pk,
            "kind": message.kind,
            "body": message.body,
            "author": message.author_name,
            "created_at": message.created_at,
            "attachments": [_attachment(a) for a in message.attachments.all()],
        },
    )


def _run_action(request: HttpRequest, reference: str, name: str, payload: schemas.Strict):
    complaint = _complaint(request, reference)
    # A parameter not sent is left to the action's own default.
    given = payload.model_dump(exclude_unset=True)
    actor = _actor(request, given.pop("on_behalf_of_consumer", False), complaint)
    arguments = {key: getattr(payload, key) for key in given}
    if "handler" in arguments:
        arguments["handler"] = _staff_member(complaint, payload.handler)
    if "letter" in arguments:
        arguments["letter"] = actions.LetterInput(**payload.letter.model_dump())
    if "feedback" in arguments:
        arguments["feedback"] = actions.FeedbackInput(**payload.feedback.model_dump())
    actions.perform(name, complaint, by=actor, **arguments)
    return _detail(_complaint(request, reference), _actor(request))


def _action_operation(name: str, body: type[schemas.Strict]):
    """The operation of one action: its body is exactly what the action takes."""
    if lifecycle.ACTIONS[name].required_parameters():

        def run(request: HttpRequest, reference: str, payload: body):
            return _run_action(request, reference, name, payload)

    else:

        def run(request: HttpRequest, reference: str, payload: body = None):
            return _run_action(request, reference, name, payload or body())

    return run


# One operation per action of the registry that a door may run, each documented with its own body.
for _name, _body in schemas.ACTION_BODIES.items():
    _declared = lifecycle.ACTIONS[_name]
    with translation.override("en"):
        _label = str(_declared.label)
    router.post(
        f"/complaints/{{reference}}/actions/{_name}",
        response={200: schemas.ComplaintDetail, **ERRORS},
        summary=f"Action: {_label}",
        description=f"Runs the lifecycle action {_name} (allowed from: {', '.join(sorted(_declared.sources))}).",
        operation_id=f"action_{_name}",
    )(idempotency.idempotent(_action_operation(_name, _body)))


@router.post("/complaints/{reference}/actions/{action}", response={404: schemas.ErrorOut}, include_in_schema=False)
def unknown_action(request: HttpRequest, reference: str, action: str):
    raise NotFound(f"There is no action {action}; the actions are: {', '.join(schemas.ACTION_BODIES)}.")


def _staff_member(complaint: Complaint, username: str):
    membership = (
        Membership.objects.select_related("user")
        .filter(organisation_id=complaint.organisation_id, user__username=username)
        .first()
    )
    if membership is None:
        raise InvalidInput({"handler": f"No staff member {username!r} at this organisation."})
    return membership.user


@router.get("/categories", response={200: list[schemas.CategoryOut], **ERRORS}, summary="Categories and their fields")
def list_categories(request: HttpRequest):
    categories = Category.objects.filter(organisation=_organisation(request), active=True).prefetch_related(
        Prefetch("fields", queryset=CategoryField.objects.order_by("position", "id"))
    )
    return [
        {
            "slug": category.slug,
            "name": category.local_name,
            "names": {"nl": category.name, "en": category.name_en},
            "description": category.description,
            "fields": [
                {
                    "key": f.key,
                    "label": f.label,
                    "type": f.field_type,
                    "required": f.required,
                    "choices": f.choices,
                    "pattern": f.pattern,
                    "help_text": f.help_text,
                }
                for f in category.fields.all()
            ],
        }
        for category in categories
    ]
