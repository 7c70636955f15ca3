"""Keeping the processes of `gehoord serve` running: a child that ends is started again, the others go on.

A child that keeps dying waits longer before each new start (1, 2, 4, … seconds, at most a minute);
one that ran for a while starts again after a second. Each child runs in a process group of its
own: a Ctrl-C in the terminal then reaches only the supervisor, which stops every child with one
SIGTERM (a task worker takes a second signal as "abandon the task in hand"), and whatever a child
leaves behind when it dies (granian's worker processes) is killed with its group before the child
starts again, so that nothing stale keeps the port.
"""

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

FIRST_RESTART_DELAY = 1.0
LONGEST_RESTART_DELAY = 60.0
# A child that ran this long counts as healthy: its next start is quick again.
HEALTHY_AFTER = 60.0
STOP_TIMEOUT = 10.0


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float = 0.0

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    def __init__(self, children: list[Child], *, log: Callable[[str], None], poll_interval: float = 0.5) -> None:
        self.children = children
        self.log = log
        self.poll_interval = poll_interval
        self.stopping = False

    def request_stop(self, *_) -> None:
        self.stopping = True

    def run(self) -> None:
        """Start every child and keep them running until `request_stop` (e.g. from a signal handler)."""
        for child in self.children:
            self._start(child)
        try:
            while not self.stopping:
                now = time.monotonic()
                for child in self.children:
                    if child.process is not None and child.process.poll() is not None:
                        self._ended(child, now)
                    elif child.process is None and now >= child.restart_at:
                        self._start(child)
                time.sleep(self.poll_interval)
        finally:
            self._stop_all()

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(child.command, process_group=0)
        child.started_at = time.monotonic()
        self.log(f"{child.name} started (pid {child.process.pid})")

    def _ended(self, child: Child, now: float) -> None:
        lived = now - child.started_at
        child.quick_deaths = child.quick_deaths + 1 if lived < HEALTHY_AFTER else 1
        delay = min(FIRST_RESTART_DELAY * 2 ** (child.quick_deaths - 1), LONGEST_RESTART_DELAY)
        self.log(
            f"{child.name} (pid {child.process.pid}) ended with {_describe(child.process.returncode)} "
            f"after {lived:.0f} s; starting it again in {delay:.0f} s"
        )
        _kill_group(child.process)
        child.process = None
        child.restart_at = now + delay

    def _stop_all(self) -> None:
        running = [child for child in self.children if child.running()]
        for child in running:
            child.process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in running:
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                self.log(f"{child.name} (pid {child.process.pid}) did not stop within {STOP_TIMEOUT:.0f} s: killed")
        for child in self.children:
            if child.process is not None:
                _kill_group(child.process)
                child.process.wait()


def _kill_group(process: subprocess.Popen) -> None:
    """Kill what is left of the child's process group (the child itself, if it still runs)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # the group is empty: nothing was left behind
        pass


def _describe(returncode: int) -> str:
    if returncode < 0:
        return f"signal {-returncode} ({signal.strsignal(-returncode)})"
    return f"exit status {returncode}"
