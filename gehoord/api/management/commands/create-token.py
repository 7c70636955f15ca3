from django.core.management.base import BaseCommand, CommandError

from gehoord.organisations.models import ApiToken
from gehoord.organisations.models import Organisation


class Command(BaseCommand):
    help = "Create an API token for one organisation and print only the token (it is not stored in readable form)."

    def add_arguments(self, parser):
        parser.add_argument("organisation", metavar="ORG_SLUG")
        parser.add_argument("--name", default="cli", help="What the token is for")

    def handle(self, *args, organisation: str, name: str, **options):
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(f"No organisation with slug {organisation!r}.")
        _token, plaintext = ApiToken.issue(found, name)
        self.stdout.write(plaintext)
