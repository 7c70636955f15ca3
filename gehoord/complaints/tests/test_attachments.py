"""Uploaded evidence (SPEC 10): type checked by content, not by name; images stripped of their
metadata (location!); size and count limits; a refused upload says which file and why, and stores nothing.

Carol sends photos, a PDF and a video with her complaint at Acme.
"""

import hashlib
import io
import struct
import zlib

import pytest
from django.utils import translation
from PIL import Image, PngImagePlugin

from conftest import carol_complaint
from gehoord.complaints.attachments import MAX_FILES_PER_SUBMISSION, Upload, check_uploads
from gehoord.complaints.models import Attachment, Complaint, Event
from gehoord.errors import InvalidInput

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F
AMSTERDAM_GPS = {1: "N", 2: (52.0, 22.0, 5.0), 3: "E", 4: (4.0, 53.0, 30.0)}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The start of an MP4 file: an `ftyp` box with the isom brand is what identifies it.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


@pytest.fixture(autouse=True)
def in_english():
    """Error messages are asserted as written in English; the interface's default language is Dutch."""
    with translation.override("en"):
        yield


def photo(image_format="JPEG", *, exif=None, size=(64, 48), pnginfo=None) -> bytes:
    out = io.BytesIO()
    options = {"exif": exif.tobytes()} if exif is not None else {}
    if pnginfo is not None:
        options["pnginfo"] = pnginfo
    Image.new("RGB", size, (180, 40, 40)).save(out, format=image_format, **options)
    return out.getvalue()


def camera_exif(orientation=None) -> Image.Exif:
    """What a phone writes into a photo: its make, the orientation, and where it was taken."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    if orientation:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = AMSTERDAM_GPS
    return exif


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous image (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test stores its files in its own folder, so we can see exactly what was written."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media):
    return sorted(path for path in media.rglob("*") if path.is_file())


def stored_content(attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


# --- accepted --------------------------------------------------------------------------------


def test_a_photo_keeps_its_picture_but_loses_where_it_was_taken(acme, media):
    original = photo(exif=camera_exif(orientation=6))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD) == AMSTERDAM_GPS

    complaint = carol_complaint(acme, uploads=[Upload("IMG_0042.jpg", original)])

    attachment = complaint.attachments.get()
    assert (attachment.original_name, attachment.content_type, attachment.message) == ("IMG_0042.jpg", "image/jpeg", None)
    content = stored_content(attachment)
    assert (attachment.size, attachment.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
        # The phone said "rotated": the photo is turned upright before the orientation tag goes.
        assert image.size == (48, 64)
        red, green, blue = image.convert("RGB").getpixel((10, 10))
        assert red > 150 and green < 70 and blue < 70
    assert b"PhoneMaker" not in content
    # Stored under a random name in the complaint's folder, never under the name Carol gave.
    assert attachment.file.name.startswith(f"complaints/{complaint.public_id}/")
    assert "IMG_0042" not in attachment.file.name
    assert stored_files(media) == [media / attachment.file.name]
    assert complaint.events.get(kind="received").data["attachments"] == 1


def test_a_png_loses_its_exif_and_text_chunks(acme):
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "52.3676 N, 4.9041 E")
    original = photo("PNG", exif=camera_exif(), pnginfo=info)
    assert Image.open(io.BytesIO(original)).info["Location"]

    complaint = carol_complaint(acme, uploads=[Upload("schade.png", original)])

    attachment = complaint.attachments.get()
    assert attachment.content_type == "image/png"
    with Image.open(io.BytesIO(stored_content(attachment))) as image:
        assert image.format == "PNG"
        assert image.size == (64, 48)
        assert not image.getexif()
        assert "Location" not in image.info
        assert image.convert("RGB").getpixel((10, 10)) == (180, 40, 40)


@pytest.mark.parametrize(
    "name, content, content_type",
    [("bon.pdf", PDF, "application/pdf"), ("unboxing.mp4", MP4, "video/mp4")],
)
def test_a_pdf_or_video_is_stored_exactly_as_sent(acme, name, content, content_type):
    complaint = carol_complaint(acme, uploads=[Upload(name, content)])

    attachment = complaint.attachments.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)
    assert stored_content(attachment) == content
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("foto.jpg", photo("JPEG"), "image/jpeg"),
        ("foto.png", photo("PNG"), "image/png"),
        ("foto.webp", photo("WEBP"), "image/webp"),
        ("bon.pdf", PDF, "application/pdf"),
        ("video.mp4", MP4, "video/mp4"),
        # The name does not decide: a PDF called .jpg is a PDF.
        ("scan.jpg", PDF, "application/pdf"),
        ("", PDF, "application/pdf"),
    ],
)
def test_the_type_is_read_from_the_content(name, content, content_type):
    [checked] = check_uploads([Upload(name, content)])

    assert checked.content_type == content_type
    assert checked.original_name == (name or "upload.pdf")


# --- refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("photo.jpg", ELF, "not accepted"),
        ("factuur.pdf", WINDOWS_EXE, "not accepted"),
        ("factuur.pdf", b"Dit is geen PDF maar gewone tekst.\n", "not accepted"),
        ("foto.png", b"<html><script>alert(1)</script></html>", "not accepted"),
        ("leeg.jpg", b"", "empty"),
        ("kapot.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "could not be read"),
        ("bom.png", png_claiming(100_000, 100_000), "could not be read"),
    ],
    ids=["elf-as-photo", "exe-as-pdf", "text-as-pdf", "html-as-png", "empty", "broken-jpeg", "decompression-bomb"],
)
def test_a_refused_file_is_named_with_the_reason(name, content, reason):
    with pytest.raises(InvalidInput) as refused:
        check_uploads([Upload(name, content)])

    assert list(refused.value.errors) == ["attachments.0"]
    message = refused.value.errors["attachments.0"]
    assert message.startswith(f"{name}: ")
    assert reason in message


def test_each_refused_file_of_several_is_named(acme):
    uploads = [Upload("bon.pdf", PDF), Upload("photo.jpg", ELF), Upload("foto.png", photo("PNG")), Upload("leeg.pdf", b"")]

    with pytest.raises(InvalidInput) as refused:
        check_uploads(uploads)

    assert set(refused.value.errors) == {"attachments.1", "attachments.3"}
    assert refused.value.errors["attachments.1"].startswith("photo.jpg: ")
    assert refused.value.errors["attachments.3"] == "leeg.pdf: the file is empty"


def test_an_oversize_file_is_refused_with_its_size_and_the_limit(settings):
    settings.GEHOORD_MAX_UPLOAD_BYTES = 2**20
    just_fits = PDF + b"\n" * (2**20 - len(PDF))
    too_big = just_fits + b"\n"

    assert len(check_uploads([Upload("groot.pdf", just_fits)])) == 1
    with pytest.raises(InvalidInput) as refused:
        check_uploads([Upload("te-groot.pdf", too_big)])

    assert refused.value.errors == {"attachments.0": "te-groot.pdf: the file is 2 MB; the limit is 1 MB"}


def test_at_most_ten_files_at_once():
    assert len(check_uploads([Upload(f"bon{n}.pdf", PDF) for n in range(MAX_FILES_PER_SUBMISSION)])) == 10

    with pytest.raises(InvalidInput) as refused:
        check_uploads([Upload(f"bon{n}.pdf", PDF) for n in range(MAX_FILES_PER_SUBMISSION + 1)])

    assert refused.value.errors == {"attachments": "At most 10 files at once."}


@pytest.mark.parametrize(
    "uploads",
    [
        [Upload("photo.jpg", ELF)],
        [Upload("bon.pdf", PDF), Upload("foto.jpg", photo()), Upload("leeg.jpg", b"")],
        [Upload(f"bon{n}.pdf", PDF) for n in range(MAX_FILES_PER_SUBMISSION + 1)],
    ],
    ids=["one-bad-file", "good-files-with-a-bad-one", "too-many"],
)
def test_a_complaint_with_a_refused_upload_stores_nothing_at_all(acme, media, uploads):
    with pytest.raises(InvalidInput):
        carol_complaint(acme, uploads=uploads)

    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()
    assert not Event.objects.exists()
    assert stored_files(media) == []


def test_an_upload_checked_before_passes_as_it_is(acme, media):
    # A form checks the uploads to name every wrong field at once; the domain must not re-encode them.
    checked = check_uploads([Upload(name="schade.jpg", content=photo(exif=camera_exif(orientation=6)))])

    again = check_uploads(checked)
    complaint = carol_complaint(acme, uploads=checked)

    assert again[0] is checked[0]
    assert Attachment.objects.get(complaint=complaint).sha256 == hashlib.sha256(checked[0].content).hexdigest()
