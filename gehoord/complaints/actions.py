"""Every change to a complaint, one function per action, each declared in the lifecycle's registry.

Each action runs in one transaction: it locks the complaint, asks `lifecycle.check` whether the
actor may do it now, validates its input, writes the change and its timeline event, and tells the
people concerned (complaints.notices, recorded in the same transaction). The API, the pages,
inbound mail and the sweep all call these functions, by name through `perform` or directly;
there is no other write path. When anything is refused, nothing has changed.
"""

import copy
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import attachments, lifecycle, notices, timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import CheckedUpload, Upload
from gehoord.complaints.events import EventKind
from gehoord.complaints.lifecycle import ALL_STATES, CONSUMER, MANAGER, STAGE_STAFF, SYSTEM, WORKING_STATES
from gehoord.complaints.models import (
    OPEN_STATUSES,
    ActorKind,
    Channel,
    Complaint,
    Message,
    Outcome,
    OutcomeLetter,
    Publication,
    Resolution,
    Stage,
    Status,
)
from gehoord.complaints.notices import Notice
from gehoord.complaints.text import clean_text
from gehoord.errors import ActionNotAllowed, InvalidInput, NotPermitted
from gehoord.organisations.models import Membership, Role
from gehoord.policies import deadlines

MAX_TEXT = 20_000


@dataclass(frozen=True)
class LetterInput:
    """The outcome letter: what was done to investigate, the conclusions, changes made, the decision."""

    actions_taken: str
    conclusions: str
    decision: str
    changes: str = ""


@dataclass(frozen=True)
class FeedbackInput:
    resolved: bool
    satisfaction: int | None = None
    comment: str = ""


# What `_performing` compares to save only the columns an action changed (updated_at always changes).
_SAVED_FIELDS = tuple(
    field.attname for field in Complaint._meta.concrete_fields if not field.primary_key and field.name != "updated_at"
)


def _stored_values(complaint: Complaint) -> dict:
    values = {name: getattr(complaint, name) for name in _SAVED_FIELDS}
    # JSON values are copied: an action could change them in place.
    return {name: copy.deepcopy(value) if isinstance(value, dict | list) else value for name, value in values.items()}


@contextmanager
def _performing(action: str, complaint: Complaint, by: Actor, *, created_here: bool = False) -> Iterator[Complaint]:
    """Lock the complaint, check the action, and on success move it to the action's target state.

    `created_here`: the caller created the complaint in its own transaction and passes it as stored.
    No other transaction can see it yet, so it is neither locked nor read again, and a refusal rolls
    the caller's transaction back (with the complaint) instead of a savepoint of its own.
    """
    with transaction.atomic(savepoint=not created_here):
        if created_here:
            locked = complaint
        else:
            # Only the complaint row is locked, not its organisation (which would queue every action of it).
            locked = Complaint.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=complaint.pk)
        stored = _stored_values(locked)
        declared = lifecycle.check(action, locked, by)
        yield locked
        if declared.target is not None:
            locked.status = declared.target
        changed = [name for name, value in stored.items() if getattr(locked, name) != value]
        if changed:  # a reminder, say, changes nothing on the complaint itself
            locked.save(update_fields=[*changed, "updated_at"])


def _text(value: str | None, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = clean_text(value)
    if text is None:
        raise InvalidInput({field: _("The text contains characters that cannot be stored.")})
    if required and not text:
        raise InvalidInput({field: _("This field is required.")})
    if len(text) > limit:
        raise InvalidInput({field: _("At most %(limit)d characters.") % {"limit": limit}})
    return text


def _amount(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput({field: _("Enter an amount such as 12.50.")}) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput({field: _("Enter an amount of zero or more.")})
    if amount >= Decimal("100000000"):
        raise InvalidInput({field: _("Enter an amount below 100,000,000.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput({field: _("Enter an amount with at most two decimals.")})
    return amount


def _letter(complaint: Complaint, letter: LetterInput | None, by: Actor) -> OutcomeLetter:
    if letter is None:
        raise InvalidInput(
            {"letter": _("A complaint not resolved in the consumer's favour needs an outcome letter.")}
        )
    return OutcomeLetter.objects.create(
        complaint=complaint,
        stage=complaint.stage,
        actions_taken=_text(letter.actions_taken, "letter.actions_taken"),
        conclusions=_text(letter.conclusions, "letter.conclusions"),
        changes=_text(letter.changes, "letter.changes", required=False),
        decision=_text(letter.decision, "letter.decision"),
        written_by=by.user,
        written_at=timezone.now(),
    )


@lifecycle.action(
    label=gettext_lazy("assign"),
    sources=OPEN_STATUSES | {Status.RESOLVED},
    target=None,
    who={MANAGER, STAGE_STAFF, SYSTEM},
    parameters=("handler",),
)
def assign(complaint: Complaint, *, by: Actor, handler) -> Complaint:
    with _performing("assign", complaint, by) as complaint:
        if handler is None or not Membership.objects.filter(
            user=handler, organisation_id=complaint.organisation_id, role__in=[Role.AGENT, Role.MANAGER, Role.BOARD]
        ).exists():
            raise InvalidInput({"handler": _("The handler must be a staff member of this organisation.")})
        if by.kind != ActorKind.SYSTEM and Role.MANAGER not in by.roles and handler != by.user:
            raise NotPermitted(_("Only a complaint manager assigns complaints to others."))
        previous = complaint.handler
        complaint.handler = handler
        deadlines.on_assigned(complaint)
        timeline.record(
            complaint,
            EventKind.ASSIGNED,
            by,
            handler=handler.get_full_name() or handler.get_username(),
            handler_id=handler.pk,
            previous_handler_id=previous.pk if previous else None,
        )
    return complaint


@lifecycle.action(
    label=gettext_lazy("set the category"),
    sources={Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING},
    target=None,
    who={STAGE_STAFF},
    parameters=("category",),
    guard=lifecycle.has_another_category,
)
def set_category(complaint: Complaint, *, by: Actor, category: str) -> Complaint:
    """Give (or change) the complaint's category, e.g. one that came by mail without one (seed 003).

    The category's routing applies as at intake: its team, and its person unless someone handles
    the complaint already. The category's required fields that the complaint lacks are asked of
    the consumer at once (`ask_info`) once the complaint is acknowledged; before that the desk
    offers the question with them.
    """
    with _performing("set_category", complaint, by) as complaint:
        chosen = (
            complaint.organisation.categories.filter(active=True, slug=category)
            .select_related("route_to_team", "route_to_user")
            .first()
        )
        if chosen is None:
            raise InvalidInput({"category": _("Unknown category %(slug)s.") % {"slug": category}})
        if chosen.pk == complaint.category_id:
            raise InvalidInput({"category": _("The complaint has this category already.")})
        previous = complaint.category
        complaint.category = chosen
        if chosen.route_to_team_id:
            complaint.team = chosen.route_to_team
        if chosen.route_to_user_id and complaint.handler_id is None:
            complaint.handler = chosen.route_to_user
        missing = missing_fields(complaint)
        timeline.record(
            complaint, EventKind.CATEGORY_SET, by, category=chosen.slug,
            previous_category=previous.slug if previous else "", missing_fields=[field.key for field in missing],
        )
    if missing and complaint.status in lifecycle.ACTIONS["ask_info"].sources:
        complaint = ask_info(complaint, by=by, question=missing_fields_question(complaint, missing))
    return complaint


def missing_fields(complaint: Complaint) -> list:
    """The required fields of the complaint's category that it has no value (or file) for."""
    if complaint.category is None:
        return []
    uploaded = set(complaint.attachments.exclude(field_key="").values_list("field_key", flat=True))
    return [
        field
        for field in complaint.category.fields.all()
        if field.required and field.key not in complaint.field_values and field.key not in uploaded
    ]


def missing_fields_question(complaint: Complaint, missing: list) -> str:
    """The request for the missing fields, in the consumer's language."""
    with translation.override(complaint.contact_language):
        return _(
            "To handle your complaint we need some more details: %(fields)s. Please send them by replying to "
            "this e-mail or on your complaint's page."
        ) % {"fields": ", ".join(field.label for field in missing)}


@lifecycle.action(
    label=gettext_lazy("acknowledge"),
    sources={Status.RECEIVED, Status.ESCALATED},
    target=Status.ACKNOWLEDGED,
    who={STAGE_STAFF, SYSTEM},
)
def acknowledge(complaint: Complaint, *, by: Actor, on_receipt: bool = False) -> Complaint:
    """Confirm receipt, telling the consumer the reference, who handles it and when to expect an answer.

    `on_receipt`: the policy's automatic acknowledgement, which `file_complaint` runs on the complaint
    it has just created in its transaction; it counts from the instant of receipt.
    """
    with _performing("acknowledge", complaint, by, created_here=on_receipt) as complaint:
        now = complaint.received_at if on_receipt else timezone.now()
        escalated = complaint.status == Status.ESCALATED
        if not escalated:
            complaint.acknowledged_at = now
        expected = deadlines.on_acknowledged(complaint, at=now, escalation=escalated)
        # What the consumer is told, kept on the timeline as told.
        told = {
            "reference": complaint.reference,
            "received_at": complaint.escalation_requested_at if escalated else complaint.received_at,
            "handler": lifecycle.who_handles(complaint),
            "expected_answer_by": expected,
            "stage": complaint.stage,
        }
        timeline.record(
            complaint, EventKind.ESCALATION_ACKNOWLEDGED if escalated else EventKind.ACKNOWLEDGED, by, **told
        )
        notices.tell(
            complaint, Notice.ACKNOWLEDGEMENT, expected_answer_by=expected, handled_by=told["handler"],
            new_complaint=on_receipt,
        )
    return complaint



@lifecycle.action(
    label=gettext_lazy("start the investigation"), sources={Status.ACKNOWLEDGED}, target=Status.INVESTIGATING,
    who={STAGE_STAFF},
)
def start(complaint: Complaint, *, by: Actor) -> Complaint:
    with _performing("start", complaint, by) as complaint:
        timeline.record(complaint, EventKind.INVESTIGATION_STARTED, by)
    return complaint


@lifecycle.action(
    label=gettext_lazy("ask for information"),
    sources={Status.ACKNOWLEDGED, Status.INVESTIGATING},
    target=Status.AWAITING_CONSUMER,
    who={STAGE_STAFF},
    parameters=("question",),
)
def ask_info(complaint: Complaint, *, by: Actor, question: str) -> Complaint:
    with _performing("ask_info", complaint, by) as complaint:
        message = _post_message(complaint, by, _text(question, "question"), Message.Kind.STAFF)
        deadlines.on_waiting_for_consumer(complaint)
        timeline.record(complaint, EventKind.INFORMATION_REQUESTED, by, message_id=message.pk)
        notices.tell(complaint, Notice.INFORMATION_REQUEST, message=message)
    return complaint


@lifecycle.action(
    label=gettext_lazy("record the information received"),
    sources={Status.AWAITING_CONSUMER},
    target=Status.INVESTIGATING,
    who={CONSUMER, STAGE_STAFF},
    parameters=("answer",),
)
def info_received(complaint: Complaint, *, by: Actor, answer: str = "", uploads: list[Upload | CheckedUpload] = ()) -> Complaint:
    with attachments.atomic(), _performing("info_received", complaint, by) as complaint:
        # Staff record in their own words what the consumer told them (by phone, say): a note.
        kind = Message.Kind.CONSUMER if by.kind == ActorKind.CONSUMER else Message.Kind.NOTE
        required = by.kind == ActorKind.CONSUMER and not uploads
        body = _text(answer, "answer", required=required)
        message = _post_message(complaint, by, body, kind, uploads) if body or uploads else None
        deadlines.on_consumer_answered(complaint)
        timeline.record(
            complaint, EventKind.INFORMATION_RECEIVED, by, message_id=message.pk if message else None
        )
    return complaint


@lifecycle.action(
    label=gettext_lazy("propose a resolution"),
    sources={Status.ACKNOWLEDGED, Status.INVESTIGATING},
    target=Status.RESOLUTION_PROPOSED,
    who={STAGE_STAFF},
    parameters=("kinds", "text", "refund_amount", "compensation_amount"),
)
def propose_resolution(
    complaint: Complaint,
    *,
    by: Actor,
    kinds: list[str],
    text: str,
    refund_amount=None,
    compensation_amount=None,
) -> Complaint:
    with _performing("propose_resolution", complaint, by) as complaint:
        valid = set(Resolution.Kind.values)
        kinds = list(dict.fromkeys(kinds or []))
        if not kinds or not set(kinds) <= valid:
            raise InvalidInput({"kinds": _("Choose one or more of: %(kinds)s.") % {"kinds": ", ".join(valid)}})
        refund = _amount(refund_amount, "refund_amount")
        compensation = _amount(compensation_amount, "compensation_amount")
        if Resolution.Kind.REFUND in kinds and refund is None:
            raise InvalidInput({"refund_amount": _("A refund needs an amount.")})
        if Resolution.Kind.COMPENSATION in kinds and compensation is None:
            raise InvalidInput({"compensation_amount": _("Credit or compensation needs an amount.")})
        resolution = Resolution.objects.create(
            complaint=complaint,
            stage=complaint.stage,
            kinds=kinds,
            refund_amount=refund if Resolution.Kind.REFUND in kinds else None,
            compensation_amount=compensation if Resolution.Kind.COMPENSATION in kinds else None,
            text=_text(text, "text"),
            proposed_by=by.user,
            proposed_at=timezone.now(),
        )
        _answered(complaint)
        timeline.record(complaint, EventKind.RESOLUTION_PROPOSED, by, resolution_id=resolution.pk)
        notices.tell(complaint, Notice.RESOLUTION_PROPOSAL, resolution=resolution)
    return complaint


def _pending_resolution(complaint: Complaint) -> Resolution:
    return complaint.resolutions.filter(response="").order_by("-proposed_at", "-id").first()


@lifecycle.action(
    label=gettext_lazy("accept the proposal"),
    sources={Status.RESOLUTION_PROPOSED},
    target=Status.RESOLVED,
    who={CONSUMER},
    parameters=("comment",),
)
def accept(complaint: Complaint, *, by: Actor, comment: str = "") -> Complaint:
    with _performing("accept", complaint, by) as complaint:
        resolution = _pending_resolution(complaint)
        resolution.response = Resolution.Response.ACCEPTED
        resolution.response_comment = _text(comment, "comment", required=False)
        resolution.responded_at = timezone.now()
        resolution.save(update_fields=["response", "response_comment", "responded_at"])
        complaint.outcome = Outcome.ACCEPTED
        complaint.resolved_at = resolution.responded_at
        deadlines.on_resolved(complaint)
        timeline.record(complaint, EventKind.RESOLUTION_ACCEPTED, by, resolution_id=resolution.pk)
    return complaint


@lifecycle.action(
    label=gettext_lazy("reject the proposal"),
    sources={Status.RESOLUTION_PROPOSED},
    target=Status.INVESTIGATING,
    who={CONSUMER},
    parameters=("comment",),
)
def reject(complaint: Complaint, *, by: Actor, comment: str = "") -> Complaint:
    """The consumer turns the proposal down; the handler may try again or the consumer may escalate."""
    with _performing("reject", complaint, by) as complaint:
        resolution = _pending_resolution(complaint)
        resolution.response = Resolution.Response.REJECTED
        resolution.response_comment = _text(comment, "comment", required=False)
        resolution.responded_at = timezone.now()
        resolution.save(update_fields=["response", "response_comment", "responded_at"])
        timeline.record(
            complaint,
            EventKind.RESOLUTION_REJECTED,
            by,
            resolution_id=resolution.pk,
            escalation_possible=lifecycle.next_stage(complaint) is not None,
        )
    return complaint


@lifecycle.action(
    label=gettext_lazy("escalate"),
    sources=WORKING_STATES | {Status.CLOSED},
    target=Status.ESCALATED,
    who={CONSUMER, STAGE_STAFF},
    parameters=("reason",),
    guard=lifecycle.escalation_possible,
)
def escalate(complaint: Complaint, *, by: Actor, reason: str = "") -> Complaint:
    with _performing("escalate", complaint, by) as complaint:
        pending = _pending_resolution(complaint) if complaint.status == Status.RESOLUTION_PROPOSED else None
        if pending is not None:
            # Asking for escalation while a proposal waits is turning that proposal down.
            pending.response = Resolution.Response.REJECTED
            pending.responded_at = timezone.now()
            pending.save(update_fields=["response", "responded_at"])
        from_stage = complaint.stage
        previous_handler_id = complaint.handler_id
        complaint.stage = lifecycle.next_stage(complaint)
        complaint.escalation_requested_at = timezone.now()
        complaint.handler = None
        complaint.outcome = ""
        complaint.closed_at = None
        deadlines.on_escalation_requested(complaint, at=complaint.escalation_requested_at)
        timeline.record(
            complaint,
            EventKind.ESCALATED,
            by,
            from_stage=from_stage,
            to_stage=complaint.stage,
            previous_handler_id=previous_handler_id,
            reason=_text(reason, "reason", required=False),
        )
        notices.tell(complaint, Notice.ESCALATION_RECEIVED)
    return complaint


@lifecycle.action(
    label=gettext_lazy("decide"),
    sources=WORKING_STATES | {Status.ESCALATED},
    target=Status.CLOSED,
    who={STAGE_STAFF},
    parameters=("decision", "letter"),
    guard=lifecycle.escalated_stage,
)
def decide(complaint: Complaint, *, by: Actor, decision: str, letter: LetterInput | None = None) -> Complaint:
    """The escalation stage's decision; unless it upholds the complaint, with an outcome letter."""
    with _performing("decide", complaint, by) as complaint:
        if decision not in (Outcome.UPHELD, Outcome.PARTIALLY_UPHELD, Outcome.NOT_UPHELD):
            raise InvalidInput({"decision": _("Choose upheld, partially_upheld or not_upheld.")})
        written = _letter(complaint, letter, by) if (letter is not None or decision != Outcome.UPHELD) else None
        complaint.outcome = decision
        _ended(complaint)
        timeline.record(
            complaint,
            EventKind.DECIDED,
            by,
            decision=decision,
            stage=complaint.stage,
            letter_id=written.pk if written else None,
        )
        notices.tell(complaint, Notice.OUTCOME, letter=written)
    return complaint


@lifecycle.action(
    label=gettext_lazy("close"),
    sources=WORKING_STATES | {Status.RESOLVED},
    target=Status.CLOSED,
    who={CONSUMER, STAGE_STAFF},
    parameters=("letter", "outcome", "feedback"),
    guard=lifecycle.consumer_closes_only_resolved,
)
def close(
    complaint: Complaint,
    *,
    by: Actor,
    letter: LetterInput | None = None,
    outcome: str = Outcome.NOT_UPHELD,
    feedback: FeedbackInput | None = None,
) -> Complaint:
    """Close a resolved complaint (with the consumer's feedback), or close one with an outcome letter."""
    with _performing("close", complaint, by) as complaint:
        written = None
        if complaint.status != Status.RESOLVED:
            if outcome not in (Outcome.PARTIALLY_UPHELD, Outcome.NOT_UPHELD):
                raise InvalidInput({"outcome": _("Choose partially_upheld or not_upheld.")})
            written = _letter(complaint, letter, by)
            complaint.outcome = outcome
        if feedback is not None:
            if by.kind != ActorKind.CONSUMER:
                raise NotPermitted(_("Only the consumer gives feedback."))
            _store_feedback(complaint, feedback)
        _ended(complaint)
        timeline.record(
            complaint,
            EventKind.CLOSED,
            by,
            outcome=complaint.outcome,
            letter_id=written.pk if written else None,
            feedback_resolved=complaint.feedback_resolved,
        )
        if written:
            notices.tell(complaint, Notice.OUTCOME, letter=written)
        elif by.kind != ActorKind.CONSUMER:
            notices.tell(complaint, Notice.CLOSING)
    return complaint


def _ended(complaint: Complaint) -> None:
    """The complaint's procedure is over (closed, withdrawn, rejected): dated, its deadlines stopped."""
    complaint.closed_at = timezone.now()
    deadlines.on_resolved(complaint)


def _store_feedback(complaint: Complaint, feedback: FeedbackInput) -> None:
    satisfaction = feedback.satisfaction
    if satisfaction is not None and (not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5):
        raise InvalidInput({"feedback.satisfaction": _("Give a score from 1 to 5.")})
    complaint.feedback_resolved = bool(feedback.resolved)
    complaint.feedback_satisfaction = satisfaction
    complaint.feedback_comment = _text(feedback.comment, "feedback.comment", required=False)
    complaint.feedback_at = timezone.now()


@lifecycle.action(
    label=gettext_lazy("refer to an external body"),
    sources={Status.CLOSED},
    target=Status.REFERRED,
    who={CONSUMER, STAGE_STAFF, MANAGER},
    parameters=("body",),
    guard=lifecycle.not_in_favour,
)
def refer(complaint: Complaint, *, by: Actor, body: str) -> Complaint:
    """Refer out once the internal procedure is exhausted (external body or legal aid)."""
    with _performing("refer", complaint, by) as complaint:
        complaint.referred_to = _text(body, "body", limit=200)
        complaint.stage = Stage.EXTERNAL
        timeline.record(complaint, EventKind.REFERRED, by, body=complaint.referred_to)
        notices.tell(complaint, Notice.REFERRAL, body=complaint.referred_to)
    return complaint


@lifecycle.action(
    label=gettext_lazy("extend a deadline"),
    sources=OPEN_STATUSES,
    target=None,
    who={MANAGER},
    parameters=("kind", "due_at", "reason"),
    guard=lifecycle.has_deadline_to_extend,
)
def extend_deadline(complaint: Complaint, *, by: Actor, kind: str, due_at: datetime.datetime, reason: str) -> Complaint:
    """A manager moves a deadline later; the consumer is told the reason and the new date at once."""
    with _performing("extend_deadline", complaint, by) as complaint:
        reason = _text(reason, "reason", limit=2000)
        if due_at is None or timezone.is_naive(due_at):
            raise InvalidInput({"due_at": _("Give the new date and time with its time zone.")})
        deadline = deadlines.extend(complaint, kind, due_at, reason)
        timeline.record(
            complaint,
            EventKind.DEADLINE_EXTENDED,
            by,
            deadline_kind=kind,
            stage=deadline.stage,
            due_at=deadline.due_at,
            original_due_at=deadline.original_due_at,
            reason=reason,
        )
        notices.tell(complaint, Notice.DEADLINE_EXTENSION, deadline=deadline)
    return complaint


@lifecycle.action(
    label=gettext_lazy("withdraw"),
    sources=OPEN_STATUSES | {Status.RESOLVED},
    target=Status.WITHDRAWN,
    who={CONSUMER, STAGE_STAFF},
    parameters=("reason",),
)
def withdraw(complaint: Complaint, *, by: Actor, reason: str = "") -> Complaint:
    with _performing("withdraw", complaint, by) as complaint:
        _ended(complaint)
        timeline.record(
            complaint, EventKind.WITHDRAWN, by, reason=_text(reason, "reason", required=False)
        )
    return complaint


@lifecycle.action(
    label=gettext_lazy("reject as spam"),
    sources={Status.RECEIVED, Status.ACKNOWLEDGED},
    target=Status.REJECTED,
    who={STAGE_STAFF},
    parameters=("reason",),
)
def reject_as_spam(complaint: Complaint, *, by: Actor, reason: str) -> Complaint:
    with _performing("reject_as_spam", complaint, by) as complaint:
        complaint.rejection_reason = _text(reason, "reason", limit=2000)
        _ended(complaint)
        timeline.record(complaint, EventKind.REJECTED_AS_SPAM, by, reason=complaint.rejection_reason)
    return complaint


def add_message(
    complaint: Complaint,
    *,
    by: Actor,
    body: str,
    internal: bool = False,
    uploads: list[Upload | CheckedUpload] = (),
    sender: str = "",
) -> Message:
    """A message from the consumer, to the consumer, an internal note, or an e-mail-only company's reply.

    A consumer's message while information is awaited is the answer to that request. On a platform
    complaint of an e-mail-only company the consumer's messages are forwarded to the company.
    A company's reply (`sender`: the address it came from by mail, "" from its dashboard) counts
    as the company's at once when it comes from the registry address or the dashboard; from any
    other address it waits until the consumer or a moderator confirms it (platform.companies).
    """
    if by.kind == ActorKind.CONSUMER:
        if internal:
            raise NotPermitted(_("Only staff write internal notes."))
        if not by.acts_for(complaint):
            raise NotPermitted(_("You may not write on this complaint."))
    elif by.kind == ActorKind.COMPANY:
        if internal or not (by.acts_for(complaint) and complaint.platform and not complaint.organisation.connected):
            raise NotPermitted(_("You may not write on this complaint."))
    elif not (by.is_staff_side and by.acts_for(complaint) and by.roles & {Role.AGENT, Role.MANAGER, Role.BOARD}):
        raise NotPermitted(_("You may not write on this complaint."))
    with attachments.atomic():
        locked = Complaint.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=complaint.pk)
        # Decided on the locked row, not the caller's copy: the page may predate the question.
        if by.kind == ActorKind.CONSUMER and locked.status == Status.AWAITING_CONSUMER:
            info_received(locked, by=by, answer=body, uploads=uploads)
            message = locked.messages.order_by("-created_at", "-id").first()
            _forward_to_company(locked, message)
            return message
        if by.kind == ActorKind.CONSUMER:
            kind = Message.Kind.CONSUMER
        elif by.kind == ActorKind.COMPANY:
            kind = Message.Kind.COMPANY
        else:
            kind = Message.Kind.NOTE if internal else Message.Kind.STAFF
        message = _post_message(locked, by, _text(body, "body", required=not uploads), kind, uploads)
        timeline.record(
            locked, EventKind.NOTE_ADDED if internal else EventKind.MESSAGE_ADDED, by, message_id=message.pk
        )
        if kind == Message.Kind.STAFF:
            _answered(locked)
            locked.save(update_fields=["updated_at", "next_deadline_at", "first_reply_at"])
            notices.tell(locked, Notice.STAFF_MESSAGE, message=message)
        elif kind == Message.Kind.CONSUMER:
            _forward_to_company(locked, message)
        elif kind == Message.Kind.COMPANY:
            registry = (locked.organisation.complaint_email or "").strip().lower()
            message.sender_email = sender.strip().lower()
            # From the dashboard (no sender) or the registry address: the company's own word.
            message.sender_confirmed = not message.sender_email or message.sender_email == registry
            message.save(update_fields=["sender_email", "sender_confirmed"])
            if message.sender_confirmed:
                company_reply_confirmed(locked, message)
    return message


def company_reply_confirmed(complaint: Complaint, message: Message) -> None:
    """A reply known to be the company's: it answers the complaint, goes to the consumer, and is
    published with the complaint once screened (a private or withheld complaint keeps it private).
    Called with the complaint locked."""
    message.publication = _publication_of_reply(complaint)
    message.save(update_fields=["publication"])
    _answered(complaint)
    complaint.save(update_fields=["updated_at", "next_deadline_at", "first_reply_at"])
    notices.tell(complaint, Notice.COMPANY_REPLY, message=message)


def _publication_of_reply(complaint: Complaint) -> str:
    """A reply on a public platform complaint (the company's, from the desk or by mail, or the
    consumer's) waits for screening to be published with it; any other stays private."""
    if complaint.platform and complaint.publication in (Publication.PENDING, Publication.PUBLISHED):
        return Publication.PENDING
    return Publication.PRIVATE


def _forward_to_company(complaint: Complaint, message: Message | None) -> None:
    """The consumer's answer on a platform complaint goes to its e-mail-only company, once the
    complaint itself has been mailed there (before that, the company knows of no complaint)."""
    if (
        message is not None and complaint.platform and not complaint.organisation.connected
        and complaint.company_notified_at is not None
    ):
        notices.tell(complaint, Notice.COMPANY_FORWARD, message=message)


def _answered(complaint: Complaint) -> None:
    """The company answered the consumer: the answer deadline is met, and the first answer is the
    one the score card's response rate and speed count."""
    deadlines.on_answered(complaint)
    if complaint.first_reply_at is None:
        complaint.first_reply_at = timezone.now()


def _post_message(complaint: Complaint, by: Actor, body: str, kind: str, uploads: list[Upload | CheckedUpload] = ()) -> Message:
    checked = attachments.check_uploads(list(uploads))
    message = Message.objects.create(
        complaint=complaint,
        kind=kind,
        # The consumer's words come by the way they wrote them (a mail, the web, a relaying API),
        # whatever channel the complaint itself came in by; staff write in the desk.
        channel=by.channel if by.kind in (ActorKind.CONSUMER, ActorKind.COMPANY) else Channel.WEB,
        author=by.user,
        author_name=by.label,
        body=body,
        created_at=timezone.now(),
        # A company's reply by mail is screened only once it is known to be the company's.
        publication=_publication_of_reply(complaint) if kind in (Message.Kind.CONSUMER, Message.Kind.STAFF)
        else Publication.PRIVATE,
    )
    for upload in checked:
        attachments.store(complaint, upload, message=message)
    return message


# Views of one complaint by one person within this interval are one event on its timeline.
VIEW_INTERVAL = datetime.timedelta(minutes=15)


def record_personal_data_view(complaint: Complaint, *, by: Actor) -> None:
    """SPEC 1: every view of a complaint's personal data by staff is on the timeline (who, when),
    one event per person per VIEW_INTERVAL: a page reloaded or polled by an integration adds no
    row per request (a read costs the database less than a write), and the access log still
    says who looked, and when, to the interval."""
    if by.is_staff_side:
        timeline.record_unless_recent(complaint, EventKind.PERSONAL_DATA_VIEWED, by, within=VIEW_INTERVAL)


# --- what time does: the deadline sweep's actions ---------------------------------------------


def _owned(deadline, complaint: Complaint):
    if deadline.complaint_id != complaint.pk:
        raise ValueError(f"Deadline {deadline.pk} is not one of complaint {complaint.pk}'s")
    return deadline


@lifecycle.action(label=gettext_lazy("remind of a deadline"), sources=ALL_STATES, target=None, who={SYSTEM},
                  parameters=("deadline", "at"))
def remind(complaint: Complaint, *, by: Actor, deadline, at: datetime.datetime) -> Complaint:
    """Remind the staff responsible that `deadline` is near (at the policy's reminder time: their
    notification follows from the event); on the platform, an e-mail-only company itself."""
    with _performing("remind", complaint, by) as complaint:
        deadline = _owned(deadline, complaint)
        deadline.reminded_at = at
        deadline.save(update_fields=["reminded_at"])
        if complaint.platform and not complaint.organisation.connected:
            # An e-mail-only company has no staff: its registry address is reminded to answer.
            timeline.record(complaint, EventKind.COMPANY_REMINDED, by, unanswered_at=deadline.due_at)
            notices.tell(complaint, Notice.COMPANY_REMINDER, deadline=deadline)
        else:
            timeline.record(complaint, EventKind.DEADLINE_REMINDER_SENT, by, deadline_kind=deadline.kind, due_at=deadline.due_at)
    return complaint


@lifecycle.action(label=gettext_lazy("mark a deadline missed"), sources=ALL_STATES, target=None, who={SYSTEM},
                  parameters=("deadline", "at"))
def mark_missed(complaint: Complaint, *, by: Actor, deadline, at: datetime.datetime) -> Complaint:
    """The due instant passed without the action that meets the deadline: recorded (the staff's
    notifications follow from the event)."""
    with _performing("mark_missed", complaint, by) as complaint:
        deadline = _owned(deadline, complaint)
        deadline.missed_at = at
        deadline.save(update_fields=["missed_at"])
        timeline.record(
            complaint, EventKind.DEADLINE_MISSED, by, deadline_kind=deadline.kind, stage=deadline.stage,
            due_at=deadline.due_at,
        )
    return complaint


@lifecycle.action(label=gettext_lazy("send a progress update"), sources=ALL_STATES, target=None, who={SYSTEM},
                  parameters=("deadline", "at"))
def send_progress_update(complaint: Complaint, *, by: Actor, deadline, at: datetime.datetime) -> Complaint:
    """No answer went out by a `respond` deadline that demands an update (seed 000): the consumer is
    told the status and a new estimate instead, which meets the deadline."""
    with _performing("send_progress_update", complaint, by) as complaint:
        deadline = _owned(deadline, complaint)
        new_estimate = complaint.policy.spec.calendar.add(at, deadline.rule.duration)
        deadline.met_at = at
        deadline.update_sent_at = at
        deadline.save(update_fields=["met_at", "update_sent_at"])
        timeline.record(
            complaint, EventKind.PROGRESS_UPDATE_SENT, by, deadline_kind=deadline.kind,
            new_estimate=new_estimate,
        )
        notices.tell(complaint, Notice.PROGRESS_UPDATE, new_estimate=new_estimate)
    return complaint


def perform(name: str, complaint: Complaint, *, by: Actor, **arguments) -> Complaint:
    """Run the registry's action `name` with a door's arguments (those it declares, nothing else)."""
    declared = lifecycle.ACTIONS.get(name)
    if declared is None or declared.internal:
        raise ActionNotAllowed(_("There is no action %(action)s.") % {"action": name}, action=name)
    unexpected = sorted(set(arguments) - set(declared.parameters))
    if unexpected:
        raise InvalidInput({key: _("%(action)s does not take %(key)s.") % {"action": name, "key": key} for key in unexpected})
    missing = [key for key in declared.required_parameters() if key not in arguments]
    if missing:
        raise InvalidInput({key: _("This field is required.") for key in missing})
    return declared.function(complaint, by=by, **arguments)
