"""Policy texts become Dutch and English (`LocalText`): the versions published from a shipped
preset get the preset's two-language texts in place of the English notes that quoted the seed
("Seed 000 §3: ..."). Texts a person wrote in the editor are kept; a plain string is read as
the text of both languages.

Versions are never changed by the application; this rewrites only the wording of texts, never a
term, so every deadline stays as it was.
"""

from django.db import migrations

OLD_BODY_NAMES = {
    "WebwinkelKeur", "Geschillencommissie (aangesteld door WebwinkelKeur)", "Trading Standards", "Onafhankelijk advies",
}


def _from_shipped_preset(text: object) -> bool:
    return isinstance(text, str) and (text.startswith("Seed 00") or text.startswith("Gehoord's default policy"))


def use_two_language_texts(apps, schema_editor):
    from gehoord.policies.presets import PRESETS

    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    for version in PolicyVersion.objects.filter(preset__in=[*PRESETS, "default"]).iterator():
        preset = PRESETS["vxhome" if version.preset == "default" else version.preset].to_dict()
        data = version.spec_data
        changed = False
        if _from_shipped_preset(data.get("notes")):
            data["notes"], changed = preset["notes"], True
        preset_rules = {(rule["kind"], rule["stage"]): rule for rule in preset["rules"]}
        for rule in data.get("rules", []):
            shipped = preset_rules.get((rule.get("kind"), rule.get("stage", 1)))
            if shipped and _from_shipped_preset(rule.get("note")):
                rule["note"], changed = shipped["note"], True
        preset_stages = {stage["number"]: stage for stage in preset["stages"]}
        for stage in data.get("stages", []):
            shipped = preset_stages.get(stage.get("number"))
            if shipped and stage.get("label") == shipped["label"]["nl"]:
                stage["label"], changed = shipped["label"], True
        for index, body in enumerate(data.get("external_bodies", [])):
            if index < len(preset["external_bodies"]) and body.get("name") in OLD_BODY_NAMES:
                data["external_bodies"][index], changed = preset["external_bodies"][index], True
        if changed:
            PolicyVersion.objects.filter(pk=version.pk).update(spec_data=data)


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_next_deadline")]

    operations = [migrations.RunPython(use_two_language_texts, migrations.RunPython.noop)]
