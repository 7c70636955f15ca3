"""Platform complaints in the states other actions leave them (published, replied, closed) for tests
of what reads them: the score card, the public pages and the public API."""

import datetime

from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Channel, Complaint, Message, Publication, Visibility
from gehoord.organisations.models import Organisation
from gehoord.policies.models import PolicyVersion
from gehoord.policies.presets import PRESETS


def email_only_company(slug: str, **fields) -> Organisation:
    company = Organisation.objects.create(
        name=fields.pop("name", slug.capitalize()), slug=slug, complaint_email=f"klachten@{slug}.example",
        connected=False, **fields,
    )
    PolicyVersion.publish(company, PRESETS["platform"], preset="platform")
    return company


def platform_complaint(company, *, received_at: datetime.datetime, published: bool = True,
                       publication: str | None = None, replied_after: datetime.timedelta | None = None,
                       resolved: bool | None = None, description: str = "The kettle broke after two days.",
                       contact_name: str = "Carol van der Meer", **fields) -> Complaint:
    visibility = Visibility.PUBLIC if published or publication not in (None, Publication.PRIVATE) else Visibility.PRIVATE
    complaint = file_complaint(
        company,
        NewComplaint(description=description, contact_name=contact_name, contact_email="carol@example.com",
                     visibility=visibility, **fields),
        channel=Channel.WEB, by=Actor.system(), received_at=received_at,
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        platform=True,
        publication=publication or (Publication.PUBLISHED if published else Publication.PRIVATE),
        first_reply_at=received_at + replied_after if replied_after is not None else None,
        feedback_resolved=resolved,
    )
    complaint.refresh_from_db()
    return complaint


def company_reply(complaint, body: str, *, publication: str = Publication.PUBLISHED, kind: str = Message.Kind.COMPANY,
                  at: datetime.datetime | None = None) -> Message:
    return Message.objects.create(
        complaint=complaint, kind=kind, channel=Channel.EMAIL, body=body, publication=publication,
        created_at=at or complaint.received_at + datetime.timedelta(hours=5), author_name="Klantenservice",
        sender_email=complaint.organisation.complaint_email,
    )
