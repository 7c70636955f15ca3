import time

from django.core.management.base import BaseCommand

from gehoord.insights import daily
from gehoord.insights.models import Watermark


class Command(BaseCommand):
    help = (
        "Take the timeline's events since the last run into the daily figures the report pages read "
        "(insights/daily.py). The sweep does this every minute (`gehoord sweep --every 60`, started by "
        "`gehoord serve`), skipping a run while another summariser is at work; by hand this waits for it. "
        "The first run on a database with complaints builds the figures from every complaint; --rebuild "
        "does that again from nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Drop the figures and build them from every complaint")

    def handle(self, *args, rebuild: bool, **options):
        started = time.monotonic()
        if rebuild:
            Watermark.objects.filter(name=daily.WATERMARK).delete()
        result = daily.summarise(wait=True)
        self.stdout.write(
            f"summarise: {result.complaints} complaints from {result.events} events in {time.monotonic() - started:.1f} s"
        )
