"""The platform tests' report: the screening set's precision and recall show in `make test`'s
output (test_screening_quality.py measures them and leaves the table here)."""

import pytest

SCREENING_QUALITY = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    table = config.stash.get(SCREENING_QUALITY, None)
    if table:
        terminalreporter.section("screening quality")
        terminalreporter.write_line(table)
