"""A company reports a published complaint to the moderators (issue 13), who uphold or dismiss it.

The company is the e-mail-only company from its dashboard, or a connected company's staff from the
desk: both call `report`. The complaint stays public meanwhile, unless the reason is a threat or
personal data: then it goes off every public page at once (back to PENDING) until a moderator
decides. The moderator upholds the report by withholding the complaint with a reason (its author is
told and may change it) or by editing its public text (publication.edit_public_text first, then
"edited" publishes the edit), or dismisses it (a complaint taken off the pages by the report is
public again). Either way the company is told the outcome by mail.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import lifecycle, notices, timeline
from gehoord.complaints.actions import _performing, _text
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.lifecycle import ALL_STATES, COMPANY, MANAGER, MODERATOR, STAGE_STAFF
from gehoord.complaints.models import Complaint, Publication
from gehoord.complaints.notices import Notice
from gehoord.errors import ActionNotAllowed, InvalidInput
from gehoord.platform import publication
from gehoord.platform.models import Report

MAX_DETAILS = 2000
# A complaint reported for one of these leaves the public pages until a moderator has decided.
URGENT_REASONS = frozenset({Report.Reason.THREAT, Report.Reason.PERSONAL_DATA})
WITHHOLD = "withhold"  # upheld: the complaint is withheld with a reason
EDITED = "edited"  # upheld: the moderator's edited public text is published
DISMISS = "dismiss"
DECISIONS = (WITHHOLD, EDITED, DISMISS)


def open_reports():
    """The reports the moderators have to decide, oldest first, with their complaints."""
    return (
        Report.objects.filter(state=Report.State.OPEN)
        .select_related("complaint__organisation")
        .order_by("reported_at", "pk")
    )


def open_report(report_id) -> Report | None:
    try:
        report_id = int(report_id)
    except (TypeError, ValueError):
        return None
    return open_reports().filter(pk=report_id).first()


def _reportable(complaint: Complaint, by: Actor) -> str | None:
    if complaint.publication != Publication.PUBLISHED:
        return _("Only a published complaint can be reported.")
    if complaint.reports.filter(state=Report.State.OPEN).exists():
        return _("This complaint has been reported already; the moderators are looking at it.")
    return None


@lifecycle.action(
    label=gettext_lazy("report the complaint to the moderators"), sources=ALL_STATES, target=None,
    who={COMPANY, STAGE_STAFF, MANAGER}, parameters=("reason", "details"), guard=_reportable,
)
def report(complaint: Complaint, *, by: Actor, reason: str, details: str = "") -> Complaint:
    if reason not in Report.Reason.values:
        raise InvalidInput({"reason": _("Choose a reason from the list.")})
    details = _text(details, "details", required=False, limit=MAX_DETAILS)
    with _performing("report", complaint, by) as complaint:
        filed = Report.objects.create(complaint=complaint, reason=reason, details=details, reported_at=timezone.now())
        if reason in URGENT_REASONS:
            complaint.publication = Publication.PENDING
            # Marked as read: the automatic screening must not publish it again on its own.
            complaint.screening = {**(complaint.screening or {}), "report_id": filed.pk}
        timeline.record(complaint, EventKind.REPORTED, by, reason=reason, report_id=filed.pk, details=details)
    return complaint


@lifecycle.action(
    label=gettext_lazy("decide a report"), sources=ALL_STATES, target=None, who={MODERATOR},
    parameters=("report_id", "decision", "reason", "note"),
)
def decide_report(
    complaint: Complaint, *, by: Actor, report_id: int, decision: str, reason: str = "", note: str = ""
) -> Complaint:
    """Uphold (`withhold` with a publication.WithholdReason, or `edited`) or `dismiss` a report."""
    if decision not in DECISIONS:
        raise InvalidInput({"decision": _("Choose a decision.")})
    if decision == WITHHOLD:
        reason, note = publication.reason_and_note(reason, note)
    else:
        note = _text(note, "note", required=False, limit=publication.MAX_REASON)
    with _performing("decide_report", complaint, by) as complaint:
        decided = complaint.reports.select_for_update().filter(pk=_number(report_id), state=Report.State.OPEN).first()
        if decided is None:
            raise ActionNotAllowed(_("This report has been decided already."), action="decide_report")
        if decision == WITHHOLD:
            publication.set_withheld(complaint, reason, note)
            timeline.record(complaint, EventKind.SCREENED, by, decision=publication.WITHHELD, reason=reason, note=note)
            notices.tell(complaint, Notice.SCREENING_DECISION, message=None)
        elif decision == EDITED:
            if not (complaint.screening or {}).get("public_text"):
                raise ActionNotAllowed(_("Edit the public text first."), action="decide_report")
            complaint.publication = Publication.PUBLISHED
        elif complaint.publication == Publication.PENDING and not _other_urgent_reports(complaint, decided):
            complaint.publication = Publication.PUBLISHED  # back on the pages it left for this report
        decided.state = Report.State.DISMISSED if decision == DISMISS else Report.State.UPHELD
        decided.decided_by = by.user
        decided.decided_at = timezone.now()
        decided.save(update_fields=["state", "decided_by", "decided_at"])
        timeline.record(complaint, EventKind.REPORT_DECIDED, by, report_id=decided.pk, decision=decision, note=note)
        notices.tell(complaint, Notice.REPORT_DECISION, report=decided)
    return complaint


def _other_urgent_reports(complaint: Complaint, decided: Report) -> bool:
    return complaint.reports.filter(state=Report.State.OPEN, reason__in=URGENT_REASONS).exclude(pk=decided.pk).exists()


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
