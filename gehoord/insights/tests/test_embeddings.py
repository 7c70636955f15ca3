"""Each complaint's description is embedded once: by the sweep within its minute, and by the
problem scan as catch-up; `gehoord problems` runs a scan by hand."""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import carol_complaint
from gehoord.insights import embeddings, problems
from gehoord.insights.models import ComplaintEmbedding
from gehoord.insights.tests import generated


def test_a_filed_complaint_is_embedded_by_the_sweep_within_its_minute(acme, other):
    acme.connected = True
    acme.save(update_fields=["connected"])
    complaint = carol_complaint(acme, description="De omvormer valt elke middag uit en piept drie keer.")
    not_connected = carol_complaint(other, description="The parcel never arrived.")

    assert problems.embed_due() == 1

    stored = ComplaintEmbedding.objects.get(complaint=complaint)
    vector = embeddings.from_bytes(stored.vector)
    assert stored.encoder == embeddings.ENCODER and vector.shape == (512,)
    [expected] = embeddings.encode([complaint.description])
    assert float(vector @ expected) > 0.999
    assert not ComplaintEmbedding.objects.filter(complaint=not_connected).exists()
    assert problems.embed_due() == 0  # never twice


def test_a_dutch_text_lies_closer_to_its_english_paraphrase_than_to_another_complaint():
    fault, paraphrase, other = embeddings.encode([
        "Sinds de update valt de omvormer elke middag uit.",
        "Since the update the inverter shuts down every afternoon.",
        "Het pakket is bij de verkeerde buren afgeleverd.",
    ])

    assert float(fault @ paraphrase) > 0.57 > float(fault @ other)
    assert np.isclose(np.linalg.norm(fault), 1.0, atol=1e-5)


def test_the_scan_embeds_what_the_worker_missed(acme):
    generated.spread(acme, 40, seed=31)
    rows = [dict(received_at=timezone.now(), description=text) for text in generated.PLANTED_TEXTS[:3]]
    missed = generated.insert(acme, rows, embed=False)

    result = problems.scan(acme)

    assert result.embedded == 3
    assert set(ComplaintEmbedding.objects.filter(complaint__in=missed).values_list("complaint_id", flat=True)) == {
        complaint.pk for complaint in missed
    }


def test_gehoord_problems_scans_the_connected_organisations_by_hand(acme):
    acme.connected = True
    acme.save(update_fields=["connected"])
    generated.spread(acme, 300, seed=32)
    generated.planted(acme, seed=33)
    out = io.StringIO()

    call_command("problems", stdout=out)

    assert "acme: " in out.getvalue() and "1 new alerts" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("problems", org="nobody", stdout=out)
