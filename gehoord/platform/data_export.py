"""A person's data in one ZIP (GDPR, issue 13): `data.json` with their complaints, messages,
proposals and timeline as they see them, and every attachment as uploaded.

Built on a spooled temporary file (memory up to a megabyte, then disk) and the attachments copied
in chunks, so a large export is never whole in memory; the view streams the file. Every complaint
exported records DATA_EXPORTED (format, purpose) on its timeline, where the access log shows it.
"""

import json
import re
import shutil
import tempfile
import zipfile

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gehoord.complaints import events, timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Message
from gehoord.platform.accounts import LinkInvalid, normalised_email
from gehoord.platform.privacy import complaints_of

FORMAT = "zip"
LINK_VALID_SECONDS = 24 * 3600
_LINK_SALT = "gehoord.platform.data_export.link"
_IN_MEMORY_UP_TO = 1024 * 1024


class Purpose(models.TextChoices):
    ACCOUNT = "account", _("downloaded from the consumer's account")
    MAILED_LINK = "mailed_link", _("downloaded with a link mailed to the consumer")
    COMPANY_REQUEST = "company_request", _("produced by the company on the consumer's request")


def of_account(user):
    """The complaints of a consumer's account: filed from it or with its address."""
    return (complaints_of(user.email) | Complaint.objects.filter(consumer=user)).distinct()


def link_token(email: str) -> str:
    return signing.dumps({"email": normalised_email(email)}, salt=_LINK_SALT, compress=True)


def email_of_link(token: str) -> str:
    """The address a mailed export link was made for; LinkInvalid when forged or expired."""
    try:
        return signing.loads(token, salt=_LINK_SALT, max_age=LINK_VALID_SECONDS)["email"]
    except (signing.BadSignature, KeyError, TypeError):
        raise LinkInvalid from None


def export(complaints, *, purpose: Purpose, by: Actor | None = None, user=None):
    """The ZIP of `complaints` (and of `user`'s account), as a temporary file at its start.
    `by` is who produced it (a company's staff); None: the consumer themself."""
    complaints = list(complaints.select_related("organisation").prefetch_related("messages", "attachments",
                                                                                 "resolutions", "events"))
    spool = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_UP_TO)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        data = {
            "exported_at": timezone.now(),
            "account": _account(user) if user is not None else None,
            "complaints": [_complaint(complaint, archive) for complaint in complaints],
        }
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    with transaction.atomic():
        for complaint in complaints:
            timeline.record(complaint, EventKind.DATA_EXPORTED, by or Actor.consumer(complaint),
                            format=FORMAT, purpose=purpose)
    spool.seek(0)
    return spool


def _account(user) -> dict:
    account = getattr(user, "consumer_account", None)
    return {
        "name": user.get_full_name(),
        "email": user.email,
        "joined": user.date_joined,
        "language": account.language if account else None,
        "subscriber": account.subscriber if account else None,
    }


def _complaint(complaint: Complaint, archive: zipfile.ZipFile) -> dict:
    files = {}
    for attachment in complaint.attachments.all():
        name = f"attachments/{complaint.reference}/{attachment.pk}-{_safe(attachment.original_name)}"
        with attachment.file.open("rb") as source, archive.open(name, "w") as target:
            shutil.copyfileobj(source, target, 64 * 1024)
        files[attachment.pk] = name
    return {
        "reference": complaint.reference,
        "company": complaint.organisation.name,
        "received_at": complaint.received_at,
        "status": complaint.status,
        "outcome": complaint.outcome,
        "closed_at": complaint.closed_at,
        "publication": complaint.publication,
        "contact": {"name": complaint.contact_name, "email": complaint.contact_email,
                    "phone": complaint.contact_phone, "language": complaint.contact_language},
        "description": complaint.description,
        "desired_solution": complaint.desired_solution,
        "product": complaint.product,
        "order_number": complaint.order_number,
        "purchase_date": complaint.purchase_date,
        "category_fields": complaint.field_values,
        "feedback": {"resolved": complaint.feedback_resolved, "satisfaction": complaint.feedback_satisfaction,
                     "comment": complaint.feedback_comment},
        # Internal notes are the company's working papers, not the consumer's correspondence.
        "messages": [
            {"from": message.get_kind_display(), "author": message.author_name, "at": message.created_at,
             "text": message.body}
            for message in complaint.messages.all() if message.kind != Message.Kind.NOTE
        ],
        "proposals": [
            {"at": resolution.proposed_at, "text": resolution.text, "response": resolution.response,
             "comment": resolution.response_comment}
            for resolution in complaint.resolutions.all()
        ],
        "timeline": [
            {"at": event.created_at, "what": events.label(event.kind, for_consumer=True)}
            for event in complaint.events.all() if event.consumer_visible
        ],
        "attachments": [
            {"name": attachment.original_name, "type": attachment.content_type, "size": attachment.size,
             "file": files[attachment.pk]}
            for attachment in complaint.attachments.all()
        ],
    }


def _safe(name: str) -> str:
    """A file name for the archive: no directories, nothing a zip tool could misread."""
    return re.sub(r"[^\w.-]+", "_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip("._")[:100] or "file"
