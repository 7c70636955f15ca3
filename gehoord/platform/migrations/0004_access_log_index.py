"""The access log (platform/access_log.py) reads the personal-data events of one organisation
newest first: an index on the event's kind and time. The event table is the complaints app's; the
index is named and dropped here, so no migration of that app is needed."""

from django.db import migrations

INDEX = "platform_event_access_log"


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0003_report"),
        ("complaints", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "complaints_event" ("kind", "created_at" DESC, "id" DESC)',
            f'DROP INDEX IF EXISTS "{INDEX}"',
        ),
    ]
