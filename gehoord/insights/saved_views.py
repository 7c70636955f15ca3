"""Saved views of the register and the queue (issue 15): a person's named filters and order, their
own or shared with a team. Everyone sees their own and those of their teams; the owner renames
and deletes their own, a complaint manager also a shared one. Each change is one function here."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gehoord.complaints import selection
from gehoord.complaints.actors import Actor
from gehoord.errors import InvalidInput, NotFound
from gehoord.insights import register
from gehoord.insights.models import SavedView
from gehoord.organisations.models import Organisation, Role, Team

MAX_NAME = 80
MAX_QUERY = 2000
# Counts beside the views stop here ("1000+"): a shared view of a large archive stays cheap.
COUNT_CAP = 999


def views_for(organisation: Organisation, user, page: str) -> QuerySet:
    """The views `user` sees on `page`: their own and those shared with one of their teams."""
    return (
        SavedView.objects.filter(organisation=organisation, page=page)
        .filter(Q(owner=user) | Q(team__members=user))
        .select_related("team", "owner")
        .distinct()
        .order_by("name", "id")
    )


def view_of(organisation: Organisation, user, pk: int) -> SavedView:
    """One view `user` sees, or NotFound (also another organisation's or another person's)."""
    view = SavedView.objects.filter(organisation=organisation).filter(Q(owner=user) | Q(team__members=user)).filter(pk=pk).first()
    if view is None:
        raise NotFound(_("No such saved view."))
    return view


def may_change(view: SavedView, by: Actor) -> bool:
    return view.owner_id == by.user.pk or (view.team_id is not None and Role.MANAGER in by.roles)


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput({"name": _("A view needs a name.")})
    if len(name) > MAX_NAME:
        raise InvalidInput({"name": _("At most %(limit)d characters.") % {"limit": MAX_NAME}})
    return name


def save_view(organisation: Organisation, by: Actor, *, page: str, name: str, query: str,
              team: Team | None = None) -> SavedView:
    if page not in SavedView.Page.values:
        raise InvalidInput({"page": _("Not a page with saved views.")})
    if len(query) > MAX_QUERY:
        raise InvalidInput({"query": _("These filters are too long to save.")})
    if team is not None and (team.organisation_id != organisation.pk or not team.members.filter(pk=by.user.pk).exists()):
        raise InvalidInput({"team": _("Share only with a team you belong to.")})
    return SavedView.objects.create(
        organisation=organisation, page=page, name=_checked_name(name), query=query, owner=by.user, team=team
    )


def rename_view(view: SavedView, by: Actor, name: str) -> SavedView:
    if not may_change(view, by):
        raise NotFound(_("No such saved view."))
    view.name = _checked_name(name)
    view.save(update_fields=["name"])
    return view


def delete_view(view: SavedView, by: Actor) -> None:
    if not may_change(view, by):
        raise NotFound(_("No such saved view."))
    view.delete()


def count(organisation: Organisation, chosen: selection.Selection) -> int | None:
    """How many complaints a view's selection matches, counting no further than COUNT_CAP + 1;
    None for a selection the register does not count either (a text search, the deadlines kept)."""
    if not register.countable(chosen):
        return None
    matching = selection.with_status(selection.selected(organisation, chosen), chosen.status)
    return register.capped_count(matching, COUNT_CAP)
