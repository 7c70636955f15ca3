"""The portal's part of an erasure (platform/privacy.py): rate-limit counts and form sendings."""

import hashlib

from gehoord.portal.models import FormSubmission, RateCount


def erase(erasure) -> None:
    FormSubmission.objects.filter(complaint_id__in=erasure.complaint_ids).delete()
    if erasure.everywhere:
        # Counted under a hash of the address (portal/ratelimit.py), so found by the same hash.
        digests = [hashlib.sha256(email.encode()).hexdigest()[:32] for email in erasure.person.emails]
        RateCount.objects.filter(digest__in=digests).delete()
