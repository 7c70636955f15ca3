"""The report pages (SPEC 9): a company's complaint managers see their organisation's, the platform's
moderators a company's platform complaints. Both read the prepared daily figures (insights/reports.py)."""

import datetime

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gehoord.desk.access import platform_view, staff_view
from gehoord.desk.insight_forms import PeriodForm
from gehoord.insights import reports
from gehoord.organisations.models import Organisation, PlatformRole, Role

REPORT_ROLES = frozenset({Role.MANAGER, Role.BOARD, Role.ADMIN})


@require_GET
@staff_view(roles=REPORT_ROLES)
def report(request, organisation):
    # Recurring problems are the complaint managers' to work on; board members and admins read the figures.
    problems_url = reverse("desk:problems", args=[organisation.slug]) if Role.MANAGER in request.actor.roles else None
    return _report_page(request, organisation, platform_only=False, problems_url=problems_url)


@require_GET
@platform_view(PlatformRole.MODERATOR)
def company_report(request, slug: str):
    organisation = Organisation.objects.in_registry().filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return _report_page(request, organisation, platform_only=True, problems_url=None)


def _report_page(request, organisation, *, platform_only: bool, problems_url: str | None):
    today = reports.today_of(organisation)
    form = PeriodForm(request.GET or None, today=today)
    period = form.cleaned_data["period"] if form.is_valid() else None
    if not request.GET:
        period = reports.Period.last_days(today, 30)
    report = reports.build(organisation, period, platform_only=platform_only, today=today) if period else None
    context = {
        "organisation": None if platform_only else organisation,
        "company": organisation,
        "nav": "reports",
        "form": form if request.GET else PeriodForm(None, today=today),
        "report": report,
        "sections": reports.sections(report) if report else [],
        "presets": _presets(today),
        "problems_url": problems_url,
    }
    return render(request, "desk/reports/report.html", context, status=200 if report else 400)


def _presets(today: datetime.date) -> list[tuple[str, str]]:
    previous = reports.Period.last_days(today, 1).previous_month()
    return [
        ("last=30", _("The last 30 days")),
        ("last=90", _("The last 90 days")),
        ("last=365", _("The last 12 months")),
        (f"month={previous.start:%Y-%m}", _("Last month")),
    ]

