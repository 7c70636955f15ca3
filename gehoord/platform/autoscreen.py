"""The automatic screen in front of the moderator (issue 13): clean text is published at once,
flagged text waits in the moderator's queue with the reasons found.

Every platform complaint and reply that waits for screening (publication PENDING) and that the
screen has not read (`screening` is None) is read once by `screening.screen`; the finding is stored
on it, recorded on the timeline (AUTO_SCREENED), and a clean text is published by the system with
the same actions a moderator uses, so the company's mail goes out as after a moderator's decision.
A flagged text stays PENDING for a moderator.

It runs after filing and after a reply on the portal, the company dashboard or the desk (a task
enqueued on commit, `screen_when_committed`), and from the sweep for whatever that missed (replies
by mail or the API are read there, within the sweep's minute). Safe with several
workers: a text is claimed by the conditional UPDATE of `screening` from NULL, in the transaction
that records and publishes, so whoever gets there first reads it and the others do nothing.
"""

import logging

from django.db import transaction
from django_tasks import task

from gehoord.complaints import actions, timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.platform import screening

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


def _unread_complaints():
    return Complaint.objects.filter(platform=True, publication=Publication.PENDING, screening__isnull=True)


def _unread_messages():
    return Message.objects.filter(complaint__platform=True, publication=Publication.PENDING, screening__isnull=True)


def screen_when_committed(complaint: Complaint) -> None:
    """Have the complaint and its waiting replies screened once the caller's transaction commits
    (filing calls this, and the doors after a reply or message; nothing to do off the platform)."""
    if not complaint.platform:
        return
    complaint_id = complaint.pk
    # robust: the row is committed and the sweep hands it on, so a task queue that is down (a broker
    # out of reach) is logged rather than failing a request whose change has already committed.
    transaction.on_commit(lambda: screen_complaint_task.enqueue(complaint_id), robust=True)


@task()
def screen_complaint_task(complaint_id: int) -> int:
    return screen_texts_of(complaint_id)


def screen_texts_of(complaint_id: int) -> int:
    """Screen the complaint and its replies that wait unread; how many texts this call read."""
    read = screen_complaint(complaint_id)
    for message_id in list(_unread_messages().filter(complaint_id=complaint_id).values_list("pk", flat=True)):
        read += screen_message(message_id)
    return read


def _keep(complaint: Complaint) -> tuple[str, ...]:
    # The company's own name under a reply's closing is no private person's.
    return (complaint.organisation.name,)


def screen_complaint(complaint_id: int) -> bool:
    """Read the complaint if it waits unread; True if this call did."""
    with transaction.atomic():
        complaint = _unread_complaints().select_related("organisation").filter(pk=complaint_id).first()
        if complaint is None:
            return False
        text = "\n\n".join(part for part in (complaint.product, complaint.description, complaint.desired_solution) if part)
        finding = screening.screen(text, keep=_keep(complaint))
        # The claim filters on the complaint's own columns only (a join is not checked again once
        # PostgreSQL grants the row lock).
        claimed = (
            Complaint.objects.filter(pk=complaint_id, publication=Publication.PENDING, screening__isnull=True)
            .update(screening=finding.as_json())
        )
        if not claimed:
            return False
        _record(complaint, finding, message_id=None)
        if not finding.flagged:
            actions.perform("publish", complaint, by=Actor.system())
    return True


def screen_message(message_id: int) -> bool:
    """Read the reply if it waits unread; True if this call did."""
    with transaction.atomic():
        message = _unread_messages().select_related("complaint__organisation").filter(pk=message_id).first()
        if message is None:
            return False
        finding = screening.screen(message.body, keep=_keep(message.complaint))
        claimed = (
            Message.objects.filter(pk=message_id, publication=Publication.PENDING, screening__isnull=True)
            .update(screening=finding.as_json())
        )
        if not claimed:
            return False
        _record(message.complaint, finding, message_id=message.pk)
        if not finding.flagged:
            actions.perform("publish_reply", message.complaint, by=Actor.system(), message_id=message.pk)
    return True


def _record(complaint: Complaint, finding: screening.Finding, *, message_id: int | None) -> None:
    stored = finding.as_json()
    timeline.record(
        complaint, EventKind.AUTO_SCREENED, Actor.system(),
        flagged=stored["flagged"], score=stored["score"], reasons=stored["reasons"], message_id=message_id,
    )


def screen_due(limit: int = BATCH_SIZE) -> int:
    """The sweep's step: read every complaint and reply that waits unread; how many were read."""
    read = 0
    for complaint_id in list(_unread_complaints().order_by("received_at").values_list("pk", flat=True)[:limit]):
        read += _safely(screen_complaint, complaint_id)
    for message_id in list(_unread_messages().order_by("created_at").values_list("pk", flat=True)[:limit]):
        read += _safely(screen_message, message_id)
    return read


def _safely(step, text_id: int) -> bool:
    try:
        return step(text_id)
    except Exception:  # one text's failure must not hold up the others; it stays unread for the next sweep
        logger.exception("%s of %s failed", step.__name__, text_id)
        return False
