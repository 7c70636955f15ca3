"""An index for the score cards' worker: which platform complaints were written since its last run.

It sits on the complaints' table but serves only the platform (`platform.scores.due_companies`),
so it is created here; partial, so that the desk's complaints cost it nothing."""

from django.db import migrations

INDEX = "complaint_platform_updated"


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0001_initial"),
        ("complaints", "0011_platform_replies"),
    ]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX "{INDEX}" ON "complaints_complaint" ("updated_at", "organisation_id") WHERE "platform"',
            f'DROP INDEX "{INDEX}"',
        ),
    ]
