"""The arithmetic of recurring problems, without Django: when a group's count is a rise, which
serial numbers form a range, and which texts form a group.

A group *fires* when, in the recent window, it holds a larger share of the organisation's
complaints than it did in the weeks before, by a margin chance would not give:

- `expected` = the complaints of the recent window × the group's share of the baseline period,
  with one complaint added to the group's baseline (so a group never seen before is expected at
  about one in the baseline's number, never at zero);
- it fires when the count is at least MIN_COUNT, at least MIN_RATIO × expected, and the Poisson
  probability of seeing that many or more, given `expected`, is below ALPHA divided by the number
  of groups tested in the same scan (Bonferroni: with many products and categories, one of them
  is bound to look unusual by chance).

Comparing shares rather than rates keeps a busy month (every group rises with the total) from
firing everywhere. Calibrated on generated data (insights/tests/calibrate_problems.py, run by hand):
of 20 random spreads of 500 complaints over 200 days none fired, the closest coming to a corrected
p of 0.11 against ALPHA 0.001; 15 Dutch and English paraphrases of one fault planted in the last
two weeks were found exactly in 20 of 20 seeds (p about 1e-27), and groups of 5, 6, 8 and 10 in 5
of 5 seeds each (4 is below MIN_COUNT).
"""

import math
import re
from dataclasses import dataclass

import numpy as np

MIN_COUNT = 5
MIN_RATIO = 2.0
ALPHA = 0.001
# Cosine similarity to a group's centroid from which a description belongs to the group (USE
# multilingual v3). Calibrated on the tests' fifteen Dutch and English paraphrases of one fault
# against generated web-shop complaints: each paraphrase lies 0.62–0.80 from the centroid of the
# other fourteen; no generated complaint comes closer than 0.37 to it, while generated complaints
# sharing a sentence lie 0.57 apart at the 90th percentile.
SIMILARITY = 0.57


@dataclass(frozen=True)
class Rise:
    count: int
    expected: float
    p_value: float
    fires: bool


def poisson_tail(count: int, expected: float) -> float:
    """P(X ≥ count) for X ~ Poisson(expected), summed in log space (counts may be in the thousands)."""
    if count <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    log_expected = math.log(expected)
    if count <= expected:
        # Below the mean the tail is most of the mass: one minus the (short) lower sum.
        lower = sum(math.exp(i * log_expected - expected - math.lgamma(i + 1)) for i in range(count))
        return max(0.0, 1.0 - lower)
    total, i = 0.0, count
    while True:
        term = math.exp(i * log_expected - expected - math.lgamma(i + 1))
        total += term
        if term < total * 1e-12 or i > count + 10_000:
            return min(1.0, total)
        i += 1


def rise(count: int, baseline_count: float, baseline_total: int, recent_total: int, tests: int) -> Rise:
    """Whether `count` of the `recent_total` recent complaints is a rise against the group's
    `baseline_count` of `baseline_total` in the baseline period; `tests`: groups tested in the scan."""
    share = (baseline_count + 1) / (baseline_total + 1)
    expected = recent_total * share
    p_value = poisson_tail(count, expected)
    fires = count >= MIN_COUNT and count >= MIN_RATIO * expected and p_value * max(1, tests) < ALPHA
    return Rise(count=count, expected=expected, p_value=p_value, fires=fires)


_LAST_NUMBER = re.compile(r"^(.*?)(\d+)\D*$")


def serial_range(serial: str) -> str | None:
    """The range a serial number falls in: its text up to the last number, and that number without
    its last two digits — 100 consecutive numbers (SW50-2304-0042 → "SW50-2304-00"). A last number
    of one or two digits gives the text before it. None when there is nothing to share."""
    compact = re.sub(r"\s+", "", serial or "").upper()
    match = _LAST_NUMBER.match(compact)
    if match is None:
        return None
    prefix, number = match.groups()
    shared = prefix + (number[:-2] if len(number) > 2 else "")
    return shared if len(shared) >= 2 else None


def clusters(vectors: np.ndarray, threshold: float = SIMILARITY, min_size: int = MIN_COUNT) -> list[np.ndarray]:
    """Groups of similar unit vectors, each as its normalised mean (the centroid), largest first.

    A leader pass in the given order (each vector joins the nearest centroid within `threshold`, or
    starts a group), then one pass that assigns every vector to its nearest final centroid, so the
    order matters little. Groups smaller than `min_size` are dropped. O(vectors × groups).
    """
    if len(vectors) == 0:
        return []
    sums = np.zeros_like(vectors)
    centroids = np.zeros_like(vectors)
    groups = 0
    for vector in vectors:
        if groups:
            similarities = centroids[:groups] @ vector
            best = int(np.argmax(similarities))
            if similarities[best] >= threshold:
                sums[best] += vector
                centroids[best] = sums[best] / np.linalg.norm(sums[best])
                continue
        sums[groups] = vector
        centroids[groups] = vector
        groups += 1
    centroids = centroids[:groups]
    similarities = vectors @ centroids.T
    nearest = np.argmax(similarities, axis=1)
    close = similarities[np.arange(len(vectors)), nearest] >= threshold
    found = []
    for index in range(len(centroids)):
        members = vectors[(nearest == index) & close]
        if len(members) >= min_size:
            total = members.sum(axis=0)
            found.append((len(members), total / np.linalg.norm(total)))
    found.sort(key=lambda item: -item[0])
    return [centroid for _size, centroid in found]
