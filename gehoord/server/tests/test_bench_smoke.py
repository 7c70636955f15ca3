"""The benchmark harness (bench/run.py), run whole at a tiny size, so that it cannot rot.

It runs against a database of its own: on PostgreSQL (when the suite's DATABASE_URL points there)
a uniquely named database created and dropped here, else a temporary SQLite file. The harness
makes the data, serves the app with granian, drives every workload at concurrency 1 and 4, and
writes its JSON result, which must name every workload with zero errors.
"""

import json
import os
import subprocess
import sys
import time
import urllib.parse
import uuid
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RUN = ROOT / "bench" / "run.py"
HTTP_WORKLOADS = {
    "file_api", "file_form", "queue_api", "queue_desk", "complaint_api", "complaint_desk", "search_api",
    "company_page", "public_complaint",
}
WORKLOADS = {
    "file_api", "file_form", "queue_api", "queue_desk", "complaint_api", "complaint_desk", "search_api", "queue_orm",
    "sweep_idle", "sweep_due", "inbound", "ceiling", "company_page", "public_complaint", "reports_desk", "reports_moderation",
    "register_filter", "register_export_csv",
}
# What the smoke run should take on an idle machine; a busy one gets a warning, a hung run a failure.
TARGET_SECONDS = 60
LIMIT_SECONDS = 240


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


@pytest.fixture
def bench_database(tmp_path):
    """DATABASE_URL of an empty database that only this test uses."""
    base = _postgres_url()
    if not base:
        yield f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(base)
    name = f"gehoord_smoke_{uuid.uuid4().hex[:12]}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_harness_runs_every_workload_at_a_tiny_size_without_errors(bench_database, tmp_path):
    env = {**os.environ, "DATABASE_URL": bench_database, "GEHOORD_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the harness runs with the production settings
    command = [
        sys.executable, str(RUN), "--sizes", "200", "--requests", "30", "--duration", "1.5",
        "--concurrency", "1,4", "--single-database", "--out", str(tmp_path / "results"),
    ]
    started = time.monotonic()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=LIMIT_SECONDS)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    if elapsed > TARGET_SECONDS:
        warnings.warn(f"the benchmark smoke run took {elapsed:.0f} s (target {TARGET_SECONDS} s): a busy machine?")

    [result_file] = (tmp_path / "results").glob("*.json")
    report = json.loads(result_file.read_text())
    [size] = report["sizes"]
    assert size["complaints"] == 200 and not size.get("failed")
    assert size["gendata"]["rows"]["complaint"] == 200
    assert size["gendata"]["rows"]["platform_complaint"] == 200  # and 20 companies: the platform's pages have data
    runs = {(run["key"], run["concurrency"]): run for run in size["workloads"]}
    assert set(runs) == {(key, concurrency) for key in WORKLOADS for concurrency in (1, 4)}
    for (key, concurrency), run in runs.items():
        if run["status"] == "skipped":  # a door that is not there yet says why, and is no error
            assert key in {"queue_desk", "complaint_desk", "inbound"} and run["note"], run
            continue
        assert run["status"] == "ok", run
        assert run["errors"] == 0, (key, concurrency, run["error_samples"], size.get("server_log_tail", ""))
        assert run["operations"] > 0, run
        assert 0 < run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"], run
    assert runs[("sweep_due", 1)]["sweep"]["checked"] > 0
    # CPU per operation from the operating system: the web processes for every page, the task worker
    # for filing (until the acknowledgements were sent), the database backends on PostgreSQL.
    on_postgres = bool(_postgres_url())
    for key in HTTP_WORKLOADS - {"queue_desk", "complaint_desk"}:
        cpu = runs[(key, 4)]["cpu_ms"]
        assert cpu["web"] > 0 and cpu["total"] == pytest.approx(cpu["web"] + cpu["db"] + cpu["worker"], abs=0.05)
        if key in ("file_api", "file_form"):  # SQLite has no server process to read
            assert (cpu["db"] > 0) is on_postgres, (key, cpu)
    for key in ("file_api", "file_form"):
        assert runs[(key, 4)]["mails_unsent"] == 0
        assert runs[(key, 4)]["cpu_ms"]["worker"] > 0, runs[(key, 4)]
    assert size["mails_at_sink"] >= sum(runs[(key, c)]["operations"] for key in ("file_api", "file_form") for c in (1, 4))
    assert runs[("inbound", 4)]["cpu_ms"]["app"] > 0
    targets = {(target["key"], target["measure"]): target for target in size["targets"]}
    assert targets[("file_api", "total")]["value"] == runs[("file_api", 4)]["cpu_ms"]["total"]
    assert targets[("web worker", "rss_mb")]["met"] in (True, False)
    assert len(size["memory"]["workers"]) == 2
    assert all(worker["rss_mb"] > 10 for worker in size["memory"]["workers"])
    # The table printed is the JSON's.
    assert "1 file a complaint (API)" in done.stdout and "ops/s" in done.stdout
    assert "file_form: CPU ms per form filing, web + db + worker" in done.stdout


def test_the_harness_refuses_to_run_without_a_database_url():
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run([sys.executable, str(RUN)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "DATABASE_URL is not set" in done.stderr
