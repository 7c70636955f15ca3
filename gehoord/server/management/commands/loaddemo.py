from django.core.management.base import BaseCommand

from gehoord.organisations.models import ConsumerAccount, Membership, Organisation, PlatformMembership
from gehoord.server import demo, platform_demo


class Command(BaseCommand):
    help = (
        "Create the demo organisations (seeds 000–003), staff, API tokens and sample complaints, and the public "
        "platform beside them (seed 004): companies, consumers, a moderator, a legal advisor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when organisations exist")

    def handle(self, *args, if_empty: bool, **options):
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already loaded; logins are below (API tokens were printed at first load;")
                self.stdout.write("make a new one with: gehoord create-token ORG_SLUG).")
                self._print_logins(_logins(), demo.DEMO_PASSWORD)
                return
            self.stderr.write("There are organisations already; loaddemo only fills an empty database.")
            raise SystemExit(1)
        result = demo.load()
        self._print_logins(result["logins"], result["password"])
        self.stdout.write("\nAPI tokens (Authorization: Bearer …):")
        for slug, token in result["tokens"].items():
            self.stdout.write(f"  {slug:<14} {token}")

    def _print_logins(self, logins, password):
        self.stdout.write(f"\nLogins (password for all: {password}):")
        for slug, username, roles in logins:
            self.stdout.write(f"  {slug:<14} {username:<26} {roles}")
        self.stdout.write(
            "Staff log in at /desk/, moderators at /moderatie/, legal advisors at /rechtshulp/, "
            "consumers at /account/inloggen/; companies get a login link at /bedrijf/inloggen/."
        )


def _logins() -> list[tuple[str, str, str]]:
    """The demo's logins as stored: staff per organisation, then the platform's own people."""
    staff = Membership.objects.select_related("organisation", "user").order_by("organisation__slug", "user__username")
    logins = [(membership.organisation.slug, membership.user.username, membership.role) for membership in staff]
    platform = PlatformMembership.objects.select_related("user").order_by("user__username")
    logins += [("platform", membership.user.username, membership.role) for membership in platform]
    demo_consumers = ConsumerAccount.objects.filter(
        user__email__in=[email for _name, email, _language, _subscriber in platform_demo.ACCOUNTS]
    ).select_related("user")
    logins += [
        ("platform", account.user.username, "subscriber" if account.subscriber else "consumer")
        for account in demo_consumers
    ]
    return logins
