import datetime

from django.core.management.base import BaseCommand, CommandError

from gehoord.complaints import attachments


class Command(BaseCommand):
    help = (
        "Delete stored attachment files that no attachment refers to: what a filing killed halfway, "
        "or rolled back by its caller, left behind. Only files older than --older-than minutes "
        "(default 60), since a younger one may belong to a filing still running. `gehoord sweep` "
        "does this once an hour. The storage must belong to this database alone: a file of another "
        "database's attachment is an orphan here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=60, metavar="MINUTES")

    def handle(self, *args, older_than: int, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more minutes.")
        removed = attachments.remove_orphans(older_than=datetime.timedelta(minutes=older_than))
        self.stdout.write(f"{removed} orphaned attachment files removed.")
