from django.core.management.base import BaseCommand, CommandError

from gehoord.organisations.models import ApiToken, token_digest


class Command(BaseCommand):
    help = "Revoke an API token, given the token itself or its prefix (the first 12 characters)."

    def add_arguments(self, parser):
        parser.add_argument("token", metavar="TOKEN_OR_PREFIX")

    def handle(self, *args, token: str, **options):
        found = ApiToken.objects.active().filter(digest=token_digest(token)).first() or ApiToken.objects.active().filter(
            prefix=token
        ).first()
        if found is None:
            raise CommandError("No active token matches.")
        found.revoke()
        self.stdout.write(f"Revoked {found}.")
