"""The desk's personal-data pages, for company admins (GDPR, issue 13): the organisation's access
log (who viewed or exported personal data, by staff member and day) and one person's data as a
ZIP, produced on that person's request. Adapters onto platform.access_log and data_export."""

from django.core.paginator import Paginator
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gehoord.complaints import events
from gehoord.desk.privacy_forms import AccessLogFilter, PersonExportForm
from gehoord.desk.settings_views import _page, admin_view
from gehoord.insights import exports
from gehoord.organisations import settings as org_settings
from gehoord.platform import access_log, data_export, privacy
from gehoord.platform.data_export import Purpose

PER_PAGE = 50


@require_GET
@admin_view
def log(request, organisation):
    form = AccessLogFilter(request.GET or None, staff_members=org_settings.staff_of(organisation))
    chosen = form.cleaned_data if form.is_valid() else {}
    found = access_log.access_log(
        organisation, staff_id=chosen.get("staff"), since=chosen.get("since"), until=chosen.get("until")
    )
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    for event in page:
        event.label = events.label(event.kind)
        purpose = event.data.get("purpose")
        event.purpose = Purpose(purpose).label if purpose in Purpose.values else ""
    # The register's exports (each of many complaints at once) beside the log of single complaints.
    register_exports = exports.logged(
        organisation, staff_id=chosen.get("staff"), since=chosen.get("since"), until=chosen.get("until")
    )[:PER_PAGE]
    query = request.GET.copy()
    query.pop("page", None)
    return _page(request, "privacy/access_log.html", form=form, page=page, query=query.urlencode(),
                 register_exports=register_exports)


@never_cache
@require_http_methods(["GET", "POST"])
@admin_view
def person_export(request, organisation):
    if request.method == "GET":
        return _page(request, "privacy/export.html", form=PersonExportForm())
    form = PersonExportForm(request.POST)
    if not form.is_valid():
        return _page(request, "privacy/export.html", status=400, form=form)
    complaints = privacy.complaints_of(form.cleaned_data["email"]).filter(organisation=organisation)
    if not complaints.exists():
        form.add_error("email", _("This organisation has no complaint from this address."))
        return _page(request, "privacy/export.html", status=404, form=form)
    archive = data_export.export(complaints, purpose=Purpose.COMPANY_REQUEST, by=request.actor)
    return FileResponse(archive, as_attachment=True, filename="gehoord-gegevens.zip", content_type="application/zip")
