"""The registry's search keys: a folded name, a bare registry id and a website's host, with indexes.

On PostgreSQL the folded name (plain ASCII) is kept in the "C" collation, so that its btree index
answers "starts with" and name order, and it gets a trigram index for "contains" (100k companies).
SQLite scans, which is fine at its sizes. (A later migration that changes search_name's type must
keep COLLATE "C": ALTER COLUMN TYPE resets it.)
"""

from django.conf import settings
from django.db import migrations, models

from gehoord.organisations import registry_keys

_TRIGRAM_INDEX = (
    'ALTER TABLE organisations_organisation ALTER COLUMN search_name TYPE varchar(200) COLLATE "C"',
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS organisation_search_name_trgm"
    " ON organisations_organisation USING gin (search_name gin_trgm_ops)",
)


def fill_search_keys(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    batch = []
    for organisation in Organisation.objects.only("name", "registration_number", "website").iterator(chunk_size=2000):
        organisation.search_name = registry_keys.fold_name(organisation.name)
        organisation.search_registry_id = registry_keys.registry_key(organisation.registration_number)
        organisation.search_host = registry_keys.web_host(organisation.website)
        batch.append(organisation)
        if len(batch) == 2000:
            Organisation.objects.bulk_update(batch, ["search_name", "search_registry_id", "search_host"])
            batch = []
    Organisation.objects.bulk_update(batch, ["search_name", "search_registry_id", "search_host"])


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _TRIGRAM_INDEX:
            schema_editor.execute(statement)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS organisation_search_name_trgm")
        schema_editor.execute("ALTER TABLE organisations_organisation ALTER COLUMN search_name TYPE varchar(200)")


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0005_registry_and_platform_people'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='search_host',
            field=models.CharField(db_default='', editable=False, max_length=253),
        ),
        migrations.AddField(
            model_name='organisation',
            name='search_name',
            field=models.CharField(db_default='', editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='organisation',
            name='search_registry_id',
            field=models.CharField(db_default='', editable=False, max_length=40),
        ),
        migrations.AddIndex(
            model_name='organisation',
            index=models.Index(fields=['search_registry_id'], name='organisation_search_id'),
        ),
        migrations.AddIndex(
            model_name='organisation',
            index=models.Index(fields=['search_host'], name='organisation_search_host'),
        ),
        migrations.AddIndex(
            model_name='organisation',
            index=models.Index(fields=['search_name'], name='organisation_search_name'),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
