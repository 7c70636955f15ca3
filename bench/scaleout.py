#!/usr/bin/env python
"""Scale-out demonstration: 2 web processes and 3 task workers on one PostgreSQL, a worker killed mid-send.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gehoord .venv/bin/python bench/scaleout.py [--task-backend redis]

It makes (or reuses) the database `<name>_scaleout` next to DATABASE_URL's, migrates it and adds an
organisation on the vxhome policy (every complaint is acknowledged at once) with an API token.
Then, all on 127.0.0.1: an SMTP sink that keeps every message, two granian processes (one worker
each, each on its own port), three task workers and `gehoord sweep --every 1` whose claim lease
(GEHOORD_MAIL_STUCK_AFTER_SECONDS) is a few seconds instead of 15 minutes. The task workers are
`gehoord db_worker` (--task-backend database, the default) or `gehoord rqworker` on Redis
(--task-backend redis: REDIS_URL's server, by default 127.0.0.1:6379, in a database number that
was empty; the run claims it with a marker key and empties it afterwards).
Client threads file complaints through the API, round-robin over both web processes. When half
are filed, the sink holds the next delivery and the worker sending it is killed with SIGKILL; the
sweep hands its claim on once the lease has run out. When the outbox is drained it prints what
was accepted, expected, received, duplicated and missing, and exits 1 when an acknowledgement was
lost or sent twice beyond what the guarantee allows.

--kill-at says how far the killed worker got:
  rcpt  (default) the relay is answering RCPT TO: it has not got the message. Exactly once holds.
  data  the relay has the whole message and has not answered yet: the at-least-once window. That
        one mail goes out a second time, with the same Message-ID; every other exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import email.parser
import functools
import importlib.util
import itertools
import operator
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEB_PROCESSES = 2
TASK_WORKERS = 3
# The sink gives up holding a delivery after this long, so a failed run cannot hang it.
HOLD_LIMIT_SECONDS = 60


def _load_bench_run():
    """bench/run.py (a script, not a package): its HTTP client, load driver and database helpers."""
    if "bench_run" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).with_name("run.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module  # before running it: its dataclasses look themselves up there
        spec.loader.exec_module(module)
    return sys.modules["bench_run"]


bench_run = _load_bench_run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filings", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16, help="client threads filing at once")
    parser.add_argument("--kill-at", choices=("rcpt", "data"), default="rcpt")
    parser.add_argument("--lease", type=int, default=3, help="GEHOORD_MAIL_STUCK_AFTER_SECONDS of the sweep")
    parser.add_argument("--task-backend", choices=("database", "redis"), default="database")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print(
            "scaleout: DATABASE_URL must point to PostgreSQL (several processes write at once), e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gehoord .venv/bin/python bench/scaleout.py\n"
            "The demonstration makes and uses the database <name>_scaleout next to it.",
            file=sys.stderr,
        )
        return 2
    parts = urllib.parse.urlsplit(database_url)
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'gehoord'}_scaleout"))
    bench_run.ensure_database(url)
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="gehoord.settings", GEHOORD_DEBUG="false")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("GEHOORD_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    # Stopped from outside, it still stops every process it started (the `with` blocks unwind).
    signal.signal(signal.SIGTERM, lambda number, _frame: sys.exit(128 + number))
    print(f"Database {bench_run.redact(url)}: migrating…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    with contextlib.ExitStack() as stack:
        broker = ""
        if args.task_backend == "redis":
            broker = stack.enter_context(empty_redis_database(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")))
        outcome = demonstrate(url, filings=args.filings, clients=args.clients, kill_at=args.kill_at,
                              lease_seconds=args.lease, redis_url=broker)
    print(outcome.report())
    if not outcome.holds:
        print(outcome.log_tails())
    return 0 if outcome.holds else 1


# --- The relay ------------------------------------------------------------------------------------


def _sink_class():
    """Made on first use: the mail tests' Sink, which this builds on, needs Django set up."""
    from gehoord.mail.tests.support import Sink

    class CountingSink(Sink):
        """The outbound relay: keeps every message; holds one delivery at a stage when asked to."""

        def __init__(self) -> None:
            super().__init__()
            self.hold_at = ""
            self.held = threading.Event()
            self.held_recipient = ""
            self.release = threading.Event()

        def hold_next(self, stage: str) -> None:
            self.hold_at = stage

        async def _hold(self, stage: str, recipient: str) -> None:
            if self.hold_at != stage:
                return
            self.hold_at = ""  # only this one (every handler runs on the sink's one event loop)
            self.held_recipient = recipient
            self.held.set()
            give_up = time.monotonic() + HOLD_LIMIT_SECONDS
            while not self.release.is_set() and time.monotonic() < give_up:
                await asyncio.sleep(0.01)

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            await self._hold("rcpt", address)
            return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

        async def handle_DATA(self, server, session, envelope):
            reply = await super().handle_DATA(server, session, envelope)  # kept: the relay has it
            await self._hold("data", envelope.rcpt_tos[0])
            return reply

        def arrivals(self) -> list[tuple[str, str]]:
            """(recipient, Message-ID without brackets) of every message, in arrival order."""
            headers = email.parser.BytesHeaderParser()
            with self.received:  # Sink's condition guards its list
                messages = list(self.messages)
            return [
                (recipient.lower(), str(headers.parsebytes(raw)["Message-ID"] or "").strip("<> ").lower())
                for _sender, recipients, raw in messages
                for recipient in recipients
            ]

    return CountingSink


# --- The processes --------------------------------------------------------------------------------


class Processes:
    """Children in sessions of their own; all of them stopped on exit, whatever happened."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> None:
        with open(self.log_dir / f"{name}.log", "wb") as log:
            self.running[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                                  stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self, name: str) -> None:
        """SIGKILL to the process and whatever it started (an RQ worker's scheduler)."""
        process = self.running[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def ended(self) -> list[str]:
        return [name for name, process in self.running.items() if process.poll() is not None]

    def log_tail(self, name: str, size: int = 1500) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")[-size:]

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc) -> None:
        for process in self.running.values():
            self._signal(process, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait()

    @staticmethod
    def _signal(process: subprocess.Popen, number: int) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, number)  # granian's workers are in its group


def _wait_until_serving(processes: Processes, name: str, port: int, token: str, timeout: float = 90) -> None:
    client = bench_run.Http(port, {"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if processes.running[name].poll() is not None:
                raise RuntimeError(f"{name} stopped at start-up:\n{processes.log_tail(name)}")
            with contextlib.suppress(OSError):
                status, _data, _response = client.request("GET", "/api/v1/complaints?limit=1")
                if status == 200:
                    return
            client.reconnect()
            time.sleep(0.3)
    finally:
        client.close()
    raise RuntimeError(f"{name} did not answer within {timeout:.0f} s:\n{processes.log_tail(name)}")


# --- The demonstration ----------------------------------------------------------------------------


@dataclass
class Kill:
    worker: str
    pid: int
    stage: str
    recipient: str
    outbound_id: int
    message_id: str
    after_seconds: float


@dataclass
class Outcome:
    database: str
    task_backend: str
    ports: list[int]
    filings: int
    accepted: dict[str, int]  # contact address → web port that accepted the filing
    errors: int
    error_samples: list[str]
    seconds: float
    expected: dict[str, str]  # acknowledgement Message-ID → recipient, from the outbox
    other_mails: int
    received: list[tuple[str, str]]  # (recipient, Message-ID) at the sink
    states: dict[str, int]
    sent_by_worker: dict[str, int]
    kill: Kill
    killed_mail: dict
    drained_after: float
    ended_early: list[str]
    logs: dict[str, str] = field(default_factory=dict)

    @property
    def copies(self) -> collections.Counter:
        return collections.Counter(message_id for _recipient, message_id in self.received)

    @property
    def duplicates(self) -> dict[str, int]:
        return {message_id: count for message_id, count in self.copies.items() if count > 1}

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.expected) - set(self.copies))

    @property
    def unexpected(self) -> list[str]:
        return sorted(set(self.copies) - set(self.expected))

    @property
    def unacknowledged_filings(self) -> list[str]:
        return sorted(set(self.accepted) - set(self.expected.values()))

    @property
    def allowed_duplicates(self) -> dict[str, int]:
        """What the guarantee allows: only a mail the relay had when its worker died, once more."""
        return {self.kill.message_id: 2} if self.kill.stage == "data" else {}

    @property
    def holds(self) -> bool:
        return (
            not self.errors and len(self.accepted) == self.filings and not self.unacknowledged_filings
            and not self.missing and not self.unexpected and self.duplicates == self.allowed_duplicates
            and not self.ended_early
        )

    def report(self) -> str:
        kill, mail = self.kill, self.killed_mail
        per_port = collections.Counter(self.accepted.values())
        stage = {"rcpt": "while the relay answered RCPT TO (it did not have the message)",
                 "data": "after the relay had the whole message, before it answered (the at-least-once window)"}
        sent_by = {worker: f"{worker}{' (killed)' if worker == kill.worker else ''} {count}"
                   for worker, count in sorted(self.sent_by_worker.items())}
        rows = [
            ("filings accepted", f"{len(self.accepted)} of {self.filings} ({self.errors} errors) in {self.seconds:.1f} s "
                                 f"({len(self.accepted) / self.seconds:.1f}/s); per web process: "
                                 + ", ".join(f"port {port} {per_port[port]}" for port in self.ports)),
            ("acknowledgements expected", f"{len(self.expected)} in the outbox"
                                          + (f", and {self.other_mails} other mails" if self.other_mails else "")),
            ("accepted, not acknowledged", len(self.unacknowledged_filings)),
            ("mails received by the sink", f"{len(self.received)} ({len(self.copies)} distinct Message-IDs, "
                                           f"{len({recipient for recipient, _ in self.received})} recipients)"),
            ("duplicates (same Message-ID)", sum(count - 1 for count in self.duplicates.values())),
            *[("", f"<{message_id}> {count} times") for message_id, count in self.duplicates.items()],
            ("missing", len(self.missing)),
            ("received, not in the outbox", len(self.unexpected)),
            ("outbox states", ", ".join(f"{state} {count}" for state, count in sorted(self.states.items()))),
            ("sent per worker", ", ".join(sent_by.values())),
            ("killed", f"{kill.worker} (pid {kill.pid}), SIGKILL {kill.after_seconds:.1f} s into the filing, "
                       f"{stage[kill.stage]}"),
            ("its mail", f"{kill.outbound_id} to {kill.recipient}: {mail['state']} after {mail['attempts']} attempts"
                         + (f", the last by {mail['sent_by']}" if mail["sent_by"] else "")),
            ("outbox drained", f"{self.drained_after:.1f} s after the last filing"),
        ]
        if self.errors:
            rows.append(("filing errors, first few", "; ".join(self.error_samples[:3])))
        if self.ended_early:
            rows.append(("processes that ended early", ", ".join(self.ended_early)))
        if not self.holds:
            verdict = "BROKEN: see the counts above"
        elif self.allowed_duplicates:
            verdict = ("nothing lost; every acknowledgement exactly once except the one the relay had when its "
                       "worker died, which went out twice with the same Message-ID (at least once)")
        else:
            verdict = "nothing lost, every acknowledgement exactly once"
        rows.append(("guarantee", verdict))
        workers = {"database": "db_worker", "redis": "rqworker on Redis"}[self.task_backend]
        header = (f"Scale-out on {bench_run.redact(self.database)}: {WEB_PROCESSES} web processes (granian, "
                  f"1 worker each), {TASK_WORKERS} task workers ({workers}), 1 sweep")
        return "\n".join([header, *(f"  {label:<30} {value}" for label, value in rows)])

    def log_tails(self) -> str:
        return "\n".join(f"--- {name} ---\n{tail}" for name, tail in self.logs.items())


def demonstrate(database_url: str, *, filings: int = 400, clients: int = 16, kill_at: str = "rcpt",
                lease_seconds: int = 3, redis_url: str = "") -> Outcome:
    """The whole demonstration against `database_url`, which this process's Django uses too; the tasks
    wait in that database, or on the Redis broker at `redis_url` when one is given."""
    from gehoord.mail.tests.support import free_port
    from gehoord.server.workers import task_worker_command

    pool = RedisPool(redis_url) if redis_url else DatabasePool()
    _set_aside_mails_of_earlier_runs()

    run = uuid.uuid4().hex[:8]
    organisation, token = make_organisation(run)
    sink = _sink_class()()
    ports = [free_port() for _ in range(WEB_PROCESSES)]
    workers = [f"worker-{number}-{run}" for number in range(1, TASK_WORKERS + 1)]
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gehoord-scaleout-")))
        sink.controller.start()
        stack.callback(sink.controller.stop)
        stack.callback(sink.release.set)  # a held delivery must not keep the sink from stopping
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "gehoord.settings",
            "GEHOORD_MAIL_STUCK_AFTER_SECONDS": str(lease_seconds),
            "GEHOORD_DEBUG": "false",
            "GEHOORD_DATA_DIR": str(scratch),
            "GEHOORD_LOG_LEVEL": "WARNING",
            "SECRET_KEY": secrets.token_urlsafe(50),  # the same in every web process, as behind a load balancer
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GEHOORD_BASE_URL": f"http://127.0.0.1:{ports[0]}",
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}?timeout=10",
            "GEHOORD_TASK_BACKEND": pool.backend,
            "REDIS_URL": redis_url,
        }
        processes = stack.enter_context(Processes(env, scratch))
        gehoord = str(BIN / "gehoord")
        for number, port in enumerate(ports, start=1):
            processes.start(f"web-{number}", [
                str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--no-access-log", "gehoord.wsgi:application",
            ])
        for worker in workers:
            processes.start(worker, task_worker_command(gehoord, name=worker, backend=pool.backend))
        processes.start("sweep", [gehoord, "sweep", "--every", "1"])
        for number, port in enumerate(ports, start=1):
            _wait_until_serving(processes, f"web-{number}", port, token)
        print(f"Serving on ports {ports}; SMTP sink on {sink.port}; filing {filings} complaints from {clients} "
              "clients…", flush=True)

        accepted: dict[str, int] = {}
        load = bench_run.Run("file", "file a complaint", clients)
        loading = threading.Thread(target=_file_complaints, args=(load, accepted, ports, token, filings), daemon=True)
        started = time.monotonic()
        loading.start()
        while len(accepted) < filings // 2 and loading.is_alive():
            time.sleep(0.05)
        kill = _kill_a_worker_mid_send(sink, processes, pool, workers, kill_at, started)
        print(f"Killed {kill.worker} {kill.after_seconds:.1f} s in, mail {kill.outbound_id} in hand; filing on…",
              flush=True)
        loading.join()
        filed_at = time.monotonic()
        drained_after = _wait_until_drained(organisation, timeout=lease_seconds + 120) - filed_at
        ended_early = [name for name in processes.ended() if name != kill.worker]
        logs = {name: processes.log_tail(name) for name in processes.running}
        arrivals = sink.arrivals()
    return Outcome(
        database=database_url, task_backend=pool.backend, ports=ports, filings=filings, accepted=accepted, errors=load.errors,
        error_samples=load.error_samples, seconds=filed_at - started, received=arrivals, kill=kill,
        drained_after=drained_after, ended_early=ended_early, logs=logs,
        **_outbox(organisation, pool, workers, kill.outbound_id),
    )


def _set_aside_mails_of_earlier_runs() -> None:
    """A run stopped halfway leaves mails queued; this run's sweep would hand them to its workers,
    and the sink would count them as sent without being expected."""
    from gehoord.mail.models import OutboundMail

    OutboundMail.objects.filter(state__in=[OutboundMail.State.QUEUED, OutboundMail.State.SENDING]).update(
        state=OutboundMail.State.FAILED, last_error="left over by an earlier scale-out run"
    )


def make_organisation(run: str):
    """One organisation on the vxhome preset (acknowledges on filing) and its API token."""
    from gehoord.organisations.models import ApiToken
    from gehoord.organisations.models import Organisation
    from gehoord.policies.models import PolicyVersion
    from gehoord.policies.presets import PRESETS

    organisation = Organisation.objects.create(
        name=f"Scale-out {run}", slug=f"scaleout-{run}", complaint_email=f"klachten@scaleout-{run}.example"
    )
    PolicyVersion.publish(organisation, PRESETS["vxhome"], preset="vxhome")
    _token, plaintext = ApiToken.issue(organisation, "scale-out demonstration")
    return organisation, plaintext


class RoundRobin:
    """One keep-alive connection to each web process; requests take turns, as behind a load balancer."""

    def __init__(self, ports: list[int], token: str) -> None:
        self.clients = [bench_run.Http(port, {"Authorization": f"Bearer {token}"}) for port in ports]
        self.turns = itertools.cycle(self.clients)

    def request(self, method: str, path: str, body: dict) -> tuple[int, bytes, int]:
        client = next(self.turns)
        try:
            status, data, _response = client.request(method, path, body)
        except OSError:
            client.reconnect()
            raise
        return status, data, client.port

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _file_complaints(load, accepted: dict[str, int], ports: list[int], token: str, filings: int) -> None:
    lock = threading.Lock()

    def file_complaint(balancer: RoundRobin, _rng) -> str | None:
        address = f"consument-{uuid.uuid4().hex[:12]}@example.nl"
        status, data, port = balancer.request("POST", "/api/v1/complaints", {
            "description": "De boxspring kwam beschadigd aan; graag kosteloos vervangen.",
            "contact_name": "Carol de Vries", "contact_email": address, "contact_language": "nl", "channel": "api",
        })
        if status == 201:
            with lock:
                accepted[address] = port
        return bench_run._expect(status, 201, "POST", "/api/v1/complaints", data)

    bench_run.drive(load, file_complaint, lambda: RoundRobin(ports, token), filings, max_seconds=300,
                    cleanup=RoundRobin.close)


def _kill_a_worker_mid_send(sink, processes: Processes, pool, workers: list[str], stage: str,
                            started: float) -> Kill:
    """Hold the next delivery at `stage`, SIGKILL the worker sending it, then let the sink go on."""
    from gehoord.mail.models import OutboundMail

    sink.hold_next(stage)
    if not sink.held.wait(HOLD_LIMIT_SECONDS):
        tails = "\n".join(f"--- {name} ---\n{processes.log_tail(name)}" for name in processes.running)
        raise RuntimeError(f"no delivery reached the sink's {stage} stage within {HOLD_LIMIT_SECONDS} s\n{tails}")
    mail = OutboundMail.objects.get(to_address=sink.held_recipient)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        holders = pool.delivering(mail.pk, workers)
        if len(holders) == 1:  # a second task for the same mail finds it claimed and ends at once
            break
        time.sleep(0.02)
    else:
        raise RuntimeError(f"not one worker of ours is running the delivery of mail {mail.pk}: {holders}")
    [worker] = holders
    pid = processes.running[worker].pid
    processes.kill(worker)
    sink.release.set()
    return Kill(worker=worker, pid=pid, stage=stage, recipient=mail.to_address, outbound_id=mail.pk,
                message_id=mail.message_id, after_seconds=time.monotonic() - started)


def _wait_until_drained(organisation, timeout: float) -> float:
    from gehoord.mail.models import OutboundMail

    pending = OutboundMail.objects.filter(
        complaint__organisation=organisation, state__in=[OutboundMail.State.QUEUED, OutboundMail.State.SENDING]
    )
    deadline = time.monotonic() + timeout
    while pending.exists():
        if time.monotonic() > deadline:
            break  # the counts will show what is left
        time.sleep(0.2)
    return time.monotonic()


def _outbox(organisation, pool, workers: list[str], killed_mail_id: int) -> dict:
    """What the outbox and the task results say: the mails expected, their states, who sent them."""
    from django.db.models import Count

    from gehoord.mail.models import OutboundMail

    mails = OutboundMail.objects.filter(complaint__organisation=organisation)
    acknowledgements = dict(mails.filter(kind="acknowledgement").values_list("message_id", "to_address"))
    states = dict(mails.values_list("state").annotate(count=Count("id")))
    sent_by_worker = dict.fromkeys(workers, 0)
    sender_of_killed = ""
    for worker, outbound_id in pool.sent(workers):
        sent_by_worker[worker] += 1
        if outbound_id == killed_mail_id:
            sender_of_killed = worker
    killed = mails.get(pk=killed_mail_id)
    return {
        "expected": acknowledgements, "other_mails": mails.count() - len(acknowledgements), "states": states,
        "sent_by_worker": sent_by_worker,
        "killed_mail": {"state": killed.state, "attempts": killed.attempts, "sent_by": sender_of_killed},
    }


# --- Where the tasks wait -------------------------------------------------------------------------


class DatabasePool:
    """Tasks as rows of the database (django-tasks-db): which worker runs or ran what, from the rows."""

    backend = "database"

    def delivering(self, outbound_id: int, workers: list[str]) -> list[str]:
        """Our workers running the delivery of mail `outbound_id` now."""
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from gehoord.mail.tasks import deliver

        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, task_path=deliver.module_path)
        return [task.worker_ids[-1] for task in running
                if task.args_kwargs["args"] == [outbound_id] and task.worker_ids[-1] in workers]

    def sent(self, workers: list[str]) -> list[tuple[str, int]]:
        """(worker, mail id) of every delivery one of our workers finished with the mail sent."""
        from django.db.models import Q
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from gehoord.mail.tasks import deliver

        ours = functools.reduce(operator.or_, (Q(worker_ids__contains=[worker]) for worker in workers))
        finished = DBTaskResult.objects.filter(ours, task_path=deliver.module_path,
                                               status=TaskResultStatus.SUCCESSFUL, return_value="sent")
        return [(task.worker_ids[-1], task.args_kwargs["args"][0]) for task in finished.only("worker_ids", "args_kwargs")]


class RedisPool:
    """Tasks as RQ jobs on Redis (django-tasks-rq): which worker runs or ran what, from the broker."""

    backend = "redis"

    def __init__(self, redis_url: str) -> None:
        import redis
        from rq import Queue

        self.connection = redis.Redis.from_url(redis_url)
        self.queue = Queue("default", connection=self.connection)

    def delivering(self, outbound_id: int, workers: list[str]) -> list[str]:
        from rq import Worker

        from gehoord.mail.tasks import deliver

        holders = []
        for worker in Worker.all(connection=self.connection):
            job = worker.get_current_job() if worker.name in workers else None
            if job is not None and job.func_name == deliver.module_path and list(job.args) == [outbound_id]:
                holders.append(worker.name)
        return holders

    def sent(self, workers: list[str]) -> list[tuple[str, int]]:
        from rq.job import Job

        from gehoord.mail.tasks import deliver

        ids = self.queue.finished_job_registry.get_job_ids()
        done = []
        for job in Job.fetch_many(ids, connection=self.connection):
            result = job.latest_result() if job is not None and job.func_name == deliver.module_path else None
            if result is not None and result.return_value == "sent" and result.worker_name in workers:
                done.append((result.worker_name, job.args[0]))
        return done


CLAIM_KEY = "gehoord:scaleout:claim"


@contextlib.contextmanager
def empty_redis_database(redis_url: str):
    """The URL of a database number of that Redis server that nothing uses (claimed with a marker
    key so that a run beside this one picks another); emptied again at the end."""
    import redis

    parts = urllib.parse.urlsplit(redis_url)
    for number in range(1, 16):
        url = urllib.parse.urlunsplit(parts._replace(path=f"/{number}"))
        connection = redis.Redis.from_url(url)
        if connection.dbsize() == 0 and connection.set(CLAIM_KEY, uuid.uuid4().hex, nx=True):
            break
        connection.close()
    else:
        raise RuntimeError(f"no empty database number on the Redis server at {bench_run.redact(redis_url)}")
    try:
        yield url
    finally:
        connection.flushdb()
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
