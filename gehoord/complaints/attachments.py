"""Checks and storage for uploaded evidence (form, API, e-mail alike).

The type is read from the content, never from the name; images are re-encoded so that their
metadata (camera, location) does not travel with them; files are stored under random names
through Django's storage API and served as downloads only.
"""

import hashlib
import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gehoord.errors import InvalidInput

# Detected MIME type → extension we store it under.
ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "application/pdf": "pdf",
}
REENCODED_IMAGES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_FILES_PER_SUBMISSION = 10


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    field_key: str = ""


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    content: bytes
    field_key: str

    @property
    def extension(self) -> str:
        return ALLOWED_TYPES[self.content_type]


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
    limit = settings.GEHOORD_MAX_UPLOAD_BYTES
    if len(upload.content) == 0:
        raise ValueError(_("the file is empty"))
    if len(upload.content) > limit:
        raise ValueError(
            _("the file is %(size)d MB; the limit is %(limit)d MB")
            % {"size": -(-len(upload.content) // 2**20), "limit": limit // 2**20}
        )
    kind = filetype.guess(upload.content)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValueError(_("this type of file is not accepted; send a photo (JPEG, PNG, WebP), a video (MP4, MOV, WebM) or a PDF"))
    content = upload.content
    if kind.mime in REENCODED_IMAGES:
        content = _without_metadata(content, REENCODED_IMAGES[kind.mime])
    return CheckedUpload(
        original_name=(upload.name or "").strip()[:255] or f"upload.{ALLOWED_TYPES[kind.mime]}",
        content_type=kind.mime,
        content=content,
        field_key=upload.field_key,
    )


def _without_metadata(content: bytes, image_format: str) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as image:
            # Apply the EXIF orientation first: once EXIF is gone the photo must still stand upright.
            upright = ImageOps.exif_transpose(image)
            if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, format=image_format, quality=90)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValueError(_("the image could not be read")) from None
    return out.getvalue()


def store(complaint, checked: CheckedUpload, message=None):
    from gehoord.complaints.models import Attachment

    attachment = Attachment(
        complaint=complaint,
        message=message,
        field_key=checked.field_key,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
        uploaded_at=timezone.now(),
    )
    attachment.file.save(f"upload.{checked.extension}", ContentFile(checked.content), save=False)
    attachment.save()
    return attachment
