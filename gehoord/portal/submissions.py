"""A complaint form sent twice files once (a double click, a reload, a browser's retry).

The form carries a random token from the page it was typed on. Filing first claims the token in
the same transaction: a second sending with it waits for the first to commit (the token is unique)
and then finds the complaint the first one filed. Claims are kept a day (`forget_old`, the sweep).
"""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from gehoord.portal.models import FormSubmission

KEPT = datetime.timedelta(days=1)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def claim(token: str) -> bool:
    """Claim `token` within the caller's transaction; False when another sending claimed it first."""
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, created_at=timezone.now())
    except IntegrityError:
        return False
    return True


def record(token: str, complaint) -> None:
    FormSubmission.objects.filter(token=token).update(complaint=complaint)


def filed_by(token: str):
    """The complaint an earlier sending with `token` filed, if any."""
    submission = FormSubmission.objects.filter(token=token, complaint__isnull=False).select_related("complaint").first()
    return submission.complaint if submission else None


def forget_old() -> int:
    return FormSubmission.objects.filter(created_at__lt=timezone.now() - KEPT).delete()[0]
