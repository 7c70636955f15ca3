from django.core.management.base import BaseCommand

from gehoord.organisations.models import Organisation
from gehoord.platform import scores


class Command(BaseCommand):
    help = (
        "Compute the companies' score cards again: those with platform complaints written since the last "
        "run and those not computed for a day (the sweep does this every minute, `gehoord serve` runs the "
        "sweep); with --all every company with platform complaints. Safe beside running sweepers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every company with platform complaints")

    def handle(self, *args, **options):
        if options["all"]:
            ids = Organisation.objects.filter(complaints__platform=True).values_list("pk", flat=True).distinct()
            done = scores.refresh(list(ids))
        else:
            done = scores.refresh_due()
        self.stdout.write(f"scores: {done} companies computed")
