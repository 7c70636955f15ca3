from django.core.management.base import BaseCommand, CommandError

from gehoord.insights import embeddings, problems
from gehoord.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Look for recurring problems now: every connected organisation, or the one given, whatever its timer "
        "(the sweep does this once an hour per organisation; `gehoord serve` runs the sweep every minute). "
        "With --embed-all, first embed every description of the last half year that has no vector yet "
        "(after an upgrade or an import; the sweep catches up 1,000 per organisation per hour). "
        "Safe beside running sweepers: an alert is never recorded twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="Only this organisation")
        parser.add_argument("--embed-all", action="store_true", help="Embed every missing description first")

    def handle(self, *args, org=None, embed_all=False, **options):
        organisations = Organisation.objects.connected().order_by("pk")
        if org:
            organisations = organisations.filter(slug=org)
            if not organisations.exists():
                raise CommandError(f"No connected organisation {org}")
        for organisation in organisations:
            if embed_all:
                recent = problems.counted_since(organisation, problems.WINDOW + problems.BASELINE)
                while done := embeddings.embed_missing(recent, 1_000):
                    self.stdout.write(f"{organisation.slug}: {done} descriptions embedded")
            result = problems.scan(organisation)
            self.stdout.write(
                f"{organisation.slug}: {result.tested} groups tested, {result.fired} rising, {result.created} new alerts"
                + (f" ({result.skipped})" if result.skipped else "")
            )
