from django.core.management.base import BaseCommand, CommandError

from gehoord.server import gendata


class Command(BaseCommand):
    help = (
        "Fill the database with realistic benchmark data: N complaints over M organisations of uneven "
        "size, in every status and stage, with their timelines, messages, attachment metadata, deadlines "
        "(met, missed and open), outcome letters and outbox, in Dutch and English. COPY on PostgreSQL, "
        "bulk inserts on SQLite; the same --seed gives the same data. Asking again for the same numbers "
        "reuses the data. With --companies and --platform-complaints also the public platform, its score "
        "cards computed. Run by hand or by bench/run.py; never on a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, required=True, metavar="N")
        parser.add_argument("--organisations", type=int, default=10, metavar="M")
        parser.add_argument("--companies", type=int, default=0, metavar="C",
                            help="Also the public platform: C e-mail-only companies in the registry")
        parser.add_argument("--platform-complaints", type=int, default=0, metavar="P",
                            help="Platform complaints over those companies (public and private, 18 months)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace", action="store_true", help="Empty the database first (flush), whatever it holds"
        )

    def handle(self, *args, complaints: int, organisations: int, seed: int, replace: bool, companies: int,
               platform_complaints: int, **options):
        try:
            result = gendata.generate(
                complaints, organisations, seed=seed, replace=replace, progress=self.stdout.write,
                companies=companies, platform_complaints=platform_complaints,
            )
        except gendata.GendataError as problem:
            raise CommandError(str(problem)) from None
        if result.reused:
            return
        rows = ", ".join(f"{count} {name}s" for name, count in result.rows.items())
        self.stdout.write(f"Generated in {result.seconds:.1f} s: {rows}.")
        self.stdout.write("Statuses: " + ", ".join(f"{name} {count}" for name, count in result.statuses.items()))
        self.stdout.write(
            f"Staff logins: <organisation>-<role>-<n> (e.g. {result.organisation_slugs[0]}-manager-1), "
            f"password {gendata.STAFF_PASSWORD!r}."
        )
