"""Checks and storage for uploaded evidence (form, API, e-mail alike).

An upload is a file, never a string of bytes passed around: on disk when it is large (Django
streams a form's large files to temporary files; the API decodes its base64 into one), in memory
when it is small or came parsed out of a mail. The checks read it in pieces: the size from the
file, the type from its first bytes (never from the name), an image's dimensions from its header
before a single pixel is decoded. Images are re-encoded so that no metadata (camera, location,
comments, profiles) travels with them. Files are stored under random names through Django's
storage API and served as downloads only, under the name the person gave, cleaned and with the
extension of the type found.

The files a failed transaction wrote are removed with its rows (`atomic`); what a killed process
or a transaction rolled back further out leaves behind, `remove_orphans` removes later.
"""

import datetime
import hashlib
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import islice

import filetype
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gehoord.complaints.models import Attachment
from gehoord.errors import InvalidInput

# Detected MIME type → the extensions a file of that type may be named with; the first is the one
# we give it when its name says something else.
ALLOWED_TYPES = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "video/mp4": ("mp4", "m4v"),
    "video/quicktime": ("mov",),
    "video/webm": ("webm",),
    "application/pdf": ("pdf",),
}
REENCODED_IMAGES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_FILES_PER_SUBMISSION = 10
# filetype decides on at most this many bytes from the start of a file.
SIGNATURE_BYTES = 8192
# Control and format characters (Cc, Cf: e.g. U+202E, which shows "evil‮fdp.exe" as "evilexe.pdf"),
# lone surrogates and line or paragraph separators have no place in a file name.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_EXTENSION = re.compile(r"(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}")
# Pixel data Pillow keeps for an image besides its metadata; everything else in `info` is dropped.
_PIXEL_INFO = ("transparency",)

# Where stored attachment files live (models.attachment_path), and how the orphan pass treats them.
STORED_FOLDER = "complaints"
ORPHAN_AGE = datetime.timedelta(hours=1)
ORPHAN_PASS_EVERY = datetime.timedelta(hours=1)
_ORPHAN_PASS_CLAIM = "gehoord:attachments:orphan-pass"
_ORPHAN_BATCH = 500


@dataclass(frozen=True)
class Upload:
    """A file someone sent, not yet checked, under the name they gave it."""

    name: str
    file: File
    field_key: str = ""

    @classmethod
    def from_bytes(cls, name: str, content: bytes, field_key: str = "") -> "Upload":
        """An upload that is in memory already (a mail's attachment)."""
        return cls(name=name, file=ContentFile(content), field_key=field_key)


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    file: File  # what is stored: the upload as it came, or the image re-encoded
    size: int
    sha256: str
    field_key: str

    @property
    def extension(self) -> str:
        return ALLOWED_TYPES[self.content_type][0]


def check_uploads(uploads: list[Upload | CheckedUpload], field: str = "attachments") -> list[CheckedUpload]:
    """Check every upload; raise InvalidInput naming each refused file and why.

    An upload checked before (a form checks them to name every wrong field at once) passes as it
    is, so an image is re-encoded once."""
    if len(uploads) > MAX_FILES_PER_SUBMISSION:
        raise InvalidInput({field: _("At most %(count)d files at once.") % {"count": MAX_FILES_PER_SUBMISSION}})
    errors: dict[str, str] = {}
    checked = []
    for index, upload in enumerate(uploads):
        try:
            checked.append(check_upload(upload))
        except ValueError as problem:
            errors[f"{field}.{index}"] = f"{upload.name}: {problem}"
    if errors:
        raise InvalidInput(errors)
    return checked


def check_upload(upload: Upload | CheckedUpload) -> CheckedUpload:
    if isinstance(upload, CheckedUpload):
        return upload
    size, limit = upload.file.size, settings.GEHOORD_MAX_UPLOAD_BYTES
    if not size:
        raise ValueError(_("the file is empty"))
    if size > limit:
        raise ValueError(
            _("the file is %(size)d MB; the limit is %(limit)d MB") % {"size": -(-size // 2**20), "limit": limit // 2**20}
        )
    upload.file.seek(0)
    kind = filetype.guess(upload.file.read(SIGNATURE_BYTES))
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValueError(_("this type of file is not accepted; send a photo (JPEG, PNG, WebP), a video (MP4, MOV, WebM) or a PDF"))
    stored = _without_metadata(upload.file, REENCODED_IMAGES[kind.mime]) if kind.mime in REENCODED_IMAGES else upload.file
    size, sha256 = _measured(stored)
    return CheckedUpload(
        original_name=offered_name(upload.name, kind.mime),
        content_type=kind.mime,
        file=stored,
        size=size,
        sha256=sha256,
        field_key=upload.field_key,
    )


def offered_name(name: str, content_type: str) -> str:
    """The name a file is offered under: the one it came with, without folders or invisible
    characters, and with an extension that says what the file is (a PDF sent as evil.html is evil.pdf)."""
    visible = "".join(char for char in name or "" if unicodedata.category(char) not in _INVISIBLE_CATEGORIES)
    base = visible.replace("\\", "/").rsplit("/", 1)[-1].strip(" .")
    extensions = ALLOWED_TYPES[content_type]
    stem, dot, extension = base.rpartition(".")
    if not (dot and _EXTENSION.fullmatch(extension)):
        stem, extension = base, extensions[0]  # no extension: one is added
    elif extension.lower() not in extensions:
        extension = extensions[0]  # another type's extension: it is replaced
    return f"{(stem.rstrip(' .') or 'upload')[: 254 - len(extension)]}.{extension}"


def _without_metadata(file: File, image_format: str) -> File:
    """The image re-encoded into a temporary file, with nothing but its pixels."""
    limit = settings.GEHOORD_MAX_IMAGE_PIXELS
    too_large = ValueError(_("the image has more than %(limit)d megapixels; send a smaller one") % {"limit": limit // 10**6})
    file.seek(0)
    try:
        image = Image.open(file)  # reads the header only
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValueError(_("the image could not be read")) from None
    with image:
        width, height = image.size
        if width * height > limit:
            raise too_large
        out = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)
        try:
            # Apply the EXIF orientation first: once EXIF is gone the photo must still stand upright.
            ImageOps.exif_transpose(image, in_place=True)
            # Pillow writes some of what it read back out (a JPEG's comment, a PNG's colour profile).
            image.info = {key: image.info[key] for key in _PIXEL_INFO if key in image.info}
            pixels = image.convert("RGB") if image_format == "JPEG" and image.mode not in ("RGB", "L") else image
            pixels.save(out, format=image_format, quality=90)
        except (OSError, ValueError, SyntaxError, EOFError):
            out.close()
            raise ValueError(_("the image could not be read")) from None
    out.seek(0)
    return File(out, name=f"without-metadata.{image_format.lower()}")


def _measured(file: File) -> tuple[int, str]:
    size, digest = 0, hashlib.sha256()
    for chunk in file.chunks():
        size += len(chunk)
        digest.update(chunk)
    return size, digest.hexdigest()


# --- storing, and what a failure leaves --------------------------------------------------------

_written_files: ContextVar[list[str] | None] = ContextVar("attachment_files_written", default=None)


@contextmanager
def atomic() -> Iterator[None]:
    """A transaction that stores attachments: when it fails, the files it wrote go with its rows.

    Nested in another such transaction, its files are the outer one's to remove if that fails.
    Files written in a transaction that a plain enclosing one rolls back later, or by a process
    that was killed, stay behind until `remove_orphans`.
    """
    enclosing = _written_files.get()
    written: list[str] = []
    committed: list[bool] = []
    reset = _written_files.set(written)
    try:
        with transaction.atomic():
            # The first callback once the outermost transaction commits: should a later callback
            # raise, the rows are stored all the same and their files must stay.
            transaction.on_commit(lambda: committed.append(True))
            yield
    except BaseException:
        if not committed:
            for name in written:
                _storage().delete(name)
        raise
    finally:
        _written_files.reset(reset)
    if enclosing is not None:
        enclosing.extend(written)


def store(complaint, checked: CheckedUpload, message=None):
    """Store one checked upload as an attachment of the complaint; inside `atomic()` only."""
    written = _written_files.get()
    if written is None:
        raise RuntimeError("attachments.store runs inside attachments.atomic(), so that a failure removes its files")
    attachment = Attachment(
        complaint=complaint,
        message=message,
        field_key=checked.field_key,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_at=timezone.now(),
    )
    attachment.file.save(f"upload.{checked.extension}", checked.file, save=False)
    written.append(attachment.file.name)
    attachment.save()
    return attachment


def remove_orphans(*, older_than: datetime.timedelta = ORPHAN_AGE) -> int:
    """Delete the stored files that no attachment refers to; returns how many.

    Only files older than `older_than`: a younger one may belong to a transaction still running.
    The storage is listed once; the database is asked about the names a batch at a time.
    """
    storage = _storage()
    cutoff = timezone.now() - older_than
    removed = 0
    names = _stored_names(storage, STORED_FOLDER)
    while batch := list(islice(names, _ORPHAN_BATCH)):
        referenced = set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name not in referenced and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
    return removed


def remove_orphans_when_due() -> int | None:
    """The sweep's orphan pass: once an hour across every sweeper (claimed in the shared cache);
    None when it was not due."""
    if not cache.add(_ORPHAN_PASS_CLAIM, True, timeout=ORPHAN_PASS_EVERY.total_seconds()):
        return None
    return remove_orphans()


def open_stored(attachment: Attachment):
    """The attachment's stored file opened for reading, or None when the file is gone (erased,
    or removed from the storage by hand): every door answers that as "not found"."""
    try:
        return attachment.file.open("rb")
    except FileNotFoundError:
        return None


def _stored_names(storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in folders:
        yield from _stored_names(storage, f"{folder}/{name}")


def _storage():
    return Attachment.file.field.storage
