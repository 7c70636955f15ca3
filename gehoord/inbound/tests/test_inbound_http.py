"""The HTTP door: POST /api/v1/inbound-mail with the raw MIME message as the body, as mail
providers' inbound hooks deliver it, authenticated by the shared secret."""

import pytest
from django.test import Client

from gehoord.complaints.models import Complaint
from gehoord.mail.models import InboundMail
from gehoord.mail.tests.support import make_mail

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-secret-for-the-mail-provider"
URL = "/api/v1/inbound-mail"


@pytest.fixture
def secret(settings):
    settings.GEHOORD_INBOUND_SECRET = SECRET


def post(raw: bytes, secret: str | None = SECRET, content_type: str = "message/rfc822"):
    headers = {"HTTP_X_GEHOORD_INBOUND_SECRET": secret} if secret is not None else {}
    return Client().post(URL, data=raw, content_type=content_type, **headers)


def test_a_raw_message_is_stored_and_processed(acme, secret, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(make_mail(subject="Kapotte lamp", message_id="<http-1@example.nl>"))

    assert response.status_code == 202
    assert response.json() == {"message_id": "http-1@example.nl", "duplicate": False, "state": "received"}
    stored = InboundMail.objects.get()
    assert (stored.source, stored.state) == ("http", "done")
    assert Complaint.objects.get().contact_email == "carol@example.nl"


def test_the_same_message_again_answers_200_and_stores_nothing_new(acme, secret):
    raw = make_mail(message_id="<http-2@example.nl>")
    post(raw)

    again = post(raw)

    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert InboundMail.objects.count() == 1


@pytest.mark.parametrize("given", [None, "", "wrong-secret"])
def test_without_the_right_secret_nothing_is_stored(acme, secret, given):
    assert post(make_mail(), secret=given).status_code == 401
    assert not InboundMail.objects.exists()


def test_without_a_configured_secret_the_endpoint_accepts_nothing(acme, settings):
    settings.GEHOORD_INBOUND_SECRET = ""

    assert post(make_mail(), secret="").status_code == 401
    assert not InboundMail.objects.exists()


def test_a_message_larger_than_forms_may_be_is_accepted_and_one_over_the_limit_is_not(acme, secret, settings):
    big = make_mail(attachments=[("scan.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * (6 * 2**20))])
    assert post(big).status_code == 202  # more than DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB)

    settings.GEHOORD_MAX_INBOUND_BYTES = 1024
    assert post(big).status_code == 413


def test_an_empty_body_is_refused(acme, secret):
    assert post(b"").status_code == 400
