"""Calibration of the recurring-problem thresholds (not part of the suite; run by hand):

    .venv/bin/pytest gehoord/insights/tests/calibrate_problems.py -s -q -p no:randomly

Prints, over many seeds, how close random spreads come to firing (the smallest Bonferroni-corrected
p-value and the largest ratio of count to expected among the groups tested) and whether planted
groups of 15 in the last two weeks are found in full."""

import math

import pytest
from django.db.models import Count

from gehoord.insights import problems, rising
from gehoord.insights.models import ProblemAlert, ProblemKind
from gehoord.insights.tests import generated
from gehoord.insights.tests.test_problems import RANDOM_COMPLAINTS, inverters  # noqa: F401  (the fixture)

SEEDS = range(100, 120)


def _closest_to_firing(organisation):
    """Run the scan's groups through the rule and return (smallest corrected p, its ratio, kind)."""
    captured = []
    original = rising.rise

    def recording(count, baseline_count, baseline_total, recent_total, tests):
        result = original(count, baseline_count, baseline_total, recent_total, tests)
        captured.append((result.p_value * tests, count / result.expected if result.expected else math.inf, count))
        return result

    problems.rising.rise = recording
    try:
        scan = problems.scan(organisation)
    finally:
        problems.rising.rise = original
    return scan, min(captured)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_spreads(inverters, seed):  # noqa: F811
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=seed)
    scan, (corrected_p, ratio, count) = _closest_to_firing(inverters)
    fired = ProblemAlert.objects.count()
    print(f"\nrandom seed {seed}: tested {scan.tested} {scan.tested_by_kind}; fired {fired}; "
          f"closest: corrected p {corrected_p:.3g} (ratio {ratio:.2f}, count {count})")


@pytest.mark.parametrize("seed", SEEDS)
def test_planted_paraphrases(inverters, seed):  # noqa: F811
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=seed)
    planted = generated.planted(inverters, seed=seed + 1000)
    problems.scan(inverters)
    alerts = ProblemAlert.objects.annotate(n=Count("complaints"))
    found = [a for a in alerts if a.kind == ProblemKind.SIMILAR_TEXT]
    members = set(found[0].complaints.values_list("pk", flat=True)) if found else set()
    print(f"\nplanted seed {seed}: alerts {[(a.kind, a.n) for a in alerts]}; "
          f"found {len(members & {c.pk for c in planted})}/15, extra {len(members - {c.pk for c in planted})}; "
          f"p {found[0].p_value if found else None:.3g}")


@pytest.mark.parametrize("size", [4, 5, 6, 8, 10])
@pytest.mark.parametrize("seed", range(200, 205))
def test_smaller_planted_groups(inverters, seed, size):  # noqa: F811
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=seed)
    generated.planted(inverters, seed=seed + 1000, count=size)
    problems.scan(inverters)
    found = list(ProblemAlert.objects.annotate(n=Count("complaints")).values_list("kind", "n"))
    print(f"\nplanted {size} seed {seed}: alerts {found}")
