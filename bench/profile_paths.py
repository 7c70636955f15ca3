"""CPU and queries per request of the hot paths, in-process and repeatable (issue 16).

```sh
DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a copy of a bench database> \
    .venv/bin/python bench/profile_paths.py [--requests 200] [--repeat 3] [--only file_api,complaint_api]
    [--profile complaint_desk]
```

Each path is driven through Django's test client (the whole WSGI stack with its middleware, no
network, no server) `--requests` times after a few unmeasured warm-up requests, `--repeat` times;
the least CPU of the repetitions is printed, as milliseconds per request of this process
(`time.process_time`) and of the PostgreSQL backend serving it (from /proc, when the database runs
on this machine), beside the statements per request. Filing also runs the delivery tasks it
enqueued (to an SMTP sink on 127.0.0.1), and their CPU is printed as the worker's share.
`--profile KEY` prints a pyinstrument profile of that path instead. The paths write (filed
complaints, view events): run it on a copy of a bench database, never on one that is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gehoord.settings")
os.environ.setdefault("SECRET_KEY", "profile-paths-" + uuid.uuid4().hex)
os.environ.setdefault("GEHOORD_DEBUG", "false")

DESCRIPTION = (
    "Op 3 maart heb ik de boxspring besteld. Bij de levering bleek de verpakking beschadigd en zat er een "
    "flinke kras in het product. Ik heb foto's gemaakt en wil graag dat het kosteloos wordt vervangen."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated keys")
    parser.add_argument("--profile", default="", help="print a pyinstrument profile of this key")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.EMAIL_HOST, settings.EMAIL_PORT = _smtp_sink()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}

    paths = _paths()
    wanted = [key for key in paths if not args.only or key in args.only.split(",")]
    if args.profile:
        return _profile(paths[args.profile], args.requests)
    print(f"{'path':<18} {'web ms':>8} {'db ms':>8} {'worker ms':>10} {'queries':>8}")
    for key in wanted:
        best = min((_measure(paths[key], args.requests) for _ in range(args.repeat)), key=lambda r: r[0] + r[1] + r[2])
        web, db, worker, queries = best
        print(f"{key:<18} {web:8.2f} {db:8.2f} {worker:10.2f} {queries:8.1f}", flush=True)
    return 0


class Path_:
    """One path: `prepare()` once, then `run(rng)` per request; `deliver()` runs what it enqueued."""

    def __init__(self, run, prepare=None, deliver=None):
        self.run, self.prepare, self.deliver = run, prepare or (lambda: None), deliver


def _paths() -> dict[str, Path_]:
    from django.test import Client

    from gehoord.complaints.models import Complaint
    from gehoord.organisations.models import ApiToken, Organisation
    from gehoord.server import gendata

    slug = gendata.organisation_sizes()[0][0]
    organisation = Organisation.objects.get(slug=slug)
    _token, plaintext = ApiToken.issue(organisation, f"profile {uuid.uuid4().hex[:8]}")
    rng = random.Random(1)
    references = list(
        Complaint.objects.filter(organisation=organisation).order_by("?").values_list("reference", flat=True)[:500]
    )
    category = organisation.categories.filter(active=True).values_list("slug", flat=True).first() or ""
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    desk = Client()
    from django.contrib.auth import get_user_model

    desk.force_login(get_user_model().objects.get(username=f"{slug}-manager-1"))
    public = Client(REMOTE_ADDR="10.0.0.1")
    filed: list[int] = []

    def file_api(rng):
        body = {
            "description": DESCRIPTION * rng.randint(1, 3), "contact_name": "Bench Consument",
            "contact_email": f"bench-{uuid.uuid4().hex[:12]}@example.nl", "contact_language": "nl",
            "category": category, "order_number": f"BENCH-{uuid.uuid4().hex[:10].upper()}", "channel": "api",
        }
        response = api.post("/api/v1/complaints", body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    def file_form(rng):
        # A fresh client address each time, so the limits per address never stop the run.
        public.defaults["REMOTE_ADDR"] = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        public.cookies.clear()  # each consumer comes with a browser of their own
        page = f"/o/{slug}/klacht/"
        form = public.get(page)  # the form carries the submission token; its CPU counts too
        token = re.search(rb'name="submission" value="([^"]+)"', form.content).group(1).decode()
        response = public.post(page, {
            "description": DESCRIPTION * rng.randint(1, 3), "contact_name": "Bench Consument",
            "contact_email": f"bench-{uuid.uuid4().hex[:12]}@example.nl", "contact_language": "nl",
            "category": category, "submission": token,
        })
        assert response.status_code == 302, response.content[:2000]

    def queue_api(rng):
        response = api.get(f"/api/v1/complaints?status=open&order=deadline&limit=25&offset={25 * rng.randrange(4)}")
        assert response.status_code == 200

    def queue_desk(rng):
        response = desk.get(f"/desk/{slug}/?page={1 + rng.randrange(4)}")
        assert response.status_code == 200

    def complaint_api(rng):
        response = api.get(f"/api/v1/complaints/{rng.choice(references)}?include=timeline")
        assert response.status_code == 200

    def complaint_api_two(rng):
        reference = rng.choice(references)
        for path in (f"/api/v1/complaints/{reference}", f"/api/v1/complaints/{reference}/timeline"):
            assert api.get(path).status_code == 200

    def complaint_desk(rng):
        response = desk.get(f"/desk/{slug}/k/{rng.choice(references)}/")
        assert response.status_code == 200

    def remember_filed():
        from gehoord.mail.models import OutboundMail

        filed.clear()
        filed.extend(OutboundMail.objects.filter(state=OutboundMail.State.QUEUED).values_list("pk", flat=True))

    def deliver_filed():
        from gehoord.mail.models import OutboundMail
        from gehoord.mail.tasks import deliver

        for pk in OutboundMail.objects.filter(state=OutboundMail.State.QUEUED).exclude(pk__in=filed).values_list("pk", flat=True):
            deliver.call(pk)

    return {
        "file_api": Path_(file_api, remember_filed, deliver_filed),
        "file_form": Path_(file_form, remember_filed, deliver_filed),
        "queue_api": Path_(queue_api),
        "queue_desk": Path_(queue_desk),
        "complaint_api": Path_(complaint_api),
        "complaint_api_2": Path_(complaint_api_two),
        "complaint_desk": Path_(complaint_desk),
    }


def _measure(path: Path_, requests: int) -> tuple[float, float, float, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(7)
    for _ in range(5):
        path.run(rng)
    path.prepare()
    backend = _backend_cpu_reader()
    db_before, started = backend(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(requests):
            path.run(rng)
    web, db = time.process_time() - started, backend() - db_before
    worker = 0.0
    if path.deliver is not None:
        worker_started, db_before = time.process_time(), backend()
        path.deliver()
        worker = time.process_time() - worker_started + backend() - db_before
    return 1000 * web / requests, 1000 * db / requests, 1000 * worker / requests, len(queries) / requests


def _backend_cpu_reader():
    """Seconds of CPU the PostgreSQL backend of this connection used so far (0 when unreadable)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


def _profile(path: Path_, requests: int) -> int:
    from pyinstrument import Profiler

    rng = random.Random(7)
    for _ in range(5):
        path.run(rng)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(requests):
        path.run(rng)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


def _smtp_sink() -> tuple[str, int]:
    """A minimal SMTP server on 127.0.0.1 that accepts every mail and keeps nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve(connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        connection.sendall(b"220 sink\r\n")
        in_data = False
        for line in reader:
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    connection.sendall(b"250 kept nothing\r\n")
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                connection.sendall(b"354 go on\r\n")
            elif command == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                break
            elif command in (b"EHLO", b"HELO"):
                connection.sendall(b"250 sink\r\n")
            else:
                connection.sendall(b"250 ok\r\n")
        connection.close()

    def accept() -> None:
        while True:
            connection, _address = listener.accept()
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()


if __name__ == "__main__":
    sys.exit(main())
