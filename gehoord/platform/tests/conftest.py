"""The platform tests' shared personas (Bakkerij Brood, an e-mail-only company of the registry;
Mona, a moderator) and their report: the screening set's precision and recall show in `make
test`'s output (test_screening_quality.py measures them and leaves the table here)."""

import pytest

from gehoord.complaints.actors import Actor
from gehoord.platform.tests.accounts_support import email_only_company, moderator

SCREENING_QUALITY = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    table = config.stash.get(SCREENING_QUALITY, None)
    if table:
        terminalreporter.section("screening quality")
        terminalreporter.write_line(table)


@pytest.fixture
def bakery(db):
    return email_only_company()


@pytest.fixture
def as_mona(db):
    return Actor.moderator(moderator())
