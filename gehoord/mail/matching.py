"""Which complaint an inbound mail belongs to, in the order of SPEC 7.

1. In-Reply-To/References: a Message-ID we sent, or one we received on a complaint before;
   for a bounce first the Message-ID of the mail it returns.
2. The Reply-To token: ``reply+<token>@<reply domain>`` among the recipients.
3. The subject tag: our reference in ``[…]`` (or, at the organisation written to, its own
   order-number reference), then another helpdesk's ticket tag remembered for the sender's domain.
4. The sender: exactly one open complaint of that address at the organisation written to.
   (A bounce without a usable Message-ID: the complaint of our last mail to the failed address.)

Nothing here writes; `inbound` decides what a match means (a consumer message, a triage item…).
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_noop

from gehoord.complaints.models import Complaint
from gehoord.mail.models import ForeignTicketTag, InboundMail, OutboundMail, ReplyAddress
from gehoord.mail.noise import Noise, NoiseKind
from gehoord.mail.outbound import reply_domain
from gehoord.mail.parsing import ParsedMail
from gehoord.mail.tags import (
    find_bracket_tokens,
    find_foreign_ticket_tags,
    find_plus_tokens,
    find_reference_tags,
)
from gehoord.organisations.models import Organisation

THREAD = "thread"
TOKEN = "token"
SUBJECT_TAG = "subject_tag"
FOREIGN_TAG = "foreign_tag"
SENDER = "sender"
BOUNCED_ADDRESS = "bounced_address"


@dataclass(frozen=True)
class Match:
    complaint: Complaint | None = None
    by: str = ""
    # Several complaints fit equally well: a person must choose (triage), and this says why.
    ambiguous: str = ""
    candidates: tuple[Complaint, ...] = ()


def organisation_written_to(recipients: list[str]) -> Organisation | None:
    """The organisation whose complaint address is among the recipients (first one listed)."""
    if not recipients:
        return None
    query = Q()
    for address in recipients:
        query |= Q(complaint_email__iexact=address)
    found = {org.complaint_email.lower(): org for org in Organisation.objects.exclude(complaint_email="").filter(query)}
    return next((found[address] for address in recipients if address in found), None)


def find_complaint(
    mail: ParsedMail,
    recipients: list[str],
    noise: Noise,
    organisation: Organisation | None,
    *,
    exclude_inbound: int | None = None,
) -> Match:
    thread_ids = list(mail.thread_ids)
    if noise.kind == NoiseKind.BOUNCE and noise.original_message_id:
        thread_ids.insert(0, noise.original_message_id)
    for step in (
        lambda: _by_thread(thread_ids, exclude_inbound),
        lambda: _by_token(recipients),
        lambda: _by_subject_tag(mail.subject, organisation),
        lambda: _by_foreign_tag(mail.subject, mail.from_address),
        lambda: _by_bounced_address(noise),
        lambda: _by_sender(mail.from_address, organisation),
    ):
        match = step()
        if match is not None:
            return match
    return Match()


def _by_thread(thread_ids: list[str], exclude_inbound: int | None) -> Match | None:
    if not thread_ids:
        return None
    ours = dict(
        OutboundMail.objects.filter(message_id__in=thread_ids, complaint__isnull=False).values_list(
            "message_id", "complaint_id"
        )
    )
    received = InboundMail.objects.filter(message_id__in=thread_ids, complaint__isnull=False)
    if exclude_inbound:
        received = received.exclude(pk=exclude_inbound)
    theirs = dict(received.values_list("message_id", "complaint_id"))
    # The most recent id first: a reply quoting two complaints' threads belongs to the newest.
    for message_id in thread_ids:
        complaint_id = ours.get(message_id) or theirs.get(message_id)
        if complaint_id:
            return Match(_complaint(complaint_id), THREAD)
    return None


def _by_token(recipients: list[str]) -> Match | None:
    tokens = find_plus_tokens(recipients, domain=reply_domain())
    if not tokens:
        return None
    found = dict(ReplyAddress.objects.filter(token__in=tokens).values_list("token", "complaint_id"))
    for token in tokens:
        if token in found:
            return Match(_complaint(found[token]), TOKEN)
    return None


def _by_subject_tag(subject: str, organisation: Organisation | None) -> Match | None:
    references = find_reference_tags(subject)
    if references:
        complaints = Complaint.objects.select_related("organisation").filter(public_id__in=references)
        if organisation is not None:
            complaints = complaints.filter(organisation=organisation)
        by_reference = {complaint.public_id: complaint for complaint in complaints}
        for reference in references:
            if reference in by_reference:
                return Match(by_reference[reference], SUBJECT_TAG)
    if organisation is not None:
        # An organisation whose policy uses order numbers as references tags them as [<order>].
        tokens = find_bracket_tokens(subject)
        if tokens:
            found = {c.reference: c for c in Complaint.objects.filter(organisation=organisation, reference__in=tokens)}
            for token in tokens:
                if token in found:
                    return Match(found[token], SUBJECT_TAG)
    return None


def _by_foreign_tag(subject: str, sender: str) -> Match | None:
    tags = find_foreign_ticket_tags(subject)
    domain = sender.rpartition("@")[2]
    if not tags or not domain:
        return None
    rows = list(
        ForeignTicketTag.objects.filter(tag__in=tags, sender_domain=domain)
        .order_by("-first_seen_at", "-id")
        .values_list("complaint_id", flat=True)
    )
    complaint_ids = list(dict.fromkeys(rows))
    if len(complaint_ids) == 1:
        return Match(_complaint(complaint_ids[0]), FOREIGN_TAG)
    if len(complaint_ids) > 1:
        candidates = tuple(Complaint.objects.filter(pk__in=complaint_ids))
        reason = gettext_noop("the ticket tag belongs to several complaints")
        return Match(None, FOREIGN_TAG, ambiguous=reason, candidates=candidates)
    return None


def _by_bounced_address(noise: Noise) -> Match | None:
    if noise.kind != NoiseKind.BOUNCE or not noise.failed_recipients:
        return None
    last = (
        OutboundMail.objects.filter(to_address__in=[a.lower() for a in noise.failed_recipients], complaint__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("complaint_id", flat=True)
        .first()
    )
    return Match(_complaint(last), BOUNCED_ADDRESS) if last else None


def _by_sender(sender: str, organisation: Organisation | None) -> Match | None:
    if organisation is None or not sender:
        return None
    open_ones = list(
        Complaint.objects.select_related("organisation")
        .filter(organisation=organisation, contact_email__iexact=sender)
        .open()[:5]
    )
    if len(open_ones) == 1:
        return Match(open_ones[0], SENDER)
    if len(open_ones) > 1:
        reason = gettext_noop("the sender has several open complaints")
        return Match(None, SENDER, ambiguous=reason, candidates=tuple(open_ones))
    return None


def _complaint(complaint_id: int) -> Complaint:
    return Complaint.objects.select_related("organisation").get(pk=complaint_id)
