"""Legal aid (seed 004): a subscriber hands the dossier of an unanswered or unresolved complaint
to the consumer organisation's legal-aid service, whose advisors work it from their own queue."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import lifecycle, notices, timeline
from gehoord.complaints.actions import _performing, _text
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.lifecycle import CONSUMER
from gehoord.complaints.models import OPEN_STATUSES, ActorKind, Complaint, Outcome, Status
from gehoord.complaints.notices import Notice
from gehoord.errors import ActionNotAllowed
from gehoord.organisations.models import ConsumerAccount
from gehoord.platform.closing import local_date
from gehoord.platform.models import LegalAidHandover, PlatformSettings

MAX_QUESTION = 5000


def reply_term_end(complaint: Complaint) -> datetime.datetime:
    """Until when the company may answer before its silence opens legal aid."""
    return complaint.received_at + datetime.timedelta(days=PlatformSettings.current().legal_aid_after_days)


def handover_reason(complaint: Complaint) -> str | None:
    """Why the complaint may go to legal aid now, or None: no reply in the term, or closed as not resolved."""
    if complaint.first_reply_at is None and timezone.now() >= reply_term_end(complaint):
        return LegalAidHandover.Reason.NO_REPLY
    if complaint.status == Status.CLOSED and (complaint.outcome == Outcome.UNANSWERED or complaint.feedback_resolved is False):
        return LegalAidHandover.Reason.NOT_RESOLVED if complaint.first_reply_at else LegalAidHandover.Reason.NO_REPLY
    return None


def _may_hand_over(complaint: Complaint, actor: Actor) -> str | None:
    if not complaint.platform:
        return _("Legal aid is for complaints filed on the platform.")
    if LegalAidHandover.objects.filter(complaint=complaint).exists():
        return _("This complaint has been handed to legal aid already.")
    if complaint.consumer_id is None or not ConsumerAccount.objects.filter(user_id=complaint.consumer_id, subscriber=True).exists():
        return _("Legal aid is for subscribers: this complaint was not filed from a subscriber's account.")
    if handover_reason(complaint) is None:
        if complaint.first_reply_at is None:
            return _("The company still has time to answer until %(date)s.") % {"date": local_date(reply_term_end(complaint))}
        return _("The company has answered. If your complaint is not resolved, close it as not resolved first.")
    return None


@lifecycle.action(
    label=gettext_lazy("hand to legal aid"),
    sources=OPEN_STATUSES | {Status.RESOLVED, Status.CLOSED},
    target=None,
    who={CONSUMER},
    parameters=("question",),
    guard=_may_hand_over,
)
def hand_to_legal_aid(complaint: Complaint, *, by: Actor, question: str = "") -> Complaint:
    """The subscriber hands the whole dossier to legal aid, once; it lands in the advisors' queue."""
    with _performing("hand_to_legal_aid", complaint, by) as complaint:
        reason = handover_reason(complaint)  # the guard made sure there is one
        handover = LegalAidHandover.objects.create(
            complaint=complaint,
            reason=reason,
            question=_text(question, "question", required=False, limit=MAX_QUESTION),
            handed_over_at=timezone.now(),
            handed_over_by_id=complaint.consumer_id,
        )
        timeline.record(complaint, EventKind.HANDED_TO_LEGAL_AID, by, reason=reason, question=handover.question)
        notices.tell(complaint, Notice.LEGAL_AID_HANDOVER, handover=handover)
    return complaint


# -- the legal advisors' queue ------------------------------------------------------------------


def advisor_actor(user) -> Actor:
    """A legal advisor on a complaint's timeline: platform staff, with no actor kind of its own."""
    name = user.get_full_name() or user.get_username()
    return Actor(kind=ActorKind.STAFF, label=_("%(name)s (legal aid)") % {"name": name}, user=user)


def take(handover: LegalAidHandover, advisor) -> LegalAidHandover:
    """An advisor takes a dossier on; one another advisor works already stays theirs."""
    with transaction.atomic():
        locked = LegalAidHandover.objects.select_for_update().get(pk=handover.pk)
        if locked.advisor_id not in (None, advisor.pk) and locked.state == LegalAidHandover.State.IN_PROGRESS:
            raise ActionNotAllowed(_("Another legal advisor works on this dossier."))
        if locked.state == LegalAidHandover.State.DONE:
            raise ActionNotAllowed(_("This dossier is done."))
        locked.advisor = advisor
        locked.state = LegalAidHandover.State.IN_PROGRESS
        locked.save(update_fields=["advisor", "state"])
    return locked


def finish(handover: LegalAidHandover, advisor) -> LegalAidHandover:
    """The dossier is done: by its advisor, or by whoever finishes one nobody took."""
    with transaction.atomic():
        locked = LegalAidHandover.objects.select_for_update().get(pk=handover.pk)
        if locked.advisor_id not in (None, advisor.pk):
            raise ActionNotAllowed(_("Another legal advisor works on this dossier."))
        locked.advisor = advisor
        locked.state = LegalAidHandover.State.DONE
        locked.save(update_fields=["advisor", "state"])
    return locked
