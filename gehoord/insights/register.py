"""The complaint register (SPEC 9, issue 14): every complaint of an organisation, open and closed,
under the filters of the queue's `Selection` and a few of its own (product, outcome, deadline kept).

One function turns a selection into the ordered QuerySet; the page, the exports and the API read
it. A row is read as plain values of the complaint table alone (no model instances, no joins: an
export of 100k rows would spend most of its time on them); the names of categories, handlers and
teams come from small lookups made once. `Cells` turns a row into the texts the table shows; the
exports write the same cells, plus a few columns too wide for the page.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gehoord.complaints import selection
from gehoord.complaints.models import Channel, Outcome, Stage, Status
from gehoord.organisations.models import Category, Organisation, Team

PAGE_SIZE = 50
# Counting stops here: counting every complaint of a large organisation costs more than the page
# (the export says how many there are).
COUNT_CAP = 1000
# Rows fetched at a time by an export (a server-side cursor on PostgreSQL).
EXPORT_CHUNK = 2000

# (label, value columns) of each cell, in the table's order; EXTRA only in the exports.
SHOWN = (
    (_("Reference"), ("reference",)),
    (_("Received"), ("received_at",)),
    (_("Status"), ("status",)),
    (_("Stage"), ("stage",)),
    (_("Category"), ("category_id",)),
    (_("Channel"), ("channel",)),
    (_("Complainant"), ("contact_name",)),
    (_("Product"), ("product",)),
    (_("Handler"), ("handler_id",)),
    (_("Outcome"), ("outcome",)),
    (_("Next deadline"), ("next_deadline_at",)),
)
EXTRA = (
    (_("Order number"), ("order_number",)),
    (_("Team"), ("team_id",)),
    (_("Acknowledged"), ("acknowledged_at",)),
    (_("Resolved"), ("resolved_at",)),
    (_("Closed"), ("closed_at",)),
    (_("Internal id"), ("public_id",)),
)
COLUMNS = tuple(column for _label, columns in SHOWN + EXTRA for column in columns)


def register(organisation: Organisation, chosen: selection.Selection, *, now: datetime.datetime | None = None) -> QuerySet:
    """The organisation's complaints under every part of `chosen`, in its order, as value tuples of COLUMNS."""
    complaints = selection.with_status(selection.selected(organisation, chosen, now=now), chosen.status)
    return selection.ordered(complaints, chosen.order).values_list(*COLUMNS)


def capped_count(complaints: QuerySet, cap: int | None = None) -> int:
    """How many, counting no further than `cap` + 1 (more than `cap` reads as "more than").

    Newest first, whatever the page's order (the first `cap` + 1 are as many in any order): every
    filter's index ends in that order, where an unordered count let PostgreSQL walk the whole
    table by primary key, and the order by deadline sorted every complaint without one."""
    cap = COUNT_CAP if cap is None else cap
    return complaints.order_by("-received_at", "-id").values("pk")[: cap + 1].count()


def countable(chosen: selection.Selection) -> bool:
    """Whether counting is cheap: not for a text search or the deadlines kept, which test each
    complaint in turn (thousands of probes before a thousand are found); their pages say only
    whether another follows, as the queue's search does."""
    return not chosen.q.strip() and not chosen.kept


@dataclass
class Page:
    """One page of the register: its rows as cells, and as much of the count as was cheap."""

    number: int
    rows: list[list[str]]
    count: int | None  # capped: COUNT_CAP + 1 means "more than COUNT_CAP"; None: not counted
    has_next: bool
    per_page: int

    @property
    def count_capped(self) -> bool:
        return self.count is not None and self.count > COUNT_CAP

    @property
    def pages(self) -> int | None:
        if self.count is None or self.count_capped:
            return None
        return max(1, -(-self.count // self.per_page))

    def has_previous(self) -> bool:
        return self.number > 1


def page(organisation: Organisation, complaints: QuerySet, number, *, counted: bool = True,
         per_page: int = PAGE_SIZE) -> Page:
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    values = list(complaints[start : start + per_page + 1])  # one more: is there a next page?
    cells = Cells(organisation)
    return Page(
        number=number,
        rows=[cells.shown(row) for row in values[:per_page]],
        count=capped_count(complaints) if counted else None,
        has_next=len(values) > per_page,
        per_page=per_page,
    )


def headers(*, extra: bool) -> list[str]:
    return [str(label) for label, _columns in (SHOWN + EXTRA if extra else SHOWN)]


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


class Cells:
    """Turns a row of values into the texts of its cells, in the active language and the
    organisation's time zone.

    The labels and names are looked up once per page or export, not once per row (a lazy
    translation per cell cost more than the query); a handler who has left the organisation is
    looked up when first met."""

    def __init__(self, organisation: Organisation):
        self.zone = ZoneInfo(organisation.time_zone)
        self.status = {value: str(label) for value, label in Status.choices}
        self.stage = {value: str(label) for value, label in Stage.choices}
        self.channel = {value: str(label) for value, label in Channel.choices}
        self.outcome = {value: str(label) for value, label in Outcome.choices}
        self.categories = dict(Category.objects.filter(organisation=organisation).values_list("pk", "name"))
        self.teams = dict(Team.objects.filter(organisation=organisation).values_list("pk", "name"))
        self.handlers = {
            user.pk: _name(user) for user in get_user_model().objects.filter(memberships__organisation=organisation)
        }

    def _time(self, value: datetime.datetime | None) -> str:
        # isoformat is twice as fast as strftime, which counts at 100k rows of five times each.
        return value.astimezone(self.zone).isoformat(" ", "minutes")[:16] if value else ""

    def _handler(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self.handlers:
            user = get_user_model().objects.filter(pk=user_id).first()
            self.handlers[user_id] = _name(user) if user else ""
        return self.handlers[user_id]

    def shown(self, row: tuple) -> list[str]:
        (reference, received_at, status, stage, category_id, channel, contact_name, product, handler_id, outcome,
         next_deadline_at) = row[:11]
        return [
            reference,
            self._time(received_at),
            self.status.get(status, status),
            self.stage.get(stage, str(stage)),
            self.categories.get(category_id, ""),
            self.channel.get(channel, channel),
            contact_name,
            product,
            self._handler(handler_id),
            self.outcome.get(outcome, outcome),
            self._time(next_deadline_at),
        ]

    def exported(self, row: tuple) -> list[str]:
        order_number, team_id, acknowledged_at, resolved_at, closed_at, public_id = row[11:]
        return [
            *self.shown(row),
            order_number,
            self.teams.get(team_id, ""),
            self._time(acknowledged_at),
            self._time(resolved_at),
            self._time(closed_at),
            public_id,
        ]


def exported_rows(organisation: Organisation, complaints: QuerySet) -> Iterator[list[str]]:
    """Every row of `complaints` as export cells, fetched a chunk at a time: never all in memory.
    The labels are read now, in the request's language, not when the response is sent."""
    cells = Cells(organisation)
    return (cells.exported(row) for row in complaints.iterator(chunk_size=EXPORT_CHUNK))
