"""The monthly report of an organisation (SPEC 9): last month's report as mail and PDF.

What it shows is the report page's (insights/reports.py) for the calendar month, in the reader's
language: each section's chart and table. The charts go into the mail as PNG images (mail clients
do not show SVG) and into the PDF, typeset by Typst as the dossier is, as the SVG itself.

Which reports are due: for each organisation with a complaint manager that existed before the
month began, once the month is over in its time zone. A `MonthlyReport` row claims one month of
one organisation in the transaction that records its mails, so two sweeps never send it twice.
"""

import datetime
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import typst
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gehoord.insights import charts, reports
from gehoord.insights.models import MonthlyReport
from gehoord.organisations.models import Membership, Organisation, Role

TEMPLATE = Path(__file__).with_name("monthly_report.typ")


@dataclass(frozen=True)
class Image:
    content_id: str
    filename: str
    png: bytes


@dataclass(frozen=True)
class MonthlyContent:
    """The month's report in one language: the sections to show, their charts as PNG, the PDF."""

    report: reports.Report
    title: str
    sections: list[reports.Section]
    images: dict[str, Image]  # by chart name
    pdf: bytes
    pdf_name: str


def last_month(organisation: Organisation, now: datetime.datetime | None = None) -> reports.Period:
    return reports.Period.last_days(reports.today_of(organisation, now), 1).previous_month()


def recipients(organisation: Organisation) -> list:
    """The organisation's complaint managers with an address."""
    return [
        membership.user
        for membership in Membership.objects.filter(organisation=organisation, role=Role.MANAGER)
        .exclude(user__email="").select_related("user").order_by("user__username")
    ]


def due(now: datetime.datetime | None = None) -> list[tuple[Organisation, reports.Period]]:
    """The organisations whose report of last month (in their time zone) is still to send."""
    now = now or timezone.now()
    waiting = []
    managed = Organisation.objects.filter(memberships__role=Role.MANAGER, memberships__user__email__gt="").distinct()
    sent = {(row[0], row[1]) for row in MonthlyReport.objects.values_list("organisation_id", "month")}
    for organisation in managed:
        month = last_month(organisation, now)
        if (organisation.pk, month.start) in sent or organisation.created_at.date() > month.end:
            continue
        waiting.append((organisation, month))
    return waiting


def content(organisation: Organisation, month: reports.Period, language: str) -> MonthlyContent:
    """The report of `month`, in `language`."""
    with translation.override(language):
        report = reports.build(organisation, month)
        month_name = date_format(month.start, "F Y")
        title = _("Complaints at %(organisation)s in %(month)s") % {"organisation": organisation.name, "month": month_name}
        sections = reports.sections(report)
        images = {
            section.chart.name: Image(f"{section.chart.name}@gehoord", f"{section.chart.name}.png", charts.png(section.chart))
            for section in sections
            if section.chart
        }
        pdf = _pdf(organisation, report, title, month_name, sections, language)
    return MonthlyContent(report, title, sections, images, pdf, f"{organisation.slug}-{month.start:%Y-%m}.pdf")


def summary(report: reports.Report) -> str:
    received = ngettext("%(count)s complaint received", "%(count)s complaints received", report.received)
    ended = ngettext("%(count)s ended", "%(count)s ended", report.ended)
    still_open = ngettext("%(count)s open when this report was made", "%(count)s open when this report was made", report.open_total)
    return "{}, {}; {}.".format(
        received % {"count": report.received}, ended % {"count": report.ended}, still_open % {"count": report.open_total}
    )


def _pdf(organisation, report, title, month_name, sections, language) -> bytes:
    with tempfile.TemporaryDirectory(prefix="monthly-") as folder:
        shutil.copyfile(TEMPLATE, Path(folder) / "report.typ")
        listed = []
        for section in sections:
            chart_file = None
            if section.chart:
                chart_file = f"{section.chart.name}.svg"
                (Path(folder) / chart_file).write_text(str(section.chart.svg), encoding="utf-8")
            listed.append({
                "heading": section.heading,
                "chart": chart_file,
                "first": section.first,
                "columns": [str(column) for column in section.columns],
                "rows": section.rows,
            })
        data = {
            "title": title, "organisation": organisation.name, "period": month_name, "language": language,
            "summary": summary(report), "sections": listed,
        }
        (Path(folder) / "report.json").write_text(json.dumps(data), encoding="utf-8")
        return typst.compile(str(Path(folder) / "report.typ"), root=folder, ignore_system_fonts=True)
