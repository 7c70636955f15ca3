"""Scale-out: two web processes and three task workers on one PostgreSQL, one worker SIGKILLed mid-send.

A small run of bench/scaleout.py (docs/deploy.md): real granian and `gehoord db_worker` processes
and `gehoord sweep`, a real SMTP sink on 127.0.0.1, this test's database; it stops every process it
started, also when it fails. The worker dies while the relay answers RCPT TO, before it has the
message. Killed after the relay has the message, the mail would go out twice with the same
Message-ID (`bench/scaleout.py --kill-at data`; the takeover itself is tested in mail/test_retries).
"""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several processes writing at once need PostgreSQL"),
    pytest.mark.django_db(transaction=True),  # the other processes must see what this one writes
]

FILINGS = 40


@pytest.fixture(scope="module")
def scaleout():
    if "bench_scaleout" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_scaleout", ROOT / "bench" / "scaleout.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_scaleout"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_scaleout"]


def this_database_url() -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return (f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
            f"/{database['NAME']}")


def test_every_acknowledgement_arrives_exactly_once_when_a_worker_dies_before_the_relay_has_it(scaleout):
    outcome = scaleout.demonstrate(this_database_url(), filings=FILINGS, kill_at="rcpt")

    assert outcome.holds, outcome.report() + "\n" + outcome.log_tails()
    assert len(outcome.accepted) == len(outcome.expected) == FILINGS
    assert set(outcome.accepted.values()) == set(outcome.ports)  # both web processes filed
    assert sorted(recipient for recipient, _ in outcome.received) == sorted(outcome.accepted)
    assert outcome.copies == {message_id: 1 for message_id in outcome.expected}
    assert outcome.states == {"sent": FILINGS}
    # The killed worker's mail went out once, by a worker that took its claim over.
    assert outcome.killed_mail["state"] == "sent" and outcome.killed_mail["attempts"] == 2
    assert outcome.killed_mail["sent_by"] not in ("", outcome.kill.worker)

