# The API token model moved to the organisations app, table and rows included (nothing changes in
# the database); the API app keeps no models of its own.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
        ("organisations", "0002_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ApiToken")], database_operations=[]),
    ]
