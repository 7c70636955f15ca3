"""Measured quality of the automatic screening (issue 13): precision and recall per class on the
labelled set (data/screening_set.tsv, 528 Dutch and English texts), shown at the end of the test
run and held to the issue's targets (with, for comparison, the figures on data/screening_holdout.tsv,
texts written after the screener was tuned). bench/screening_quality.py prints the same table, and with
--misses the texts it gets wrong."""

from gehoord.platform.screening import DISCRIMINATION, INSULT, PERSONAL_DATA, THREAT
from gehoord.platform.tests.conftest import SCREENING_QUALITY
from gehoord.platform.tests.screening_quality import HOLDOUT, OVERALL, labelled_texts, measure


def test_the_set_is_large_and_covers_every_class():
    texts = labelled_texts()
    assert len(texts) >= 400
    for name in (INSULT, DISCRIMINATION, THREAT, PERSONAL_DATA):
        assert sum(name in labels for _text, labels in texts) >= 50
    assert sum(not labels for _text, labels in texts) >= 150  # clean texts, many with strong language


def test_the_screening_meets_its_targets(request):
    report = measure()
    # The held-out texts were written after the screener was tuned on the set: shown, not held to targets.
    request.config.stash[SCREENING_QUALITY] = report.table() + "\n\n" + measure(HOLDOUT).table()
    assert report.recall[THREAT] >= 0.95
    assert report.recall[PERSONAL_DATA] >= 0.95
    assert report.recall[INSULT] >= 0.90
    assert report.recall[DISCRIMINATION] >= 0.90
    assert report.precision[OVERALL] >= 0.85
