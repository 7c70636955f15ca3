"""Recurring problems (issue 14, SPEC 9): groups of an organisation's complaints that rise against
their own baseline, kept as alerts a complaint manager acknowledges and resolves.

A group is what some complaints share:

- the same product (the complaint's product, case and outer spaces ignored);
- the same model: the value of a category field of type *choice*, or of one whose key names a
  model (seed 003's "Model omvormer");
- a serial-number range: a serial field's value (a field of type *serial* whose key or label names
  a serial number, not a ticket or order number) up to its last two digits (rising.serial_range);
- the same category;
- similar descriptions: complaints of the recent window whose sentence vectors
  (insights/embeddings.py) lie within rising.SIMILARITY of a group's centroid.

`scan` compares each group's count in the last WINDOW with its share of the BASELINE before it
(rising.rise says when that fires) and records what fired: an unresolved alert of the same group
is updated, never duplicated (a unique constraint holds this for concurrent scans too); a similar-
text group is the same as an unresolved one when they share half their complaints. An alert that
no longer fires keeps its state and says so (`rising` false). The complaints of a resolved alert do
not count again for the same group, so resolving ends an alert and only a new rise opens another.

Scheduling: the sweep (`gehoord sweep`, every minute under `gehoord serve`) calls `refresh_due`,
which scans each connected organisation once every SCAN_EVERY, claimed by a conditional UPDATE of
its `ProblemScan` timer, so several sweepers share the work and one organisation's failure only
waits for its next turn. `gehoord problems` scans by hand. Pages only read the alert rows.

New complaints are embedded by the sweep within its minute (`embed_due`, one batch across the
organisations), not by a task per filing: one text alone costs about three times its share of a
batch, and the filing's worker time stays as it was. The scan first embeds, as catch-up, up to
CATCH_UP descriptions of its period that have no vector yet. Large organisations: at most
MAX_RECENT_TEXTS recent descriptions are clustered and their baseline is read from an even sample of
BASELINE_SAMPLE vectors; the key groups are counted by the database, one grouped query per kind.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Lower, Trim, Upper
from django.utils import timezone

from gehoord.complaints.models import Complaint, Status
from gehoord.insights import embeddings, rising
from gehoord.insights.models import AlertState, ComplaintEmbedding, ProblemAlert, ProblemKind, ProblemScan
from gehoord.organisations.models import Category, CategoryField, FieldType, Organisation

logger = logging.getLogger(__name__)

WINDOW = datetime.timedelta(days=14)
BASELINE = datetime.timedelta(weeks=26)
# An organisation with less history than this before the window has no baseline to rise against.
MIN_HISTORY = datetime.timedelta(days=28)
SCAN_EVERY = datetime.timedelta(hours=1)
SCANS_PER_RUN = 5
# How far back the sweep's minute looks for new complaints to embed (the hourly scan catches up the rest).
NEW = datetime.timedelta(days=1)
CATCH_UP = 1_000
MAX_RECENT_TEXTS = 20_000
BASELINE_SAMPLE = 5_000
# Two similar-text groups of successive scans are one problem when they share this part of the smaller.
SAME_GROUP_OVERLAP = 0.5
LABEL_LENGTH = 120
REFINE_STEPS = 3
# The largest pieces of the leader pass that are settled into groups (each costs a pass over the vectors).
MAX_TEXT_CANDIDATES = 300


@dataclass
class Group:
    kind: str
    key: str
    label: str
    members: set[int]
    baseline_count: float = 0.0
    baseline_total: int = 0
    recent_total: int = 0
    centroid: np.ndarray | None = None
    rise: rising.Rise | None = field(default=None)


@dataclass
class ScanResult:
    tested: int = 0
    tested_by_kind: dict[str, int] = field(default_factory=dict)
    fired: int = 0
    created: int = 0
    embedded: int = 0
    skipped: str = ""


def _counted(organisation: Organisation):
    """The complaints that can point at a problem: all of the organisation's but spam."""
    return Complaint.objects.of_organisation(organisation).exclude(status=Status.REJECTED)


def counted_since(organisation: Organisation, period: datetime.timedelta, now: datetime.datetime | None = None):
    """The organisation's counted complaints of the last `period`."""
    return _counted(organisation).filter(received_at__gte=(now or timezone.now()) - period)


def scan(organisation: Organisation, now: datetime.datetime | None = None) -> ScanResult:
    """Look for the organisation's recurring problems as of `now` and record the alerts that fire."""
    now = now or timezone.now()
    result = ScanResult()
    window_start = now - WINDOW
    complaints = _counted(organisation).filter(received_at__lt=now)
    first = complaints.order_by("received_at").values_list("received_at", flat=True).first()
    if first is None or first > window_start - MIN_HISTORY:
        result.skipped = "not enough history"
        _record(organisation, [], now)
        return result
    baseline_start = max(window_start - BASELINE, first)
    result.embedded = embeddings.embed_missing(complaints.filter(received_at__gte=baseline_start), CATCH_UP)
    recent = complaints.filter(received_at__gte=window_start)
    baseline = complaints.filter(received_at__gte=baseline_start, received_at__lt=window_start)
    resolved = _resolved_members(organisation)
    groups = _key_groups(organisation, recent, baseline, resolved) + _text_groups(recent, baseline, resolved)
    result.tested = len(groups)
    for group in groups:
        result.tested_by_kind[group.kind] = result.tested_by_kind.get(group.kind, 0) + 1
    for group in groups:
        group.rise = rising.rise(
            len(group.members), group.baseline_count, group.baseline_total, group.recent_total, tests=len(groups)
        )
    fired = [group for group in groups if group.rise.fires]
    result.fired = len(fired)
    result.created = _record(organisation, fired, now, window_start=window_start, baseline_start=baseline_start)
    return result


def _resolved_members(organisation: Organisation) -> dict[tuple[str, str], set[int]]:
    """The complaints of each group's resolved alerts (for similar texts, all under one key)."""
    members: dict[tuple[str, str], set[int]] = defaultdict(set)
    links = ProblemAlert.complaints.through.objects.filter(
        problemalert__organisation=organisation, problemalert__state=AlertState.RESOLVED
    ).values_list("problemalert__kind", "problemalert__key", "complaint_id")
    for kind, key, complaint_id in links:
        members[(kind, "" if kind == ProblemKind.SIMILAR_TEXT else key)].add(complaint_id)
    return members


def _grouping_fields(organisation: Organisation) -> tuple[dict[str, str], dict[str, str]]:
    """The category fields naming a model and those holding a serial number: key → label."""
    models, serials = {}, {}
    for key, label, field_type in CategoryField.objects.filter(category__organisation=organisation).values_list(
        "key", "label", "field_type"
    ):
        if "__" in key:  # not addressable as a JSON path in a lookup
            continue
        named = f"{key} {label}".lower()
        if field_type == FieldType.CHOICE or (field_type == FieldType.TEXT and "model" in named):
            models.setdefault(key, label)
        elif field_type == FieldType.SERIAL and ("serial" in named or "serie" in named):
            serials.setdefault(key, label)
    return models, serials


def _key_groups(organisation, recent, baseline, resolved) -> list[Group]:
    model_fields, serial_fields = _grouping_fields(organisation)
    groups: dict[tuple[str, str], Group] = {}

    def add(kind: str, key: str, label: str, pk: int) -> None:
        group = groups.get((kind, key))
        if group is None:
            group = groups[(kind, key)] = Group(kind=kind, key=key, label=label[:LABEL_LENGTH], members=set())
        group.members.add(pk)

    category_names = dict(Category.objects.filter(organisation=organisation).values_list("pk", "name"))
    for pk, product, category_id, values in recent.values_list("pk", "product", "category_id", "field_values"):
        if product.strip():
            add(ProblemKind.PRODUCT, product.strip().lower(), product.strip(), pk)
        if category_id:
            add(ProblemKind.CATEGORY, str(category_id), category_names.get(category_id, ""), pk)
        values = values if isinstance(values, dict) else {}
        for key, label in model_fields.items():
            value = values.get(key)
            if isinstance(value, str) and value.strip():
                add(ProblemKind.MODEL, f"{key}={value.strip()}", f"{label}: {value.strip()}", pk)
        for key, label in serial_fields.items():
            value = values.get(key)
            prefix = rising.serial_range(value) if isinstance(value, str) else None
            if prefix:
                add(ProblemKind.SERIAL_RANGE, f"{key}={prefix}", f"{label}: {prefix}…", pk)
    for group in groups.values():
        group.members -= resolved.get((group.kind, group.key), set())
    candidates = [group for group in groups.values() if len(group.members) >= rising.MIN_COUNT]
    if not candidates:
        return []
    recent_total, baseline_total = recent.count(), baseline.count()
    counts = _baseline_counts(baseline, candidates)
    for group in candidates:
        group.baseline_count = counts.get((group.kind, group.key), 0)
        group.recent_total, group.baseline_total = recent_total, baseline_total
    return candidates


def _baseline_counts(baseline, candidates: list[Group]) -> dict[tuple[str, str], int]:
    """How many baseline complaints each candidate group holds: one grouped query per kind and field."""
    wanted: dict[tuple[str, str], list[str]] = defaultdict(list)  # (kind, field key) → values
    for group in candidates:
        field_key, _sep, value = group.key.partition("=") if group.kind in (ProblemKind.MODEL, ProblemKind.SERIAL_RANGE) else ("", "", group.key)
        wanted[(group.kind, field_key)].append(value)
    counts: dict[tuple[str, str], int] = {}
    for (kind, field_key), values in wanted.items():
        if kind == ProblemKind.CATEGORY:
            rows = baseline.filter(category_id__in=[int(v) for v in values]).values("category_id").annotate(n=Count("pk"))
            counts.update({(kind, str(row["category_id"])): row["n"] for row in rows})
        elif kind == ProblemKind.PRODUCT:
            rows = baseline.annotate(folded=Lower(Trim("product"))).filter(folded__in=values).values("folded").annotate(n=Count("pk"))
            counts.update({(kind, row["folded"]): row["n"] for row in rows})
        elif kind == ProblemKind.MODEL:
            rows = baseline.annotate(value=Trim(KT(f"field_values__{field_key}"))).filter(value__in=values)
            counts.update({(kind, f"{field_key}={row['value']}"): row["n"] for row in rows.values("value").annotate(n=Count("pk"))})
        else:
            serial = Upper(KT(f"field_values__{field_key}"))
            found = baseline.annotate(serial=serial).aggregate(
                **{f"range{index}": Count("pk", filter=Q(serial__startswith=prefix)) for index, prefix in enumerate(values)}
            )
            counts.update({(kind, f"{field_key}={prefix}"): found[f"range{index}"] for index, prefix in enumerate(values)})
    return counts


def _text_groups(recent, baseline, resolved) -> list[Group]:
    rows = list(
        ComplaintEmbedding.objects.filter(complaint__in=recent)
        .order_by("-complaint__received_at", "-complaint_id")
        .values_list("complaint_id", "vector")[:MAX_RECENT_TEXTS]
    )
    if len(rows) < rising.MIN_COUNT:
        return []
    rows.reverse()  # the leader pass goes oldest first
    ids = np.array([complaint_id for complaint_id, _vector in rows])
    vectors = embeddings.stacked([vector for _id, vector in rows])
    excluded = resolved.get((ProblemKind.SIMILAR_TEXT, ""), set())
    open_rows = np.array([complaint_id not in excluded for complaint_id in ids], dtype=bool)
    # Paraphrases of one fault are often further apart from each other than from their common
    # centroid, so the leader pass may split a group into pieces: every piece of two or more is
    # settled on its members before the groups too small to fire are dropped.
    centroids = rising.clusters(vectors[open_rows], min_size=2)[:MAX_TEXT_CANDIDATES]
    if not centroids:
        return []
    sample, baseline_total = _baseline_sample(baseline)
    scale = baseline_total / len(sample) if len(sample) else 0.0
    descriptions = {}
    groups = []
    for centroid in centroids:
        # The leader pass's centroid moved while the group grew: settle it on its final members.
        for _step in range(REFINE_STEPS):
            members = (vectors @ centroid >= rising.SIMILARITY) & open_rows
            if not members.any():
                break
            centroid = embeddings.normalised(vectors[members].sum(axis=0, keepdims=True))[0]
        similarity = vectors @ centroid
        members = (similarity >= rising.SIMILARITY) & open_rows
        if members.sum() < rising.MIN_COUNT:
            continue
        typical = int(ids[np.argmax(np.where(members, similarity, -2))])
        descriptions[typical] = None
        groups.append(
            Group(
                kind=ProblemKind.SIMILAR_TEXT,
                key=str(typical),
                label="",
                members={int(complaint_id) for complaint_id in ids[members]},
                baseline_count=float((sample @ centroid >= rising.SIMILARITY).sum() * scale) if len(sample) else 0.0,
                baseline_total=baseline_total,
                recent_total=len(rows),
                centroid=centroid,
            )
        )
    # Two centroids can gather the same complaints; the larger group speaks for them.
    kept: list[Group] = []
    for group in sorted(groups, key=lambda group: -len(group.members)):
        if all(len(group.members & other.members) < SAME_GROUP_OVERLAP * len(group.members) for other in kept):
            kept.append(group)
    found = dict(Complaint.objects.filter(pk__in=[int(g.key) for g in kept]).values_list("pk", "description"))
    references = dict(Complaint.objects.filter(pk__in=[int(g.key) for g in kept]).values_list("pk", "public_id"))
    for group in kept:
        group.label = " ".join(found.get(int(group.key), "").split())[:LABEL_LENGTH]
        group.key = references.get(int(group.key), group.key)
    return kept


def _baseline_sample(baseline) -> tuple[np.ndarray, int]:
    """An even sample of the baseline's vectors (at most BASELINE_SAMPLE) and how many there are."""
    ids = list(
        ComplaintEmbedding.objects.filter(complaint__in=baseline).order_by("complaint_id").values_list("complaint_id", flat=True)
    )
    if not ids:
        return np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32), 0
    step = max(1, len(ids) / BASELINE_SAMPLE)
    chosen = [ids[int(index * step)] for index in range(min(len(ids), BASELINE_SAMPLE))]
    stored = []
    for start in range(0, len(chosen), 900):
        stored += ComplaintEmbedding.objects.filter(complaint_id__in=chosen[start : start + 900]).values_list("vector", flat=True)
    return embeddings.stacked(stored), len(ids)


def _record(organisation, fired: list[Group], now, *, window_start=None, baseline_start=None) -> int:
    """Write the alerts that fired, update the ones already open, mark the rest as no longer rising;
    how many alerts are new."""
    created = 0
    with transaction.atomic():
        unresolved = {
            (alert.kind, alert.key): alert
            for alert in ProblemAlert.objects.of_organisation(organisation).unresolved().select_for_update()
        }
        text_members = defaultdict(set)
        for alert_id, complaint_id in ProblemAlert.complaints.through.objects.filter(
            problemalert__in=[a.pk for a in unresolved.values() if a.kind == ProblemKind.SIMILAR_TEXT]
        ).values_list("problemalert_id", "complaint_id"):
            text_members[alert_id].add(complaint_id)
        seen: set[int] = set()
        for group in fired:
            alert = unresolved.get((group.kind, group.key))
            if group.kind == ProblemKind.SIMILAR_TEXT and alert is None:
                alert = _same_text_alert(group, unresolved.values(), text_members, seen)
            numbers = dict(
                label=group.label,
                rising=True,
                last_fired_at=now,
                window_start=window_start,
                window_end=now,
                window_days=WINDOW.days,
                baseline_days=max(1, (window_start - baseline_start).days),
                count=len(group.members),
                expected=group.rise.expected,
                baseline_count=group.baseline_count,
                baseline_total=group.baseline_total,
                recent_total=group.recent_total,
                p_value=group.rise.p_value,
                centroid=embeddings.to_bytes(group.centroid) if group.centroid is not None else None,
            )
            if alert is None:
                try:
                    with transaction.atomic():
                        alert = ProblemAlert.objects.create(
                            organisation=organisation, kind=group.kind, key=group.key, first_fired_at=now, **numbers
                        )
                except IntegrityError:  # a concurrent scan recorded the same group first
                    continue
                created += 1
            else:
                for name, value in numbers.items():
                    setattr(alert, name, value)
                alert.save(update_fields=[*numbers])
            alert.complaints.set(group.members)
            seen.add(alert.pk)
        ProblemAlert.objects.filter(pk__in=[a.pk for a in unresolved.values() if a.pk not in seen]).update(rising=False)
    return created


def _same_text_alert(group: Group, alerts, members_of: dict[int, set[int]], taken: set[int]) -> ProblemAlert | None:
    """The unresolved similar-text alert that shares at least half of the smaller group's complaints."""
    best, best_shared = None, 0
    for alert in alerts:
        if alert.kind != ProblemKind.SIMILAR_TEXT or alert.pk in taken:
            continue
        known = members_of.get(alert.pk, set())
        shared = len(known & group.members)
        if shared >= SAME_GROUP_OVERLAP * min(len(known), len(group.members)) and shared > best_shared:
            best, best_shared = alert, shared
    return best


def embed_due(now: datetime.datetime | None = None, limit: int = embeddings.BATCH) -> int:
    """The sweep's step each minute: embed up to `limit` complaints of the last day that have no
    vector yet, across the connected organisations; how many were embedded."""
    since = (now or timezone.now()) - NEW
    embedded = 0
    for organisation in Organisation.objects.connected().order_by("pk"):
        if embedded >= limit:
            break
        embedded += embeddings.embed_missing(_counted(organisation).filter(received_at__gte=since), limit - embedded)
    return embedded


def refresh_due(now: datetime.datetime | None = None, limit: int = SCANS_PER_RUN) -> int:
    """The sweep's step: scan the connected organisations whose turn has come; how many were scanned."""
    now = now or timezone.now()
    without_timer = Organisation.objects.connected().exclude(pk__in=ProblemScan.objects.values("organisation_id"))
    ProblemScan.objects.bulk_create(
        [ProblemScan(organisation_id=pk, due_at=now) for pk in without_timer.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )
    scanned = 0
    due = ProblemScan.objects.filter(due_at__lte=now, organisation__connected=True).order_by("due_at")
    for organisation_id in list(due.values_list("organisation_id", flat=True)[:limit]):
        # The claim: whoever moves the timer on scans; a scan that fails waits for its next turn.
        if not ProblemScan.objects.filter(pk=organisation_id, due_at__lte=now).update(due_at=now + SCAN_EVERY):
            continue
        try:
            scan(Organisation.objects.get(pk=organisation_id), now)
        except Exception:  # one organisation's failure must not stop the others
            logger.exception("scanning organisation %s for recurring problems failed", organisation_id)
            continue
        ProblemScan.objects.filter(pk=organisation_id).update(scanned_at=now)
        scanned += 1
    return scanned
