"""Filing a complaint on the public platform (seed 004): about any company in the registry.

A connected company handles it in its desk under its own policy; an e-mail-only company under the
platform's procedure. The company is not mailed here: a public complaint is screened first, and the
platform's mailing job sends every complaint of an e-mail-only company once it is no longer pending.
"""

import dataclasses

from django.shortcuts import get_object_or_404

from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import CheckedUpload, Upload
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Channel, Complaint, Publication
from gehoord.organisations.models import Organisation
from gehoord.platform import autoscreen, companies
from gehoord.policies.models import PolicyVersion
from gehoord.policies.presets import PRESETS


def company_entry(slug: str) -> Organisation:
    """The registry entry of `slug`, followed to the entry it was merged into (404 when unknown)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    seen = {organisation.pk}
    while organisation.merged_into_id is not None and organisation.merged_into_id not in seen:
        seen.add(organisation.merged_into_id)
        organisation = organisation.merged_into
    return organisation


def procedure_for(organisation: Organisation) -> PolicyVersion:
    """The policy a platform complaint about `organisation` runs under (made for an e-mail-only
    company that has none yet: without this, `current` would give it a web shop's procedure)."""
    if not organisation.connected and not PolicyVersion.objects.filter(organisation=organisation).exists():
        return PolicyVersion.publish(organisation, PRESETS["platform"], preset="platform")
    return PolicyVersion.objects.current(organisation)


def file_on_platform(
    organisation: Organisation,
    new: NewComplaint,
    *,
    by: Actor,
    consumer=None,
    uploads: list[Upload | CheckedUpload] = (),
    received_at=None,
) -> Complaint:
    """File `new` about `organisation` on the platform; `consumer` is the account filing it, if any.
    `received_at`: when it came in, if not now (the demo's history)."""
    procedure_for(organisation)
    complaint = file_complaint(
        organisation, dataclasses.replace(new, platform=True), channel=Channel.WEB, by=by, uploads=uploads,
        consumer=consumer, received_at=received_at,
    )
    if complaint.publication == Publication.PENDING:
        autoscreen.screen_when_committed(complaint)
    else:  # private: nothing to screen, the company gets it now
        companies.send_when_committed(complaint)
    return complaint
