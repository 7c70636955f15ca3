"""Who saw or took a person's data (SPEC 1, issue 13): every staff view of personal data and every
export is an event on the complaint's timeline; the access log of an organisation reads them back,
by staff member and by day, newest first. The index of migration platform/0004 keeps it fast."""

import datetime

from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Event
from gehoord.organisations.models import Organisation

KINDS = (EventKind.PERSONAL_DATA_VIEWED, EventKind.DATA_EXPORTED, EventKind.DOSSIER_EXPORTED)


def access_log(organisation: Organisation, *, staff_id: int | None = None,
               since: datetime.date | None = None, until: datetime.date | None = None):
    """The organisation's accesses to personal data, newest first; `since`/`until` whole days, inclusive."""
    found = Event.objects.filter(complaint__organisation=organisation, kind__in=KINDS)
    if staff_id is not None:
        found = found.filter(actor_id=staff_id)
    if since is not None:
        found = found.filter(created_at__date__gte=since)
    if until is not None:
        found = found.filter(created_at__date__lte=until)
    return found.select_related("complaint", "actor").order_by("-created_at", "-id")
