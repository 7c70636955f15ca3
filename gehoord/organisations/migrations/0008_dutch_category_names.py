from django.db import migrations, models


def english_names_of_english_organisations(apps, schema_editor):
    """A category had one name, in its organisation's language: an English organisation's names
    move to the English name. Dutch readers see it too until an admin adds the Dutch name."""
    Category = apps.get_model("organisations", "Category")
    Category.objects.filter(organisation__language="en").update(name_en=models.F("name"), name="")


def one_name(apps, schema_editor):
    Category = apps.get_model("organisations", "Category")
    Category.objects.filter(name="").update(name=models.F("name_en"))


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0007_deskwork_reply_templates'),
    ]

    operations = [
        migrations.AddField(
            model_name='category',
            name='name_en',
            field=models.CharField(blank=True, max_length=100, verbose_name='name in English'),
        ),
        migrations.AlterField(
            model_name='category',
            name='name',
            field=models.CharField(blank=True, max_length=100, verbose_name='name in Dutch'),
        ),
        migrations.RunPython(english_names_of_english_organisations, one_name),
    ]
