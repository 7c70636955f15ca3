"""Full-text search on PostgreSQL: a stored tsvector of the searched fields, with a GIN index.

Not a model field: SQLite has no tsvector, and the column is written by PostgreSQL alone. A later
migration that changes the type of one of these columns must drop and re-add this one around it
(PostgreSQL refuses to alter a column a generated column depends on).
"""

from django.db import migrations

ADD = """
ALTER TABLE complaints_complaint ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    to_tsvector('dutch'::regconfig,
        reference || ' ' || public_id || ' ' || order_number || ' ' || contact_name || ' '
        || contact_email || ' ' || contact_phone || ' ' || product || ' ' || description)
) STORED;
CREATE INDEX complaint_search_document ON complaints_complaint USING gin (search_document);
"""
DROP = """
DROP INDEX complaint_search_document;
ALTER TABLE complaints_complaint DROP COLUMN search_document;
"""


def add_search_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_search_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_next_deadline")]

    operations = [migrations.RunPython(add_search_document, drop_search_document)]
