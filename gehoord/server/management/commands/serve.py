import signal
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gehoord.server.supervision import STOP_TIMEOUT, Child, Supervisor
from gehoord.server.workers import task_worker_command


class Command(BaseCommand):
    help = (
        "Run Gehoord: the web server (granian), the task worker and the deadline sweep, until "
        "SIGTERM/SIGINT. A process that ends is started again without stopping the others; granian "
        "replaces a web worker that dies or outgrows --web-worker-max-rss. Each can also run on its "
        "own: granian gehoord.wsgi:application, `gehoord db_worker` (or `gehoord rqworker` with "
        "GEHOORD_TASK_BACKEND=redis), `gehoord sweep --every 60`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=positive, default=2)
        parser.add_argument("--task-workers", type=positive, default=1)
        parser.add_argument(
            "--web-worker-max-rss", type=positive, default=1024, metavar="MIB",
            help="granian replaces a web worker whose resident memory is above this (checked every 10 s)",
        )

    def handle(self, *args, host, port, web_workers, task_workers, web_worker_max_rss, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        bin_dir = Path(sys.executable).parent
        gehoord = [str(bin_dir / "gehoord")]
        web = [
            str(bin_dir / "granian"), "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(web_workers), "--static-path-route", "/" + settings.STATIC_URL.strip("/"),
            "--static-path-mount", str(settings.STATIC_ROOT),
            # A worker that dies (a native crash, the OOM killer) is replaced, and so is one that grew
            # too big; granian itself ends only when a replacement dies at once (then it is restarted below).
            "--respawn-failed-workers", "--workers-max-rss", str(web_worker_max_rss), "--rss-sample-interval", "10",
            # A worker that does not stop on request must not keep the port after its server ended.
            "--workers-kill-timeout", str(int(STOP_TIMEOUT) // 2),
            "gehoord.wsgi:application",
        ]
        children = [
            Child("web server", web),
            *[
                Child(f"task worker {number}", task_worker_command(gehoord[0]))
                for number in range(1, task_workers + 1)
            ],
            Child("sweep", gehoord + ["sweep", "--every", "60"]),
        ]
        supervisor = Supervisor(children, log=self._log)
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        self._log(f"Gehoord runs at http://{host}:{port}/ (Ctrl-C stops it)")
        supervisor.run()

    def _log(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # beside the children's output, in order, also when stdout is a file


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number
