"""What the public may read of the platform, for the public pages and the public API alike.

Complaints only through `Complaint.objects.public()`; replies only through `published_replies`;
companies by slug, a merged entry pointing at the company it was merged into. A text a moderator
edited for publication is shown as edited (publication.public_text), redacted all the same.
"""

import datetime
from dataclasses import dataclass

from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.organisations.models import Organisation
from gehoord.platform import publication, redaction

# Notes are never public; staff messages are a connected company's replies.
PUBLIC_REPLY_KINDS = (Message.Kind.COMPANY, Message.Kind.STAFF, Message.Kind.CONSUMER)
_MERGE_HOPS = 5


def published_replies(complaint: Complaint):
    """The replies the public may read: published company replies and consumer messages. A company
    reply from an unconfirmed address waits, whatever its publication says."""
    return complaint.messages.filter(
        kind__in=PUBLIC_REPLY_KINDS, publication=Publication.PUBLISHED, sender_confirmed=True
    ).only("complaint", "kind", "body", "created_at", "screening")


@dataclass(frozen=True)
class PublishedComplaint:
    """A published complaint as the public may read it: redacted, without contact details."""

    public_id: str
    company: Organisation
    received_at: datetime.datetime
    status: str
    status_label: str
    consumer: str
    product: str
    description: str
    desired_solution: str
    # The language the consumer wrote in, so the pages can mark the text as theirs.
    contact_language: str = ""

    @classmethod
    def of(cls, complaint: Complaint) -> "PublishedComplaint":
        keep = (complaint.organisation.name,)  # the company's own name is no private person's
        return cls(
            public_id=complaint.public_id,
            company=complaint.organisation,
            received_at=complaint.received_at,
            status=complaint.status,
            status_label=complaint.get_status_display(),
            consumer=redaction.public_name(complaint.contact_name),
            product=redaction.redact(complaint.product, keep=keep),
            description=redaction.redact(publication.public_text(complaint, "description"), keep=keep),
            desired_solution=redaction.redact(publication.public_text(complaint, "desired_solution"), keep=keep),
            contact_language=complaint.contact_language,
        )


@dataclass(frozen=True)
class PublishedReply:
    author: str  # "company" or "consumer"
    created_at: datetime.datetime
    body: str


def replies_of(complaint: Complaint) -> list[PublishedReply]:
    """The published replies of a published complaint, redacted."""
    return [
        PublishedReply("consumer" if message.kind == Message.Kind.CONSUMER else "company", message.created_at,
                       redaction.redact(publication.public_text(message), keep=(complaint.organisation.name,)))
        for message in published_replies(complaint)
    ]


def company_by_slug(slug: str) -> Organisation | None:
    """The registry entry with this slug and its prepared score card, or None."""
    return Organisation.objects.select_related("score").filter(slug=slug).first()


def surviving_company(organisation: Organisation) -> Organisation:
    """The entry a merged one lives on in (following a merge of a merge)."""
    survivor = organisation
    for _hop in range(_MERGE_HOPS):
        if survivor.merged_into_id is None:
            break
        survivor = Organisation.objects.only("slug", "merged_into").get(pk=survivor.merged_into_id)
    return survivor
