"""The dossier of a complaint (SPEC 8): the whole file as one PDF (details, deadlines and whether
they were met, correspondence, attachments list, timeline) and a ZIP of the attachments, in the
viewer's language. Legal aid reads it, and the desk sends it to the external body of a referral.

The PDF is typeset by Typst (the `typst` wheel carries the compiler and its fonts; nothing is
fetched). No complaint text is ever put into Typst markup: the data goes into a JSON file beside
the template, which only reads it, so a description full of `#`, `[` or `$` stays text.
"""

import enum
import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import IO

import typst
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import events, timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Message

TEMPLATE = Path(__file__).with_name("dossier.typ")
# Attachments are copied into the ZIP through a spooled file: small ones stay in memory, large ones on disk.
ZIP_IN_MEMORY = 8 * 1024 * 1024


class Purpose(enum.StrEnum):
    LEGAL_AID = "legal_aid"
    REFERRAL = "referral"


def pdf(complaint: Complaint, *, by: Actor, purpose: Purpose, language: str) -> bytes:
    """The whole file as one PDF in `language`; the export is on the complaint's timeline."""
    data = _data(complaint, by=by, purpose=purpose, language=language)
    with tempfile.TemporaryDirectory(prefix="dossier-") as folder:
        shutil.copyfile(TEMPLATE, Path(folder) / "dossier.typ")
        (Path(folder) / "dossier.json").write_text(json.dumps(data), encoding="utf-8")
        document = typst.compile(str(Path(folder) / "dossier.typ"), root=folder, ignore_system_fonts=True)
    timeline.record(complaint, EventKind.DOSSIER_EXPORTED, by, format="pdf", purpose=str(purpose))
    return document


def attachments_zip(complaint: Complaint, *, by: Actor, purpose: Purpose) -> IO[bytes]:
    """Every attachment of the complaint, byte for byte, in a ZIP (a file positioned at its start)."""
    spooled = tempfile.SpooledTemporaryFile(max_size=ZIP_IN_MEMORY)
    with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, attachment in enumerate(complaint.attachments.all(), start=1):
            with attachment.file.open("rb") as source, archive.open(zip_name(number, attachment.original_name), "w") as target:
                shutil.copyfileobj(source, target)
    spooled.seek(0)
    timeline.record(complaint, EventKind.DOSSIER_EXPORTED, by, format="zip", purpose=str(purpose))
    return spooled


def zip_name(number: int, original_name: str) -> str:
    """The name inside the ZIP: numbered as in the PDF's list, the sender's name made safe (no paths)."""
    safe = get_valid_filename(Path(original_name.replace("\\", "/")).name) if original_name else ""
    return f"{number:03d}-{safe or 'file'}"


def filename(complaint: Complaint, extension: str) -> str:
    return f"dossier-{get_valid_filename(complaint.reference)}.{extension}"


# -- what the PDF shows -------------------------------------------------------------------------


def _data(complaint: Complaint, *, by: Actor, purpose: Purpose, language: str) -> dict:
    with translation.override(language), timezone.override(complaint.organisation.time_zone):
        messages = list(complaint.messages.exclude(kind=Message.Kind.NOTE).prefetch_related("attachments"))
        files = list(complaint.attachments.all())
        numbers = {attachment.pk: number for number, attachment in enumerate(files, start=1)}
        return {
            "language": language,
            "title": _("Dossier of complaint %(reference)s") % {"reference": complaint.reference},
            "reference": complaint.reference,
            "exported": _("Exported on %(when)s by %(who)s (%(purpose)s)")
            % {"when": _when(timezone.now()), "who": by.label, "purpose": _purpose_label(purpose)},
            "labels": {
                "description": _("Description"),
                "legal_aid": _("Legal aid"),
                "deadlines": _("Deadlines"),
                "correspondence": _("Correspondence"),
                "attachments": _("Attachments"),
                "timeline": _("Timeline"),
                "files": _("Files"),
                "none": _("None."),
                "deadline_columns": [_("Deadline"), _("Stage"), _("Due"), _("Met"), _("Result")],
                "attachment_columns": ["#", _("File"), _("Type"), _("Size"), _("Received"), "SHA-256"],
                "timeline_columns": [_("When"), _("What"), _("Who"), _("Details")],
            },
            "details": _details(complaint),
            "description": complaint.description,
            "legal_aid": _legal_aid(complaint),
            "deadlines": [
                [
                    deadline.get_kind_display(), str(deadline.stage), _when(deadline.due_at), _when(deadline.met_at),
                    str(DEADLINE_STATES.get(deadline.state, deadline.state)),
                ]
                for deadline in complaint.deadlines.all()
            ],
            "messages": [
                {
                    "heading": _message_heading(message),
                    "when": _when(message.created_at),
                    "body": message.body,
                    "files": ", ".join(
                        f"#{numbers[attachment.pk]} {attachment.original_name}" for attachment in message.attachments.all()
                    ),
                }
                for message in messages
            ],
            "attachments": [
                [
                    str(number), attachment.original_name, attachment.content_type, _size(attachment.size),
                    _when(attachment.uploaded_at), attachment.sha256,
                ]
                for number, attachment in enumerate(files, start=1)
            ],
            "timeline": [
                [_when(event.created_at), events.label(event.kind), event.actor_label, _event_details(event)]
                for event in complaint.events.all()
            ],
        }


DEADLINE_STATES = {
    "met": gettext_lazy("met in time"),
    "met_late": gettext_lazy("met late"),
    "missed": gettext_lazy("missed"),
    "cancelled": gettext_lazy("no longer needed"),
    "paused": gettext_lazy("paused"),
    "open": gettext_lazy("running"),
}


def _purpose_label(purpose: Purpose) -> str:
    return _("for legal aid") if purpose == Purpose.LEGAL_AID else _("for referral to an external body")


def _details(complaint: Complaint) -> list[list[str]]:
    rows = [
        (_("Reference"), complaint.reference),
        (_("Company"), complaint.organisation.name),
        (_("Status"), complaint.get_status_display()),
        (_("Stage"), complaint.get_stage_display()),
        (_("Received"), _when(complaint.received_at)),
        (_("Channel"), complaint.get_channel_display()),
        (_("Category"), complaint.category.local_name if complaint.category else ""),
        (_("Product or service"), complaint.product),
        (_("Order number"), complaint.order_number),
        (_("Date of purchase"), date_format(complaint.purchase_date, "DATE_FORMAT") if complaint.purchase_date else ""),
        (_("Desired solution"), complaint.desired_solution),
        *((str(key), str(value)) for key, value in complaint.field_values.items()),
        (_("Consumer"), complaint.contact_name),
        (_("E-mail address"), complaint.contact_email),
        (_("Phone number"), complaint.contact_phone),
        (_("Visibility"), complaint.get_visibility_display()),
        (_("First company reply"), _when(complaint.first_reply_at) or _("none")),
        (_("Outcome"), complaint.get_outcome_display()),
        (_("Referred to"), complaint.referred_to),
        (_("Closed"), _when(complaint.closed_at)),
        (_("Resolved according to the consumer"), _yes_no(complaint.feedback_resolved)),
        (_("Satisfaction (1–5)"), str(complaint.feedback_satisfaction or "")),
        (_("Consumer's comment"), complaint.feedback_comment),
    ]
    return [[label, value] for label, value in rows if value]


def _legal_aid(complaint: Complaint) -> list[list[str]] | None:
    handover = getattr(complaint, "legal_aid", None)
    if handover is None:
        return None
    rows = [
        (_("Handed over"), _when(handover.handed_over_at)),
        (_("Reason"), handover.get_reason_display()),
        (_("Question"), handover.question),
        (_("State"), handover.get_state_display()),
    ]
    return [[label, value] for label, value in rows if value]


def _message_heading(message: Message) -> str:
    heading = f"{message.get_kind_display()}: {message.author_name or message.sender_email}"
    if not message.sender_confirmed:
        heading += " " + _("(sender not confirmed as the company)")
    return heading


def _event_details(event) -> str:
    # Ids say nothing on paper; the rest of the payload (outcome, reason, body, instants) does.
    return "; ".join(f"{key}: {value}" for key, value in event.data.items() if value not in (None, "") and not key.endswith("_id"))


def _when(instant) -> str:
    return date_format(timezone.localtime(instant), "DATETIME_FORMAT") if instant else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("yes") if value else _("no"))


def _size(size: int) -> str:
    return f"{size / 1024:.0f} kB" if size >= 1024 else f"{size} B"
