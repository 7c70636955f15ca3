"""Asking for a new password: the mail goes through the outbox with its daily limit, and requests are throttled.

Alice, an agent, forgot her password. Her reset mail is recorded as an OutboundMail (no complaint),
delivered by the outbox's task, and its link is built on GEHOORD_BASE_URL whatever the request's
Host header; an address that already got its automatic mails of the day gets none. Requests count
per client address and per e-mail address typed, whether or not an account has that address.
"""

import re

from django.core import mail as django_mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gehoord.mail.models import AutomaticMailCount, FailingAddress, OutboundMail

HOME = "198.51.100.20"


def ask_for_a_new_password(email: str, address: str = HOME, host: str = "testserver") -> int:
    client = Client(headers={"Accept-Language": "en", "Host": host}, REMOTE_ADDR=address)
    return client.post(reverse("password_reset"), {"email": email}).status_code


def test_the_reset_mail_is_recorded_in_the_outbox_and_delivered_by_it(alice, settings, django_capture_on_commit_callbacks):
    settings.GEHOORD_BASE_URL = "https://klachten.acme.example"

    with django_capture_on_commit_callbacks(execute=True):
        assert ask_for_a_new_password("alice@acme.example", host="localhost") == 302

    recorded = OutboundMail.objects.get()
    assert (recorded.kind, recorded.complaint, recorded.to_address) == ("password_reset", None, "alice@acme.example")
    assert (recorded.state, recorded.automatic, recorded.language) == ("sent", True, "en")
    assert recorded.subject == "Choose a new password"
    [sent] = django_mail.outbox  # one message, and it is the outbox's
    assert sent.extra_headers["Message-ID"] == f"<{recorded.message_id}>"
    assert sent.to == ["alice@acme.example"] and sent.body == recorded.body_text
    link = re.search(r"^https://klachten\.acme\.example(/accounts/reset/\S+)$", recorded.body_text, re.MULTILINE)
    assert link, recorded.body_text
    assert "Your username is alice." in recorded.body_text

    # The link works: it leads to the form for the new password.
    client = Client()
    chosen = client.get(link.group(1), follow=True)
    assert chosen.status_code == 200 and "new_password1" in chosen.content.decode()


def test_an_address_that_had_its_automatic_mails_today_gets_no_reset_mail(alice, settings, django_capture_on_commit_callbacks):
    AutomaticMailCount.objects.create(
        address="alice@acme.example", day=timezone.now().date(), count=settings.GEHOORD_AUTOMATIC_MAILS_PER_DAY
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert ask_for_a_new_password("alice@acme.example") == 302

    recorded = OutboundMail.objects.get()
    assert recorded.state == "suppressed" and "automatic mails today" in recorded.last_error
    assert django_mail.outbox == []


def test_an_address_that_bounced_gets_no_reset_mail(alice, django_capture_on_commit_callbacks):
    FailingAddress.objects.create(
        address="alice@acme.example", reason="550 5.1.1 no such user", first_failed_at=timezone.now(),
        last_failed_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert ask_for_a_new_password("alice@acme.example") == 302

    recorded = OutboundMail.objects.get()
    assert recorded.state == "failed" and "is failing" in recorded.last_error
    assert django_mail.outbox == []


def test_requests_for_one_address_are_throttled(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [ask_for_a_new_password("alice@acme.example", address=f"198.51.100.{n}") for n in range(4)]

    assert statuses == [302, 302, 302, 429]
    assert OutboundMail.objects.filter(kind="password_reset").count() == len(django_mail.outbox) == 3


def test_the_refusal_says_why(alice):
    for _ in range(3):
        ask_for_a_new_password("alice@acme.example")

    client = Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=HOME)
    response = client.post(reverse("password_reset"), {"email": "alice@acme.example"})

    assert response.status_code == 429
    assert "Too many requests for a new password. Try again in an hour." in response.content.decode()


def test_requests_from_one_client_address_are_throttled_whatever_address_they_name(alice):
    statuses = [ask_for_a_new_password(f"nobody-{n}@acme.example") for n in range(10)]

    assert statuses == [302] * 10
    assert ask_for_a_new_password("alice@acme.example") == 429
    assert OutboundMail.objects.count() == 0
    assert ask_for_a_new_password("alice@acme.example", address="192.0.2.1") == 302  # Alice, elsewhere
