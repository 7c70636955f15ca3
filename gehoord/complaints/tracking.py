"""The consumer's tracking link: a signed token naming one complaint and, by digest, its address.

Made here, below every door, because both the consumer pages (which open the complaint from it)
and the mails (which carry it) need it. A link lives GEHOORD_TRACKING_LINK_DAYS; every mail to the
consumer carries a fresh one, and the tracking page mails one on request. It stops working at once
when the address changes, e.g. when the complaint is anonymised.
"""

import datetime
import hashlib

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from gehoord.complaints.models import Complaint

# Unchanged since the portal made these links: links already sent keep working.
TOKEN_SALT = "gehoord.portal.tracking-link"


def base_url() -> str:
    return getattr(settings, "GEHOORD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def _email_digest(email: str) -> str:
    # The link names the address by a digest only, so it does not show in logs or browser history.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def token_for(complaint: Complaint) -> str:
    return signing.dumps({"c": complaint.public_id, "e": _email_digest(complaint.contact_email)}, salt=TOKEN_SALT)


def tracking_url(complaint: Complaint) -> str:
    """The absolute, signed link that opens the complaint's tracking page without typing anything."""
    return base_url() + reverse("portal:tracking_link", kwargs={"token": token_for(complaint)})


class LinkExpired(Exception):
    """A genuine link, past its lifetime: the consumer asks for a fresh one."""


def complaint_from_token(token: str, complaints=None) -> Complaint | None:
    """The complaint a signed tracking link is for, if the signature holds, the link is within its
    lifetime (else `LinkExpired`) and the address still matches.

    `complaints`: the queryset to load it from (the caller's select_related), all complaints by default.
    """
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=datetime.timedelta(days=settings.GEHOORD_TRACKING_LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or not isinstance(data.get("e"), str):
        return None
    complaints = Complaint.objects.all() if complaints is None else complaints
    complaint = complaints.filter(public_id=data["c"]).exclude(contact_email="").first()
    if complaint is None or not constant_time_compare(_email_digest(complaint.contact_email), data["e"]):
        return None
    return complaint
