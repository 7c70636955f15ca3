"""Which complaint an inbound mail belongs to, in the order of SPEC 7.

0. Our own mail come back: its Message-ID is one we sent (matched to nothing).
1. In-Reply-To/References: a Message-ID we sent, or one we received on a complaint before;
   for a bounce first the Message-ID of the mail it returns.
2. The Reply-To token: ``reply+<token>@<reply domain>`` among the recipients.
3. The subject tag: our reference in ``[…]`` (or, at the organisation written to, its own
   order-number reference), then another helpdesk's ticket tag remembered for the sender's domain.
4. The sender: exactly one open complaint of that address at the organisation written to.
   (A bounce without a usable Message-ID: the complaint of our last mail to the failed address.)

A match by thread or token also says whose side of the complaint the mail answers (`Match.party`):
an e-mail-only company's mails carry their own reply token and thread.

Steps 0 to 2 need ids only; the organisation written to is looked up when they find nothing, and
the matched complaint comes with its organisation in the query that finds it. Nothing here
writes; `inbound` decides what a match means (a consumer message, a triage item…).
"""

from dataclasses import dataclass, replace

from django.db.models import Q
from django.utils.translation import gettext_noop

from gehoord.complaints.models import Complaint, Message
from gehoord.mail.models import ForeignTicketTag, InboundMail, OutboundMail, ReplyAddress
from gehoord.inbound.noise import Noise, NoiseKind
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
    # The organisation the mail is for: the complaint's, else the one whose complaint address it was sent to.
    organisation: Organisation | None = None
    # The mail is one we sent: it came back (a complaint filed with the desk address as the consumer's).
    our_own: bool = False
    # The side of the complaint the mail answers, where the match says so: COMPANY for the company
    # reply token or a thread of the e-mail-only company's mails, CONSUMER for the consumer's.
    party: str = ""


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
    *,
    exclude_inbound: int | None = None,
) -> Match:
    thread_ids = list(mail.thread_ids)
    if noise.kind == NoiseKind.BOUNCE and noise.original_message_id:
        thread_ids.insert(0, noise.original_message_id)
    # One query answers step 0 and, for a reply to our mail, step 1 with the complaint itself.
    sent = {
        sent_mail.message_id: sent_mail
        for sent_mail in OutboundMail.objects.filter(message_id__in=[mail.message_id, *thread_ids])
        .select_related("complaint__organisation")
        .only("message_id", "complaint", "reply_to")
        .order_by()
    }
    if mail.message_id in sent:
        return Match(our_own=True)
    match = _by_thread(thread_ids, sent, exclude_inbound) or _by_token(recipients)
    if match is not None:
        return replace(match, organisation=match.complaint.organisation)
    organisation = organisation_written_to(recipients)
    for step in (
        lambda: _by_subject_tag(mail.subject, organisation),
        lambda: _by_foreign_tag(mail.subject, mail.from_address),
        lambda: _by_bounced_address(noise),
        lambda: _by_sender(mail.from_address, organisation),
    ):
        match = step()
        if match is not None:
            return replace(match, organisation=match.complaint.organisation if match.complaint else organisation)
    return Match(organisation=organisation)


def _by_thread(thread_ids: list[str], sent: dict[str, OutboundMail], exclude_inbound: int | None) -> Match | None:
    received: dict[str, InboundMail] | None = None
    # The most recent id first: a reply quoting two complaints' threads belongs to the newest.
    for message_id in thread_ids:
        sent_mail = sent.get(message_id)
        if sent_mail is not None and sent_mail.complaint_id:
            complaint = sent_mail.complaint
            # Only an e-mail-only company's complaint has a company side to tell apart.
            email_only = complaint.platform and not complaint.organisation.connected
            return Match(complaint, THREAD, party=_party_of_reply_to(sent_mail.reply_to) if email_only else "")
        if received is None:  # asked only when our own mails do not settle it
            received = _received_on_complaints(thread_ids, exclude_inbound)
        if message_id in received:
            row = received[message_id]
            company = row.complaint_message is not None and row.complaint_message.kind == Message.Kind.COMPANY
            return Match(row.complaint, THREAD, party=ReplyAddress.Party.COMPANY if company else "")
    return None


def _party_of_reply_to(reply_to: str) -> str:
    """Whose side a mail we sent was on, by the reply token it carried ("" for none)."""
    tokens = find_plus_tokens([reply_to], domain=reply_domain()) if reply_to else []
    if not tokens:
        return ""
    return ReplyAddress.objects.filter(token__in=tokens).values_list("party", flat=True).first() or ""


def _received_on_complaints(message_ids: list[str], exclude_inbound: int | None) -> dict[str, InboundMail]:
    received = InboundMail.objects.filter(message_id__in=message_ids, complaint__isnull=False)
    if exclude_inbound:
        received = received.exclude(pk=exclude_inbound)
    rows = (
        received.select_related("complaint__organisation", "complaint_message")
        .only("message_id", "complaint", "complaint_message__kind")
        .order_by()
    )
    return {row.message_id: row for row in rows}


def _by_token(recipients: list[str]) -> Match | None:
    tokens = find_plus_tokens(recipients, domain=reply_domain())
    if not tokens:
        return None
    found = {
        address.token: address
        for address in ReplyAddress.objects.filter(token__in=tokens).select_related("complaint__organisation")
    }
    for token in tokens:
        if token in found:
            return Match(found[token].complaint, TOKEN, party=found[token].party)
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
        # Stored order-number references are upper case; a client may have changed the tag's case.
        tokens = [token.upper() for token in find_bracket_tokens(subject)]
        if tokens:
            found = {
                complaint.reference: complaint
                for complaint in Complaint.objects.select_related("organisation").filter(
                    organisation=organisation, reference__in=tokens
                )
            }
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
