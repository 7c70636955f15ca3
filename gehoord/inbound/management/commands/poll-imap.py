"""Read unseen mail from an IMAP mailbox into the inbound pipeline: `gehoord poll-imap`.

The mailbox comes from IMAP_URL (imaps://user:password@host:993/INBOX; see gehoord.mail.config).
Scheduling: either as a service, `gehoord poll-imap --every 60` (polls every minute until
SIGTERM), or from cron/a systemd timer as `gehoord poll-imap --once`. A message is marked seen
only once stored; one that fails stays unseen for the next poll, and the poll goes on with the
others. A failed connection is logged and tried again at the next interval.
"""

import logging
import os

from django.core.management.base import BaseCommand, CommandError

from gehoord.env import ConfigurationError
from gehoord.inbound import imap
from gehoord.mail.config import parse_imap_url
from gehoord.inbound.management.stopping import stop_event

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Fetch unseen messages from the IMAP mailbox of IMAP_URL and store them for processing."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--every", type=int, default=60, help="Seconds between passes (default 60).")
        parser.add_argument("--url", default="", help="Instead of IMAP_URL (for trying things out).")

    def handle(self, *args, once, every, url, **options):
        try:
            config = parse_imap_url(url or os.environ.get("IMAP_URL", ""))
        except ConfigurationError as problem:
            raise CommandError(str(problem)) from None
        stop = stop_event()
        failures = 0
        while not stop.is_set():
            try:
                result = imap.poll(config, should_stop=stop.is_set)
            except Exception as problem:  # the server is away: try again at the next pass
                failures += 1
                logger.exception("IMAP poll of %s failed", config.host)
                if once:
                    raise CommandError(f"IMAP poll failed: {problem}") from None
            else:
                failures = 0
                if result.seen or once:
                    self.stdout.write(
                        f"{result.stored} stored, {result.duplicates} already stored, {len(result.errors)} failed"
                    )
                for error in result.errors:
                    self.stderr.write(error)
            if once:
                break
            stop.wait(every if not failures else min(every * 2 ** failures, 900))
