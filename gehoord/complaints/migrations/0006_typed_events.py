"""Typed events: the kind is one of EventKind, and every instant in a payload is stored as UTC.

Until now an instant was written in whatever zone it was computed in (an expected answer in the
organisation's time, a reminder's due instant in UTC); this rewrites the ones that are not UTC.
The keys are those the declarations in complaints/events.py name as instants, as of this change.
"""

import datetime

from django.db import migrations, models

INSTANTS = {
    "acknowledged": ("received_at", "expected_answer_by"),
    "escalation_acknowledged": ("received_at", "expected_answer_by"),
    "deadline_extended": ("due_at", "original_due_at"),
    "deadline_reminder_sent": ("due_at",),
    "deadline_missed": ("due_at",),
    "progress_update_sent": ("new_estimate",),
}
BATCH = 2000


def _utc(value):
    if not isinstance(value, str):
        return value
    try:
        instant = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if instant.tzinfo is None:
        return value
    return instant.astimezone(datetime.UTC).isoformat()


def instants_to_utc(apps, schema_editor):
    Event = apps.get_model("complaints", "Event")
    changed = []
    for event in Event.objects.filter(kind__in=list(INSTANTS)).only("id", "kind", "data").iterator(chunk_size=BATCH):
        data = dict(event.data or {})
        for key in INSTANTS[event.kind]:
            if key in data:
                data[key] = _utc(data[key])
        if data != event.data:
            event.data = data
            changed.append(event)
        if len(changed) >= BATCH:
            Event.objects.bulk_update(changed, ["data"])
            changed = []
    Event.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0005_status_received_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('received', 'Complaint received'), ('acknowledged', 'Acknowledged'), ('escalation_acknowledged', 'Escalation acknowledged'), ('assigned', 'Assigned'), ('investigation_started', 'Investigation started'), ('information_requested', 'Information asked from the consumer'), ('information_received', 'Information received'), ('resolution_proposed', 'Resolution proposed'), ('resolution_accepted', 'Resolution accepted'), ('resolution_rejected', 'Resolution rejected'), ('escalated', 'Escalated'), ('decided', 'Decision'), ('closed', 'Closed'), ('referred', 'Referred'), ('deadline_extended', 'Deadline extended'), ('deadline_reminder_sent', 'Deadline reminder sent'), ('deadline_missed', 'Deadline missed'), ('progress_update_sent', 'Progress update sent'), ('withdrawn', 'Withdrawn'), ('rejected_as_spam', 'Rejected as spam'), ('message_added', 'Message'), ('note_added', 'Internal note'), ('personal_data_viewed', 'Personal data viewed'), ('mail_failed', 'Mail could not be delivered'), ('mail_suppressed', 'Mail held back (daily limit)'), ('bounce_received', 'Mail bounced'), ('auto_reply_received', 'Auto-reply received (not answered)'), ('mail_attachments_refused', 'Attachments of a mail refused'), ('mail_attached_from_triage', 'Mail put on this complaint')], max_length=40),
        ),
        # Instants written in another zone read the same once in UTC: nothing to undo.
        migrations.RunPython(instants_to_utc, migrations.RunPython.noop),
    ]
