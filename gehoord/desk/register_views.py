"""The complaint register of the desk (issue 14) and the saved views of the register and the queue
(issue 15). Adapters onto insights.register, insights.exports and insights.saved_views."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gehoord.complaints import selection
from gehoord.desk import queries, saved_view_panel
from gehoord.desk.register_forms import RegisterFilterForm, RenameViewForm, SavedViewForm
from gehoord.desk.views import _query_without, desk_view
from gehoord.errors import DomainError
from gehoord.insights import exports, register, saved_views
from gehoord.insights.models import RegisterExport, SavedView

CONTENT_TYPES = {
    RegisterExport.Format.CSV: "text/csv; charset=utf-8",
    RegisterExport.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filter_form(organisation):
    """A maker of the register's filter form for a query: its choices read once per request."""
    categories, staff = queries.categories_of(organisation), queries.staff_of(organisation)
    zone = ZoneInfo(organisation.time_zone)
    return lambda query: RegisterFilterForm(query, categories=categories, staff=staff, zone=zone)


@desk_view
@require_safe
def register_page(request, organisation):
    form_for = _filter_form(organisation)
    filter_form = form_for(request.GET)
    chosen = filter_form.chosen(request.user)
    found = register.page(
        organisation, register.register(organisation, chosen), request.GET.get("page"), counted=register.countable(chosen)
    )
    query = _query_without(request, "page")
    return render(request, "desk/register/register.html", {
        "organisation": organisation,
        "nav": "register",
        "filter_form": filter_form,
        "headers": _sortable_headers(request, chosen.order),
        "page": found,
        "count_cap": register.COUNT_CAP,
        "page_query": query,
        **saved_view_panel.context(request, organisation, SavedView.Page.REGISTER, form_for),
    })


# The columns a click sorts by: (column, the order it asks for, the order of a second click).
SORTABLE = {
    0: (selection.BY_REFERENCE, selection.BY_REFERENCE),
    1: (selection.BY_RECEIVED, selection.BY_OLDEST),
    10: (selection.BY_DEADLINE, selection.BY_DEADLINE),
}


def _sortable_headers(request, current: str) -> list[dict]:
    """The table's headers; those of sortable columns link to the page in their order (the filters
    kept, back to the first page), with aria-sort on the column the page is sorted by."""
    headers = []
    for index, label in enumerate(register.headers(extra=False)):
        header = {"label": label, "href": "", "sort": ""}
        if index in SORTABLE:
            first, second = SORTABLE[index]
            query = request.GET.copy()
            query.pop("page", None)
            query["order"] = second if current == first else first
            header["href"] = f"?{query.urlencode()}"
            if current in (first, second):
                header["sort"] = "descending" if current == selection.BY_RECEIVED else "ascending"
        headers.append(header)
    return headers


@desk_view
@require_safe
def register_export(request, organisation, fmt: str):
    if fmt not in RegisterExport.Format.values:
        raise Http404
    filter_form = _filter_form(organisation)(request.GET)
    complaints = register.register(organisation, filter_form.chosen(request.user))
    entry = exports.record(organisation, request.actor, fmt, filter_form.filters())
    name = f"klachtenregister-{organisation.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == RegisterExport.Format.XLSX:
        return FileResponse(
            exports.xlsx_file(entry, complaints), as_attachment=True, filename=name,
            content_type=CONTENT_TYPES[fmt],
        )
    response = StreamingHttpResponse(exports.csv_lines(entry, complaints), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- saved views ---------------------------------------------------------------------------------


def _back_to(organisation, page: str, query: str):
    name = "desk:register" if page == SavedView.Page.REGISTER else "desk:queue"
    url = reverse(name, args=[organisation.slug])
    return redirect(f"{url}?{query}" if query else url)


@desk_view
@require_POST
def saved_view_create(request, organisation):
    page = request.POST.get("page", "")
    query = request.POST.get("query", "")
    form = SavedViewForm(request.POST, teams=saved_view_panel.teams_of(organisation, request.user))
    if page not in SavedView.Page.values:
        raise Http404
    if not form.is_valid():
        messages.error(request, _("The view was not saved: %(problems)s") % {
            "problems": " ".join(str(error) for errors in form.errors.values() for error in errors)})
        return _back_to(organisation, page, query)
    team = saved_view_panel.teams_of(organisation, request.user).filter(pk=form.cleaned_data["team"]).first() if form.cleaned_data["team"] else None
    try:
        saved_views.save_view(organisation, request.actor, page=page, name=form.cleaned_data["name"], query=query, team=team)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("View saved."))
    return _back_to(organisation, page, query)


@desk_view
@require_POST
def saved_view_rename(request, organisation, pk: int):
    view = _changeable(request, organisation, pk)
    form = RenameViewForm(request.POST)
    if form.is_valid():
        saved_views.rename_view(view, request.actor, form.cleaned_data["name"])
        messages.success(request, _("View renamed."))
    else:
        messages.error(request, _("A view needs a name of at most %(limit)d characters.") % {"limit": saved_views.MAX_NAME})
    return _back_to(organisation, view.page, view.query)


@desk_view
@require_POST
def saved_view_delete(request, organisation, pk: int):
    view = _changeable(request, organisation, pk)
    page = view.page
    saved_views.delete_view(view, request.actor)
    messages.success(request, _("View deleted."))
    return _back_to(organisation, page, "")


def _changeable(request, organisation, pk: int) -> SavedView:
    """A view the person may change; any other (someone else's, another team's) is 404."""
    try:
        view = saved_views.view_of(organisation, request.user, pk)
    except DomainError:
        raise Http404 from None
    if not saved_views.may_change(view, request.actor):
        raise Http404
    return view
