"""Scale-out: two web processes and three task workers on one PostgreSQL, one worker SIGKILLed mid-send.

A small run of bench/scaleout.py (docs/deploy.md) on both task backends: real granian processes,
task workers (`gehoord db_worker`, or `gehoord rqworker` on the Redis server at 127.0.0.1:6379 in a
database number nobody uses, emptied afterwards) and `gehoord sweep`, a real SMTP sink on 127.0.0.1,
this test's database; it stops every process it started, also when it fails. The worker dies while the relay answers RCPT TO, before it has the
message. Killed after the relay has the message, the mail would go out twice with the same
Message-ID (`bench/scaleout.py --kill-at data`; the takeover itself is tested in mail/test_retries).
"""

import importlib.util
import os
import signal
import subprocess
import sys
import time
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
# The broker of the Redis case: the machine's (and CI's) Redis server.
REDIS = os.environ.get("GEHOORD_TEST_REDIS_URL", "redis://127.0.0.1:6379")


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


@pytest.fixture(params=["database", "redis"])
def broker(request, scaleout):
    """Where the tasks wait: "" for the database, else a Redis database number nobody uses (emptied after)."""
    if request.param == "database":
        yield ""
    else:
        with scaleout.empty_redis_database(REDIS) as url:
            yield url


def test_every_acknowledgement_arrives_exactly_once_when_a_worker_dies_before_the_relay_has_it(scaleout, broker):
    outcome = scaleout.demonstrate(this_database_url(), filings=FILINGS, kill_at="rcpt", redis_url=broker)

    assert outcome.holds, outcome.report() + "\n" + outcome.log_tails()
    assert len(outcome.accepted) == len(outcome.expected) == FILINGS
    assert set(outcome.accepted.values()) == set(outcome.ports)  # both web processes filed
    assert sorted(recipient for recipient, _ in outcome.received) == sorted(outcome.accepted)
    assert outcome.copies == {message_id: 1 for message_id in outcome.expected}
    assert outcome.states == {"sent": FILINGS}
    # The killed worker's mail went out once, by a worker that took its claim over.
    assert outcome.killed_mail["state"] == "sent" and outcome.killed_mail["attempts"] == 2
    assert outcome.killed_mail["sent_by"] not in ("", outcome.kill.worker)



def test_on_redis_a_delivery_refused_for_now_is_retried_by_the_workers_scheduler(scaleout, complaint, tmp_path):
    """The retry is a deferred task: on Redis it waits in RQ's scheduled registry until the scheduler
    that `gehoord serve`'s worker command runs moves it to the queue (no sweep runs here)."""
    from gehoord.mail.models import OutboundMail
    from gehoord.mail.tests.support import Sink
    from gehoord.server.workers import task_worker_command

    class RefusingOnce(Sink):
        refused = 0

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if not self.refused:
                self.refused += 1
                return "451 4.7.1 Greylisted, try again later"
            return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    OutboundMail.objects.update(state=OutboundMail.State.SENT)  # the acknowledgement went out (inline) at filing
    gehoord = str(Path(sys.executable).parent / "gehoord")
    sink = RefusingOnce()
    sink.controller.start()
    with scaleout.empty_redis_database(REDIS) as redis_url, open(tmp_path / "worker.log", "wb") as log:
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "gehoord.settings", "DATABASE_URL": this_database_url(),
            "GEHOORD_DATA_DIR": str(tmp_path), "GEHOORD_TASK_BACKEND": "redis", "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}?timeout=5", "GEHOORD_MAIL_RETRY_BASE_SECONDS": "1",
        }
        # Recorded by a process on the Redis backend: the delivery task waits in Redis.
        subprocess.run([gehoord, "shell", "-c", "from gehoord.complaints.models import Complaint; "
                        f"from gehoord.mail import outbound; outbound.send_closing(Complaint.objects.get(pk={complaint.pk}))"],
                       env=env, check=True, timeout=120, capture_output=True)
        worker = subprocess.Popen(task_worker_command(gehoord, backend="redis"), env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            closing = OutboundMail.objects.filter(kind="closing")
            deadline = time.monotonic() + 90
            while not closing.filter(state=OutboundMail.State.SENT).exists() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            sink.controller.stop()

    mail = closing.get()
    assert mail.state == "sent", (mail.state, mail.last_error, (tmp_path / "worker.log").read_text()[-3000:])
    assert mail.attempts == 2 and sink.refused == 1
    assert [recipients for _sender, recipients, _raw in sink.messages] == [["carol@example.nl"]]
