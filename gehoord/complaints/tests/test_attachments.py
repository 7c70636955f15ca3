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
from PIL import Image, ImageCms, PngImagePlugin

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


# What else a photo may carry besides its pixels: who made it where, a comment, a colour profile.
COMMENT = b"Keuken van Carol, Dorpsstraat 1"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description photoshop:City="Amsterdam"/></rdf:RDF></x:xmpmeta>'
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo_with_everything(image_format: str) -> bytes:
    """A photo carrying every kind of metadata its format can hold."""
    out = io.BytesIO()
    options = {"exif": camera_exif().tobytes(), "icc_profile": SRGB}
    if image_format == "JPEG":
        options.update(comment=COMMENT, xmp=XMP)
    elif image_format == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", COMMENT.decode())
        text.add_text("Location", "52.3676 N, 4.9041 E", zip=True)
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options["pnginfo"] = text
    else:
        options["xmp"] = XMP
    Image.new("RGB", (64, 48), (180, 40, 40)).save(out, format=image_format, **options)
    return out.getvalue()


def jpeg_segments(content: bytes) -> list[int]:
    """The markers of a JPEG's segments up to the image data (0xE0–0xEF application data, 0xFE comment)."""
    assert content[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        assert content[position] == 0xFF
        marker = content[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the compressed pixels follow
            return markers
        position += 2 + struct.unpack(">H", content[position + 2 : position + 4])[0]


def png_chunks(content: bytes) -> list[bytes]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(content):
        length = struct.unpack(">I", content[position : position + 4])[0]
        chunks.append(content[position + 4 : position + 8])
        position += 12 + length
    return chunks


def webp_chunks(content: bytes) -> list[bytes]:
    assert content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    chunks, position = [], 12
    while position < len(content):
        size = struct.unpack("<I", content[position + 4 : position + 8])[0]
        chunks.append(content[position : position + 4])
        position += 8 + size + size % 2
    return chunks


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

    complaint = carol_complaint(acme, uploads=[Upload.from_bytes("IMG_0042.jpg", original)])

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

    complaint = carol_complaint(acme, uploads=[Upload.from_bytes("schade.png", original)])

    attachment = complaint.attachments.get()
    assert attachment.content_type == "image/png"
    with Image.open(io.BytesIO(stored_content(attachment))) as image:
        assert image.format == "PNG"
        assert image.size == (64, 48)
        assert not image.getexif()
        assert "Location" not in image.info
        assert image.convert("RGB").getpixel((10, 10)) == (180, 40, 40)


def test_no_metadata_survives_in_a_jpeg(acme):
    original = photo_with_everything("JPEG")
    assert {0xE1, 0xE2, 0xFE} <= set(jpeg_segments(original))  # EXIF and XMP, the ICC profile, the comment

    complaint = carol_complaint(acme, uploads=[Upload.from_bytes("keuken.jpg", original)])

    stored = stored_content(complaint.attachments.get())
    kept = set(jpeg_segments(stored))
    assert not kept & ({*range(0xE1, 0xF0)} | {0xFE}), [hex(marker) for marker in sorted(kept)]
    for secret in (COMMENT, b"Amsterdam", b"PhoneMaker", b"ICC_PROFILE"):
        assert secret not in stored


def test_no_metadata_survives_in_a_png(acme):
    original = photo_with_everything("PNG")
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"} <= set(png_chunks(original))

    complaint = carol_complaint(acme, uploads=[Upload.from_bytes("keuken.png", original)])

    stored = stored_content(complaint.attachments.get())
    assert set(png_chunks(stored)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    for secret in (COMMENT, b"Amsterdam", b"PhoneMaker", b"52.3676"):
        assert secret not in stored


def test_no_metadata_survives_in_a_webp(acme):
    original = photo_with_everything("WEBP")
    assert {b"EXIF", b"XMP ", b"ICCP"} <= set(webp_chunks(original))

    complaint = carol_complaint(acme, uploads=[Upload.from_bytes("keuken.webp", original)])

    stored = stored_content(complaint.attachments.get())
    assert set(webp_chunks(stored)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
    assert b"PhoneMaker" not in stored and b"Amsterdam" not in stored


def test_a_transparent_png_keeps_its_transparency(acme):
    # A palette image says which colour is transparent beside its pixels, where the metadata is.
    logo, out = Image.new("P", (8, 8), 1), io.BytesIO()
    logo.putpalette([255, 0, 0, 0, 255, 0])
    logo.save(out, format="PNG", transparency=1)

    complaint = carol_complaint(acme, uploads=[Upload.from_bytes("logo.png", out.getvalue())])

    with Image.open(io.BytesIO(stored_content(complaint.attachments.get()))) as image:
        assert image.convert("RGBA").getpixel((0, 0))[3] == 0


def test_an_image_over_the_pixel_limit_is_refused(settings):
    settings.GEHOORD_MAX_IMAGE_PIXELS = 1_000_000

    assert len(check_uploads([Upload.from_bytes("precies.png", photo("PNG", size=(1000, 1000)))])) == 1
    with pytest.raises(InvalidInput) as refused:
        check_uploads([Upload.from_bytes("groot.jpg", photo("JPEG", size=(1001, 1000)))])

    assert refused.value.errors == {"attachments.0": "groot.jpg: the image has more than 1 megapixels; send a smaller one"}


def test_a_bomb_under_pillows_own_limit_is_refused_from_its_header_before_its_pixels_are_decoded():
    # 13000 x 13000 (169 megapixels): Pillow only warns below 179 megapixels, and decoding it would
    # take half a gigabyte. Its pixel data is missing: had it been decoded, it "could not be read".
    with pytest.raises(InvalidInput) as refused, pytest.warns(Image.DecompressionBombWarning):
        check_uploads([Upload.from_bytes("bom.png", png_claiming(13_000, 13_000))])

    assert refused.value.errors == {"attachments.0": "bom.png: the image has more than 40 megapixels; send a smaller one"}


@pytest.mark.parametrize(
    "name, content, content_type",
    [("bon.pdf", PDF, "application/pdf"), ("unboxing.mp4", MP4, "video/mp4")],
)
def test_a_pdf_or_video_is_stored_exactly_as_sent(acme, name, content, content_type):
    complaint = carol_complaint(acme, uploads=[Upload.from_bytes(name, content)])

    attachment = complaint.attachments.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)
    assert stored_content(attachment) == content
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    "name, content, content_type, offered_as",
    [
        ("foto.jpg", photo("JPEG"), "image/jpeg", "foto.jpg"),
        ("foto.png", photo("PNG"), "image/png", "foto.png"),
        ("foto.webp", photo("WEBP"), "image/webp", "foto.webp"),
        ("bon.pdf", PDF, "application/pdf", "bon.pdf"),
        ("video.mp4", MP4, "video/mp4", "video.mp4"),
        # The name does not decide: a PDF called .jpg is a PDF, and is offered as one.
        ("scan.jpg", PDF, "application/pdf", "scan.pdf"),
        ("", PDF, "application/pdf", "upload.pdf"),
    ],
)
def test_the_type_is_read_from_the_content(name, content, content_type, offered_as):
    [checked] = check_uploads([Upload.from_bytes(name, content)])

    assert checked.content_type == content_type
    assert checked.original_name == offered_as


@pytest.mark.parametrize(
    "name, content, offered_as",
    [
        ("evil.html", PDF, "evil.pdf"),
        ("invoice.exe", PDF, "invoice.pdf"),
        ("IMG_0042.JPG", photo("JPEG"), "IMG_0042.JPG"),
        ("foto.jpeg", photo("JPEG"), "foto.jpeg"),
        ("clip.mp3", MP4, "clip.mp4"),
        ("factuur", PDF, "factuur.pdf"),
        # A dot with digits behind it is part of the name, not an extension.
        ("Factuur 12.03.2025", PDF, "Factuur 12.03.2025.pdf"),
        # U+202E turns the rest around: on screen this is "evilfdp.html" shown as "evil" + "lmth.pdf".
        ("evil\u202efdp.html", PDF, "evilfdp.pdf"),
        ("b\u200bon\u2066.pdf\u2069", PDF, "bon.pdf"),
        ("bon\r\n.pdf", PDF, "bon.pdf"),
        ("bon\x00\x1b[31m.pdf", PDF, "bon[31m.pdf"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("C:\\Users\\carol\\bon.pdf", PDF, "bon.pdf"),
        ("...", PDF, "upload.pdf"),
        ("\u202e", PDF, "upload.pdf"),
        ("x" * 300 + ".html", PDF, "x" * 251 + ".pdf"),  # the column holds 255
    ],
    ids=[
        "html", "exe", "upper-case", "jpeg", "other-video", "no-extension", "digits", "right-to-left-override",
        "invisible", "line-break", "control", "path", "windows-path", "dots", "only-invisible", "long",
    ],
)
def test_the_offered_name_follows_the_type_found_and_shows_no_invisible_characters(acme, name, content, offered_as):
    complaint = carol_complaint(acme, uploads=[Upload.from_bytes(name, content)])

    assert complaint.attachments.get().original_name == offered_as


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
        ("bom.png", png_claiming(100_000, 100_000), "more than 40 megapixels"),
    ],
    ids=["elf-as-photo", "exe-as-pdf", "text-as-pdf", "html-as-png", "empty", "broken-jpeg", "decompression-bomb"],
)
def test_a_refused_file_is_named_with_the_reason(name, content, reason):
    with pytest.raises(InvalidInput) as refused:
        check_uploads([Upload.from_bytes(name, content)])

    assert list(refused.value.errors) == ["attachments.0"]
    message = refused.value.errors["attachments.0"]
    assert message.startswith(f"{name}: ")
    assert reason in message


def test_each_refused_file_of_several_is_named(acme):
    uploads = [
        Upload.from_bytes("bon.pdf", PDF),
        Upload.from_bytes("photo.jpg", ELF),
        Upload.from_bytes("foto.png", photo("PNG")),
        Upload.from_bytes("leeg.pdf", b""),
    ]

    with pytest.raises(InvalidInput) as refused:
        check_uploads(uploads)

    assert set(refused.value.errors) == {"attachments.1", "attachments.3"}
    assert refused.value.errors["attachments.1"].startswith("photo.jpg: ")
    assert refused.value.errors["attachments.3"] == "leeg.pdf: the file is empty"


def test_an_oversize_file_is_refused_with_its_size_and_the_limit(settings):
    settings.GEHOORD_MAX_UPLOAD_BYTES = 2**20
    just_fits = PDF + b"\n" * (2**20 - len(PDF))
    too_big = just_fits + b"\n"

    assert len(check_uploads([Upload.from_bytes("groot.pdf", just_fits)])) == 1
    with pytest.raises(InvalidInput) as refused:
        check_uploads([Upload.from_bytes("te-groot.pdf", too_big)])

    assert refused.value.errors == {"attachments.0": "te-groot.pdf: the file is 2 MB; the limit is 1 MB"}


def test_at_most_ten_files_at_once():
    assert len(check_uploads([Upload.from_bytes(f"bon{n}.pdf", PDF) for n in range(MAX_FILES_PER_SUBMISSION)])) == 10

    with pytest.raises(InvalidInput) as refused:
        check_uploads([Upload.from_bytes(f"bon{n}.pdf", PDF) for n in range(MAX_FILES_PER_SUBMISSION + 1)])

    assert refused.value.errors == {"attachments": "At most 10 files at once."}


@pytest.mark.parametrize(
    "uploads",
    [
        [Upload.from_bytes("photo.jpg", ELF)],
        [Upload.from_bytes("bon.pdf", PDF), Upload.from_bytes("foto.jpg", photo()), Upload.from_bytes("leeg.jpg", b"")],
        [Upload.from_bytes(f"bon{n}.pdf", PDF) for n in range(MAX_FILES_PER_SUBMISSION + 1)],
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
    checked = check_uploads([Upload.from_bytes("schade.jpg", photo(exif=camera_exif(orientation=6)))])

    again = check_uploads(checked)
    complaint = carol_complaint(acme, uploads=checked)

    assert again[0] is checked[0]
    stored = Attachment.objects.get(complaint=complaint)
    assert stored.sha256 == checked[0].sha256 == hashlib.sha256(stored_content(stored)).hexdigest()
