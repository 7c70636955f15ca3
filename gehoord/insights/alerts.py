"""What a complaint manager does with a recurring-problem alert (insights/problems.py finds them),
and what the page shows beside one: the process changes written in its complaints' outcome letters."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gehoord.complaints.models import OutcomeLetter
from gehoord.errors import ActionNotAllowed
from gehoord.insights.models import AlertState, ProblemAlert
from gehoord.organisations.models import Organisation


def alert_of(organisation: Organisation, alert_id: int, *, write: bool = False) -> ProblemAlert | None:
    """The organisation's alert with this id (locked for update with `write`), or None."""
    alerts = ProblemAlert.objects.of_organisation(organisation).filter(pk=alert_id)
    return (alerts.select_for_update() if write else alerts).first()


def acknowledge(organisation: Organisation, alert_id: int, *, by) -> ProblemAlert:
    """A manager has seen the alert and is looking into it."""
    with transaction.atomic():
        alert = alert_of(organisation, alert_id, write=True)
        if alert is None or alert.state != AlertState.OPEN:
            raise ActionNotAllowed(_("Only an open alert can be acknowledged."))
        alert.state, alert.acknowledged_by, alert.acknowledged_at = AlertState.ACKNOWLEDGED, by, timezone.now()
        alert.save(update_fields=["state", "acknowledged_by", "acknowledged_at"])
    return alert


def resolve(organisation: Organisation, alert_id: int, *, by, note: str = "") -> ProblemAlert:
    """The problem is dealt with: its complaints no longer count for the group; a new rise opens a new alert."""
    with transaction.atomic():
        alert = alert_of(organisation, alert_id, write=True)
        if alert is None or alert.state == AlertState.RESOLVED:
            raise ActionNotAllowed(_("This alert is already resolved."))
        alert.state, alert.resolved_by, alert.resolved_at = AlertState.RESOLVED, by, timezone.now()
        alert.resolution_note = note.strip()[:2_000]
        alert.save(update_fields=["state", "resolved_by", "resolved_at", "resolution_note"])
    return alert


def process_changes(alerts: list[ProblemAlert]) -> dict[int, list[dict]]:
    """Per alert, the process changes written in the outcome letters of its complaints, newest first."""
    found: dict[int, list[dict]] = defaultdict(list)
    letters = (
        OutcomeLetter.objects.filter(complaint__problem_alerts__in=[alert.pk for alert in alerts])
        .exclude(changes="")
        .order_by("-written_at", "-id")
        .values("complaint__problem_alerts", "complaint__reference", "written_at", "changes")
    )
    for letter in letters:
        found[letter["complaint__problem_alerts"]].append(
            {"reference": letter["complaint__reference"], "written_at": letter["written_at"], "changes": letter["changes"]}
        )
    return found
