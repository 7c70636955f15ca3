"""The consumer's access to a complaint, and what of it a consumer may see.

A consumer proves who they are with the reference and the e-mail address of the complaint, or
with the signed link from the acknowledgement. Either grants this browser session access to that
one complaint; the session keeps the pair (public id, address), so every page loads the complaint
by both and access ends when the address changes (e.g. when the complaint is anonymised).
Pages of a complaint load it only through `complaint_for_consumer`.
"""

import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.db.models import Q
from django.utils.crypto import constant_time_compare

from gehoord.complaints import tracking
from gehoord.complaints.models import Complaint, Message, Resolution

SESSION_KEY = "gehoord.portal.complaints"  # {public_id: e-mail address}
FILED_KEY = "gehoord.portal.filed"  # the public id of the complaint just filed, for the confirmation


def _scoped():
    return Complaint.objects.select_related("organisation", "category", "handler", "team", "policy")


def grant(request, complaint: Complaint) -> None:
    """Let this browser session see `complaint` (after a proven reference + address, or a valid link)."""
    granted = dict(request.session.get(SESSION_KEY) or {})
    granted[complaint.public_id] = complaint.contact_email.lower()
    # A new session key whenever access widens: a session id planted before cannot ride along. A
    # session not stored yet (a first filing) gets a new key when it is saved: cycling it would
    # store it twice in the same request.
    if request.session.session_key is not None:
        request.session.cycle_key()
    request.session[SESSION_KEY] = granted


def complaint_for_consumer(request, public_id: str) -> Complaint | None:
    """The complaint this session was granted, or None."""
    email = (request.session.get(SESSION_KEY) or {}).get(public_id)
    if not email:
        return None
    return _scoped().filter(public_id=public_id, contact_email__iexact=email).first()


def consumer_view(*, ask_when_missing: bool = False):
    """Decorate a view taking (request, complaint, ...) from a URL with `public_id`: the complaint is
    the one this session was granted. Otherwise 404, as if it did not exist; or, for a page a person
    opens from a bookmark (`ask_when_missing`), the tracking form."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, public_id: str, *args, **kwargs):
            complaint = complaint_for_consumer(request, public_id)
            if complaint is None:
                if not ask_when_missing:
                    raise Http404
                messages.info(request, _("Enter your reference and e-mail address to see this complaint."))
                return redirect("portal:track")
            return view(request, complaint, *args, **kwargs)

        return wrapper

    return decorator


def find_for_consumer(reference: str, email: str, code: str = "") -> list[Complaint]:
    """The complaints with this reference (or internal id) and address, with the tracking code where
    the reference is the order number: an order number can be guessed, the code cannot."""
    typed = reference.strip()
    candidates = _scoped().filter(Q(reference__iexact=typed) | Q(public_id__iexact=typed), contact_email__iexact=email.strip())
    return [
        complaint
        for complaint in candidates.order_by("organisation__name")[:10]
        if complaint.public_id.upper() == typed.upper() or _code_holds(complaint, code)
    ]


def _code_holds(complaint: Complaint, code: str) -> bool:
    if complaint.reference == complaint.public_id:  # our own reference is random enough by itself
        return True
    return bool(complaint.tracking_code) and constant_time_compare(complaint.tracking_code, code.strip().upper())


def complaint_from_token(token: str) -> Complaint | None:
    """The complaint a signed tracking link is for (see complaints.tracking; raises LinkExpired)."""
    return tracking.complaint_from_token(token, _scoped())


def complaints_of(email: str) -> list[Complaint]:
    """An address's most recent complaints, everywhere, to mail fresh links to (never shown)."""
    return list(_scoped().filter(contact_email__iexact=email.strip()).order_by("-received_at")[:10])


# What of a complaint the consumer sees: never internal notes, nor files attached to them.


def consumer_messages(complaint: Complaint):
    # A company reply from an unknown address is not the company's until the consumer confirms it:
    # it is shown apart, with its sender, and a denied one not at all.
    return (
        complaint.messages.exclude(kind=Message.Kind.NOTE)
        .exclude(kind=Message.Kind.COMPANY, sender_confirmed=False)
        .prefetch_related("attachments")
    )


def consumer_events(complaint: Complaint):
    return complaint.events.filter(consumer_visible=True)


def consumer_attachments(complaint: Complaint):
    return complaint.attachments.filter(
        Q(message__isnull=True)
        | Q(message__kind__in=[Message.Kind.CONSUMER, Message.Kind.STAFF])
        | Q(message__kind=Message.Kind.COMPANY, message__sender_confirmed=True)
    )


def pending_resolution(complaint: Complaint) -> Resolution | None:
    return complaint.resolutions.filter(response="").order_by("-proposed_at", "-id").first()
