"""Recurring problems (issue 14): the alerts of insights/problems.py for an organisation's
complaint managers, each with why it fired, its complaints, and the process changes recorded in
their outcome letters; a manager acknowledges or resolves an alert here.

The page reads the alert rows the scan keeps (the sweep, `gehoord problems`); it computes nothing
over the complaints. Anyone but a complaint manager of the organisation gets 404.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gehoord.complaints.models import Complaint
from gehoord.desk.access import staff_view
from gehoord.errors import DomainError
from gehoord.insights import alerts
from gehoord.insights.models import AlertState, ProblemAlert
from gehoord.organisations.models import Role

# The newest complaints shown under each alert; the count says how many there are in all.
COMPLAINTS_SHOWN = 20
RESOLVED_SHOWN = 20

manager_view = staff_view(roles=frozenset({Role.MANAGER}))


class AlertForm(forms.Form):
    alert = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=[("acknowledge", "acknowledge"), ("resolve", "resolve")])
    note = forms.CharField(label=gettext_lazy("What was done"), required=False, max_length=2_000)


def _alerts(organisation, states):
    newest = Complaint.objects.only("id", "reference", "received_at", "product").order_by("-received_at", "-id")
    return list(
        ProblemAlert.objects.of_organisation(organisation)
        .filter(state__in=states)
        .for_page()
        .annotate(complaint_count=Count("complaints"))
        .prefetch_related(Prefetch("complaints", queryset=newest[:COMPLAINTS_SHOWN], to_attr="newest_complaints"))
    )


@require_http_methods(["GET", "HEAD", "POST"])
@manager_view
def problems_page(request, organisation):
    if request.method == "POST":
        form = AlertForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("That request was not understood; nothing was changed."))
            return redirect("desk:problems", organisation.slug)
        alert_id, action = form.cleaned_data["alert"], form.cleaned_data["action"]
        try:
            if action == "acknowledge":
                alerts.acknowledge(organisation, alert_id, by=request.user)
                messages.success(request, _("The alert is acknowledged."))
            else:
                alerts.resolve(organisation, alert_id, by=request.user, note=form.cleaned_data["note"])
                messages.success(request, _("The alert is resolved."))
        except DomainError as refused:
            messages.error(request, refused.message)
        return redirect("desk:problems", organisation.slug)
    unresolved = _alerts(organisation, [AlertState.OPEN, AlertState.ACKNOWLEDGED])
    resolved = _alerts(organisation, [AlertState.RESOLVED])[:RESOLVED_SHOWN]
    changes = alerts.process_changes(unresolved + resolved)
    for alert in unresolved + resolved:
        alert.process_changes = changes.get(alert.pk, [])
        alert.baseline_share = 100 * alert.baseline_count / alert.baseline_total if alert.baseline_total else 0
        alert.recent_share = 100 * alert.count / alert.recent_total if alert.recent_total else 0
    context = {"organisation": organisation, "unresolved": unresolved, "resolved": resolved, "nav": "problems"}
    return render(request, "desk/problems/problems.html", context)
