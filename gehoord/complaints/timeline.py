"""Writing to a complaint's timeline. Events are immutable; this is the one place that creates them."""

from django.utils import timezone

from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Event


def record(complaint: Complaint, kind: str, by: Actor, *, consumer_visible: bool = False, **data) -> Event:
    return Event.objects.create(
        complaint=complaint,
        kind=kind,
        created_at=timezone.now(),
        actor_kind=by.kind,
        actor=by.user,
        actor_label=by.label,
        consumer_visible=consumer_visible,
        data=data,
    )
