"""Screening what can become public: a moderator approves, edits or withholds a complaint or a
reply before it is published. The automatic screen (autoscreen.py) publishes clean text itself, as
the system, with the same actions; flagged text waits here for a moderator.

Publication is a state beside the complaint's status, so these actions run in any status and leave
it as it is. A withheld text stays where it was, visible to the complaint's parties; its author is
told why it is not public (a reason from a fixed list, and the moderator's note), may change the
text and submit it again.

Where the moderation lives on a complaint or a message, beside the automatic screening's finding
in the same `screening` field (its keys `score`, `reasons`, `flagged`):
- `withheld_for`: the withholding reason's code; the moderator's note is the `withheld_reason`
  column (what the author reads after the reason).
- `public_text`: a moderator's edited (redacted) public version, per field of a complaint
  (`description`, `desired_solution`) or the body of a message. The parties keep seeing the text as
  written; only the public pages show the edit (platform/public.py).
A resubmitted text is read afresh: its `screening` is emptied, so the automatic screening reads it
again, and the old moderation (reason, edits) goes with it.
"""

from django.db import models
from django.db.models import Case, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import lifecycle, notices, timeline
from gehoord.complaints.actions import _performing, _text
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.lifecycle import ALL_STATES, COMPANY, CONSUMER, MODERATOR, SYSTEM
from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.complaints.notices import Notice
from gehoord.errors import ActionNotAllowed, InvalidInput
from gehoord.platform import autoscreen, companies

PUBLISHED = "published"
WITHHELD = "withheld"
# The moderator's note is stored beside the text (its column's length) and mailed to the author.
MAX_REASON = 200
# The texts of a complaint that can be public, and so edited by a moderator or changed by its author.
PUBLIC_FIELDS = ("description", "desired_solution")


class WithholdReason(models.TextChoices):
    """Why a moderator withholds a text: the fixed list the author is told in their own language."""

    INSULT = "insult", gettext_lazy("It contains an insult")
    DISCRIMINATION = "discrimination", gettext_lazy("It contains discrimination")
    THREAT = "threat", gettext_lazy("It contains a threat or violence")
    PERSONAL_DATA = "personal_data", gettext_lazy("It contains personal data")
    ADVERTISING = "advertising", gettext_lazy("It is advertising")
    OFF_TOPIC = "off_topic", gettext_lazy("It is not about the complaint")
    OTHER = "other", gettext_lazy("Another reason")


def withheld_reason_text(text: Complaint | Message) -> str:
    """Why this complaint or message is withheld, as its author reads it: the reason in the active
    language, then the moderator's note. A text withheld before reasons had codes has only the note."""
    code = (text.screening or {}).get("withheld_for")
    label = WithholdReason(code).label if code in WithholdReason.values else ""
    if label and text.withheld_reason:
        return f"{label}: {text.withheld_reason}"
    return str(label) or text.withheld_reason


def public_text(text: Complaint | Message, field: str = "body") -> str:
    """The version of a field the public may read: the moderator's edit if there is one, otherwise
    the text as written (public.py redacts either)."""
    edited = (text.screening or {}).get("public_text") or {}
    return edited.get(field, getattr(text, field))


# The automatic screen publishes a clean text in the transaction that reads it, so what still waits
# has been flagged, or not been read yet; flagged first, as a moderator is needed there for sure.
_UNREAD_LAST = Case(When(screening__isnull=True, then=Value(1)), default=Value(0))


def complaints_awaiting_screening():
    """Platform complaints whose publication waits for a moderator: flagged ones, then those the
    automatic screen has not read yet, oldest first."""
    return (
        Complaint.objects.filter(platform=True, publication=Publication.PENDING)
        .select_related("organisation")
        .order_by(_UNREAD_LAST, "received_at", "pk")
    )


def replies_awaiting_screening():
    """Replies and messages on platform complaints that wait for a moderator, in the same order."""
    return (
        Message.objects.filter(complaint__platform=True, publication=Publication.PENDING)
        .select_related("complaint__organisation")
        .order_by(_UNREAD_LAST, "created_at", "pk")
    )


def platform_complaint(public_id: str) -> Complaint | None:
    """A complaint filed on the platform, by its public id (what a moderator may screen)."""
    return Complaint.objects.filter(platform=True, public_id=public_id).select_related("organisation").first()


def platform_message(message_id: int) -> Message | None:
    return Message.objects.filter(complaint__platform=True, pk=message_id).select_related("complaint").first()


def _pending_complaint(complaint: Complaint, by: Actor) -> str | None:
    if complaint.publication != Publication.PENDING:
        return _("This complaint is not waiting for screening.")
    return None


@lifecycle.action(
    label=gettext_lazy("publish the complaint"), sources=ALL_STATES, target=None, who={MODERATOR, SYSTEM},
    guard=_pending_complaint,
)
def publish(complaint: Complaint, *, by: Actor) -> Complaint:
    with _performing("publish", complaint, by) as complaint:
        complaint.publication = Publication.PUBLISHED
        complaint.withheld_reason = ""
        timeline.record(complaint, EventKind.SCREENED, by, decision=PUBLISHED)
        companies.send_when_committed(complaint)
    return complaint


def reason_and_note(reason: str, note: str) -> tuple[str, str]:
    """A withholding reason's code and the moderator's note, checked: "other" needs a note. A reason
    that is no code is a moderator's own words (the queue's free-text field): "other", as its note."""
    if reason not in WithholdReason.values:
        reason, note = WithholdReason.OTHER, reason
    note = _text(note, "note", required=reason == WithholdReason.OTHER, limit=MAX_REASON)
    return reason, note


def set_withheld(text: Complaint | Message, reason: str, note: str) -> None:
    text.publication = Publication.WITHHELD
    text.withheld_reason = note
    text.screening = {**(text.screening or {}), "withheld_for": reason}


@lifecycle.action(
    label=gettext_lazy("withhold the complaint from publication"), sources=ALL_STATES, target=None,
    who={MODERATOR}, parameters=("reason", "note"), guard=_pending_complaint,
)
def withhold(complaint: Complaint, *, by: Actor, reason: str, note: str = "") -> Complaint:
    """Withhold with a reason from WithholdReason (and a note, which "other" needs)."""
    reason, note = reason_and_note(reason, note)
    with _performing("withhold", complaint, by) as complaint:
        set_withheld(complaint, reason, note)
        timeline.record(complaint, EventKind.SCREENED, by, decision=WITHHELD, reason=reason, note=note)
        notices.tell(complaint, Notice.SCREENING_DECISION, message=None)
        # Screening decided: the company gets it, as a complaint that is not public.
        companies.send_when_committed(complaint)
    return complaint


@lifecycle.action(
    label=gettext_lazy("publish the reply"), sources=ALL_STATES, target=None, who={MODERATOR, SYSTEM},
    parameters=("message_id",),
)
def publish_reply(complaint: Complaint, *, by: Actor, message_id: int) -> Complaint:
    with _performing("publish_reply", complaint, by) as complaint:
        message = _pending_message(complaint, message_id)
        message.publication = Publication.PUBLISHED
        message.withheld_reason = ""
        message.save(update_fields=["publication", "withheld_reason"])
        timeline.record(complaint, EventKind.SCREENED, by, decision=PUBLISHED, message_id=message.pk)
    return complaint


@lifecycle.action(
    label=gettext_lazy("withhold the reply from publication"), sources=ALL_STATES, target=None, who={MODERATOR},
    parameters=("message_id", "reason", "note"),
)
def withhold_reply(complaint: Complaint, *, by: Actor, message_id: int, reason: str, note: str = "") -> Complaint:
    reason, note = reason_and_note(reason, note)
    with _performing("withhold_reply", complaint, by) as complaint:
        message = _pending_message(complaint, message_id)
        set_withheld(message, reason, note)
        message.save(update_fields=["publication", "withheld_reason", "screening"])
        timeline.record(
            complaint, EventKind.SCREENED, by, decision=WITHHELD, message_id=message.pk, reason=reason, note=note
        )
        notices.tell(complaint, Notice.SCREENING_DECISION, message=message)
    return complaint


def _pending_message(complaint: Complaint, message_id) -> Message:
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        message_id = None
    message = complaint.messages.select_for_update().filter(pk=message_id, publication=Publication.PENDING).first()
    if message is None:
        raise ActionNotAllowed(_("This reply is not waiting for screening."), action="screen_reply")
    return message


def _publishable(complaint: Complaint, by: Actor) -> str | None:
    if complaint.publication not in (Publication.PENDING, Publication.PUBLISHED):
        return _("Only a complaint that is (about to be) public can be edited for publication.")
    return None


@lifecycle.action(
    label=gettext_lazy("edit the public text"), sources=ALL_STATES, target=None, who={MODERATOR},
    parameters=("field", "text", "message_id"), guard=_publishable,
)
def edit_public_text(complaint: Complaint, *, by: Actor, field: str, text: str, message_id=None) -> Complaint:
    """Store a moderator's redacted public version of a complaint's field or of a reply (`field`
    "body" with its `message_id`). What the parties see stays as written."""
    if (field == "body") != (message_id is not None) or field not in (*PUBLIC_FIELDS, "body"):
        raise InvalidInput({"field": _("This text cannot be edited for publication.")})
    edited_text = _text(text, "text", required=field != "desired_solution")
    with _performing("edit_public_text", complaint, by) as complaint:
        target = complaint if message_id is None else _public_message(complaint, message_id)
        screening = target.screening or {}
        target.screening = {**screening, "public_text": {**screening.get("public_text", {}), field: edited_text}}
        if target is not complaint:
            target.save(update_fields=["screening"])
        timeline.record(
            complaint, EventKind.TEXT_EDITED, by, field=field, **({"message_id": target.pk} if target is not complaint else {})
        )
    return complaint


def _public_message(complaint: Complaint, message_id) -> Message:
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        message_id = None
    message = complaint.messages.select_for_update().filter(
        pk=message_id, publication__in=(Publication.PENDING, Publication.PUBLISHED)
    ).first()
    if message is None:
        raise ActionNotAllowed(_("This reply cannot be edited for publication."), action="edit_public_text")
    return message


def _withheld_complaint(complaint: Complaint, by: Actor) -> str | None:
    if complaint.publication != Publication.WITHHELD:
        return _("Only a complaint withheld from publication can be changed and submitted again.")
    return None


@lifecycle.action(
    label=gettext_lazy("change the complaint and submit it again"), sources=ALL_STATES, target=None, who={CONSUMER},
    parameters=("description", "desired_solution"), guard=_withheld_complaint,
)
def resubmit(complaint: Complaint, *, by: Actor, description: str, desired_solution: str = "") -> Complaint:
    """The consumer's changed text of a withheld complaint goes back to screening.

    The complaint's text becomes the consumer's new version for everyone (it is theirs to word);
    the text as first filed stays on the record in the event's payload."""
    changed = {
        "description": _text(description, "description"),
        "desired_solution": _text(desired_solution, "desired_solution", required=False),
    }
    with _performing("resubmit", complaint, by) as complaint:
        previous = {field: getattr(complaint, field) for field in PUBLIC_FIELDS}
        for field, value in changed.items():
            setattr(complaint, field, value)
        _back_to_screening(complaint)
        timeline.record(complaint, EventKind.TEXT_RESUBMITTED, by, previous=previous)
        autoscreen.screen_when_committed(complaint)
    return complaint


@lifecycle.action(
    label=gettext_lazy("change the reply and submit it again"), sources=ALL_STATES, target=None, who={COMPANY},
    parameters=("message_id", "body"),
)
def resubmit_reply(complaint: Complaint, *, by: Actor, message_id: int, body: str) -> Complaint:
    """A company's changed text of its withheld reply goes back to screening; the reply as sent
    (what the consumer received) stays on the record in the event's payload."""
    new_body = _text(body, "body")
    with _performing("resubmit_reply", complaint, by) as complaint:
        message = _withheld_company_reply(complaint, message_id, by)
        previous = message.body
        message.body = new_body
        _back_to_screening(message)
        message.save(update_fields=["body", "publication", "withheld_reason", "screening"])
        timeline.record(complaint, EventKind.TEXT_RESUBMITTED, by, message_id=message.pk, previous={"body": previous})
        autoscreen.screen_when_committed(complaint)
    return complaint


def _back_to_screening(text: Complaint | Message) -> None:
    # An empty finding: the automatic screening reads the new text as it reads a new one.
    text.publication = Publication.PENDING
    text.withheld_reason = ""
    text.screening = None


def _withheld_company_reply(complaint: Complaint, message_id, by: Actor) -> Message:
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        message_id = None
    # A reply marked as not the company's is no screening decision: it is not the company's to change.
    message = (
        complaint.messages.select_for_update()
        .filter(pk=message_id, kind=Message.Kind.COMPANY, publication=Publication.WITHHELD)
        .exclude(withheld_reason=companies.NOT_THE_COMPANY)
        .first()
    )
    if message is None:
        raise ActionNotAllowed(_("This reply cannot be changed and submitted again."), action="resubmit_reply")
    return message
