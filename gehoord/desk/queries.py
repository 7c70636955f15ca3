"""What the staff desk reads: the queue, one complaint with everything its page shows, its files.

Every function takes the organisation of the request and never looks beyond it. The queue and the
complaint page run a fixed number of queries, whatever the number of rows, messages or events.
"""

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.utils.functional import cached_property

from gehoord.complaints import selection
from gehoord.complaints.models import OPEN_STATUSES, Attachment, Complaint, Message
from gehoord.mail.queries import with_mail_trouble
from gehoord.organisations.models import Category, CategoryField, Organisation, Role
from gehoord.policies.models import Deadline

PAGE_SIZE = 25
HANDLING_ROLES = (Role.AGENT, Role.MANAGER, Role.BOARD)


def ordered(complaints: QuerySet, order: str) -> QuerySet:
    """The queue's order, each row with its running deadlines and whether its mail is in trouble."""
    # Each row says when mail to the complainant failed for good (SPEC 7), in the same query.
    complaints = with_mail_trouble(complaints).select_related("category", "handler", "team").prefetch_related(
        Prefetch(
            "deadlines",
            queryset=Deadline.objects.pending().filter(paused_at__isnull=True).order_by("due_at", "id"),
            to_attr="running_deadlines",
        )
    )
    return selection.ordered(complaints, order)


def status_counts(complaints: QuerySet) -> dict[str, int]:
    """How many complaints have each open status, and how many are open, in one grouped query.

    Only the open statuses: they are the work, and their count stays small however many closed
    complaints pile up, so PostgreSQL answers from the (organisation, status) index without reading
    the archive. Counting the closed ones would make the queue slower every day.
    """
    per_status = dict(
        complaints.filter(status__in=OPEN_STATUSES).order_by().values_list("status").annotate(count=Count("pk"))
    )
    totals = {status: per_status.get(status, 0) for status in OPEN_STATUSES}
    totals[selection.OPEN] = sum(totals.values())
    return totals


class _CountedPaginator(Paginator):
    """A paginator told its count, when the status counts already hold it."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


class UncountedPage:
    """A page of a text search beyond the open complaints: not counted (counting every match of a
    common word took a second at a million complaints), only whether another page follows."""

    paginator = None

    def __init__(self, complaints: QuerySet, number, per_page: int):
        try:
            self.number = max(int(number), 1)
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_page
        rows = list(complaints[start : start + per_page + 1])  # one more: is there a next page?
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def queue_page(
    organisation: Organisation, chosen: selection.Selection, page_number, *, now=None, per_page: int | None = None
) -> tuple[Page | UncountedPage, dict[str, int]]:
    """One page of the queue (its rows with their running deadlines) and the counts per open status
    under the other filters: three queries, whatever the page size (four for a closed status)."""
    matching = selection.selected(organisation, chosen, now=now)
    counts = status_counts(matching)
    listed = ordered(selection.with_status(matching, chosen.status), chosen.order)
    per_page = per_page or PAGE_SIZE
    if chosen.status in counts:
        return _CountedPaginator(listed, per_page, counts[chosen.status]).get_page(page_number), counts
    if chosen.q.strip():
        return UncountedPage(listed, page_number, per_page), counts
    return Paginator(listed, per_page).get_page(page_number), counts


def staff_of(organisation: Organisation) -> list:
    """The people who can handle complaints at the organisation, by name."""
    return list(
        get_user_model()
        .objects.filter(memberships__organisation=organisation, memberships__role__in=HANDLING_ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def categories_of(organisation: Organisation) -> list[Category]:
    return list(Category.objects.filter(organisation=organisation, active=True).order_by("position", "name"))


def complaint_for_staff(organisation: Organisation, reference: str) -> Complaint | None:
    """The organisation's complaint, for an action: only what the action and the forms need."""
    return _one(
        Complaint.objects.of_organisation(organisation)
        .select_related("category", "handler", "team", "policy")
        .filter(reference=reference),
        organisation,
    )


def complaint_page(organisation: Organisation, reference: str) -> Complaint | None:
    """The organisation's complaint with its whole file prefetched: a constant number of queries."""
    return _one(
        Complaint.objects.of_organisation(organisation)
        .select_related("category", "handler", "team", "policy")
        .prefetch_related(
            Prefetch("category__fields", queryset=CategoryField.objects.order_by("position", "id")),
            Prefetch("messages", queryset=Message.objects.select_related("author").order_by("created_at", "id")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id")),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("stage", "due_at", "id")),
            "events",
            "resolutions",
            "outcome_letters",
        )
        .filter(reference=reference),
        organisation,
    )


def _one(complaints, organisation: Organisation) -> Complaint | None:
    """The one complaint of `complaints` (a reference is unique per organisation: no ordering to
    compile), with the organisation the caller read already instead of a join."""
    found = list(complaints.order_by()[:1])
    if not found:
        return None
    found[0].organisation = organisation
    return found[0]


def attachment_of(organisation: Organisation, reference: str, pk: int) -> Attachment | None:
    return (
        Attachment.objects.filter(complaint__organisation=organisation, complaint__reference=reference, pk=pk)
        .select_related("complaint")
        .first()
    )
