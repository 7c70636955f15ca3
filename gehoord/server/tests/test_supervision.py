"""The supervisor of `gehoord serve`: a child that keeps dying is started again, each time a little later."""

import re
import sys
import threading
import time

from gehoord.server.supervision import Child, Supervisor


def test_a_child_that_keeps_dying_is_started_again_after_one_then_two_then_four_seconds():
    log: list[tuple[float, str]] = []
    crasher = Child("crasher", [sys.executable, "-c", "raise SystemExit(3)"])
    supervisor = Supervisor([crasher], log=lambda line: log.append((time.monotonic(), line)), poll_interval=0.05)
    running = threading.Thread(target=supervisor.run)
    running.start()
    try:
        deadline = time.monotonic() + 30
        while sum("started" in line for _, line in log) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        supervisor.request_stop()
        running.join(timeout=20)

    assert not running.is_alive()
    starts = [at for at, line in log if line.startswith("crasher started")]
    assert len(starts) >= 4, log
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:])]
    for gap, delay in zip(gaps, (1, 2, 4)):
        assert delay <= gap < delay + 3, (gaps, log)  # plus the time the crasher takes to start and die
    ended = [line for _, line in log if " ended " in line]
    for line, delay in zip(ended, (1, 2, 4)):
        expected = rf"crasher \(pid \d+\) ended with exit status 3 after \d+ s; starting it again in {delay} s"
        assert re.fullmatch(expected, line), log
