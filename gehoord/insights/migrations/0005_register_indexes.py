"""The register's first page under any single filter, newest first, from an index (issue 14: p95 ≤
50 ms at a million complaints). Without them a rare value of a filter (a handler, stage 3, a
product, an outcome) made PostgreSQL read every complaint of the organisation newest first until
it found a page, or fetch all matches and sort them. Each index holds the filter's column and the
register's order. The complaint table is the complaints app's; the indexes are named and dropped
here, as platform/0004 does with the access log's, so no migration of that app is needed.

`UPPER(product)`: the product filter matches in any case (`product__iexact`, which PostgreSQL runs
as UPPER(product) = UPPER(%s))."""

from django.db import migrations

INDEXES = {
    "register_org_stage": '"organisation_id", "stage", "received_at" DESC, "id" DESC',
    "register_org_category": '"organisation_id", "category_id", "received_at" DESC, "id" DESC',
    "register_org_channel": '"organisation_id", "channel", "received_at" DESC, "id" DESC',
    "register_org_handler": '"organisation_id", "handler_id", "received_at" DESC, "id" DESC',
    "register_org_product": '"organisation_id", UPPER("product"), "received_at" DESC, "id" DESC',
    "register_org_outcome": '"organisation_id", "outcome", "received_at" DESC, "id" DESC',
}


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0004_register_saved_views"),
        ("complaints", "0012_screening_and_anonymisation"),
        ("policies", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "complaints_complaint" ({columns})',
            f'DROP INDEX IF EXISTS "{name}"',
        )
        for name, columns in INDEXES.items()
    ] + [
        # "Deadlines missed": the few deadlines missed or met late, by complaint, so that testing a
        # complaint for one reads a small index instead of its every deadline.
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "register_deadline_missed" ON "policies_deadline" ("complaint_id") '
            'WHERE "missed_at" IS NOT NULL OR "met_at" > "due_at"',
            'DROP INDEX IF EXISTS "register_deadline_missed"',
        ),
    ]
