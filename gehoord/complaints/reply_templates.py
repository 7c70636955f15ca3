"""Reply templates filled in for one complaint: the text in the consumer's language with its
placeholders (organisations/placeholders.py) replaced by the complaint's values."""

from zoneinfo import ZoneInfo

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from gehoord.complaints import lifecycle
from gehoord.complaints.models import Complaint
from gehoord.organisations import placeholders
from gehoord.organisations.models import ReplyTemplate
from gehoord.policies import deadlines


def values_for(complaint: Complaint) -> dict[str, str]:
    """What the placeholders stand for on this complaint, worded in the consumer's language. A
    value the complaint does not have yet (no expected date before the acknowledgement) is left
    out, so its placeholder stays visible in the text."""
    language = complaint.contact_language
    expected = deadlines.expected_answer_at(complaint)
    with translation.override(language):
        expected_date = ""
        if expected is not None:
            local = timezone.localtime(expected, ZoneInfo(complaint.organisation.time_zone))
            expected_date = formats.date_format(local, "DATE_FORMAT")
        return {
            placeholders.NAME: complaint.contact_name,
            placeholders.REFERENCE: complaint.reference,
            placeholders.EXPECTED_DATE: expected_date,
            placeholders.HANDLER: lifecycle.who_handles(complaint) or _("our customer service"),
        }


def filled(template: ReplyTemplate, complaint: Complaint) -> str:
    """The template's text for this complaint's consumer, placeholders filled."""
    if template.organisation_id != complaint.organisation_id:
        raise ValueError("A reply template is only used on its own organisation's complaints.")
    return placeholders.fill(template.text_in(complaint.contact_language), values_for(complaint))
