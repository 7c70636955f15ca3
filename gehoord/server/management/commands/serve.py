import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run Gehoord: the web server (granian), the task worker and the deadline sweep, until "
        "SIGTERM/SIGINT. Each can also run on its own: granian gehoord.wsgi:application, "
        "`gehoord db_worker`, `gehoord sweep --every 60`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--task-workers", type=int, default=1)

    def handle(self, *args, host, port, web_workers, task_workers, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        bin_dir = Path(sys.executable).parent
        gehoord = [str(bin_dir / "gehoord")]
        commands = [
            [
                str(bin_dir / "granian"), "--interface", "wsgi", "--host", host, "--port", str(port),
                "--workers", str(web_workers), "--static-path-route", "/" + settings.STATIC_URL.strip("/"),
                "--static-path-mount", str(settings.STATIC_ROOT), "gehoord.wsgi:application",
            ],
            *[gehoord + ["db_worker", "--queue-name", "*", "--no-reload"] for _ in range(task_workers)],
            gehoord + ["sweep", "--every", "60"],
        ]
        children = [subprocess.Popen(command, env=os.environ.copy()) for command in commands]
        self.stdout.write(f"Gehoord runs at http://{host}:{port}/ (Ctrl-C stops it)")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.args[0] for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            raise SystemExit(f"stopped because a process ended: {failed}")
