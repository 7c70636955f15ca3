"""The saved views beside the queue and the register: each with the count of complaints it
matches (capped, so a view of a large archive stays cheap) and whether the reader may change it."""

from dataclasses import dataclass

from django.http import QueryDict

from gehoord.desk.register_forms import SavedViewForm

from gehoord.complaints.actors import Actor
from gehoord.insights import saved_views
from gehoord.insights.models import SavedView
from gehoord.organisations.models import Organisation, Team


@dataclass
class Entry:
    view: SavedView
    count: int | None  # None: not counted (a text search)
    capped: bool
    changeable: bool
    current: bool


def panel(organisation: Organisation, actor: Actor, page: str, form_for, current_query: str) -> list[Entry]:
    """`form_for(query_dict)`: the page's own filter form, which parses each view's query as it
    parses the page's (a view never holds a value the form refuses)."""
    entries = []
    for view in saved_views.views_for(organisation, actor.user, page):
        chosen = form_for(QueryDict(view.query)).chosen(actor.user)
        count = saved_views.count(organisation, chosen)
        entries.append(
            Entry(
                view=view,
                count=None if count is None else min(count, saved_views.COUNT_CAP),
                capped=count is not None and count > saved_views.COUNT_CAP,
                changeable=saved_views.may_change(view, actor),
                current=view.query == current_query,
            )
        )
    return entries


def teams_of(organisation: Organisation, user):
    return Team.objects.filter(organisation=organisation, members=user).order_by("name")


def context(request, organisation: Organisation, page: str, form_for) -> dict:
    """What the saved-views panel beside a page shows: the views, their counts, the form to save one."""
    query = request.GET.copy()
    query.pop("page", None)
    current = query.urlencode()
    return {
        "saved_views": panel(organisation, request.actor, page, form_for, current),
        "saved_view_form": SavedViewForm(teams=teams_of(organisation, request.user)),
        "saved_view_page": page,
        "saved_view_query": current,
    }
