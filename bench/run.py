#!/usr/bin/env python
"""Gehoord's benchmark: realistic data at several sizes, the app served as in production, a bounded load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gehoord_bench .venv/bin/python bench/run.py

For each size (10k, 100k and 1M complaints by default) it makes or reuses a database
`<name>_<size>` with `gehoord gendata`, serves the app with granian (2 workers, production
settings), and drives each workload at each concurrency with a load generator on 127.0.0.1
that stops at a request count or a time limit, whichever comes first. The sweep and the SQL
ceiling run in this process against the same database. It prints one table and writes the same
numbers as JSON under bench/results/. See bench/README.md for what each workload does.

Everything a size needs runs in a child process of this script (`--one-size`), so that each
size's Django runs against its own database.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_SIZES = "10000,100000,1000000"
PLATFORM_COMPANIES = 100_000  # the registry's size at the top (issue 12)

# Where the staff desk's pages are (gehoord/desk): the queue of one organisation and one complaint.
DESK_QUEUE_PATH = "/desk/{org}/?page={page}"
DESK_COMPLAINT_PATH = "/desk/{org}/k/{reference}/"
LOGIN_PATH = "/accounts/login/"
# The API has no "open complaints by nearest deadline" ordering yet: until it does, the API queue
# workload lists one open status, 25 a page. Change this one line when the API gains the queue.
API_QUEUE_PATH = "/api/v1/complaints?status=open&order=deadline&limit=25&offset={offset}"
# Workload 6: the inbound pipeline's entry point, "module:function" called with the raw bytes of one
# message (RFC 5322), envelope_from= and envelope_to=, returning None when the mail landed on its
# complaint or a description of what happened instead. The default, `through_inbound_pipeline`
# below, stores and processes the mail as the SMTP door and the task worker do. Set
# GEHOORD_BENCH_INBOUND to another entry point, or GEHOORD_BENCH_INBOUND_SMTP=host:port to hand
# the mails to a running SMTP listener instead (then only the SMTP acceptance is timed).
DEFAULT_INBOUND_HOOK = "bench_run:through_inbound_pipeline"

SEARCH_TERMS = {
    "nl": ("beschadigd", "terugbetaling", "monteur", "factuur", "bezorger", "onderdelen", "Jansen", "storing"),
    "en": ("refund", "courier", "engineer", "scratch", "invoice", "neighbour", "Smith", "fault"),
}
OPEN_STATUSES = ("received", "acknowledged", "investigating", "awaiting_consumer", "resolution_proposed", "escalated")

# The public complaint form of an organisation (gehoord.portal): GET it, POST it, follow the redirect.
PORTAL_FORM_PATH = "/o/{org}/klacht/"
# Workloads whose operation records a mail: their CPU is counted until the task worker has sent it.
MAILING_WORKLOADS = ("file_api", "file_form")
# The issue's targets (issue 16), each (key, measure, limit, what is compared). Measures: CPU
# milliseconds per operation ("web", "total" = web + db + worker), "ceiling_share" (throughput at the
# highest concurrency as a share of the ceiling's), "p95_c1" (ms), "throughput" (operations per second).
TARGETS = (
    ("file_api", "total", 15, "CPU ms per filing, web + db + worker"),
    ("file_form", "total", 20, "CPU ms per form filing, web + db + worker"),
    ("queue_desk", "web", 10, "web CPU ms per page"),
    ("complaint_desk", "web", 8, "web CPU ms per page"),
    ("complaint_api", "web", 5, "web CPU ms per complaint with its timeline"),
    ("queue_api", "web", 5, "web CPU ms per page"),
    ("file_api", "ceiling_share", 1 / 3, "throughput as a share of the ceiling"),
    ("file_form", "ceiling_share", 1 / 3, "throughput as a share of the ceiling"),
    ("queue_api", "p95_c1", 15, "p95 ms at concurrency 1"),
    ("queue_desk", "p95_c1", 15, "p95 ms at concurrency 1"),
    ("complaint_api", "p95_c1", 15, "p95 ms at concurrency 1"),
    ("complaint_desk", "p95_c1", 15, "p95 ms at concurrency 1"),
    ("inbound", "throughput", 300, "messages per second"),
)
MEMORY_TARGET_MB = 150
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        print(
            "bench: DATABASE_URL is not set, so there is nothing to benchmark against.\n"
            "The benchmark runs on PostgreSQL, e.g.:\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gehoord_bench make bench\n"
            "(one database per size is made next to it: gehoord_bench_10k, gehoord_bench_100k, gehoord_bench_1m).",
            file=sys.stderr,
        )
        return 2
    if args.one_size:
        return _run_one_size(args)
    return _run_all(args, database_url)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"complaints per size, comma-separated ({DEFAULT_SIZES})")
    parser.add_argument("--organisations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-platform", action="store_true",
        help="leave out the public platform (by default size/10 companies, at most 100,000, and size platform complaints)",
    )
    parser.add_argument("--concurrency", default="1,16", help="concurrencies, comma-separated (1,16)")
    parser.add_argument("--requests", type=int, default=2000, help="at most this many operations per workload run")
    parser.add_argument("--duration", type=float, default=20.0, help="at most this many seconds per workload run")
    parser.add_argument("--workloads", default="", help="only these workload keys, comma-separated")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data even when the size exists")
    parser.add_argument(
        "--single-database", action="store_true",
        help="use DATABASE_URL's database itself (one size only) instead of one database per size",
    )
    parser.add_argument("--drop-databases", action="store_true", help="drop the per-size databases afterwards")
    parser.add_argument("--out", default=str(RESULTS), help="folder for the JSON result (bench/results)")
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN ANALYZE of the list queries")
    # Internal: run one size in this process, writing its result to --result-file.
    parser.add_argument("--one-size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", default="", help=argparse.SUPPRESS)
    return parser


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


# --- The parent: one child per size, then the table --------------------------------------------------


def _run_all(args, database_url: str) -> int:
    sizes = _numbers(args.sizes)
    if args.single_database and len(sizes) != 1:
        print("bench: --single-database takes exactly one size", file=sys.stderr)
        return 2
    if database_url.startswith("sqlite"):
        print("bench: DATABASE_URL is SQLite: fine for the smoke test, not for numbers that mean anything.")
    started = datetime.datetime.now(datetime.UTC)
    report = {
        "started_at": started.isoformat(),
        "machine": _machine(),
        "settings": {
            "concurrency": _numbers(args.concurrency), "requests": args.requests, "duration_s": args.duration,
            "organisations": args.organisations, "seed": args.seed, "server": "granian --interface wsgi --workers 2",
        },
        "sizes": [],
    }
    created: list[str] = []
    failed = False
    try:
        for size in sizes:
            url = database_url if args.single_database else size_database_url(database_url, size)
            if ensure_database(url):
                created.append(url)
            print(f"\n=== {size} complaints: {redact(url)}", flush=True)
            with tempfile.TemporaryDirectory(prefix="gehoord-bench-") as scratch:
                result_file = Path(scratch) / "result.json"
                command = [
                    sys.executable, str(Path(__file__).resolve()), "--one-size", str(size),
                    "--result-file", str(result_file), "--organisations", str(args.organisations),
                    "--seed", str(args.seed), "--concurrency", args.concurrency, "--requests", str(args.requests),
                    "--duration", str(args.duration), "--workloads", args.workloads,
                ]
                command += ["--fresh"] if args.fresh else []
                command += ["--no-explain"] if args.no_explain else []
                command += ["--no-platform"] if args.no_platform else []
                env = {**os.environ, "DATABASE_URL": url, "GEHOORD_DATA_DIR": scratch}
                completed = subprocess.run(command, env=env, cwd=ROOT)
                if completed.returncode != 0 or not result_file.exists():
                    print(f"bench: the run at {size} complaints failed (exit {completed.returncode})", file=sys.stderr)
                    failed = True
                    report["sizes"].append({"complaints": size, "failed": True})
                    continue
                report["sizes"].append(json.loads(result_file.read_text()))
    finally:
        if args.drop_databases:
            for url in ([database_url] if args.single_database else [size_database_url(database_url, s) for s in sizes]):
                drop_database(url)
    report["finished_at"] = datetime.datetime.now(datetime.UTC).isoformat()
    print()
    print(format_table(report))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWritten to {path}")
    return 1 if failed else 0


def _machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "host": platform.node(), "python": platform.python_version(), "cpus": os.cpu_count(),
        "load_average_at_start": load, "git": _git_revision(),
    }


def _git_revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def format_table(report: dict) -> str:
    lines = []
    header = (f"{'size':>8}  {'workload':<34} {'conc':>4} {'ops':>6} {'ops/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'errors':>6}  {'CPU ms/op: web + db + worker = total':<36}")
    lines.append(header)
    lines.append("-" * len(header))
    for size in report["sizes"]:
        label = _size_label(size["complaints"])
        if size.get("failed"):
            lines.append(f"{label:>8}  (failed)")
            continue
        gen = size.get("gendata", {})
        made = "reused" if gen.get("reused") else f"made in {gen.get('seconds', 0):.0f} s"
        rows = ", ".join(f"{name} {count}" for name, count in gen.get("rows", {}).items())
        lines.append(f"{label:>8}  data {made}: {rows}")
        for run in size["workloads"]:
            if run["status"] == "skipped":
                lines.append(f"{label:>8}  {run['title']:<34} {run['concurrency']:>4}  skipped: {run['note']}")
                continue
            lines.append(
                f"{label:>8}  {run['title']:<34} {run['concurrency']:>4} {run['operations']:>6} "
                f"{run['throughput']:>8.1f} {run['p50_ms']:>8.1f} {run['p95_ms']:>8.1f} {run['p99_ms']:>8.1f} "
                f"{run['errors']:>6}  {_cpu_cell(run.get('cpu_ms', {}))}"
            )
        memory = size.get("memory", {})
        if memory.get("workers"):
            lines.append(
                f"{label:>8}  granian worker RSS after the run: "
                + ", ".join(f"{w['rss_mb']:.0f} MB (pid {w['pid']})" for w in memory["workers"])
            )
    lines.append("")
    lines.append(format_targets(report))
    return "\n".join(lines)


def _cpu_cell(cpu: dict) -> str:
    if not cpu:
        return ""
    if "app" in cpu:
        return f"app {cpu['app']:.1f}"
    return f"{cpu.get('web', 0):.1f} + {cpu.get('db', 0):.1f} + {cpu.get('worker', 0):.1f} = {cpu.get('total', 0):.1f}"


def target_results(size: dict) -> list[dict]:
    """Each target of issue 16 with the value this size measured and whether it was met.

    CPU and the share of the ceiling are read at the highest concurrency (the most operations, the
    load the issue measured at), the p95 at concurrency 1."""
    runs: dict[str, dict[int, dict]] = {}
    for run in size.get("workloads", []):
        if run["status"] == "ok":
            runs.setdefault(run["key"], {})[run["concurrency"]] = run
    ceiling = runs.get("ceiling", {})
    results = []
    for key, measure, limit, what in TARGETS:
        by_concurrency = runs.get(key, {})
        value = None
        if by_concurrency:
            top = by_concurrency[max(by_concurrency)]
            if measure in ("web", "total"):
                value = top.get("cpu_ms", {}).get(measure)
            elif measure == "ceiling_share" and max(by_concurrency) in ceiling:
                roof = ceiling[max(by_concurrency)]["throughput"]
                value = round(top["throughput"] / roof, 3) if roof else None
            elif measure == "p95_c1" and 1 in by_concurrency:
                value = by_concurrency[1]["p95_ms"]
            elif measure == "throughput":
                value = max(run["throughput"] for run in by_concurrency.values())
        at_least = measure in ("ceiling_share", "throughput")
        met = None if value is None else (value >= limit if at_least else value <= limit)
        results.append({"key": key, "measure": measure, "what": what, "limit": round(limit, 3),
                        "at_least": at_least, "value": value, "met": met})
    workers = size.get("memory", {}).get("workers", [])
    largest = max((worker["rss_mb"] for worker in workers), default=None)
    results.append({"key": "web worker", "measure": "rss_mb", "what": "resident memory after the run (MB)",
                    "limit": MEMORY_TARGET_MB, "at_least": False, "value": largest and round(largest, 1),
                    "met": None if largest is None else largest <= MEMORY_TARGET_MB})
    return results


def format_targets(report: dict) -> str:
    lines = [f"{'size':>8}  {'target (issue 16)':<62} {'measured':>9} {'target':>9}  verdict"]
    lines.append("-" * len(lines[0]))
    for size in report["sizes"]:
        if size.get("failed"):
            continue
        label = _size_label(size["complaints"])
        for target in size.get("targets") or target_results(size):
            bound = f"{'≥' if target['at_least'] else '≤'} {target['limit']:g}"
            value = "—" if target["value"] is None else f"{target['value']:g}"
            verdict = {True: "met", False: "MISSED", None: "not measured"}[target["met"]]
            lines.append(f"{label:>8}  {target['key'] + ': ' + target['what']:<62} {value:>9} {bound:>9}  {verdict}")
    return "\n".join(lines)


def _size_label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


# --- Databases ------------------------------------------------------------------------------------


def size_database_url(url: str, size: int) -> str:
    """The database of one size next to DATABASE_URL's: gehoord_bench → gehoord_bench_100k."""
    parts = urllib.parse.urlsplit(url)
    label = _size_label(size)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path)
        return urllib.parse.urlunsplit(parts._replace(path=str(path.with_name(f"{path.stem}_{label}{path.suffix}"))))
    name = parts.path.lstrip("/") or "gehoord_bench"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_{label}"))


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def _postgres_admin(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    return psycopg.connect(admin, autocommit=True), name


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist; True when it was created here."""
    if not url.startswith(("postgres", "postgresql")):
        return False
    from psycopg import sql

    connection, name = _postgres_admin(url)
    with connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    return False


def drop_database(url: str) -> None:
    if url.startswith(("postgres", "postgresql")):
        from psycopg import sql

        connection, name = _postgres_admin(url)
        with connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    elif url.startswith("sqlite"):
        path = Path(urllib.parse.urlsplit(url).path)
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()


# --- Measuring ---------------------------------------------------------------------------------------


@dataclass
class Run:
    key: str
    title: str
    concurrency: int
    status: str = "ok"
    note: str = ""
    operations: int = 0
    seconds: float = 0.0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        ordered = sorted(self.latencies_ms)
        return {
            "key": self.key, "title": self.title, "concurrency": self.concurrency, "status": self.status,
            "note": self.note, "operations": self.operations, "seconds": round(self.seconds, 3),
            "throughput": round(self.operations / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": round(percentile(ordered, 50), 2), "p95_ms": round(percentile(ordered, 95), 2),
            "p99_ms": round(percentile(ordered, 99), 2), "max_ms": round(ordered[-1], 2) if ordered else 0.0,
            "errors": self.errors, "error_samples": self.error_samples[:5], **self.extra,
        }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the kernel accounted to one process so far (None once it has ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime, fields 14 and 15


class CpuMeter:
    """CPU time of the processes that do a workload's work, read from the operating system.

    `groups` maps a name ("web", "db", "worker") to a function that lists the process ids of that
    group now. A snapshot reads every listed process; the CPU spent between two snapshots is, per
    group, the growth of the processes in the second one (a process that started in between counts
    whole). A process that ended in between is missed: the web and worker processes live through
    the run, and so do the database backends of their pooled connections (CONN_MAX_AGE).
    """

    def __init__(self, groups: dict[str, Callable[[], list[int]]]):
        self.groups = groups

    def snapshot(self) -> dict[str, dict[int, float]]:
        taken = {}
        for name, pids in self.groups.items():
            seconds = {pid: cpu_seconds(pid) for pid in pids()}
            taken[name] = {pid: value for pid, value in seconds.items() if value is not None}
        return taken

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        return {
            name: sum(max(0.0, value - before.get(name, {}).get(pid, 0.0)) for pid, value in now.items())
            for name, now in after.items()
        }

    @staticmethod
    def per_operation(before: dict, after: dict, operations: int) -> dict[str, float]:
        """Milliseconds per operation for each group and in total."""
        spent = CpuMeter.spent(before, after)
        if not operations:
            return {}
        each = {name: round(seconds * 1000 / operations, 2) for name, seconds in spent.items()}
        each["total"] = round(sum(seconds for seconds in spent.values()) * 1000 / operations, 2)
        return each


def database_backends() -> list[int]:
    """The PostgreSQL backends connected to the benchmark's database, this process's own left out."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(min(rank, len(ordered))) - 1]


def drive(run: Run, operation: Callable, make_state: Callable, max_operations: int, max_seconds: float,
          cleanup: Callable = lambda state: None) -> Run:
    """Run `operation(state, rng)` from `run.concurrency` threads until `max_operations` have
    started or `max_seconds` have passed. An operation returns None when it went well, or a short
    description of what went wrong; an exception counts as an error too."""
    lock = threading.Lock()
    started = 0
    stop_at = time.monotonic() + max_seconds

    def worker(number: int) -> None:
        nonlocal started
        rng = random.Random(number * 7919 + run.concurrency)
        state = make_state()
        try:
            while True:
                with lock:
                    if started >= max_operations or time.monotonic() >= stop_at:
                        return
                    started += 1
                begin = time.perf_counter()
                try:
                    problem = operation(state, rng)
                except Exception as error:  # a failed operation is a measurement, not a crash
                    problem = f"{type(error).__name__}: {error}"
                    state = _reset_state(state, make_state)
                elapsed = (time.perf_counter() - begin) * 1000
                with lock:
                    run.latencies_ms.append(elapsed)
                    run.operations += 1
                    if problem:
                        run.errors += 1
                        if len(run.error_samples) < 5:
                            run.error_samples.append(str(problem)[:300])
        finally:
            cleanup(state)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(run.concurrency)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - begin
    return run


def _reset_state(state, make_state):
    if isinstance(state, Http):
        state.reconnect()
        return state
    return state


class Http:
    """One keep-alive HTTP/1.1 connection to the server, with the headers every request carries."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.port = port
        self.headers = headers
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: dict | bytes | None = None, headers: dict | None = None):
        """A dict body goes as JSON; bytes go as they are, with the Content-Type in `headers`."""
        sent = {**self.headers, **(headers or {})}
        payload = body
        if isinstance(body, dict):
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=sent)
        response = self.connection.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.reconnect()
        return response.status, data, response

    def close(self) -> None:
        self.connection.close()


def _expect(status: int, wanted: int, method: str, path: str, data: bytes) -> str | None:
    if status == wanted:
        return None
    return f"{method} {path.split('?')[0]} answered {status}: {data[:120]!r}"


# --- One size, in a child process ----------------------------------------------------------------------


def _run_one_size(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gehoord.settings")
    os.environ["GEHOORD_DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("GEHOORD_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gehoord.server import gendata

    size = args.one_size
    chosen = {key for key in args.workloads.split(",") if key}
    concurrencies = _numbers(args.concurrency)
    result: dict = {"complaints": size, "database": connection.vendor, "workloads": []}

    print("Migrating…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    say = lambda message: print(message, flush=True)  # noqa: E731
    companies = 0 if args.no_platform else max(10, min(PLATFORM_COMPANIES, size // 10))
    generated = gendata.generate(
        size, args.organisations, seed=args.seed, replace=args.fresh, progress=say,
        companies=companies, platform_complaints=0 if args.no_platform else size,
    )
    result["gendata"] = {
        "reused": generated.reused, "seconds": round(generated.seconds, 1), "rows": generated.rows,
        "statuses": generated.statuses, "generated_at": generated.generated_at.isoformat(),
    }
    fixture = Fixture.prepare(generated)
    # The report pages read the daily figures; building them the first time on 1M takes long, so only
    # when a report workload runs.
    if not chosen or chosen & REPORT_WORKLOADS:
        result["summarise"] = _summarise(say)
    result["organisation"] = {"slug": fixture.slug, "complaints": fixture.org_complaints, "open": fixture.org_open}
    print(f"Workloads run on {fixture.slug} ({fixture.org_complaints} complaints, {fixture.org_open} open).", flush=True)

    def wanted(key: str) -> bool:
        return not chosen or key in chosen

    runs: list[Run] = []
    with Server(fixture) as server:
        http_workloads = _http_workloads(fixture, server)
        # Warm both workers up (imports, connections, caches) before anything is measured, and let the
        # task worker clear what earlier runs left due (the ceiling's rows), so it measures only ours.
        for key, title, operation, make_state in http_workloads:
            if wanted(key) and not server.skip_reason(key):
                drive(Run(key, title, 2), operation, make_state, 4, 5, cleanup=lambda s: s.close())
        result["tasks_waiting_at_start"] = server.wait_for_tasks(timeout=600)
        meter = CpuMeter({"web": server.web_processes, "db": database_backends, "worker": server.worker_processes})
        for key, title, operation, make_state in http_workloads:
            if not wanted(key):
                continue
            for concurrency in concurrencies:
                run = Run(key, title, concurrency)
                reason = server.skip_reason(key)
                if reason:
                    run.status, run.note = "skipped", reason
                else:
                    print(f"  {title} at concurrency {concurrency}…", flush=True)
                    measured_from, before = datetime.datetime.now(datetime.UTC), meter.snapshot()
                    drive(run, operation, make_state, args.requests, args.duration, cleanup=lambda s: s.close())
                    if key in MAILING_WORKLOADS:  # the worker's share: until it has sent the run's mails
                        waited = time.monotonic()
                        run.extra["mails_unsent"] = server.wait_for_mail(measured_from, timeout=300)
                        run.extra["mail_drain_s"] = round(time.monotonic() - waited, 2)
                    run.extra["cpu_ms"] = meter.per_operation(before, meter.snapshot(), run.operations)
                    run.extra.update(getattr(operation, "extra", {}))
                runs.append(run)
        result["memory"] = {"workers": server.worker_memory(), "main": server.main_memory()}
        result["mails_at_sink"] = len(server.sink.messages)
        if any(run.errors for run in runs):
            result["server_log_tail"] = server.log_tail()
    # In-process workloads: after the server stopped, so that they have the machine to themselves. Only
    # their "app" CPU is read: this process's, which runs the app code (and the load generator's
    # threads); the database backends of their threads end with the run, before they could be read.
    meter = CpuMeter({"app": lambda: [os.getpid()]})
    for key, title, runner in _inprocess_workloads(fixture):
        if not wanted(key):
            continue
        for concurrency in concurrencies:
            print(f"  {title} at concurrency {concurrency}…", flush=True)
            before = meter.snapshot()
            run = runner(Run(key, title, concurrency), args.requests, args.duration)
            if run.status == "ok":
                run.extra["cpu_ms"] = meter.per_operation(before, meter.snapshot(), run.operations)
            runs.append(run)
    result["workloads"] = [run.as_dict() for run in runs]
    result["targets"] = target_results(result)
    if connection.vendor == "postgresql" and not args.no_explain:
        result["explain"] = fixture.explain()
    Path(args.result_file).write_text(json.dumps(result, indent=2, default=str))
    return 0


REPORT_WORKLOADS = {"reports_desk", "reports_moderation"}


def _summarise(say) -> dict:
    """The reports' daily figures (insights/daily.py): built from every complaint on a database's first
    run, afterwards only what the timeline added since; timed, with this process's CPU time."""
    from gehoord.insights import daily

    say("Summarising the timeline for the reports…")
    started, cpu = time.monotonic(), time.process_time()
    outcome = daily.summarise(wait=True)
    seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu
    say(f"  {outcome.complaints} complaints from {outcome.events} events in {seconds:.1f} s ({cpu_seconds:.1f} s CPU here)")
    return {"complaints": outcome.complaints, "events": outcome.events, "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu_seconds, 1)}


@dataclass
class Fixture:
    """What the workloads need from the database: an organisation, its token, a staff login, references."""

    slug: str
    organisation_id: int
    org_complaints: int
    org_open: int
    token: str
    username: str
    password: str
    category: str
    language: str
    references: list[str]
    generated_at: datetime.datetime
    replies: list[dict]
    companies: list[str]  # platform companies with complaints, the busiest first
    published: list[str]  # public ids of published platform complaints
    moderator: str = ""  # a platform moderator with the staff password, for the report on a company

    @classmethod
    def prepare(cls, generated) -> Fixture:
        from gehoord.organisations.models import ApiToken
        from gehoord.complaints.models import OPEN_STATUSES, Complaint
        from gehoord.mail.models import OutboundMail
        from gehoord.organisations.models import Organisation
        from gehoord.server import gendata

        slug = gendata.organisation_sizes()[0][0]
        organisation = Organisation.objects.get(slug=slug)
        complaints = Complaint.objects.filter(organisation=organisation)
        _token, plaintext = ApiToken.issue(organisation, f"bench {uuid.uuid4().hex[:8]}")
        rng = random.Random(1)
        highest = complaints.order_by("-id").values_list("id", flat=True).first() or 0
        lowest = complaints.order_by("id").values_list("id", flat=True).first() or 0
        sample_ids = [rng.randint(lowest, highest) for _ in range(3000)]
        references = list(complaints.filter(id__in=sample_ids).values_list("reference", flat=True)[:1000])
        if not references:
            references = list(complaints.values_list("reference", flat=True)[:100])
        # Replies to mails we sent to consumers, for the inbound workload.
        mails = (
            OutboundMail.objects.filter(complaint__organisation=organisation, complaint_id__in=sample_ids,
                                        kind__in=["acknowledgement", "staff_message", "information_request"])
            .select_related("complaint")[:500]
        )
        replies = [
            {"reference": m.complaint.reference, "to": organisation.complaint_email, "from": m.to_address,
             "name": m.complaint.contact_name, "in_reply_to": m.message_id, "subject": m.subject,
             "language": m.language}
            for m in mails
        ]
        category = organisation.categories.filter(active=True).values_list("slug", flat=True).first() or ""
        from gehoord.platform.models import CompanyScore

        companies = list(
            CompanyScore.objects.filter(complaints__gt=0).order_by("-complaints").values_list("organisation__slug", flat=True)[:1]
        ) + list(CompanyScore.objects.filter(complaints__gt=0).order_by("?").values_list("organisation__slug", flat=True)[:1000])
        published = list(Complaint.objects.public().order_by("?").values_list("public_id", flat=True)[:1000])
        from django.contrib.auth import get_user_model
        from gehoord.organisations.models import PlatformMembership, PlatformRole

        moderator, created = get_user_model().objects.get_or_create(username="bench-moderator")
        if created:
            moderator.set_password(gendata.STAFF_PASSWORD)
            moderator.save(update_fields=["password"])
        PlatformMembership.objects.get_or_create(user=moderator, role=PlatformRole.MODERATOR)
        return cls(
            slug=slug, organisation_id=organisation.pk, org_complaints=complaints.count(),
            org_open=complaints.filter(status__in=OPEN_STATUSES).count(), token=plaintext,
            username=f"{slug}-manager-1", password=gendata.STAFF_PASSWORD, category=category,
            language=organisation.language, references=references, generated_at=generated.generated_at,
            replies=replies, companies=companies, published=published, moderator=moderator.username,
        )

    def explain(self) -> dict:
        """EXPLAIN ANALYZE of the queue and list queries the pages and the API run (PostgreSQL)."""
        from django.db import connection

        from gehoord.complaints import search as complaint_search
        from gehoord.complaints.models import Complaint
        from gehoord.desk.queries import status_counts

        complaints = Complaint.objects.filter(organisation_id=self.organisation_id)
        term = SEARCH_TERMS[self.language][0]
        found = complaint_search.matching(complaints.filter(status="closed"), term)
        queries = {
            "queue: open, nearest deadline first, 25": complaints.open().most_urgent_first()[:25],
            "queue: count of open": complaints.open().order_by(),
            "api list: status=investigating, newest first, 25": complaints.filter(status="investigating")
            .select_related("category", "handler").newest_first()[:25],
            f"api search: status=closed, q={term}, newest first, 25": found.select_related("category", "handler")
            .newest_first()[:25],
            "desk queue: counts per status (gehoord.desk.queries.status_counts)": None,
        }
        def explain_sql(sql, params) -> str:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                return "\n".join(row[0] for row in cursor.fetchall())

        def last_query_of(run) -> tuple:
            seen = []

            def record(execute, sql, params, many, context):
                seen.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                run()
            return seen[-1]

        plans = {}
        for title, queryset in queries.items():
            try:
                if queryset is None:
                    plans[title] = explain_sql(*last_query_of(lambda: status_counts(complaints)))
                elif title.startswith("queue: count"):
                    sql, params = queryset.values("id").query.sql_with_params()
                    plans[title] = explain_sql(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)
                else:
                    plans[title] = queryset.explain(analyze=True, buffers=True)
            except Exception as error:  # the report is still useful without one plan
                plans[title] = f"(no plan: {error})"
        return plans


# --- The server ---------------------------------------------------------------------------------------


class Server:
    """granian serving gehoord.wsgi with 2 workers and production settings, on a free local port; one
    task worker (the configured backend's) sending the mails to an SMTP sink on 127.0.0.1.

    The server trusts one proxy (GEHOORD_PROXY_COUNT=1): the form workload sends each filing from
    another consumer address in X-Forwarded-For, as a load balancer would pass it on, so the
    portal's limits per address count consumers, not the load generator."""

    def __init__(self, fixture: Fixture):
        self.fixture = fixture
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.sink = None
        self.log = tempfile.NamedTemporaryFile(prefix="granian-", suffix=".log", delete=False)
        self.session_cookie = ""
        self.desk_problem = ""
        self.moderator_cookie = ""
        self.moderation_problem = ""

    def __enter__(self) -> Server:
        from gehoord.mail.tests.support import Sink
        from gehoord.server.workers import task_worker_command

        self.sink = Sink()
        self.sink.controller.start()
        command = [
            str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", "2", "gehoord.wsgi:application",
        ]
        env = {
            **os.environ, "GEHOORD_DEBUG": "false", "DJANGO_SETTINGS_MODULE": "gehoord.settings",
            "GEHOORD_PROXY_COUNT": "1", "EMAIL_URL": f"smtp://127.0.0.1:{self.sink.port}?timeout=10",
            # Connections (and their database backends) live through a whole run, so that the CPU of
            # every backend is read at both ends of it (with 60 s some would be replaced in between).
            "GEHOORD_DB_CONN_MAX_AGE": "600",
        }
        try:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
            self.worker = subprocess.Popen(
                task_worker_command(str(BIN / "gehoord"), name=f"bench-{self.port}"), cwd=ROOT, env=env,
                stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            self._wait_until_ready()
            self._log_in()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in (self.process, self.worker):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # granian and its workers: the group we started
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        if self.sink:
            self.sink.controller.stop()
        self.log.close()

    def web_processes(self) -> list[int]:
        return [self.process.pid, *self._workers()] if self.process else []

    def worker_processes(self) -> list[int]:
        return [self.worker.pid] if self.worker and self.worker.poll() is None else []

    def wait_for_tasks(self, timeout: float) -> int:
        """Wait until the task worker has run every task that is due; returns how many were waiting."""
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready().count()
        deadline = time.monotonic() + timeout
        while DBTaskResult.objects.ready().exists() and time.monotonic() < deadline:
            if self.worker.poll() is not None:
                raise RuntimeError(f"the task worker stopped:\n{self.log_tail()}")
            time.sleep(0.1)
        return waiting

    def wait_for_mail(self, since: datetime.datetime, timeout: float) -> int:
        """Wait until the mails recorded since `since` are sent (or failed); returns how many are left."""
        from gehoord.mail.models import OutboundMail

        pending = OutboundMail.objects.filter(
            created_at__gte=since, state__in=[OutboundMail.State.QUEUED, OutboundMail.State.SENDING]
        )
        deadline = time.monotonic() + timeout
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return pending.count()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 90
        client = Http(self.port, {"Authorization": f"Bearer {self.fixture.token}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"granian stopped at start-up:\n{self.log_tail()}")
            try:
                status, _data, _response = client.request("GET", "/api/v1/complaints?limit=1")
                if status == 200:
                    client.close()
                    return
            except OSError:
                client.reconnect()
            time.sleep(0.3)
        raise RuntimeError(f"granian did not answer within 90 s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def _log_in(self) -> None:
        """A staff session for the desk pages and a moderator's for the platform's report pages."""
        self.session_cookie, self.desk_problem = self._session(self.fixture.username, self.fixture.password)
        if not self.desk_problem:
            path = DESK_QUEUE_PATH.format(org=self.fixture.slug, page=1)
            status, _data, _response = Http(self.port, {"Cookie": self.session_cookie}).request("GET", path)
            if status != 200:
                self.desk_problem = f"GET {path} answered {status}: the staff desk is not there yet"
        self.moderator_cookie, self.moderation_problem = self._session(self.fixture.moderator, self.fixture.password)

    def _session(self, username: str, password: str) -> tuple[str, str]:
        """GET the login form, POST it: (the session cookie, "") or ("", what went wrong)."""
        client = Http(self.port, {})
        try:
            status, data, response = client.request("GET", LOGIN_PATH)
            if status != 200:
                return "", f"GET {LOGIN_PATH} answered {status}: the staff login is not there yet"
            csrf = _cookie(response, "csrftoken")
            token = _form_value(data.decode(errors="replace"), "csrfmiddlewaretoken") or csrf
            form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
            client.connection.request("POST", LOGIN_PATH, body=form, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
                "Referer": f"http://127.0.0.1:{self.port}{LOGIN_PATH}",
            })
            response = client.connection.getresponse()
            response.read()
            session = _cookie(response, "sessionid")
            if response.status not in (302, 303) or not session:
                return "", f"logging in as {username} answered {response.status} without a session"
            return f"sessionid={session}; csrftoken={csrf}", ""
        except OSError as error:
            return "", f"the login failed: {error}"
        finally:
            client.close()

    def skip_reason(self, key: str) -> str:
        if (key.endswith("_desk") or key.startswith("register_")) and self.desk_problem:
            return self.desk_problem
        if key.endswith("_moderation") and self.moderation_problem:
            return self.moderation_problem
        return ""

    def _workers(self) -> list[int]:
        if not self.process:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)

    def worker_memory(self) -> list[dict]:
        return [{"pid": pid, "rss_mb": _rss_mb(pid)} for pid in self._workers()]

    def main_memory(self) -> dict:
        return {"pid": self.process.pid, "rss_mb": _rss_mb(self.process.pid)} if self.process else {}


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """A form's fields as a browser posts a form that can carry files: the body and its Content-Type."""
    boundary = f"----bench{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


def _cookie(response, name: str) -> str:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return ""


def _form_value(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.find(marker)
    if start < 0:
        return ""
    start += len(marker)
    return html[start: html.find('"', start)]


# --- The workloads --------------------------------------------------------------------------------------


def _http_workloads(fixture: Fixture, server: Server) -> list[tuple]:
    api_headers = {"Authorization": f"Bearer {fixture.token}"}
    references = fixture.references
    terms = SEARCH_TERMS[fixture.language] + SEARCH_TERMS["en" if fixture.language == "nl" else "nl"][:2]
    descriptions = {
        "nl": "Op 3 maart heb ik de boxspring besteld. Bij de levering bleek de verpakking beschadigd en zat er een "
              "flinke kras in het product. Ik heb foto's gemaakt en wil graag dat het kosteloos wordt vervangen.",
        "en": "On 3 March I ordered the tent. When it arrived the box was damaged and there is a deep scratch on "
              "the item itself. I have taken photos and would like it replaced free of charge.",
    }

    def api():
        return Http(server.port, api_headers)

    def desk():
        return Http(server.port, {"Cookie": server.session_cookie})

    def file_complaint(client: Http, rng: random.Random):
        language = fixture.language if rng.random() < 0.85 else ("en" if fixture.language == "nl" else "nl")
        body = {
            "description": descriptions[language] * rng.randint(1, 3),
            "contact_name": "Bench Consument" if language == "nl" else "Bench Consumer",
            "contact_email": f"bench-{uuid.uuid4().hex[:12]}@example.nl",
            "contact_language": language,
            "category": fixture.category,
            "order_number": f"BENCH-{uuid.uuid4().hex[:10].upper()}",
            "product": "Boxspring Oslo 160x200",
            "channel": "api",
        }
        status, data, _ = client.request("POST", "/api/v1/complaints", body)
        return _expect(status, 201, "POST", "/api/v1/complaints", data)

    def queue_api(client: Http, rng: random.Random):
        path = API_QUEUE_PATH.format(offset=25 * rng.choice((0, 0, 0, 1, 1, 2, 3)))
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    def queue_desk(client: Http, rng: random.Random):
        path = DESK_QUEUE_PATH.format(org=fixture.slug, page=rng.choice((1, 1, 1, 2, 2, 3, 4)))
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    def complaint_api(client: Http, rng: random.Random):
        reference = urllib.parse.quote(rng.choice(references))
        path = f"/api/v1/complaints/{reference}?include=timeline"
        status, data, _ = client.request("GET", path)
        if problem := _expect(status, 200, "GET", path, data):
            return problem
        if "timeline" in json.loads(data):
            return None
        # An API without ?include=timeline: the timeline takes a second request, as it did before.
        path = f"/api/v1/complaints/{reference}/timeline"
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    def file_form(client: Http, rng: random.Random):
        # A consumer's browser: the form (which sets the CSRF cookie), the post, the confirmation page.
        path = PORTAL_FORM_PATH.format(org=fixture.slug)
        consumer = {"X-Forwarded-For": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"}
        status, data, response = client.request("GET", path, headers=consumer)
        if problem := _expect(status, 200, "GET", path, data):
            return problem
        html = data.decode(errors="replace")
        csrf = _cookie(response, "csrftoken")
        language = fixture.language if rng.random() < 0.85 else ("en" if fixture.language == "nl" else "nl")
        body, content_type = _multipart({
            "csrfmiddlewaretoken": _form_value(html, "csrfmiddlewaretoken"),
            "submission": _form_value(html, "submission"), "category": fixture.category,
            "description": descriptions[language] * rng.randint(1, 3),
            "order_number": f"BENCH-{uuid.uuid4().hex[:10].upper()}", "product": "Boxspring Oslo 160x200",
            "purchase_date": "", "desired_solution": "", "contact_name": "Bench Consument",
            "contact_email": f"bench-{uuid.uuid4().hex[:12]}@example.nl", "contact_phone": "",
            "contact_language": language, "homepage": "",
        })
        origin = f"http://127.0.0.1:{server.port}"
        status, data, response = client.request("POST", path, body, headers={
            **consumer, "Content-Type": content_type, "Cookie": f"csrftoken={csrf}", "Origin": origin,
            "Referer": origin + path,
        })
        if status != 302:
            page = data.decode(errors="replace")
            errors = page[page.find('class="errorlist'):][:200] if "errorlist" in page else page[:120]
            return f"POST {path} answered {status}: {errors!r}"
        confirmation = urllib.parse.urlsplit(response.getheader("Location", "")).path
        cookies = f"csrftoken={csrf}; sessionid={_cookie(response, 'sessionid')}"
        status, data, _ = client.request("GET", confirmation, headers={**consumer, "Cookie": cookies})
        return _expect(status, 200, "GET", confirmation, data)

    def complaint_desk(client: Http, rng: random.Random):
        path = DESK_COMPLAINT_PATH.format(org=fixture.slug, reference=urllib.parse.quote(rng.choice(references)))
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    def search_api(client: Http, rng: random.Random):
        term = rng.choice(terms)
        narrowing = rng.choice(("status=investigating", "status=closed", f"category={fixture.category}", ""))
        path = f"/api/v1/complaints?q={urllib.parse.quote(term)}&limit=25" + (f"&{narrowing}" if narrowing else "")
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    def company_page(client: Http, rng: random.Random):
        # One in five asks for the busiest company (the longest lists), the others for any company.
        slug = fixture.companies[0] if rng.random() < 0.2 else rng.choice(fixture.companies)
        path = f"/bedrijven/{slug}/"
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    def public_complaint(client: Http, rng: random.Random):
        path = f"/klachten/{urllib.parse.quote(rng.choice(fixture.published))}/"
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    def anonymous():
        return Http(server.port, {})

    def moderator():
        return Http(server.port, {"Cookie": server.moderator_cookie})

    # The report pages over each period the page offers, and a calendar month of the data.
    last_month = (fixture.generated_at.date().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    periods = ("", "last=30", "last=90", "last=365", f"month={last_month}")

    def reports_desk(client: Http, rng: random.Random):
        path = f"/desk/{fixture.slug}/reports/?{rng.choice(periods)}"
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    def reports_moderation(client: Http, rng: random.Random):
        slug = fixture.companies[0] if rng.random() < 0.2 else rng.choice(fixture.companies)
        path = f"/moderatie/bedrijven/{slug}/rapport/?{rng.choice(periods)}"
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)
    register_paths, export_path, export_rows = _register_paths(fixture)

    def register_filter(client: Http, rng: random.Random):
        # Each filter in turn, the first page (newest first), as a person opening the register would.
        path = register_paths[register_filter.turn % len(register_paths)]
        register_filter.turn += 1
        status, data, _ = client.request("GET", path)
        return _expect(status, 200, "GET", path, data)

    register_filter.turn = 0

    def register_export_csv(client: Http, rng: random.Random):
        begin = time.perf_counter()
        status, data, _ = client.request("GET", export_path)
        seconds = time.perf_counter() - begin
        if problem := _expect(status, 200, "GET", export_path, data):
            return problem
        rows = data.count(b"\n") - 1  # the header line
        register_export_csv.extra = {
            "export_path": export_path, "rows": rows, "expected_rows": export_rows,
            "rows_per_second": round(rows / seconds), "worker_rss_mb_after": server.worker_memory(),
        }
        return None if rows >= export_rows else f"{rows} rows exported, {export_rows} expected"

    register_export_csv.extra = {}

    return [
        ("file_api", "1 file a complaint (API)", file_complaint, api),
        ("file_form", "1 file a complaint (public form)", file_form, anonymous),
        ("queue_api", "2 queue, 25 a page (API)", queue_api, api),
        ("queue_desk", "2 queue, 25 a page (desk)", queue_desk, desk),
        ("complaint_api", "3 complaint + timeline (API)", complaint_api, api),
        ("complaint_desk", "3 complaint + timeline (desk)", complaint_desk, desk),
        ("search_api", "4 filtered list + search (API)", search_api, api),
        ("company_page", "7 company page + score card (public)", company_page, anonymous),
        ("public_complaint", "8 published complaint (public)", public_complaint, anonymous),
        ("reports_desk", "9 report page, a period (desk)", reports_desk, desk),
        ("reports_moderation", "9 report on a company (moderators)", reports_moderation, moderator),
        ("register_filter", "9 register, first page, one filter (desk)", register_filter, desk),
        ("register_export_csv", "9 register CSV export of ~100k rows (desk)", register_export_csv, desk),
    ]


def _register_paths(fixture: Fixture) -> tuple[list[str], str, int]:
    """The register's first page under each single filter, and an export of about 100k rows (the
    complaints received since a date; fewer on the smaller sizes)."""
    from gehoord.complaints.models import Complaint

    complaints = Complaint.objects.filter(organisation_id=fixture.organisation_id)
    base = f"/desk/{fixture.slug}/register/"
    handler = complaints.exclude(handler=None).values_list("handler_id", flat=True).first()
    product = complaints.exclude(product="").values_list("product", flat=True).first() or ""
    oldest_of_100k = complaints.order_by("-received_at", "-id").values_list("received_at", flat=True)[
        min(100_000, fixture.org_complaints) - 1]
    month_ago = (fixture.generated_at - datetime.timedelta(days=30)).date().isoformat()
    filters = [
        "status=closed", "status=open", "stage=2", f"category={fixture.category}", "channel=email",
        f"handler={handler}", "handler=none", f"product={urllib.parse.quote(product)}", "outcome=upheld",
        "kept=missed", "kept=met", f"received_from={month_ago}", "due=overdue",
        f"q={urllib.parse.quote(SEARCH_TERMS[fixture.language][0])}", "order=oldest", "order=reference",
    ]
    # The register reads a typed date in the organisation's time zone.
    from zoneinfo import ZoneInfo

    from gehoord.organisations.models import Organisation

    zone = ZoneInfo(Organisation.objects.get(pk=fixture.organisation_id).time_zone)
    since = oldest_of_100k.astimezone(zone).date()
    start = datetime.datetime.combine(since, datetime.time(), tzinfo=zone)
    export_rows = complaints.filter(received_at__gte=start).count()
    since = since.isoformat()
    return [f"{base}?{query}" for query in filters], f"{base}export.csv?received_from={since}", export_rows


def _inprocess_workloads(fixture: Fixture) -> list[tuple]:
    return [
        ("queue_orm", "2 queue query alone (ORM)", lambda run, n, s: _queue_orm(run, n, s, fixture)),
        ("sweep_idle", "5 sweep, nothing due", lambda run, n, s: _sweep_idle(run, n, s, fixture)),
        ("sweep_due", "5 sweep, 1% of open due", lambda run, n, s: _sweep_due(run, n, s, fixture)),
        ("inbound", "6 inbound reply (pipeline)", lambda run, n, s: _inbound(run, n, s, fixture)),
        ("ceiling", "ceiling: filing rows, raw SQL", lambda run, n, s: _ceiling(run, n, s, fixture)),
    ]


def _closing_connection(_state) -> None:
    from django.db import connection

    connection.close()


def _queue_orm(run: Run, max_operations: int, max_seconds: float, fixture: Fixture) -> Run:
    """The query a queue page needs, without HTTP: what the database alone costs."""
    from gehoord.complaints.models import OPEN_STATUSES, Complaint

    def operation(_state, rng):
        page = rng.choice((0, 0, 0, 1, 1, 2, 3))
        open_complaints = Complaint.objects.filter(organisation_id=fixture.organisation_id, status__in=OPEN_STATUSES)
        rows = list(open_complaints.select_related("category", "handler").order_by("next_deadline_at", "id")
                    [page * 25: page * 25 + 25])
        open_complaints.count()
        return None if rows or page else "the queue was empty"

    return drive(run, operation, lambda: None, max_operations, max_seconds, cleanup=_closing_connection)


def _sweep_idle(run: Run, max_operations: int, max_seconds: float, fixture: Fixture) -> Run:
    """sweep() when nothing is due: at the instant the data was made, no deadline is due."""
    from gehoord.complaints.sweep import sweep

    def operation(_state, _rng):
        result = sweep(now=fixture.generated_at)
        if result.errors:
            return f"{result.errors} errors"
        if result.checked:
            return f"{result.checked} deadlines were due"
        return None

    return drive(run, operation, lambda: None, min(max_operations, 500), max_seconds, cleanup=_closing_connection)


def _sweep_due(run: Run, max_operations: int, max_seconds: float, fixture: Fixture) -> Run:
    """1% of the open complaints have their running deadlines come due; `concurrency` sweepers
    clear them together. The latencies are per deadline handled (sweep._handle)."""
    from django.db import connection

    from gehoord.complaints.models import OPEN_STATUSES, Complaint
    from gehoord.complaints import sweep as sweep_module
    from gehoord.policies.models import Deadline

    now = fixture.generated_at
    open_count = Complaint.objects.filter(status__in=OPEN_STATUSES, received_at__lte=now).count()
    running = Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, paused_at__isnull=True)
    candidates = list(
        running.filter(complaint__status__in=OPEN_STATUSES, complaint__received_at__lte=now)
        .values_list("complaint_id", flat=True).distinct()
    )
    rng = random.Random(time.time_ns())
    chosen = rng.sample(candidates, min(len(candidates), max(1, round(open_count / 100))))
    due = running.filter(complaint_id__in=chosen)
    prepared = due.update(
        due_at=now - datetime.timedelta(hours=1), remind_at=None, missed_at=None,
        next_check_at=now - datetime.timedelta(hours=1),
    )
    run.extra["deadlines_made_due"] = prepared
    run.extra["complaints_made_due"] = len(chosen)
    original = sweep_module._handle
    lock = threading.Lock()
    totals = {"checked": 0, "reminded": 0, "missed": 0, "updates_sent": 0, "reassigned": 0, "errors": 0}

    def timed_handle(deadline_id, at, result):
        begin = time.perf_counter()
        try:
            return original(deadline_id, at, result)
        finally:
            with lock:
                run.latencies_ms.append((time.perf_counter() - begin) * 1000)

    def sweeper():
        try:
            result = sweep_module.sweep(now=now)
            with lock:
                for name in totals:
                    totals[name] += getattr(result, name)
        finally:
            connection.close()

    sweep_module._handle = timed_handle
    try:
        threads = [threading.Thread(target=sweeper) for _ in range(run.concurrency)]
        begin = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run.seconds = time.perf_counter() - begin
    finally:
        sweep_module._handle = original
    run.operations = totals["checked"]
    run.errors = totals["errors"]
    run.extra["sweep"] = totals
    run.extra["still_due_after"] = Deadline.objects.filter(next_check_at__lte=now).count()
    if prepared and not totals["checked"]:
        run.errors += 1
        run.error_samples.append("deadlines were made due but the sweep handled none")
    return run


def _inbound(run: Run, max_operations: int, max_seconds: float, fixture: Fixture) -> Run:
    """Workload 6, replies to existing complaints through the inbound pipeline.

    The hook: GEHOORD_BENCH_INBOUND="module:function" (default gehoord.inbound.pipeline:receive), a
    function taking the raw bytes of one message; or GEHOORD_BENCH_INBOUND_SMTP="host:port" to
    hand the messages to a running SMTP listener instead. Until the pipeline exists the workload
    is reported as skipped.
    """
    import importlib
    import smtplib

    smtp_target = os.environ.get("GEHOORD_BENCH_INBOUND_SMTP", "")
    if not fixture.replies:
        run.status, run.note = "skipped", "no mails to consumers to reply to"
        return run
    if smtp_target:
        host, _, port = smtp_target.rpartition(":")

        def deliver(state, raw: bytes, reply: dict):
            state.sendmail(reply["from"], [reply["to"]], raw)

        def make_state():
            return smtplib.SMTP(host or "127.0.0.1", int(port), timeout=60)

        def cleanup(state):
            with contextlib.suppress(Exception):
                state.quit()
    else:
        spec = os.environ.get("GEHOORD_BENCH_INBOUND", DEFAULT_INBOUND_HOOK)
        module_name, _, function_name = spec.partition(":")
        try:
            if module_name == "bench_run":
                receive = globals()[function_name]
                importlib.import_module("gehoord.inbound.pipeline")
            else:
                receive = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError, KeyError) as error:
            run.status = "skipped"
            run.note = f"no inbound pipeline at {spec} yet ({type(error).__name__}: {error})"
            return run

        def deliver(_state, raw: bytes, reply: dict):
            return receive(raw, envelope_from=reply["from"], envelope_to=[reply["to"]])

        make_state = lambda: None  # noqa: E731
        cleanup = _closing_connection

    def operation(state, rng):
        reply = rng.choice(fixture.replies)
        return deliver(state, reply_message(reply, rng), reply)

    return drive(run, operation, make_state, max_operations, max_seconds, cleanup=cleanup)


def through_inbound_pipeline(raw: bytes, *, envelope_from: str, envelope_to: list[str]) -> str | None:
    """The default inbound hook: store the mail as a door does, then process it as the worker does."""
    from gehoord.inbound import pipeline
    from gehoord.mail.models import InboundMail

    received = pipeline.receive(raw, source=InboundMail.Source.SMTP, envelope_from=envelope_from,
                               envelope_to=envelope_to, enqueue=False)
    pipeline.process(received.inbound.pk)
    row = InboundMail.objects.filter(pk=received.inbound.pk).values("state", "result").first()
    if row["state"] == InboundMail.State.DONE and row["result"] == InboundMail.Result.MESSAGE:
        return None
    detail = InboundMail.objects.filter(pk=received.inbound.pk).values_list("triage_reason", "last_error").first()
    return f"the reply ended {row['state']} {row['result']!r}: {' '.join(part for part in detail if part)[:200]}"


def reply_message(reply: dict, rng: random.Random) -> bytes:
    """A consumer's reply as a mail client writes it: In-Reply-To, the tag in the subject, a quote."""
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    message = EmailMessage()
    message["From"] = f"{reply['name']} <{reply['from']}>"
    message["To"] = reply["to"]
    message["Subject"] = f"Re: {reply['subject']}"
    message["Date"] = format_datetime(datetime.datetime.now(datetime.UTC))
    message["Message-ID"] = make_msgid(domain=reply["from"].rpartition("@")[2] or "example.nl")
    message["In-Reply-To"] = f"<{reply['in_reply_to']}>"
    message["References"] = f"<{reply['in_reply_to']}>"
    if reply["language"] == "nl":
        text = rng.choice((
            "Dank voor uw bericht. Hierbij nog een foto van de schade; het typeplaatje zit aan de onderkant.",
            "Ik heb nog steeds niets ontvangen. Wanneer kan ik de vervanging verwachten?",
        ))
        quote = f"Op {datetime.date.today():%d-%m-%Y} om 10:12 schreef {reply['to']}:\n"
    else:
        text = rng.choice((
            "Thank you. Please find another photo of the damage; the rating plate is on the underside.",
            "I still have not received anything. When can I expect the replacement?",
        ))
        quote = f"On {datetime.date.today():%d %b %Y}, at 10:12, {reply['to']} wrote:\n"
    original = "> " + "\n> ".join(("Dear customer,", "", f"Your reference is {reply['reference']}.", ""))
    message.set_content(f"{text}\n\n{reply['name']}\n\n{quote}{original}\n")
    return bytes(message)


def _ceiling(run: Run, max_operations: int, max_seconds: float, fixture: Fixture) -> Run:
    """The rows filing one complaint writes — the complaint, its deadlines, the received and
    acknowledged events, the acknowledgement mail and its delivery task — inserted with plain SQL
    in one transaction per complaint: what the database can take with nothing in front of it."""
    from django.db import connection

    rows = CeilingRows(fixture)
    url = os.environ["DATABASE_URL"]
    if connection.vendor == "postgresql":
        import psycopg

        def make_state():
            return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=False)

        placeholder = "%s"
    else:
        import sqlite3

        path = connection.settings_dict["NAME"]

        def make_state():
            db = sqlite3.connect(path, timeout=20, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            return db

        placeholder = "?"

    statements = rows.statements(placeholder, returning=connection.vendor == "postgresql")

    def operation(db, rng):
        rows.insert(db, statements, rng, postgres=connection.vendor == "postgresql")
        return None

    def cleanup(db):
        db.close()

    return drive(run, operation, make_state, max_operations, max_seconds, cleanup=cleanup)


class CeilingRows:
    """The same rows file_complaint writes for an auto-acknowledged complaint, as plain SQL."""

    def __init__(self, fixture: Fixture):
        from django_tasks_db.models import DBTaskResult

        from gehoord.complaints.models import Complaint, Event
        from gehoord.mail.models import OutboundMail
        from gehoord.organisations.models import Organisation
        from gehoord.policies.models import Deadline, PolicyVersion
        from gehoord.server.gendata import Table

        organisation = Organisation.objects.get(pk=fixture.organisation_id)
        self.policy = PolicyVersion.objects.current(organisation)
        self.organisation = organisation
        self.category_id = organisation.categories.filter(slug=fixture.category).values_list("id", flat=True).first()
        self.tables = {
            "complaint": Table(Complaint, (
                "organisation_id", "public_id", "reference", "channel", "category_id", "description", "field_values",
                "order_number", "product", "contact_name", "contact_email", "contact_language", "policy_id",
                "visibility", "stage", "status", "received_at", "acknowledged_at", "updated_at", "next_deadline_at",
            )),
            "deadline": Table(Deadline, (
                "complaint_id", "kind", "stage", "rule_data", "anchored_at", "due_at", "target_at", "remind_at",
                "met_at", "next_check_at",
            )),
            "event": Table(Event, (
                "complaint_id", "kind", "created_at", "actor_kind", "actor_label", "consumer_visible", "data",
            )),
            "mail": Table(OutboundMail, (
                "complaint_id", "kind", "to_address", "language", "subject", "body_text", "message_id", "automatic",
                "state", "created_at",
            )),
            "task": Table(DBTaskResult, (
                "id", "status", "enqueued_at", "args_kwargs", "priority", "task_path", "queue_name", "backend_name",
                "run_after", "exception_class_path", "traceback",
            )),
        }
        spec = self.policy.spec
        self.rules = [rule for rule in spec.rules if rule.stage == 1 and rule.anchor in ("received", "acknowledged")]
        self.rule_data = {id(rule): json.dumps(rule.to_dict()) for rule in self.rules}

    def statements(self, placeholder: str, returning: bool) -> dict[str, str]:
        from django.db import connection

        statements = {}
        for name, table in self.tables.items():
            columns = ", ".join(connection.ops.quote_name(_column_name(table, c)) for c in table.all_columns)
            marks = ", ".join([placeholder] * len(table.all_columns))
            statements[name] = f"INSERT INTO {table.sql_name} ({columns}) VALUES ({marks})"
        if returning:
            statements["complaint"] += " RETURNING id"
        return statements

    def insert(self, db, statements: dict[str, str], rng: random.Random, postgres: bool) -> None:
        from gehoord.complaints.references import new_reference
        from gehoord.policies.rules import schedule

        now = datetime.datetime.now(datetime.UTC)
        stamp = now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f")
        reference = new_reference(now.year)
        description = ("Bij de levering bleek de verpakking beschadigd en zat er een flinke kras in het product. "
                       * rng.randint(2, 6)).strip()
        deadlines = []
        nearest = None
        for rule in self.rules:
            planned = schedule(self.policy.spec.calendar, rule, now)
            met = rule.kind == "acknowledge"
            if not met:
                nearest = planned.due_at if nearest is None else min(nearest, planned.due_at)
            check = None if met else min(d for d in (planned.remind_at, planned.due_at) if d)
            deadlines.append((rule, planned, met, check))

        def t(value):
            if value is None or postgres:
                return value
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")

        tables = self.tables
        cursor = db.cursor()
        if not postgres:  # psycopg opens its transaction by itself
            cursor.execute("BEGIN IMMEDIATE")
        try:
            values = (
                self.organisation.pk, reference, reference, "api", self.category_id, description, "{}",
                f"BENCH-{uuid.uuid4().hex[:10].upper()}", "Boxspring Oslo 160x200", "Bench Consument",
                f"bench-{uuid.uuid4().hex[:12]}@example.nl", "nl", self.policy.pk, "private", 1, "acknowledged",
                stamp, stamp, stamp, t(nearest),
            ) + tables["complaint"].defaults
            cursor.execute(statements["complaint"], values)
            complaint_id = cursor.fetchone()[0] if postgres else cursor.lastrowid
            for rule, planned, met, check in deadlines:
                cursor.execute(statements["deadline"], (
                    complaint_id, rule.kind.value, 1, self.rule_data[id(rule)], stamp, t(planned.due_at),
                    t(planned.target_at), t(planned.remind_at), stamp if met else None, t(check),
                ) + tables["deadline"].defaults)
            for kind, data in (("received", {"channel": "api", "attachments": 0}),
                               ("acknowledged", {"reference": reference, "stage": 1})):
                cursor.execute(statements["event"], (
                    complaint_id, kind, stamp, "api" if kind == "received" else "system",
                    "API: bench" if kind == "received" else "Gehoord", True, json.dumps(data),
                ) + tables["event"].defaults)
            cursor.execute(statements["mail"], (
                complaint_id, "acknowledgement", "bench@example.nl", "nl", f"[{reference}] Wij hebben uw klacht ontvangen",
                "Beste Bench Consument,\n\nWij hebben uw klacht ontvangen. " * 8,
                f"{reference}.{secrets.token_hex(8)}@gehoord.localhost", True, "queued", stamp,
            ) + tables["mail"].defaults)
            task_id = uuid.uuid4()
            cursor.execute(statements["task"], (
                task_id if postgres else task_id.hex, "READY", stamp, json.dumps({"args": [complaint_id], "kwargs": {}}),
                0, "gehoord.mail.tasks.deliver", "default", "default",
                datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC) if postgres else "9999-01-01 00:00:00", "", "",
            ) + tables["task"].defaults)
        except BaseException:
            db.rollback() if postgres else cursor.execute("ROLLBACK")
            raise
        db.commit() if postgres else cursor.execute("COMMIT")


def _column_name(table, attname: str) -> str:
    for model_field in table.model._meta.concrete_fields:
        if model_field.attname == attname:
            return model_field.column
    raise KeyError(attname)


if __name__ == "__main__":
    sys.exit(main())
