"""Mail loops and noise: auto-replies and bounces are recorded but never answered and never reopen
a complaint; a bounce stops mail to the address; every automatic mail says so; no address gets
more than the day's limit of automatic mails, and no organisation more than the hour's limits of
complaints opened by mail, whatever happens."""

import datetime
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.db import transaction

from gehoord.complaints import actions
from gehoord.complaints.models import Complaint, Message, Status
from gehoord.complaints.tests.test_references import concurrent_writers, run_at_once
from gehoord.inbound import pipeline
from gehoord.mail import outbound
from gehoord.mail.models import (
    AutomaticMailCount,
    ComplaintsByMailCount,
    FailingAddress,
    InboundMail,
    OutboundMail,
    ReplyAddress,
)
from gehoord.mail.tests.support import deliver_raw, make_mail

pytestmark = pytest.mark.django_db


def reply_address(complaint) -> str:
    return f"reply+{ReplyAddress.objects.get(complaint=complaint).token}@gehoord.localhost"


def out_of_office(complaint) -> bytes:
    ack = OutboundMail.objects.get(complaint=complaint, kind="acknowledgement")
    return make_mail(
        to=reply_address(complaint), subject=f"Automatisch antwoord: {ack.subject}",
        body="Ik ben met vakantie tot 12 januari.", in_reply_to=ack.message_id,
        headers={"Auto-Submitted": "auto-replied"},
    )


def bounce_of(mail: OutboundMail, *, status: str = "5.1.1") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.nl>\r\n"
        "To: klachten@gehoord.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.nl>\r\n"
        "Date: Mon, 01 Mar 2027 10:00:00 +0100\r\n"
        "Return-Path: <>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\n"
        f"<{mail.to_address}>: host mx.example.nl said: 550 {status} User unknown\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.nl\r\n\r\n"
        f"Final-Recipient: rfc822; {mail.to_address}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Acme <klachten@gehoord.localhost>\r\nTo: {mail.to_address}\r\nSubject: {mail.subject}\r\n"
        f"Message-ID: <{mail.message_id}>\r\n\r\n"
        "--B--\r\n"
    ).encode()


def test_an_out_of_office_is_recorded_on_the_complaint_and_not_answered(complaint):
    mails_before = OutboundMail.objects.count()

    stored = deliver_raw(out_of_office(complaint))

    assert (stored.state, stored.result, stored.complaint) == ("done", "auto_reply", complaint)
    event = complaint.events.get(kind="auto_reply_received")
    assert event.data["text"].startswith("Ik ben met vakantie")
    assert not event.consumer_visible
    assert not Message.objects.exists()
    assert OutboundMail.objects.count() == mails_before


def test_an_auto_reply_does_not_answer_an_information_request(complaint, as_alice):
    actions.ask_info(complaint, by=as_alice, question="Welke maat?")

    deliver_raw(out_of_office(complaint))

    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_CONSUMER


def test_noise_never_reopens_a_closed_complaint(complaint, as_alice):
    actions.start(complaint, by=as_alice)
    actions.close(complaint, by=as_alice, letter=actions.LetterInput("Gekeken.", "Geen fout.", "Afgewezen."))
    mails_before = OutboundMail.objects.count()

    deliver_raw(out_of_office(complaint))

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert OutboundMail.objects.count() == mails_before


def test_an_auto_reply_to_the_desk_address_opens_no_complaint(acme):
    stored = deliver_raw(make_mail(sender="robot@example.com", subject="Out of office",
                                   body="I am away.", headers={"Auto-Submitted": "auto-replied"}))

    assert stored.state == "ignored"
    assert not Complaint.objects.exists()
    assert not OutboundMail.objects.exists()


def test_a_bounce_marks_the_address_failing_and_nothing_more_is_sent_to_it(complaint, as_alice):
    acknowledgement = OutboundMail.objects.get(complaint=complaint, kind="acknowledgement")

    stored = deliver_raw(bounce_of(acknowledgement))

    assert (stored.result, stored.complaint, stored.matched_by) == ("bounce", complaint, "thread")
    failing = FailingAddress.objects.get(address="carol@example.nl")
    assert (failing.status, failing.inbound) == ("5.1.1", stored)
    acknowledgement.refresh_from_db()
    assert acknowledgement.state == "failed" and acknowledgement.last_error.startswith("bounced: 5.1.1")
    event = complaint.events.get(kind="bounce_received")
    assert event.data["failed_recipients"] == ["carol@example.nl"]
    assert event.data["permanent"] is True

    actions.add_message(complaint, by=as_alice, body="Wij sturen een nieuwe lattenbodem.")

    answer = OutboundMail.objects.get(kind="staff_message")
    assert answer.state == "failed"
    assert "carol@example.nl is failing" in answer.last_error
    # Both failures show on the timeline, through the one path a mail fails by.
    failed = {event.data["mail_kind"]: event for event in complaint.events.filter(kind="mail_failed")}
    assert set(failed) == {"acknowledgement", "staff_message"}
    assert failed["acknowledgement"].data["reason"] == acknowledgement.last_error
    assert failed["staff_message"].data["reason"] == answer.last_error
    complaint.refresh_from_db()
    assert complaint.status in Status.values  # a bounce changes no status


def test_a_person_writing_from_a_failing_address_clears_it(complaint):
    deliver_raw(bounce_of(OutboundMail.objects.get(complaint=complaint, kind="acknowledgement")))

    deliver_raw(make_mail(to=reply_address(complaint), body="Mijn mailbox werkt weer."))

    assert not FailingAddress.objects.exists()


def test_a_delay_warning_does_not_mark_the_address_failing(complaint):
    deliver_raw(bounce_of(OutboundMail.objects.get(complaint=complaint, kind="acknowledgement"), status="4.4.1"))

    assert not FailingAddress.objects.exists()
    assert complaint.events.get(kind="bounce_received").data["permanent"] is False


def test_no_address_gets_more_than_the_days_limit_of_automatic_mails(complaint, as_alice, time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC), tick=False)
    OutboundMail.objects.all().delete()
    for _ in range(41):
        outbound.send_closing(complaint)

    states = list(OutboundMail.objects.order_by("id").values_list("state", flat=True))
    assert states == ["queued"] * 40 + ["suppressed"]
    suppressed = OutboundMail.objects.get(state="suppressed")
    assert "already got 40 automatic mails today" in suppressed.last_error
    assert complaint.events.get(kind="mail_suppressed").data["outbound_id"] == suppressed.pk

    # A person's answer is not automatic: it is never held back.
    actions.add_message(complaint, by=as_alice, body="Persoonlijk antwoord.")
    assert OutboundMail.objects.get(kind="staff_message").state == "queued"

    time_machine.move_to(datetime.datetime(2027, 3, 2, 0, 1, tzinfo=datetime.UTC), tick=False)
    outbound.send_closing(complaint)
    assert OutboundMail.objects.latest("id").state == "queued"


def test_a_failing_address_gets_no_acknowledgement_and_it_is_not_counted(acme, complaint):
    from conftest import carol_complaint

    deliver_raw(bounce_of(OutboundMail.objects.get(complaint=complaint, kind="acknowledgement")))

    second = carol_complaint(acme, description="Nog een klacht.")

    acknowledgement = OutboundMail.objects.get(complaint=second, kind="acknowledgement")
    assert acknowledgement.state == "failed"
    assert "carol@example.nl is failing" in acknowledgement.last_error
    assert second.events.get(kind="mail_failed").data["reason"] == acknowledgement.last_error
    # Only the first complaint's acknowledgement, sent before the bounce, counts against the limit.
    assert AutomaticMailCount.objects.get(address="carol@example.nl").count == 1


@concurrent_writers
def test_writers_at_once_cannot_pass_the_days_limit_together(complaint):
    """Sixteen writers send five automatic mails each to Carol at once: 80 tries for 40 places."""
    AutomaticMailCount.objects.all().delete()  # so that the writers also race to make the day's row

    def send_five(n):
        for _ in range(5):
            with transaction.atomic():
                outbound.send_closing(complaint)

    errors = run_at_once(16, send_five)

    assert errors == []
    states = Counter(OutboundMail.objects.filter(kind="closing").values_list("state", flat=True))
    assert states == {"sent": 40, "suppressed": 40}  # the tests' task backend delivers at once
    assert AutomaticMailCount.objects.get(address="carol@example.nl").count == 40


def test_the_limit_is_a_setting(complaint, settings):
    settings.GEHOORD_AUTOMATIC_MAILS_PER_DAY = 2
    for _ in range(2):
        outbound.send_closing(complaint)

    # The acknowledgement of the fixture was the first of the day.
    assert list(OutboundMail.objects.order_by("id").values_list("state", flat=True)) == ["queued", "queued", "suppressed"]


def test_every_automatic_mail_says_so_and_a_persons_mail_does_not(complaint, as_alice):
    actions.add_message(complaint, by=as_alice, body="Persoonlijk.")

    assert OutboundMail.objects.get(kind="acknowledgement").auto_submitted == "auto-generated"
    assert OutboundMail.objects.get(kind="staff_message").auto_submitted == ""


def test_a_robot_that_answers_everything_gets_one_acknowledgement_and_no_more(acme):
    first = deliver_raw(make_mail(sender="noreply-robot@example.com", subject="Order status",
                                  body="Your order has shipped and is on its way to you now."))
    acknowledgement = OutboundMail.objects.get(kind="acknowledgement")
    assert acknowledgement.auto_submitted == "auto-replied"

    # The robot sends no auto headers and answers our acknowledgement like a person would.
    for round in range(3):
        deliver_raw(make_mail(sender="noreply-robot@example.com", subject=f"Re: {acknowledgement.subject}",
                              body=f"Your order has shipped ({round}).", in_reply_to=acknowledgement.message_id))

    assert OutboundMail.objects.count() == 1
    assert first.complaint.messages.count() == 3


def test_the_queue_can_show_which_complaints_have_mail_trouble(acme, complaint):
    from conftest import carol_complaint
    from gehoord.mail.queries import with_mail_trouble

    fine = carol_complaint(acme, contact_email="dirk@example.nl")
    deliver_raw(bounce_of(OutboundMail.objects.get(complaint=complaint, kind="acknowledgement")))

    rows = {row.pk: (row.mail_failed, row.address_failing) for row in with_mail_trouble(Complaint.objects.all())}
    assert rows == {complaint.pk: (True, True), fine.pk: (False, False)}


def test_a_bounce_for_an_address_we_never_wrote_to_marks_nothing(complaint):
    forged = OutboundMail(to_address="stranger@example.org", subject="Hallo", message_id="never-sent@example.org")

    deliver_raw(bounce_of(forged))

    assert not FailingAddress.objects.exists()


# -- new complaints by mail: the hourly caps --------------------------------------------------

NINE_O_CLOCK = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)


def new_complaint_mail(sender: str, text: str = "Mijn bestelling is beschadigd aangekomen.", **kwargs) -> bytes:
    return make_mail(sender=sender, subject=kwargs.pop("subject", "Klacht"), body=text, **kwargs)


def test_a_robot_answering_from_a_new_address_each_time_is_stopped_by_the_hourly_cap(acme, time_machine):
    """Found before the cap: 30 rounds of 30, each a complaint and an acknowledgement. The robot
    sends no auto headers, a neutral subject and no thread headers, from a new address each round,
    and answers whatever we send it."""
    time_machine.move_to(NINE_O_CLOCK, tick=False)
    rounds, address = 0, "robot-0@robots.example"
    while rounds < 30:
        last = deliver_raw(new_complaint_mail(address, f"Your order {rounds} has been updated, see the status page.",
                                              subject="Order update"))
        rounds += 1
        if not OutboundMail.objects.filter(to_address=address).exists():
            break  # nothing came back: the robot has nothing to answer
        address = f"robot-{rounds}@robots.example"

    assert rounds == 21  # the default cap per sender domain, then silence
    assert Complaint.objects.count() == OutboundMail.objects.filter(kind="acknowledgement").count() == 20
    # Kept and waiting for a person, never answered.
    assert (last.state, last.complaint, last.organisation) == ("triage", None, acme)
    assert last.triage_reason == "the hourly limit of new complaints by mail from the sender's domain is reached"
    assert b"Your order 20 has been updated" in bytes(last.raw)
    assert not OutboundMail.objects.filter(to_address="robot-20@robots.example").exists()


def test_past_the_hourly_cap_of_an_organisation_mail_waits_in_triage_until_the_next_hour(
    acme, other, complaint, as_alice, settings, time_machine
):
    settings.GEHOORD_MAIL_COMPLAINTS_PER_HOUR = 3
    time_machine.move_to(NINE_O_CLOCK, tick=False)
    opened = [deliver_raw(new_complaint_mail(f"klant@domein{n}.example")) for n in range(3)]

    held = deliver_raw(new_complaint_mail("dirk@example.nl", "De kast is kapot."))

    assert [mail.result for mail in opened] == ["new_complaint"] * 3
    assert (held.state, held.triage_reason) == ("triage", "the hourly limit of new complaints by mail is reached")
    assert not OutboundMail.objects.filter(to_address="dirk@example.nl").exists()
    # The cap is Acme's: another organisation's desk address still opens complaints.
    assert deliver_raw(new_complaint_mail("dirk@example.nl", to="klachten@other.example")).result == "new_complaint"
    # It holds back new complaints only: Carol's mail about her complaint still reaches it.
    reply = deliver_raw(make_mail(subject=f"[{complaint.reference}]", body="Nog nieuws?"))
    assert (reply.result, reply.complaint) == ("message", complaint)
    # A person may open the held mail as a complaint (a deliberate choice, not capped).
    from gehoord.mail import received

    dirks = received.open_from_triage(held.pk, acme, by=as_alice, contact_name="Dirk", contact_email="dirk@example.nl",
                                      contact_language="nl")
    assert "De kast is kapot." in dirks.description

    time_machine.move_to(NINE_O_CLOCK + datetime.timedelta(hours=1), tick=False)
    assert deliver_raw(new_complaint_mail("eva@example.nl")).result == "new_complaint"


def test_past_the_hourly_cap_of_a_sender_domain_other_domains_still_open_complaints(acme, settings, time_machine):
    settings.GEHOORD_MAIL_COMPLAINTS_PER_DOMAIN_PER_HOUR = 2
    time_machine.move_to(NINE_O_CLOCK, tick=False)
    opened = [deliver_raw(new_complaint_mail(sender)) for sender in ("a@robots.example", "B@Robots.Example")]

    held = deliver_raw(new_complaint_mail("c@ROBOTS.example"))
    elsewhere = deliver_raw(new_complaint_mail("carol@example.nl"))

    assert [mail.result for mail in opened] == ["new_complaint"] * 2
    assert (held.state, held.triage_reason) == (
        "triage", "the hourly limit of new complaints by mail from the sender's domain is reached"
    )
    assert elsewhere.result == "new_complaint"
    counts = dict(ComplaintsByMailCount.objects.values_list("sender_domain", "count"))
    assert counts == {"": 3, "robots.example": 2, "example.nl": 1}  # the held mail counted nowhere


def test_a_mail_whose_processing_failed_counts_once_when_it_is_processed_again(acme, monkeypatch):
    real = pipeline.file_complaint

    def crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(pipeline, "file_complaint", crash)
    stored = deliver_raw(new_complaint_mail("carol@example.nl"))
    assert stored.state == "failed"
    assert not ComplaintsByMailCount.objects.exists()  # rolled back with the rest

    monkeypatch.setattr(pipeline, "file_complaint", real)
    pipeline.retry(older_than_seconds=0)

    assert dict(ComplaintsByMailCount.objects.values_list("sender_domain", "count")) == {"": 1, "example.nl": 1}


@concurrent_writers
@pytest.mark.parametrize("cap", ["organisation", "sender_domain"])
def test_workers_at_once_cannot_pass_the_hourly_cap_together(acme, settings, time_machine, cap):
    """Sixteen workers each process one mail that would open a complaint, at once: 16 tries for 5 places."""
    time_machine.move_to(NINE_O_CLOCK, tick=False)
    if cap == "organisation":
        settings.GEHOORD_MAIL_COMPLAINTS_PER_HOUR = 5
        senders = [f"klant@domein{n}.example" for n in range(16)]
    else:
        settings.GEHOORD_MAIL_COMPLAINTS_PER_DOMAIN_PER_HOUR = 5
        senders = [f"robot-{n}@robots.example" for n in range(16)]
    stored = [
        pipeline.receive(new_complaint_mail(sender), source="smtp", enqueue=False).inbound.pk for sender in senders
    ]

    errors = run_at_once(16, lambda n: pipeline.process(stored[n]))

    assert errors == []
    states = Counter(InboundMail.objects.values_list("state", flat=True))
    assert states == {"done": 5, "triage": 11}
    assert Complaint.objects.count() == OutboundMail.objects.filter(kind="acknowledgement").count() == 5
    assert ComplaintsByMailCount.objects.get(sender_domain="").count == 5


@pytest.mark.parametrize("variable", ["GEHOORD_MAIL_COMPLAINTS_PER_HOUR", "GEHOORD_MAIL_COMPLAINTS_PER_DOMAIN_PER_HOUR"])
def test_a_wrong_cap_stops_the_start_with_the_variables_name(variable, tmp_path):
    started = subprocess.run(
        [sys.executable, "-c", "import gehoord.settings"],
        env={**os.environ, variable: "0", "GEHOORD_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=60,
    )

    assert started.returncode != 0
    assert f"{variable} must be at least 1, not 0" in started.stderr
