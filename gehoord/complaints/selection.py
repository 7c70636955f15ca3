"""Which of an organisation's complaints a person or an integration asks for: the one filter
behind the desk's queue and the API's list.

A `Selection` holds plain values (the doors parse their query strings into it); `selected` applies
every part but the status, so a door can count per status under the same filters (`with_status`
then narrows); `ordered` sorts. The register (insights/register.py) reads the same selection with
its own parts: product, outcome and whether a deadline was kept. A category is looked up by its slug within the organisation and
filtered by id: the slug recurs across organisations, and a join on it misled PostgreSQL's planner
(seconds at a million complaints).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from gehoord.complaints import search
from gehoord.complaints.models import OPEN_STATUSES, Complaint, Status
from gehoord.organisations.models import Category, Organisation
from gehoord.policies.models import Deadline

# The status part: a status, or one of these groups.
OPEN = "open"
ALL = "all"
# The deadline part.
OVERDUE = "overdue"
SOON = "soon"
DUE_SOON = datetime.timedelta(days=2)
# The deadline-kept part (the register): every deadline so far met in time, or one missed or met late.
KEPT = "met"
MISSED = "missed"
# The handler part, besides a user's id.
UNASSIGNED = "none"
# The order.
BY_DEADLINE = "deadline"
BY_RECEIVED = "received"
BY_OLDEST = "oldest"
BY_REFERENCE = "reference"
ORDERS = (BY_DEADLINE, BY_RECEIVED, BY_OLDEST, BY_REFERENCE)


@dataclass(frozen=True)
class Selection:
    status: str = OPEN
    stage: int | None = None
    category: str = ""  # the category's slug
    handler: int | str | None = None  # a user's id, or UNASSIGNED
    channel: str = ""
    due: str = ""  # OVERDUE, SOON or ""
    q: str = ""
    received_after: datetime.datetime | None = None
    received_before: datetime.datetime | None = None
    product: str = ""  # the product as stored, in any case
    outcome: str = ""
    kept: str = ""  # KEPT, MISSED or ""
    order: str = BY_DEADLINE


def selected(organisation: Organisation, selection: Selection, *, now: datetime.datetime | None = None) -> QuerySet:
    """The organisation's complaints that match every part of `selection` but the status."""
    now = now or timezone.now()
    complaints = Complaint.objects.of_organisation(organisation)
    if selection.stage:
        complaints = complaints.filter(stage=selection.stage)
    if selection.category:
        category = Category.objects.filter(organisation=organisation, slug=selection.category).values_list("pk", flat=True).first()
        complaints = complaints.filter(category_id=category) if category else complaints.none()
    if selection.handler == UNASSIGNED:
        complaints = complaints.filter(handler__isnull=True)
    elif selection.handler:
        complaints = complaints.filter(handler_id=selection.handler)
    if selection.channel:
        complaints = complaints.filter(channel=selection.channel)
    if selection.due == OVERDUE:
        complaints = complaints.filter(next_deadline_at__lt=now)
    elif selection.due == SOON:
        complaints = complaints.filter(next_deadline_at__gte=now, next_deadline_at__lte=now + DUE_SOON)
    if selection.product:
        complaints = complaints.filter(product__iexact=selection.product.strip())
    if selection.outcome:
        complaints = complaints.filter(outcome=selection.outcome)
    if selection.kept:
        missed = Exists(Deadline.objects.filter(Q(missed_at__isnull=False) | Q(met_at__gt=F("due_at")), complaint=OuterRef("pk")))
        if selection.kept == MISSED:
            complaints = complaints.filter(missed)
        else:
            met = Exists(Deadline.objects.filter(complaint=OuterRef("pk"), met_at__isnull=False))
            complaints = complaints.filter(met).exclude(missed)
    if selection.received_after:
        complaints = complaints.filter(received_at__gte=selection.received_after)
    if selection.received_before:
        complaints = complaints.filter(received_at__lt=selection.received_before)
    return search.matching(complaints, selection.q)


def with_status(complaints: QuerySet, status: str) -> QuerySet:
    if status == OPEN:
        return complaints.filter(status__in=OPEN_STATUSES)
    if status in Status.values:
        return complaints.filter(status=status)
    return complaints


def ordered(complaints: QuerySet, order: str = BY_DEADLINE) -> QuerySet:
    """Most urgent first (the nearest running deadline), newest or oldest first, or by reference."""
    if order == BY_RECEIVED:
        return complaints.newest_first()
    if order == BY_OLDEST:
        return complaints.order_by("received_at", "id")
    if order == BY_REFERENCE:
        return complaints.order_by("reference")
    return complaints.most_urgent_first()
