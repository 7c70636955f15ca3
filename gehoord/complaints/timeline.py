"""Writing to a complaint's timeline. Events are immutable; this is the one place that creates them, and
the one that may redact them (erasure and retention, `redact`)."""

from django.utils import timezone

from gehoord.complaints import events
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import ActorKind, Complaint, Event


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


def redact(complaint: Complaint, *, scrub) -> int:
    """The one sanctioned change to events (erasure and retention, platform/privacy.py): every
    personal key of each payload emptied (complaints/events.py), and the actor's name where the
    actor was the consumer or `scrub` finds them in it. A queryset update: `Event.save` refuses."""
    changed = 0
    for event in Event.objects.filter(complaint=complaint):
        personal = events.TYPES[EventKind(event.kind)].personal if event.kind in EventKind.values else frozenset()
        data = {key: (None if key in personal else value) for key, value in event.data.items()}
        label = "" if event.actor_kind == ActorKind.CONSUMER else scrub(event.actor_label)
        if data != event.data or label != event.actor_label:
            changed += Event.objects.filter(pk=event.pk).update(data=data, actor_label=label)
    return changed
