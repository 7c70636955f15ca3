"""The kinds of timeline event (SPEC 2) and the shape of each one's payload.

Every event is one `EventKind`. Its declaration says what the timeline calls it (one label for the
desk, the API and the mails; where the consumer's page words it differently, `for_consumer`),
whether the consumer sees it, and which keys its payload may hold, split into plain values (ids,
kinds, counts, instants) and personal data (a person's words, name, address, a file or subject
line they wrote). `timeline.record` refuses an undeclared kind or key and stores every instant
as UTC in ISO 8601; erasure redacts exactly the personal keys (plus the actor's name).
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Complaint received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", _("Escalation acknowledged")
    ASSIGNED = "assigned", _("Assigned")
    CATEGORY_SET = "category_set", _("Category set")
    INVESTIGATION_STARTED = "investigation_started", _("Investigation started")
    INFORMATION_REQUESTED = "information_requested", _("Information asked from the consumer")
    INFORMATION_RECEIVED = "information_received", _("Information received")
    RESOLUTION_PROPOSED = "resolution_proposed", _("Resolution proposed")
    RESOLUTION_ACCEPTED = "resolution_accepted", _("Resolution accepted")
    RESOLUTION_REJECTED = "resolution_rejected", _("Resolution rejected")
    ESCALATED = "escalated", _("Escalated")
    DECIDED = "decided", _("Decision")
    CLOSED = "closed", _("Closed")
    REFERRED = "referred", _("Referred")
    DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
    DEADLINE_REMINDER_SENT = "deadline_reminder_sent", _("Deadline reminder sent")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    PROGRESS_UPDATE_SENT = "progress_update_sent", _("Progress update sent")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED_AS_SPAM = "rejected_as_spam", _("Rejected as spam")
    MESSAGE_ADDED = "message_added", _("Message")
    NOTE_ADDED = "note_added", _("Internal note")
    PERSONAL_DATA_VIEWED = "personal_data_viewed", _("Personal data viewed")
    MAIL_FAILED = "mail_failed", _("Mail could not be delivered")
    MAIL_SUPPRESSED = "mail_suppressed", _("Mail held back (daily limit)")
    BOUNCE_RECEIVED = "bounce_received", _("Mail bounced")
    AUTO_REPLY_RECEIVED = "auto_reply_received", _("Auto-reply received (not answered)")
    MAIL_ATTACHMENTS_REFUSED = "mail_attachments_refused", _("Attachments of a mail refused")
    MAIL_ATTACHED_FROM_TRIAGE = "mail_attached_from_triage", _("Mail put on this complaint")
    # The public platform (seed 004).
    SCREENED = "screened", _("Screened for publication")
    COMPANY_NOTIFIED = "company_notified", _("Complaint sent to the company")
    COMPANY_REMINDED = "company_reminded", _("Company reminded")
    SENDER_CONFIRMED = "sender_confirmed", _("Reply confirmed as the company's")
    MOVED = "moved", _("Moved to another company entry")
    HANDED_TO_LEGAL_AID = "handed_to_legal_aid", _("Handed to legal aid")
    DOSSIER_EXPORTED = "dossier_exported", _("Dossier exported")
    # Moderation and personal data (issue 13).
    AUTO_SCREENED = "auto_screened", _("Screened automatically")
    REPORTED = "reported", _("Reported by the company")
    REPORT_DECIDED = "report_decided", _("Report decided")
    TEXT_EDITED = "text_edited", _("Text edited for publication")
    TEXT_RESUBMITTED = "text_resubmitted", _("Text changed and submitted again")
    DATA_EXPORTED = "data_exported", _("Personal data exported")
    ANONYMISED = "anonymised", _("Personal data anonymised")


@dataclass(frozen=True)
class EventType:
    consumer_visible: bool = False
    # Keys of the payload: plain values, the instants among them (stored as UTC), personal data.
    plain: frozenset[str] = frozenset()
    instants: frozenset[str] = frozenset()
    personal: frozenset[str] = frozenset()
    # The consumer's page's own wording, where it differs from the label.
    for_consumer: Promise | None = None

    @property
    def keys(self) -> frozenset[str]:
        return self.plain | self.instants | self.personal


def _type(*, visible=False, plain=(), instants=(), personal=(), for_consumer=None) -> EventType:
    return EventType(visible, frozenset(plain), frozenset(instants), frozenset(personal), for_consumer)


_DEADLINE = ("deadline_kind", "stage")
_TOLD = dict(plain=("reference", "stage"), instants=("received_at", "expected_answer_by"), personal=("handler",))
_MAIL_NOT_SENT = dict(plain=("mail_kind", "outbound_id", "attempts"), personal=("to", "reason"))
_MAIL_RECEIVED = ("inbound_id",)

TYPES: dict[EventKind, EventType] = {
    EventKind.RECEIVED: _type(visible=True, plain=("channel", "attachments")),
    # What the consumer was told, kept as told: the handler's name, the expected answer.
    EventKind.ACKNOWLEDGED: _type(visible=True, **_TOLD, for_consumer=_("Receipt confirmed")),
    EventKind.ESCALATION_ACKNOWLEDGED: _type(visible=True, **_TOLD, for_consumer=_("Escalation confirmed")),
    EventKind.ASSIGNED: _type(
        visible=True, plain=("handler_id", "previous_handler_id"), personal=("handler",),
        for_consumer=_("Handler assigned"),
    ),
    # Slugs, and the keys of the new category's required fields the complaint lacks.
    EventKind.CATEGORY_SET: _type(plain=("category", "previous_category", "missing_fields")),
    EventKind.INVESTIGATION_STARTED: _type(visible=True),
    EventKind.INFORMATION_REQUESTED: _type(
        visible=True, plain=("message_id",), for_consumer=_("More information requested")
    ),
    EventKind.INFORMATION_RECEIVED: _type(visible=True, plain=("message_id",)),
    EventKind.RESOLUTION_PROPOSED: _type(visible=True, plain=("resolution_id",)),
    EventKind.RESOLUTION_ACCEPTED: _type(visible=True, plain=("resolution_id",)),
    EventKind.RESOLUTION_REJECTED: _type(visible=True, plain=("resolution_id", "escalation_possible")),
    EventKind.ESCALATED: _type(
        visible=True, plain=("from_stage", "to_stage", "previous_handler_id"), personal=("reason",), for_consumer=_("Escalation requested")
    ),
    EventKind.DECIDED: _type(visible=True, plain=("decision", "stage", "letter_id"), for_consumer=_("Decision taken")),
    EventKind.CLOSED: _type(
        visible=True, plain=("outcome", "letter_id", "feedback_resolved", "feedback_satisfaction"), for_consumer=_("Complaint closed")
    ),
    # `body`: the external body's name, from the policy or typed by staff.
    EventKind.REFERRED: _type(visible=True, plain=("body",)),
    EventKind.DEADLINE_EXTENDED: _type(
        visible=True, plain=_DEADLINE, instants=("due_at", "original_due_at"), personal=("reason",)
    ),
    EventKind.DEADLINE_REMINDER_SENT: _type(plain=_DEADLINE, instants=("due_at",)),
    EventKind.DEADLINE_MISSED: _type(plain=_DEADLINE, instants=("due_at",)),
    EventKind.PROGRESS_UPDATE_SENT: _type(visible=True, plain=("deadline_kind",), instants=("new_estimate",)),
    EventKind.WITHDRAWN: _type(visible=True, personal=("reason",), for_consumer=_("Complaint withdrawn")),
    EventKind.REJECTED_AS_SPAM: _type(personal=("reason",)),
    EventKind.MESSAGE_ADDED: _type(visible=True, plain=("message_id",)),
    EventKind.NOTE_ADDED: _type(plain=("message_id",)),
    EventKind.PERSONAL_DATA_VIEWED: _type(),
    EventKind.MAIL_FAILED: _type(**_MAIL_NOT_SENT),
    EventKind.MAIL_SUPPRESSED: _type(**_MAIL_NOT_SENT),
    EventKind.BOUNCE_RECEIVED: _type(
        plain=(*_MAIL_RECEIVED, "status", "permanent"), personal=("sender", "subject", "reason", "failed_recipients")
    ),
    EventKind.AUTO_REPLY_RECEIVED: _type(plain=_MAIL_RECEIVED, personal=("sender", "subject", "reason", "text")),
    EventKind.MAIL_ATTACHMENTS_REFUSED: _type(plain=_MAIL_RECEIVED, personal=("files",)),
    EventKind.MAIL_ATTACHED_FROM_TRIAGE: _type(plain=_MAIL_RECEIVED, personal=("subject",)),
    # `decision`: published or withheld; `message_id` when a reply was screened, else the complaint.
    # `reason`: the withholding reason's code (platform/publication.py); `note`: the moderator's words.
    EventKind.SCREENED: _type(plain=("decision", "message_id"), personal=("reason", "note")),
    EventKind.COMPANY_NOTIFIED: _type(plain=("public", "outbound_id")),
    EventKind.COMPANY_REMINDED: _type(instants=("unanswered_at",)),
    EventKind.SENDER_CONFIRMED: _type(plain=("message_id", "confirmed"), personal=("sender",)),
    EventKind.MOVED: _type(plain=("from_organisation", "to_organisation")),
    EventKind.HANDED_TO_LEGAL_AID: _type(visible=True, plain=("reason",), personal=("question",)),
    EventKind.DOSSIER_EXPORTED: _type(plain=("format", "purpose")),
    # `flagged`: whether it waits for a moderator; `reasons`: the classes found; `message_id` for a reply.
    EventKind.AUTO_SCREENED: _type(plain=("flagged", "score", "reasons", "message_id")),
    EventKind.REPORTED: _type(plain=("reason", "report_id"), personal=("details",)),
    EventKind.REPORT_DECIDED: _type(plain=("report_id", "decision"), personal=("note",)),
    EventKind.TEXT_EDITED: _type(plain=("message_id", "field")),
    # `previous`: the texts as they were before the author changed them ({field: text}).
    EventKind.TEXT_RESUBMITTED: _type(visible=True, plain=("message_id",), personal=("previous",)),
    EventKind.DATA_EXPORTED: _type(plain=("format", "purpose")),
    # `why`: erasure (on request) or retention (the policy's period).
    EventKind.ANONYMISED: _type(plain=("why",)),
}


_KINDS = frozenset(EventKind.values)


def label(kind: str, *, for_consumer: bool = False) -> str:
    """What the timeline calls an event of `kind` (an unknown kind, from before a change, by its name)."""
    if kind not in _KINDS:  # EventKind.values builds its list anew on every call
        return kind.replace("_", " ").capitalize()
    if for_consumer and (wording := TYPES[EventKind(kind)].for_consumer) is not None:
        return str(wording)
    return str(EventKind(kind).label)


def payload(kind: EventKind, data: dict) -> dict:
    """`data` in the shape `kind` declares, instants as UTC ISO 8601; an undeclared key raises."""
    declared = TYPES[kind]
    unknown = sorted(set(data) - declared.keys)
    if unknown:
        raise TypeError(f"A {kind} event carries no {', '.join(unknown)}")
    return {key: utc_instant(value) if key in declared.instants else value for key, value in data.items()}


def utc_instant(value):
    """An instant as stored in a payload: UTC, ISO 8601 (None stays None)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.astimezone(datetime.UTC).isoformat()
