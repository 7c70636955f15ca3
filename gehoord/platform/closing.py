"""Closing a platform complaint (seed 004): the consumer's verdict (resolved or not, satisfaction,
comment), and closing as unanswered once the company let the platform's term pass without a reply.

The reminder to an e-mail-only company before that term is the `respond` deadline's (the platform
preset reminds a week before; complaints.actions.remind sends it to the company's address)."""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import lifecycle, notices, timeline
from gehoord.complaints.actions import FeedbackInput, _ended, _performing, _store_feedback
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.lifecycle import CONSUMER, SYSTEM
from gehoord.complaints.models import OPEN_STATUSES, ActorKind, Complaint, Outcome, Status
from gehoord.complaints.notices import Notice
from gehoord.platform.models import PlatformSettings


def unanswered_from(complaint: Complaint) -> datetime.datetime:
    """When a complaint without any company reply counts as unanswered (SPEC 8: 30 days by default)."""
    return complaint.received_at + datetime.timedelta(days=PlatformSettings.current().unanswered_days)


def _concludable(complaint: Complaint, actor: Actor) -> str | None:
    if not complaint.platform:
        return _("Only a complaint filed on the platform is closed with a verdict.")
    # A connected company handles its complaint under its own desk procedure until it resolves it.
    if complaint.organisation.connected and complaint.status != Status.RESOLVED:
        return _("The company handles this complaint; you can close it once it is resolved.")
    return None


def _unanswered(complaint: Complaint, actor: Actor) -> str | None:
    if not complaint.platform:
        return _("Only a complaint filed on the platform can be closed as unanswered.")
    if complaint.first_reply_at is not None:
        return _("The company has answered this complaint.")
    if timezone.now() < (term := unanswered_from(complaint)):
        return _("The company still has time to answer until %(date)s.") % {"date": local_date(term)}
    return None


def local_date(instant: datetime.datetime) -> str:
    """A day as the reader of a refusal or a page writes it (their language, the site's time zone)."""
    return date_format(timezone.localtime(instant), "DATE_FORMAT")


@lifecycle.action(
    label=gettext_lazy("close with your verdict"),
    sources=OPEN_STATUSES | {Status.RESOLVED},
    target=Status.CLOSED,
    who={CONSUMER},
    parameters=("resolved", "satisfaction", "comment"),
    guard=_concludable,
)
def conclude(complaint: Complaint, *, by: Actor, resolved: bool, satisfaction: int | None = None, comment: str = "") -> Complaint:
    """The consumer closes their platform complaint: resolved or not, how satisfied (1–5), a comment.
    The score card's resolution rate reads this verdict."""
    with _performing("conclude", complaint, by) as complaint:
        _store_feedback(complaint, FeedbackInput(resolved=resolved, satisfaction=satisfaction, comment=comment))
        _ended(complaint)
        timeline.record(
            complaint,
            EventKind.CLOSED,
            by,
            outcome=complaint.outcome,
            feedback_resolved=complaint.feedback_resolved,
            feedback_satisfaction=complaint.feedback_satisfaction,
        )
    return complaint


@lifecycle.action(
    label=gettext_lazy("close as unanswered"),
    sources=OPEN_STATUSES,
    target=Status.CLOSED,
    who={CONSUMER, SYSTEM},
    guard=_unanswered,
)
def close_unanswered(complaint: Complaint, *, by: Actor) -> Complaint:
    """The company never replied within the platform's term: closed as unanswered, which the score
    card counts as unanswered and unresolved."""
    with _performing("close_unanswered", complaint, by) as complaint:
        complaint.outcome = Outcome.UNANSWERED
        _ended(complaint)
        timeline.record(complaint, EventKind.CLOSED, by, outcome=complaint.outcome)
        if by.kind != ActorKind.CONSUMER:
            notices.tell(complaint, Notice.CLOSING)
    return complaint
