"""The benchmark's CPU accounting (bench/run.py's CpuMeter) reads what the kernel charged to real processes."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")

# Burns about 0.4 s of CPU, says so, then idles until it is stopped.
BURNER = """
import sys, time
end = time.process_time() + 0.4
while time.process_time() < end:
    pass
print("done", flush=True)
time.sleep(60)
"""


@pytest.fixture(scope="module")
def bench_run():
    if "bench_run" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_run"]


def test_the_cpu_a_process_burns_between_two_snapshots_is_charged_to_its_group_per_operation(bench_run):
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    burner = subprocess.Popen([sys.executable, "-c", BURNER], stdout=subprocess.PIPE, text=True)
    try:
        meter = bench_run.CpuMeter({"busy": lambda: [burner.pid], "idle": lambda: [idle.pid]})
        before = meter.snapshot()
        assert burner.stdout.readline().strip() == "done"
        after = meter.snapshot()
    finally:
        burner.kill()
        idle.kill()
        burner.wait()
        idle.wait()

    spent = bench_run.CpuMeter.spent(before, after)
    # The start of the interpreter before the first snapshot is not counted; the 0.4 s burnt after it are.
    assert 0.3 <= spent["busy"] <= 1.5, spent
    assert spent["idle"] < 0.05, spent
    each = bench_run.CpuMeter.per_operation(before, after, operations=100)
    assert each["busy"] == pytest.approx(spent["busy"] * 10, abs=0.01)
    assert each["total"] == pytest.approx((spent["busy"] + spent["idle"]) * 10, abs=0.01)


def test_a_process_that_started_between_the_snapshots_counts_whole_and_one_that_ended_reads_as_nothing(bench_run):
    assert bench_run.cpu_seconds(2**22 + 12345) is None  # above pid_max: no such process

    spent = bench_run.CpuMeter.spent({"web": {10: 1.0, 11: 5.0}}, {"web": {10: 1.5, 12: 0.25}})

    assert spent == {"web": pytest.approx(0.75)}
