"""The platform's public pages: a company's entry with its score card, published complaints.

Everything here reads `Complaint.objects.public()` and the prepared score rows (`CompanyScore`,
`CompanyMonth`); no page aggregates complaints. Text is shown redacted (`platform.redaction`), the
consumer by first name and initial. Anything not published answers the same 404 as a complaint
that does not exist, so a page cannot tell private from missing.
"""

import re
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gehoord.complaints.models import Complaint
from gehoord.insights import charts
from gehoord.platform import public
from gehoord.platform.registry_forms import COUNTRY_NAMES
from gehoord.platform.models import CompanyMonth, PlatformSettings

PUBLIC_ID = re.compile(r"[-A-Za-z0-9]{1,16}")
PAGE_NUMBER = re.compile(r"[0-9]{1,3}")
PER_PAGE = 20
MAX_PAGE = 500  # deeper than this nobody reads; it only costs the database


@dataclass(frozen=True)
class Page:
    """A page of a newest-first list without counting the whole list (one extra row says "more")."""

    number: int
    items: list
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _page(request, queryset) -> Page:
    raw = request.GET.get("pagina", "1")
    if not PAGE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404
    number = int(raw)
    offset = (number - 1) * PER_PAGE
    rows = list(queryset[offset : offset + PER_PAGE + 1])
    if number > 1 and not rows:
        raise Http404
    return Page(number, rows[:PER_PAGE], len(rows) > PER_PAGE)


def _chart(months: list[CompanyMonth]) -> charts.Chart:
    """The score at each month's end, 0–100, drawn as the reports' charts are (insights/charts.py)."""
    bars = [
        charts.Bar(date_format(month.month, "M"), month.score or 0, f"{month.score:.0f}" if month.score is not None else "–")
        for month in months
    ]
    return charts.column_chart(
        "chart-score", _("Score at the end of each month (0–100); the table gives the numbers."), bars,
        nothing=_("No score yet."), top=100,
    )


@require_GET
def company(request, slug: str):
    organisation = public.company_by_slug(slug)
    if organisation is None:
        raise Http404
    if organisation.merged_into_id:
        return redirect("portal:company", slug=public.surviving_company(organisation).slug, permanent=True)
    page = _page(request, Complaint.objects.public().filter(organisation=organisation).select_related("organisation").order_by("-received_at", "-id"))
    card = getattr(organisation, "score", None)
    months = list(CompanyMonth.objects.filter(organisation=organisation).order_by("month")) if card else []
    return render(
        request,
        "portal/public/company.html",
        {
            "organisation": organisation,
            "country": COUNTRY_NAMES.get(organisation.country, organisation.country),
            "card": card,
            "rules": PlatformSettings.current(),
            "months": months,
            "chart": _chart(months) if months else None,
            "page": page,
            "complaints": [public.PublishedComplaint.of(complaint) for complaint in page.items],
        },
    )


@require_GET
def public_complaint(request, public_id: str):
    if not PUBLIC_ID.fullmatch(public_id):
        raise Http404  # never reaches the database (PostgreSQL refuses a NUL, for one)
    complaint = get_object_or_404(Complaint.objects.public().select_related("organisation"), public_id=public_id)
    return render(
        request,
        "portal/public/complaint.html",
        {
            "complaint": public.PublishedComplaint.of(complaint),
            "replies": public.replies_of(complaint),
        },
    )


@require_GET
def complaints(request):
    page = _page(request, Complaint.objects.public().select_related("organisation").order_by("-received_at", "-id"))
    return render(
        request,
        "portal/public/complaints.html",
        {"page": page, "complaints": [public.PublishedComplaint.of(complaint) for complaint in page.items]},
    )
