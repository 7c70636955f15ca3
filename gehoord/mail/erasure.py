"""The mail app's part of an erasure (platform/privacy.py): the stored inbound mail and the outbox."""

import hashlib

from django.db.models import Q

from gehoord.mail.models import AutomaticMailCount, FailingAddress, InboundMail, OutboundMail


def erase(erasure) -> None:
    person, ids = erasure.person, erasure.complaint_ids
    inbound = Q(complaint_id__in=ids) | Q(suggested_complaint_id__in=ids)
    outbound = Q(complaint_id__in=ids)
    if erasure.everywhere:
        for email in person.emails:
            inbound |= Q(from_address__iexact=email) | Q(envelope_from__iexact=email)
            inbound |= Q(suggested_contact_email__iexact=email)
            outbound |= Q(to_address__iexact=email)
        AutomaticMailCount.objects.filter(address__in=person.emails).delete()
        FailingAddress.objects.filter(address__in=person.emails).delete()
    # The raw bytes and what parsing found: the message's text lives on in the complaint, scrubbed.
    # A Message-ID may hold a name ("femke.1@..."): its hash keeps the row unique.
    for mail in InboundMail.objects.filter(inbound).exclude(message_id__endswith="@erased.invalid"):
        digest = hashlib.sha256(mail.message_id.encode()).hexdigest()
        InboundMail.objects.filter(pk=mail.pk).update(message_id=f"{digest}@erased.invalid")
    InboundMail.objects.filter(inbound).update(
        raw=b"", envelope_from="", envelope_to=[], from_address="", from_name="", subject="",
        text_visible="", html_sanitised="", suggested_contact_email="", refused_attachments=[],
        triage_reason="", noise_reason="", defects=[],
    )
    for mail in OutboundMail.objects.filter(outbound):
        to_person = mail.to_address.lower() in person.emails
        OutboundMail.objects.filter(pk=mail.pk).update(
            to_address="" if to_person else mail.to_address,
            subject=person.scrub(mail.subject),
            body_text=person.scrub(mail.body_text),
            body_html=person.scrub(mail.body_html),
            last_error=person.scrub(mail.last_error),
        )
