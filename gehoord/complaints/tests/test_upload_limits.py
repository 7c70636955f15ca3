"""Form posts that carry files (SPEC 10): the portal's complaint and message forms and the desk's
intake and message forms. A post with more files than one submission may have, or more bytes than
it may carry, has those files refused before any of them is kept, with a message naming each file;
the rest of the form is read, so what was typed stays. Files that pass stream to disk and are
checked and stored from there: a large upload costs the server little memory.

Carol files and writes on the portal; Alice takes a letter and writes on the desk.
"""

import hashlib
import re
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import ClientHandler
from django.urls import reverse

from conftest import carol_complaint
from gehoord.complaints.models import Attachment, Complaint, Message

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MB = 2**20


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf(name: str, size: int = len(PDF)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"\n" * (size - len(PDF)), content_type="application/pdf")


def portal_complaint(client, acme, files):
    page = reverse("portal:complaint_form", args=[acme.slug])
    return client.post(page, {
        "category": "delivery", "description": "De boxspring is kapot aangekomen.", "contact_name": "Carol de Vries",
        "contact_email": "carol@example.nl", "contact_language": "nl", "homepage": "", "attachments": files,
    })


def portal_message(client, acme, files):
    complaint = carol_complaint(acme)
    opened = client.post(reverse("portal:track"), {"reference": complaint.reference, "email": complaint.contact_email})
    assert opened.status_code == 302
    page = reverse("portal:action", args=[complaint.public_id, "message"])
    return client.post(page, {"message-body": "De boxspring is kapot aangekomen.", "message-files": files})


def desk_intake(client, acme, files):
    return client.post(reverse("desk:intake", args=[acme.slug]), {
        "channel": "letter", "category": "delivery", "description": "De boxspring is kapot aangekomen.",
        "contact_name": "Carol de Vries", "contact_email": "carol@example.nl", "contact_phone": "",
        "contact_language": "nl", "attachments": files,
    })


def desk_message(client, acme, files):
    complaint = carol_complaint(acme)
    page = reverse("desk:message", args=[acme.slug, complaint.reference])
    return client.post(page, {"kind": "message", "message-body": "De boxspring is kapot aangekomen.",
                              "message-attachments": files})


DOORS = [
    pytest.param(portal_complaint, 200, id="portal-complaint"),
    pytest.param(portal_message, 200, id="portal-message"),
    pytest.param(desk_intake, 422, id="desk-intake"),
    pytest.param(desk_message, 422, id="desk-message"),
]


@pytest.fixture
def browser(alice):
    """A browser reading English, logged in as Alice for the desk (the portal's pages ignore that)."""
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(alice)
    return client


def assert_nothing_stored_and_the_text_kept(response, media):
    html = response.content.decode()
    assert "De boxspring is kapot aangekomen." in html
    assert not Attachment.objects.exists()
    assert not Message.objects.filter(kind__in=[Message.Kind.CONSUMER, Message.Kind.STAFF]).exists()
    assert Complaint.objects.filter(description="De boxspring is kapot aangekomen.").count() == 0
    assert not [path for path in Path(media).rglob("*") if path.is_file()]


@pytest.mark.parametrize("post, refused_status", DOORS)
def test_files_past_the_tenth_are_refused_by_name(browser, acme, media, post, refused_status):
    files = [pdf(f"bon{number}.pdf") for number in range(11)]

    response = post(browser, acme, files)

    assert response.status_code == refused_status
    html = response.content.decode()
    assert "bon10.pdf: not accepted, at most 10 files can be sent at once." in html
    assert "bon9.pdf: not accepted" not in html
    assert_nothing_stored_and_the_text_kept(response, media)


@pytest.mark.parametrize("post, refused_status", DOORS)
def test_files_of_a_post_larger_than_a_submission_may_be_are_refused_by_name(
    browser, acme, media, settings, post, refused_status
):
    settings.GEHOORD_MAX_SUBMISSION_BYTES = 1 * MB
    files = [pdf("brief.pdf", size=2 * MB), pdf("bon.pdf")]

    response = post(browser, acme, files)

    assert response.status_code == refused_status
    html = response.content.decode()
    for name in ("brief.pdf", "bon.pdf"):
        assert f"{name}: not accepted, the files sent at once may be at most 1 MB together (these were 3 MB)." in html
    assert_nothing_stored_and_the_text_kept(response, media)


def test_the_form_states_the_limits(client, acme):
    html = client.get(reverse("portal:complaint_form", args=[acme.slug]), headers={"Accept-Language": "en"})
    assert "Up to 10 files of at most 25 MB each, 100 MB together." in html.content.decode()


# --- what a large upload costs the server -------------------------------------------------------

BOUNDARY = "gehoord-test-boundary"


def multipart_on_disk(path: Path, fields: dict[str, str], file_field: str, file_name: str, file_size: int) -> int:
    """Writes a form post with one PDF of `file_size` bytes into `path`, a MB at a time; returns its length."""
    with path.open("wb") as body:
        for name, value in fields.items():
            body.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        body.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
        )
        body.write(PDF)
        left = file_size - len(PDF)
        while left:
            body.write(b"\n" * min(left, MB))
            left -= min(left, MB)
        body.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return path.stat().st_size


def post_from_disk(path_info: str, body: Path, length: int):
    """The post as a WSGI server hands it over, the body read from a stream; returns the response and
    the most memory Python held meanwhile beyond what it held before."""
    with body.open("rb") as stream:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path_info, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_ACCEPT_LANGUAGE": "en", "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(length), "wsgi.input": stream, "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
        }
        tracemalloc.start()
        try:
            response = ClientHandler(enforce_csrf_checks=False)(environ)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return response, peak


CAROL = {
    "category": "delivery", "description": "De boxspring is kapot aangekomen; de bon zit erbij.",
    "contact_name": "Carol de Vries", "contact_email": "carol@example.nl", "contact_language": "nl", "homepage": "",
}


def test_a_20_mb_upload_is_filed_from_disk_with_little_memory(acme, tmp_path):
    size = 20 * MB
    length = multipart_on_disk(tmp_path / "post", CAROL, "attachments", "bon.pdf", size)

    response, peak = post_from_disk(reverse("portal:complaint_form", args=[acme.slug]), tmp_path / "post", length)

    assert response.status_code == 302
    attachment = Attachment.objects.get(complaint__organisation=acme)
    assert (attachment.original_name, attachment.content_type, attachment.size) == ("bon.pdf", "application/pdf", size)
    with attachment.file.open("rb") as stored:
        assert hashlib.file_digest(stored, "sha256").hexdigest() == attachment.sha256
    assert peak < size / 5, f"{peak / MB:.1f} MB"


def test_a_post_over_the_limit_is_refused_without_keeping_its_file(acme, settings, tmp_path):
    settings.GEHOORD_MAX_SUBMISSION_BYTES = 5 * MB
    length = multipart_on_disk(tmp_path / "post", CAROL, "attachments", "video.pdf", 30 * MB)

    response, peak = post_from_disk(reverse("portal:complaint_form", args=[acme.slug]), tmp_path / "post", length)

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"video\.pdf: not accepted, the files sent at once may be at most 5 MB together \(these were 31 MB\)", html)
    assert "de bon zit erbij" in html
    assert not Complaint.objects.exists()
    assert peak < 2 * MB, f"{peak / MB:.1f} MB"
