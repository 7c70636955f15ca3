"""Precision and recall of the automatic screening on the labelled set (issue 13's measured quality).

    .venv/bin/python bench/screening_quality.py [--misses]

Reads gehoord/platform/tests/data/screening_set.tsv (text, expected classes) and prints, per class
and overall, precision and recall; then the same for screening_holdout.tsv, texts written after the
screener was tuned on the first set (never tuned on). --misses also lists every text it got wrong.
The test gehoord/platform/tests/test_screening_quality.py runs the same computation and asserts
the targets.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gehoord.settings_test")

import django  # noqa: E402

django.setup()

from gehoord.platform.tests import screening_quality  # noqa: E402

if __name__ == "__main__":
    for path in (screening_quality.SET, screening_quality.HOLDOUT):
        report = screening_quality.measure(path)
        print(report.table())
        if "--misses" in sys.argv:
            for text, expected, got in report.misses:
                print(f"  expected {sorted(expected)} got {sorted(got)}: {text!r}")
        print()
