import signal
import threading

from django.core.management.base import BaseCommand

from gehoord.api import idempotency
from gehoord.complaints import attachments
from gehoord.complaints.sweep import sweep
from gehoord.inbound import pipeline
from gehoord.insights import daily, problems
from gehoord.mail import tasks
from gehoord.platform import autoscreen, companies, privacy, scores
from gehoord.portal import ratelimit, submissions
from gehoord.server import monthly_reports


class Command(BaseCommand):
    help = (
        "Run the deadline sweep (reminders, missed deadlines, demanded updates, reassignment), "
        "the mail retries that have come due, the platform complaints due to be mailed to their e-mail-only "
        "company, the forgetting of expired API idempotency keys, rate-limit counts and form sendings, the "
        "score cards that may have changed (`gehoord scores`), the embedding of new complaints' descriptions and the "
        "hourly look for each connected organisation's recurring problems (`gehoord problems`), the reports' daily "
        "figures (`gehoord summarise`), the monthly reports due (`gehoord monthly_report`) and, "
        "once an hour across all sweepers, the removal of attachment files no attachment refers to "
        "(`gehoord sweep-orphans` runs that by hand). "
        "Once by default; with --every N it repeats every N seconds until SIGTERM/SIGINT "
        "(`gehoord serve` starts it with --every 60). Several sweepers may run at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS", help="Repeat every SECONDS")

    def handle(self, *args, every: int, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        while True:
            result = sweep()
            _run_due_jobs(self.stderr)
            if result.checked or options["verbosity"] > 1:
                self.stdout.write(
                    f"sweep: {result.checked} checked, {result.reminded} reminded, {result.missed} missed, "
                    f"{result.updates_sent} updates sent, {result.reassigned} reassigned, {result.errors} errors"
                )
            _remove_orphan_files(self.stdout, self.stderr)
            if every <= 0 or stop.wait(every):
                return


def _run_due_jobs(stderr) -> None:
    """Work that time brings due: delivery retries, lost tasks, inbound mail to process again, platform
    texts the automatic screen has not read, platform complaints to mail to their company, the forgetting of expired API keys, rate-limit counts and
    form sendings, the score cards that may have changed, the new descriptions to embed, the organisations due for a look for
    recurring problems, the reports' daily figures and the monthly reports due."""
    for job in (tasks.requeue_due, pipeline.retry, autoscreen.screen_due, companies.notify_due,
                idempotency.forget_expired, ratelimit.forget_expired, submissions.forget_old, scores.refresh_due,
                privacy.anonymise_expired, problems.embed_due, problems.refresh_due, daily.summarise,
                monthly_reports.send_due):
        try:
            job()
        except Exception as problem:  # one failing job must not stop the loop
            stderr.write(f"{job.__module__}.{job.__name__} failed: {problem}")


def _remove_orphan_files(stdout, stderr) -> None:
    try:
        removed = attachments.remove_orphans_when_due()
    except Exception as problem:  # the deadlines and the mail go on
        stderr.write(f"removing orphaned attachment files failed: {problem}")
        return
    if removed:
        stdout.write(f"orphans: {removed} attachment files no attachment refers to removed")
