"""Delivery failures: transient ones retry with exponential backoff until the last attempt, then
the mail fails and the complaint shows it; permanent ones (5xx) fail at once."""

import asyncio
import datetime
import email
import threading

import pytest
from django.db import connection

from gehoord.mail import outbound
from gehoord.mail.models import FailingAddress, OutboundMail
from gehoord.mail.tasks import TAKEN_OVER, deliver, requeue_due, retry_delay, stuck_after
from gehoord.mail.tests.support import Sink, free_port

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def closing(complaint, time_machine):
    """A closing mail to Carol, queued at T0; the acknowledgement before it counts as sent."""
    OutboundMail.objects.update(state=OutboundMail.State.SENT)
    time_machine.move_to(T0, tick=False)
    outbound.send_closing(complaint)
    return OutboundMail.objects.get(kind="closing")


def smtp_to(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 3
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


@pytest.fixture
def refusing_sink(settings):
    sink = Sink(refuse={"carol@example.nl": "550 5.1.1 <carol@example.nl>: Recipient address rejected: User unknown"})
    sink.controller.start()
    smtp_to(settings, sink.port)
    yield sink
    sink.controller.stop()


def test_a_dead_smtp_server_is_retried_with_backoff_and_then_the_failure_shows_on_the_complaint(
    complaint, closing, settings, time_machine
):
    smtp_to(settings, free_port())  # nothing listens there
    settings.GEHOORD_MAIL_MAX_ATTEMPTS = 3
    settings.GEHOORD_MAIL_RETRY_BASE_SECONDS = 60

    assert deliver.call(closing.pk) == "retrying"
    closing.refresh_from_db()
    assert (closing.state, closing.attempts, closing.next_attempt_at) == ("queued", 1, T0 + datetime.timedelta(seconds=60))
    assert "ConnectionRefusedError" in closing.last_error

    time_machine.move_to(T0 + datetime.timedelta(seconds=59), tick=False)
    assert requeue_due() == 0  # not due yet
    assert deliver.call(closing.pk) == "not due"

    time_machine.move_to(T0 + datetime.timedelta(seconds=60), tick=False)
    assert requeue_due() == 1
    closing.refresh_from_db()
    assert (closing.state, closing.attempts) == ("queued", 2)
    assert closing.next_attempt_at == T0 + datetime.timedelta(seconds=60 + 120)  # twice the wait

    time_machine.move_to(closing.next_attempt_at, tick=False)
    assert requeue_due() == 1
    closing.refresh_from_db()
    assert (closing.state, closing.attempts) == ("failed", 3)
    assert closing.last_error.startswith("gave up after 3 attempts; last: ConnectionRefusedError")
    event = complaint.events.get(kind="mail_failed")
    assert event.data["mail_kind"] == "closing"
    assert event.data["to"] == "carol@example.nl"
    assert "gave up after 3 attempts" in event.data["reason"]
    assert not event.consumer_visible
    assert not FailingAddress.objects.exists()  # the server was away, not the address


def test_a_refused_recipient_fails_at_once_and_the_address_stops_getting_mail(complaint, closing, refusing_sink):
    assert deliver.call(closing.pk) == "failed"

    closing.refresh_from_db()
    assert (closing.state, closing.attempts) == ("failed", 1)
    assert "550" in closing.last_error and "User unknown" in closing.last_error
    failing = FailingAddress.objects.get()
    assert (failing.address, failing.status, failing.outbound) == ("carol@example.nl", "550", closing)
    assert complaint.events.filter(kind="mail_failed").count() == 1
    assert refusing_sink.messages == []

    outbound.send_information_request(complaint, message=type("M", (), {"body": "Nog een vraag"})())
    later = OutboundMail.objects.get(kind="information_request")
    assert later.state == "failed"
    assert later.last_error.startswith("not sent: carol@example.nl is failing since")
    assert complaint.events.filter(kind="mail_failed").count() == 2


def test_a_temporary_refusal_is_retried(complaint, closing, settings):
    sink = Sink(refuse={"carol@example.nl": "451 4.7.1 Greylisted, try again later"})
    sink.controller.start()
    try:
        smtp_to(settings, sink.port)
        assert deliver.call(closing.pk) == "retrying"
    finally:
        sink.controller.stop()
    closing.refresh_from_db()
    assert closing.state == "queued" and "451" in closing.last_error
    assert not FailingAddress.objects.exists()


def test_a_worker_that_died_mid_send_leaves_the_mail_to_be_sent_again(complaint, closing, sink, time_machine):
    OutboundMail.objects.filter(pk=closing.pk).update(state="sending", claimed_at=T0, attempts=1)

    assert requeue_due() == 0
    time_machine.move_to(T0 + stuck_after() + datetime.timedelta(seconds=1), tick=False)
    assert requeue_due() == 1

    closing.refresh_from_db()
    assert (closing.state, closing.attempts) == ("sent", 2)
    assert len(sink.wait_for(1)) == 1


class SlowToAnswerSink(Sink):
    """Takes the first message in and keeps its sender waiting for the reply until `answer` is set."""

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply
        self.answer = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        if len(self.messages) > 1:
            return "250 Message accepted"
        while not self.answer.is_set():
            await asyncio.sleep(0.01)
        return self.reply


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_claim_was_handed_on_leaves_the_outcome_to_the_worker_that_took_over(
    complaint, closing, settings, time_machine
):
    # Worker A's relay has the message but answers only after the sweep has handed A's claim on
    # and worker B has sent the mail: A's late "550" must not undo B's delivery.
    # Committed for real here, the fixture's mail went out at once through the test backend: queue it again.
    OutboundMail.objects.filter(pk=closing.pk).update(state="queued", attempts=0, sent_at=None)
    sink = SlowToAnswerSink(reply="550 5.7.1 Message refused")
    sink.controller.start()
    smtp_to(settings, sink.port)
    outcome_of_a = []

    def worker_a():
        try:
            outcome_of_a.append(deliver.call(closing.pk))
        finally:
            connection.close()

    sending = threading.Thread(target=worker_a)
    try:
        sending.start()
        sink.wait_for(1)
        time_machine.move_to(T0 + stuck_after() + datetime.timedelta(seconds=1), tick=False)
        assert requeue_due() == 1  # worker B: claims and sends it (the inline task backend of tests)
        sink.answer.set()
        sending.join(timeout=10)
    finally:
        sink.answer.set()
        sink.controller.stop()

    assert outcome_of_a == [TAKEN_OVER]
    closing.refresh_from_db()
    assert (closing.state, closing.attempts, closing.last_error) == ("sent", 2, "")
    assert closing.claimed_at == T0 + stuck_after() + datetime.timedelta(seconds=1)
    assert not complaint.events.filter(kind="mail_failed").exists()
    # The relay got it twice, as the same message: the at-least-once window, told by the Message-ID.
    copies = [email.message_from_bytes(raw)["Message-ID"] for _, _, raw in sink.messages]
    assert copies == [f"<{closing.message_id}>"] * 2


def test_the_backoff_doubles_up_to_six_hours(settings):
    settings.GEHOORD_MAIL_RETRY_BASE_SECONDS = 300
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [300, 600, 1200, 2400]
    assert retry_delay(20) == datetime.timedelta(hours=6)
