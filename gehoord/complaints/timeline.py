"""Writing to a complaint's timeline. Events are immutable; this is the one place that creates them, and
the one that may redact them (erasure and retention, `redact`).

What follows from an event for people other than the consumer (the staff's notifications) is
decided by a layer above this one, which plugs itself in as a follower (`follow`) when Django
starts; each follower sees every event as it is recorded, in the recording transaction.
"""

from collections.abc import Callable

import datetime

from django.db import connection
from django.utils import timezone

from gehoord.complaints import events
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import ActorKind, Complaint, Event


Follower = Callable[[Event, Complaint], None]

_followers: list[Follower] = []


def follow(follower: Follower) -> None:
    """Have `follower(event, complaint)` called for every event recorded from now on (once per follower)."""
    if follower not in _followers:
        _followers.append(follower)


def record(complaint: Complaint, kind: EventKind, by: Actor, **data) -> Event:
    """One event of `kind`, with the payload its declaration allows (complaints/events.py), shown to
    the followers with the complaint as the action left it so far."""
    kind = EventKind(kind)
    event = Event.objects.create(
        complaint=complaint,
        kind=kind,
        created_at=timezone.now(),
        actor_kind=by.kind,
        actor=by.user,
        actor_label=by.label,
        consumer_visible=events.TYPES[kind].consumer_visible,
        data=events.payload(kind, data),
    )
    for follower in _followers:
        follower(event, complaint)
    return event


def record_unless_recent(complaint: Complaint, kind: EventKind, by: Actor, *, within: datetime.timedelta) -> bool:
    """One event of `kind` (without payload) by `by`, unless the same actor has one on the complaint
    from the last `within`; True when it was written. One statement, whether it writes or not: a
    view recorded on every page load of a busy desk costs a read the second time, never two."""
    kind = EventKind(kind)
    now = timezone.now()
    columns = {
        "complaint": complaint.pk, "kind": kind.value, "created_at": now, "actor_kind": by.kind,
        "actor": by.user.pk if by.user is not None else None, "actor_label": by.label,
        "consumer_visible": events.TYPES[kind].consumer_visible, "data": events.payload(kind, {}),
    }
    fields = {name: Event._meta.get_field(name) for name in columns}
    values = [fields[name].get_db_prep_save(value, connection) for name, value in columns.items()]
    quote = connection.ops.quote_name
    table = quote(Event._meta.db_table)
    actor, since = values[4], fields["created_at"].get_db_prep_save(now - within, connection)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(fields[name].column) for name in columns)}) "
        f"SELECT {', '.join(['%s'] * len(values))} WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE "
        f"{quote('complaint_id')} = %s AND {quote('kind')} = %s AND {quote('actor_kind')} = %s AND "
        f"({quote('actor_id')} = %s OR ({quote('actor_id')} IS NULL AND %s IS NULL)) AND "
        f"{quote('actor_label')} = %s AND {quote('created_at')} > %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, complaint.pk, kind.value, by.kind, actor, actor, by.label, since])
        return cursor.rowcount == 1


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
