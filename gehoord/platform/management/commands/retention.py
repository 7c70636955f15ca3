from django.core.management.base import BaseCommand

from gehoord.platform import privacy


class Command(BaseCommand):
    help = (
        "Anonymise the closed complaints whose policy's retention period (retention_days) has passed since "
        "closing, batch after batch until none is due. The sweep does one batch every minute (`gehoord serve` "
        "runs the sweep); safe beside running sweepers, and running it again changes nothing."
    )

    def handle(self, *args, **options):
        total = 0
        while done := privacy.anonymise_expired():
            total += done
        self.stdout.write(f"retention: {total} complaints anonymised")
