"""`gehoord serve` keeps the site up when one of its processes dies.

Real processes: `gehoord serve` on a free port of 127.0.0.1 with its own data folder (SQLite),
granian with its workers, the task worker and the sweep. Processes are found through /proc and
killed with SIGKILL, as the OOM killer or a native crash would end them. Every wait is bounded,
and every process the test saw is killed at the end, also when it fails.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc")

GEHOORD = str(Path(sys.executable).parent / "gehoord")


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict[str, str]:
    data_dir = tmp_path_factory.mktemp("serve")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GEHOORD_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="gehoord.settings", GEHOORD_DATA_DIR=str(data_dir))
    subprocess.run([GEHOORD, "migrate", "--no-input", "--verbosity", "0"], env=env, check=True, timeout=180)
    return env


class Serve:
    """One `gehoord serve`, and every process seen under it, for the cleanup."""

    def __init__(self, env: dict[str, str], *arguments: str) -> None:
        self.port = free_port()
        self.log_path = Path(env["GEHOORD_DATA_DIR"]) / f"serve-{self.port}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [GEHOORD, "serve", "--port", str(self.port), *arguments], env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.seen: set[int] = {self.process.pid}

    def children(self, pid: int | None = None) -> dict[int, str]:
        """The live children of `pid` (default: serve itself) with their command lines."""
        found = children_of(pid or self.process.pid)
        self.seen.update(found)
        return found

    def child(self, marker: str) -> int | None:
        """The child whose command line has `marker`; None between its death and its new start."""
        found = [pid for pid, command in self.children().items() if marker in command]
        assert len(found) <= 1, found
        return found[0] if found else None

    def web_workers(self) -> set[int]:
        return set(self.children(self.child("granian")))

    def listening_web_workers(self) -> set[int]:
        """The web workers that accept connections: each listens on a socket of its own (SO_REUSEPORT)."""
        sockets = listening_sockets(self.port)
        return {pid for pid in self.web_workers() if sockets & open_sockets(pid)}

    def answers(self) -> bool:
        # A new worker loads Django on its first request: seconds on a busy machine.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", "/")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_until(self, condition, what: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := condition():
                return value
            if self.process.poll() is not None:
                pytest.fail(f"serve ended ({self.process.returncode}) while waiting for {what}:\n{self.log()}")
            time.sleep(0.2)
        pytest.fail(f"no {what} within {timeout:.0f} s:\n{self.log()}")

    def kill_everything(self) -> None:
        for pid in self.seen:
            for kill in (os.killpg, os.kill):  # the children lead process groups of their own
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if self.process.poll() is None:
            self.process.wait(timeout=10)


@pytest.fixture
def serve(environment):
    started: list[Serve] = []

    def start(*arguments: str) -> Serve:
        server = Serve(environment, *arguments)
        started.append(server)
        server.wait_until(server.answers, "answer from the site", timeout=90)
        return server

    yield start
    for server in started:
        server.kill_everything()


def test_a_dead_web_worker_task_worker_or_web_server_is_replaced_while_the_rest_keeps_running(serve):
    server = serve("--web-workers", "2")
    granian, task_worker, sweep = server.child("granian"), server.child("db_worker"), server.child("sweep")
    workers = server.wait_until(
        lambda: len(found := server.listening_web_workers()) == 2 and found, "two listening web workers"
    )

    dead_worker = min(workers)
    os.kill(dead_worker, signal.SIGKILL)
    server.wait_until(lambda: not alive(dead_worker), "end of the killed web worker", timeout=10)
    server.wait_until(server.answers, "answer from the other web worker", timeout=15)
    replaced = server.wait_until(
        lambda: len(found := server.listening_web_workers()) == 2 and dead_worker not in found and found,
        "replacement of the web worker",
    )
    assert server.child("granian") == granian and server.child("db_worker") == task_worker
    assert server.child("sweep") == sweep

    os.kill(task_worker, signal.SIGKILL)
    new_task_worker = server.wait_until(
        lambda: (pid := server.child("db_worker")) not in (task_worker, None) and pid, "new task worker", timeout=30
    )
    time.sleep(2)  # it keeps running (it is not dying again at start)
    assert server.child("db_worker") == new_task_worker
    assert server.child("granian") == granian and server.child("sweep") == sweep
    assert server.answers()

    # The web server itself: its orphaned workers go with it, and a new one takes the port.
    os.kill(granian, signal.SIGKILL)
    new_granian = server.wait_until(
        lambda: (pid := server.child("granian")) not in (granian, None) and server.answers() and pid, "new web server",
        timeout=60,
    )
    assert not any(alive(pid) for pid in replaced)
    assert server.child("db_worker") == new_task_worker and server.child("sweep") == sweep
    assert len(server.children(new_granian)) == 2

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0, server.log()
    assert [pid for pid in server.seen if alive(pid)] == []
    assert "task worker 1 (pid" in server.log() and "ended with signal 9" in server.log()


def test_granian_replaces_a_web_worker_that_outgrew_its_memory_bound(serve):
    server = serve("--web-workers", "1", "--web-worker-max-rss", "1")  # every worker is above 1 MiB
    (first,) = server.wait_until(server.listening_web_workers, "a listening web worker")

    server.wait_until(lambda: first not in server.web_workers(), "replacement", timeout=60)
    # A connection queued at the old worker may be reset as it stops (without the tcp_migrate_req
    # sysctl, see docs/deploy.md), so the site is asked until it answers.
    server.wait_until(server.answers, "answer from the new worker", timeout=30)
    assert len(server.web_workers()) == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(parent: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        if int(ppid) == parent and state != "Z":
            found[int(entry.name)] = command
    return found


def listening_sockets(port: int) -> set[str]:
    """The inodes of the sockets listening on `port` of 127.0.0.1."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == f"0100007F:{port:04X}" and fields[3] == "0A":
            found.add(fields[9])
    return found


def open_sockets(pid: int) -> set[str]:
    try:
        links = [os.readlink(entry) for entry in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return set()
    return {link[len("socket:["):-1] for link in links if link.startswith("socket:[")}


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
