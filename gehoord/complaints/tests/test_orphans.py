"""Stored files and failures (SPEC 10): a filing or a message that fails after its files were
written leaves no file; what a killed process or a caller's rollback leaves behind, the orphan sweep
removes once it is an hour old, in `gehoord sweep` (once an hour) or by hand (`gehoord sweep-orphans`).
Files that an attachment refers to, and files outside the attachments' folder, stay.

Carol sends a receipt and a photo with her complaint at Acme.
"""

import datetime
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from PIL import Image

from conftest import carol_complaint
from gehoord.complaints import actions, attachments
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.complaints.models import Attachment, Complaint, Message
from gehoord.policies.tests.support import travel

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TWO_HOURS = 2 * 60 * 60


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (180, 40, 40)).save(out, format="JPEG")
    return out.getvalue()


def evidence() -> list[Upload]:
    return [Upload.from_bytes("bon.pdf", PDF), Upload.from_bytes("schade.jpg", photo())]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media) -> list:
    return sorted(path for path in media.rglob("*") if path.is_file())


def age(path, seconds: int = TWO_HOURS) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def refuse_timeline_events() -> None:
    """From here on the database refuses to record a timeline event, as a full disk or a lost
    connection would halfway through a filing: after the files were written."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_event() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$"
                " LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_events BEFORE INSERT ON complaints_event FOR EACH ROW EXECUTE FUNCTION refuse_event()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_events BEFORE INSERT ON complaints_event BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
            )


# --- a failing filing leaves nothing -----------------------------------------------------------


def test_a_filing_that_fails_after_its_files_were_written_leaves_no_file(acme, media):
    refuse_timeline_events()

    with pytest.raises(DatabaseError, match="the disk is full"):
        carol_complaint(acme, uploads=evidence())

    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("asked", [False, True], ids=["a-message", "the-answer-to-a-question"])
def test_a_message_that_fails_after_its_files_were_written_leaves_no_file(acme, alice, media, asked):
    complaint = carol_complaint(acme)
    if asked:
        actions.ask_info(complaint, by=Actor.staff(alice, acme), question="Hebt u een foto?")
    refuse_timeline_events()

    with pytest.raises(DatabaseError, match="the disk is full"):
        actions.add_message(complaint, by=Actor.consumer(complaint), body="Hierbij.", uploads=evidence())

    assert not Message.objects.filter(complaint=complaint, kind=Message.Kind.CONSUMER).exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_commit_keeps_the_files_of_what_was_stored(acme, media):
    def fail_after_the_commit():
        raise RuntimeError("a side effect fails once the filing is stored")

    with pytest.raises(RuntimeError), attachments.atomic():
        carol_complaint(acme, uploads=evidence())
        transaction.on_commit(fail_after_the_commit)

    stored = Attachment.objects.all()
    assert len(stored) == 2
    assert stored_files(media) == sorted(media / attachment.file.name for attachment in stored)


def test_a_file_is_only_stored_inside_a_transaction_that_removes_it_on_failure(acme):
    complaint = carol_complaint(acme)
    [checked] = attachments.check_uploads([Upload.from_bytes("bon.pdf", PDF)])

    with pytest.raises(RuntimeError, match="attachments.atomic"):
        attachments.store(complaint, checked)


# --- the orphan sweep --------------------------------------------------------------------------


def test_the_orphan_sweep_removes_what_a_rolled_back_filing_left_once_it_is_an_hour_old(acme, media):
    kept = carol_complaint(acme, uploads=[Upload.from_bytes("bon.pdf", PDF)]).attachments.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        carol_complaint(acme, uploads=[Upload.from_bytes("schade.jpg", photo())])
        raise RuntimeError("the caller fails after the filing, and rolls it back")
    left = [path for path in stored_files(media) if path != media / kept.file.name]
    assert len(left) == 1 and not Attachment.objects.filter(file=left[0].relative_to(media).as_posix()).exists()

    assert attachments.remove_orphans() == 0  # it might belong to a filing still running
    for path in stored_files(media):
        age(path)
    assert attachments.remove_orphans() == 1

    assert stored_files(media) == [media / kept.file.name]
    assert kept.file.open("rb").read() == PDF


def test_the_orphan_sweep_keeps_what_is_not_an_attachments_file(acme, media):
    orphan = default_storage.save("complaints/KL-26-GONE00/0f1e2d3c", ContentFile(PDF))
    other = default_storage.save("exports/dossier.zip", ContentFile(b"PK\x03\x04"))
    for name in (orphan, other):
        age(media / name)

    assert attachments.remove_orphans() == 1

    assert stored_files(media) == [media / other]


def test_the_sweep_removes_orphans_once_an_hour(acme, media):
    first = default_storage.save("complaints/KL-26-GONE00/first", ContentFile(PDF))
    age(media / first)
    with travel("2027-01-06T09:00+00:00") as clock:
        out = io.StringIO()
        call_command("sweep", stdout=out)
        assert "orphans: 1 attachment files no attachment refers to removed" in out.getvalue()
        assert stored_files(media) == []

        second = default_storage.save("complaints/KL-26-GONE00/second", ContentFile(PDF))
        age(media / second)
        call_command("sweep", stdout=io.StringIO())
        assert stored_files(media) == [media / second]  # the pass ran this hour already

        clock.move_to(datetime.datetime(2027, 1, 6, 10, 1, tzinfo=datetime.UTC))
        call_command("sweep", stdout=io.StringIO())
        assert stored_files(media) == []


def test_sweep_orphans_removes_them_by_hand(acme, media):
    old = default_storage.save("complaints/KL-26-GONE00/old", ContentFile(PDF))
    young = default_storage.save("complaints/KL-26-GONE00/young", ContentFile(PDF))
    age(media / old)

    out = io.StringIO()
    call_command("sweep-orphans", stdout=out)
    assert out.getvalue() == "1 orphaned attachment files removed.\n"
    assert stored_files(media) == [media / young]

    call_command("sweep-orphans", "--older-than", "0", stdout=io.StringIO())
    assert stored_files(media) == []

    with pytest.raises(CommandError, match="--older-than must be 0 or more minutes"):
        call_command("sweep-orphans", "--older-than", "-1")
