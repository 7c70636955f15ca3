"""Screening what can become public: a moderator approves or withholds a complaint or a reply
before it is published (the moderation issue adds automatic screening in front of this).

Publication is a state beside the complaint's status, so these actions run in any status and leave
it as it is. A withheld text stays where it was, visible to the complaint's parties; its author is
told why it is not public.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import lifecycle, notices, timeline
from gehoord.complaints.actions import _performing, _text
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.lifecycle import ALL_STATES, MODERATOR
from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.complaints.notices import Notice
from gehoord.errors import ActionNotAllowed
from gehoord.platform import companies

PUBLISHED = "published"
WITHHELD = "withheld"
# The reason is stored beside the text (its column's length) and mailed to the author.
MAX_REASON = 200


def complaints_awaiting_screening():
    """Platform complaints whose publication waits for a moderator, oldest first."""
    return (
        Complaint.objects.filter(platform=True, publication=Publication.PENDING)
        .select_related("organisation")
        .order_by("received_at", "pk")
    )


def replies_awaiting_screening():
    """Replies and messages on platform complaints that wait for a moderator, oldest first."""
    return (
        Message.objects.filter(complaint__platform=True, publication=Publication.PENDING)
        .select_related("complaint__organisation")
        .order_by("created_at", "pk")
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
    label=gettext_lazy("publish the complaint"), sources=ALL_STATES, target=None, who={MODERATOR},
    guard=_pending_complaint,
)
def publish(complaint: Complaint, *, by: Actor) -> Complaint:
    with _performing("publish", complaint, by) as complaint:
        complaint.publication = Publication.PUBLISHED
        complaint.withheld_reason = ""
        timeline.record(complaint, EventKind.SCREENED, by, decision=PUBLISHED)
        companies.send_when_committed(complaint)
    return complaint


@lifecycle.action(
    label=gettext_lazy("withhold the complaint from publication"), sources=ALL_STATES, target=None,
    who={MODERATOR}, parameters=("reason",), guard=_pending_complaint,
)
def withhold(complaint: Complaint, *, by: Actor, reason: str) -> Complaint:
    with _performing("withhold", complaint, by) as complaint:
        complaint.publication = Publication.WITHHELD
        complaint.withheld_reason = _text(reason, "reason", limit=MAX_REASON)
        timeline.record(complaint, EventKind.SCREENED, by, decision=WITHHELD, reason=complaint.withheld_reason)
        notices.tell(complaint, Notice.SCREENING_DECISION, message=None)
        # Screening decided: the company gets it, as a complaint that is not public.
        companies.send_when_committed(complaint)
    return complaint


@lifecycle.action(
    label=gettext_lazy("publish the reply"), sources=ALL_STATES, target=None, who={MODERATOR},
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
    parameters=("message_id", "reason"),
)
def withhold_reply(complaint: Complaint, *, by: Actor, message_id: int, reason: str) -> Complaint:
    with _performing("withhold_reply", complaint, by) as complaint:
        message = _pending_message(complaint, message_id)
        message.publication = Publication.WITHHELD
        message.withheld_reason = _text(reason, "reason", limit=MAX_REASON)
        message.save(update_fields=["publication", "withheld_reason"])
        timeline.record(
            complaint, EventKind.SCREENED, by, decision=WITHHELD, message_id=message.pk, reason=message.withheld_reason
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
