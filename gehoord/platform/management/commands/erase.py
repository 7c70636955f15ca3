from django.core.management.base import BaseCommand, CommandError

from gehoord.platform import privacy


class Command(BaseCommand):
    help = (
        "Erase a person (GDPR): anonymise every complaint, message, attachment, mail and timeline entry "
        "holding the person with this e-mail address, and their account. Complaints stay counted, with "
        "their status, dates and outcome. Run by a platform operator on request; cannot be undone."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's e-mail address")

    def handle(self, *args, email: str, **options):
        if "@" not in email:
            raise CommandError("Give the person's e-mail address.")
        erased = privacy.erase(email)
        account = "and their account" if erased.account else "(no account)"
        self.stdout.write(f"erase: {erased.complaints} complaints anonymised {account}")
