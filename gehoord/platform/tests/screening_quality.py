"""Precision and recall of the automatic screening on the labelled set in data/screening_set.tsv,
for the quality test and for bench/screening_quality.py (one computation for both).

Per class: precision is the share of texts flagged for the class that the set labels so; recall
the share of texts labelled with the class that were flagged for it. Overall precision counts a
text as correctly flagged when the set labels it with any class (for a moderator the question is
whether to look at it at all); overall recall is the share of labelled texts flagged.
"""

import dataclasses
from pathlib import Path

from gehoord.platform.screening import CLASSES, screen

SET = Path(__file__).parent / "data" / "screening_set.tsv"
# Written after the screener was tuned on SET and never tuned on: how it does on text it has not seen.
HOLDOUT = Path(__file__).parent / "data" / "screening_holdout.tsv"
OVERALL = "overall"


def labelled_texts(path: Path = SET) -> list[tuple[str, frozenset[str]]]:
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, labels = line.split("\t")
        texts.append((text.replace("\\n", "\n"), frozenset(label for label in labels.split(",") if label)))
    return texts


@dataclasses.dataclass
class Report:
    name: str
    size: int
    precision: dict[str, float]
    recall: dict[str, float]
    misses: list[tuple[str, frozenset[str], frozenset[str]]]

    def table(self) -> str:
        lines = [f"screening quality on {self.size} labelled texts ({self.name})", f"{'class':<16}{'precision':>10}{'recall':>10}"]
        for name in (*CLASSES, OVERALL):
            lines.append(f"{name:<16}{self.precision[name]:>10.3f}{self.recall[name]:>10.3f}")
        return "\n".join(lines)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def measure(path: Path = SET) -> Report:
    texts = labelled_texts(path)
    results = [(text, expected, screen(text).classes) for text, expected in texts]
    precision, recall = {}, {}
    for name in CLASSES:
        flagged = [expected for _text, expected, got in results if name in got]
        labelled = [got for _text, expected, got in results if name in expected]
        precision[name] = _ratio(sum(name in expected for expected in flagged), len(flagged))
        recall[name] = _ratio(sum(name in got for got in labelled), len(labelled))
    flagged = [expected for _text, expected, got in results if got]
    labelled = [got for _text, expected, got in results if expected]
    precision[OVERALL] = _ratio(sum(bool(expected) for expected in flagged), len(flagged))
    recall[OVERALL] = _ratio(sum(bool(got) for got in labelled), len(labelled))
    misses = [(text, expected, got) for text, expected, got in results if expected != got]
    return Report(name=path.name, size=len(texts), precision=precision, recall=recall, misses=misses)
