"""Migration policies 0003: versions published from a shipped preset before policy texts had two
languages get the preset's Dutch and English texts; what a person wrote is kept."""

import importlib

from django.apps import apps

from conftest import make_organisation
from gehoord.policies.models import PolicyVersion
from gehoord.policies.presets import PRESETS

migration = importlib.import_module("gehoord.policies.migrations.0003_dutch_policy_texts")


def old_style(data: dict) -> dict:
    """The version as it was stored before: English notes that quote the seed, one-language names."""
    data["notes"] = "Seed 000 (VXhome). No resolution term."
    data["rules"][1]["note"] = "Seed 000 §3: a substantive reply within 14 calendar days of receipt."
    data["stages"][0]["label"] = "Leidinggevende of manager"
    data["external_bodies"][0].update(name="WebwinkelKeur", description="Mediates free of charge.")
    data["external_bodies"][1].update(name="Geschillencommissie (aangesteld door WebwinkelKeur)", description="")
    return data


def test_a_preset_version_gets_the_two_language_texts_and_a_written_note_is_kept(db):
    shop = make_organisation("shop", preset="vxhome")
    version = PolicyVersion.objects.current(shop)
    data = old_style(version.spec_data)
    data["rules"][0]["note"] = "Onze eigen toelichting."
    PolicyVersion.objects.filter(pk=version.pk).update(spec_data=data)

    migration.use_two_language_texts(apps, None)

    spec = PolicyVersion.objects.get(pk=version.pk).spec
    assert spec.notes == PRESETS["vxhome"].notes
    assert spec.rules[1].note == PRESETS["vxhome"].rules[1].note
    assert (spec.rules[0].note.nl, spec.rules[0].note.en) == ("Onze eigen toelichting.", "Onze eigen toelichting.")
    assert spec.stages == PRESETS["vxhome"].stages
    assert spec.external_bodies == PRESETS["vxhome"].external_bodies
    assert spec.rules[1].duration == PRESETS["vxhome"].rules[1].duration  # only wording changes
