"""Writing to a complaint's timeline. Events are immutable; this is the one place that creates them."""

from django.utils import timezone

from gehoord.complaints import events
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Event


def record(complaint: Complaint, kind: EventKind, by: Actor, **data) -> Event:
    """One event of `kind`, with the payload its declaration allows (complaints/events.py)."""
    kind = EventKind(kind)
    return Event.objects.create(
        complaint=complaint,
        kind=kind,
        created_at=timezone.now(),
        actor_kind=by.kind,
        actor=by.user,
        actor_label=by.label,
        consumer_visible=events.TYPES[kind].consumer_visible,
        data=events.payload(kind, data),
    )
