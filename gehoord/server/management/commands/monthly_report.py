import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gehoord.insights import monthly
from gehoord.insights.reports import Period
from gehoord.organisations.models import Organisation, Role
from gehoord.server import monthly_reports


class Command(BaseCommand):
    help = (
        "Mail the monthly complaints report (HTML with its charts, and a PDF) to the complaint managers: "
        "of every organisation with managers, or of --organisation; for last month in each organisation's "
        "time zone, or --month YYYY-MM. Each organisation's month is sent once, whoever sends it: the sweep "
        "(`gehoord sweep --every 60`, started by `gehoord serve`) sends every report due once a month is over."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG")
        parser.add_argument("--month", metavar="YYYY-MM")

    def handle(self, *args, organisation: str | None, month: str | None, **options):
        chosen = None
        if month:
            match = re.fullmatch(r"(\d{4})-(\d{2})", month)
            if not match or not 1 <= int(match[2]) <= 12:
                raise CommandError("--month must be YYYY-MM, e.g. 2026-11.")
            chosen = Period.month(int(match[1]), int(match[2]))
        organisations = Organisation.objects.filter(memberships__role=Role.MANAGER).distinct().order_by("slug")
        if organisation:
            organisations = Organisation.objects.filter(slug=organisation)
            if not organisations:
                raise CommandError(f"No organisation {organisation!r}.")
        for each in organisations:
            period = chosen or monthly.last_month(each, timezone.now())
            sent = monthly_reports.send(each, period)
            if sent is None:
                self.stdout.write(f"{each.slug} {period.start:%Y-%m}: sent before, not again")
            else:
                self.stdout.write(f"{each.slug} {period.start:%Y-%m}: {sent} mails")
