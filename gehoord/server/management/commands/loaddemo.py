from django.core.management.base import BaseCommand

from gehoord.server import demo
from gehoord.organisations.models import Organisation


class Command(BaseCommand):
    help = "Create the demo organisations (seeds 000–003), staff, API tokens and sample complaints."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when organisations exist")

    def handle(self, *args, if_empty: bool, **options):
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already loaded; logins are below (API tokens were printed at first load;")
                self.stdout.write("make a new one with: gehoord create-token ORG_SLUG).")
                self._print_logins([(m.organisation.slug, m.user.username, m.role) for m in _memberships()], demo.DEMO_PASSWORD)
                return
            self.stderr.write("There are organisations already; loaddemo only fills an empty database.")
            raise SystemExit(1)
        result = demo.load()
        self._print_logins(result["logins"], result["password"])
        self.stdout.write("\nAPI tokens (Authorization: Bearer …):")
        for slug, token in result["tokens"].items():
            self.stdout.write(f"  {slug:<14} {token}")

    def _print_logins(self, logins, password):
        self.stdout.write(f"\nStaff logins (password for all: {password}):")
        for slug, username, roles in logins:
            self.stdout.write(f"  {slug:<14} {username:<26} {roles}")


def _memberships():
    from gehoord.organisations.models import Membership

    return Membership.objects.select_related("organisation", "user").order_by("organisation__slug", "user__username")
