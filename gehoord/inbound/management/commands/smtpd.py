"""Receive inbound mail over SMTP: `gehoord smtpd --host 127.0.0.1 --port 2525`.

Scheduling: a long-running service, one per machine that the MX (or a relay such as Postfix with
a transport to 127.0.0.1:2525) delivers to; run it under the process supervisor next to the web
and worker processes. It stops cleanly on SIGTERM: the listener closes, a message being received
is finished or left to the sender to retry (it only gets 250 once the message is stored).
"""

import logging

from django.core.management.base import BaseCommand

from gehoord.inbound.management.stopping import stop_event
from gehoord.inbound.smtpd import Receiver

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Receive inbound mail over SMTP and store it for processing (runs until SIGTERM)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument(
            "--accept-any", action="store_true",
            help="Accept every recipient (when the MTA in front already checks them).",
        )

    def handle(self, *args, host, port, accept_any, **options):
        if options["verbosity"] < 2:
            # aiosmtpd logs every SMTP command of every session at INFO.
            logging.getLogger("mail.log").setLevel(logging.WARNING)
        stop = stop_event()
        receiver = Receiver(host, port, accept_any=accept_any)
        receiver.start()
        self.stdout.write(f"Receiving mail on {host}:{port} (SIGTERM stops)")
        try:
            while not stop.wait(1.0):
                pass
        finally:
            receiver.stop()
        self.stdout.write("Stopped.")
