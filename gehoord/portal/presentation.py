"""How a complaint reads to its consumer: status words, timeline entries, what may be done now."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import events, lifecycle
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Message, Outcome, Resolution, Stage, Status
from gehoord.portal import access
from gehoord.portal.forms import ACTION_FORMS

STATUS_FOR_CONSUMER = {
    Status.RECEIVED: gettext_lazy("Received"),
    Status.ACKNOWLEDGED: gettext_lazy("Receipt confirmed"),
    Status.INVESTIGATING: gettext_lazy("Being investigated"),
    Status.AWAITING_CONSUMER: gettext_lazy("Waiting for your answer"),
    Status.RESOLUTION_PROPOSED: gettext_lazy("Resolution proposed"),
    Status.RESOLVED: gettext_lazy("Resolved"),
    Status.ESCALATED: gettext_lazy("Escalated"),
    Status.CLOSED: gettext_lazy("Closed"),
    Status.REFERRED: gettext_lazy("Referred"),
    Status.REJECTED: gettext_lazy("Rejected"),
    Status.WITHDRAWN: gettext_lazy("Withdrawn"),
}

FINAL_STATUSES = frozenset({Status.CLOSED, Status.REFERRED, Status.REJECTED, Status.WITHDRAWN})


def offered_actions(complaint: Complaint, actor) -> list[str]:
    """What the consumer may do now: the lifecycle's answer (those with a form on the tracking page),
    plus "message" (add information or evidence, or answer a question) while it is still handled."""
    offered = [action for action in lifecycle.allowed_actions(complaint, actor) if action in ACTION_FORMS]
    if complaint.status not in FINAL_STATUSES:
        offered.append("message")
    return offered


def internal_procedure_exhausted(complaint: Complaint) -> bool:
    """Closed without a result in the consumer's favour and no further internal stage, or referred out."""
    if complaint.status == Status.REFERRED:
        return True
    return (
        complaint.status == Status.CLOSED
        and not complaint.resolved_in_favour
        and lifecycle.next_stage(complaint) is None
    )


def next_stage_label(complaint: Complaint) -> str:
    stage = lifecycle.next_stage(complaint)
    return Stage(stage).label if stage in Stage.values else ""


def _date(value, zone) -> str:
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return ""
    if not isinstance(value, datetime.datetime):
        return ""
    return formats.date_format(timezone.localtime(value, zone), "DATE_FORMAT")


def _event_detail(event, zone) -> str:
    data = event.data or {}
    if event.kind == EventKind.ASSIGNED and data.get("handler"):
        return _("Your complaint is handled by %(handler)s.") % {"handler": data["handler"]}
    if event.kind in (EventKind.ACKNOWLEDGED, EventKind.ESCALATION_ACKNOWLEDGED) and data.get("expected_answer_by"):
        return _("Expected answer by %(date)s.") % {"date": _date(data["expected_answer_by"], zone)}
    if event.kind == EventKind.ESCALATED:
        to_stage = data.get("to_stage")
        text = _("Now handled at: %(stage)s.") % {"stage": Stage(to_stage).label} if to_stage in Stage.values else ""
        return " ".join(part for part in (text, data.get("reason") or "") if part)
    if event.kind == EventKind.DECIDED and data.get("decision") in Outcome.values:
        return _("Decision: %(decision)s.") % {"decision": Outcome(data["decision"]).label}
    if event.kind == EventKind.CLOSED and data.get("outcome") in Outcome.values:
        return _("Outcome: %(outcome)s.") % {"outcome": Outcome(data["outcome"]).label}
    if event.kind == EventKind.REFERRED and data.get("body"):
        return _("Referred to %(body)s.") % {"body": data["body"]}
    if event.kind == EventKind.WITHDRAWN and data.get("reason"):
        return data["reason"]
    if event.kind == EventKind.DEADLINE_EXTENDED:
        text = _("New date: %(date)s.") % {"date": _date(data.get("due_at"), zone)}
        return " ".join(part for part in (text, data.get("reason") or "") if part)
    return ""


@dataclass
class Entry:
    at: datetime.datetime
    label: str
    detail: str = ""
    message: Message | None = None
    author: str = ""
    css: str = ""
    attachments: list = field(default_factory=list)


def timeline(complaint: Complaint) -> list[Entry]:
    """The consumer-visible events, each with the message it is about, and messages without an event."""
    zone = zoneinfo.ZoneInfo(complaint.organisation.time_zone)
    messages = {message.pk: message for message in access.consumer_messages(complaint)}
    entries = []
    for event in access.consumer_events(complaint):
        message = messages.pop((event.data or {}).get("message_id"), None)
        label = events.label(event.kind, for_consumer=True)
        entries.append(_entry(complaint, event.created_at, label, _event_detail(event, zone), message))
    for message in messages.values():
        entries.append(_entry(complaint, message.created_at, events.label(EventKind.MESSAGE_ADDED), "", message))
    entries.sort(key=lambda entry: entry.at)
    return entries


def _entry(complaint: Complaint, at, label: str, detail: str, message: Message | None) -> Entry:
    if message is None:
        return Entry(at=at, label=label, detail=detail)
    if message.kind == Message.Kind.CONSUMER:
        author, css = _("You"), "message-consumer"
    else:
        author, css = complaint.organisation.name, "message-staff"
    return Entry(
        at=at, label=label, detail=detail, message=message, author=author, css=css,
        attachments=list(message.attachments.all()),
    )


def resolution_kinds(resolution) -> list[str]:
    return [str(Resolution.Kind(kind).label) if kind in Resolution.Kind.values else kind for kind in resolution.kinds]


def field_values(complaint: Complaint) -> list[tuple[str, object]]:
    """The category's own fields as (label, value), in the category's order."""
    if complaint.category is None or not complaint.field_values:
        return []
    return [
        (category_field.label, complaint.field_values[category_field.key])
        for category_field in complaint.category.fields.all()
        if category_field.key in complaint.field_values
    ]


def field_labels(complaint: Complaint) -> dict[str, str]:
    if complaint.category is None:
        return {}
    return {category_field.key: category_field.label for category_field in complaint.category.fields.all()}
