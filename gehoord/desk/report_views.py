"""The moderators' decisions on one text and on companies' reports (issue 13).

- One platform complaint's moderation page: publish it, withhold it with a reason from the fixed list
  (publication.WithholdReason, told to the author), or edit its public text (the parties keep the
  text as written).
- The reports of published complaints by their companies, oldest first: dismiss, or uphold by
  withholding or by publishing an edited text (platform/reports.py); the company is told by mail.

Every decision is one lifecycle action, so the timeline (with the moderator's name) and the mails
come with it.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gehoord.complaints import actions
from gehoord.complaints.models import Publication
from gehoord.desk.access import platform_view
from gehoord.errors import DomainError, InvalidInput
from gehoord.organisations.models import PlatformRole
from gehoord.platform import publication, reports
from gehoord.platform.moderation_forms import PublicTextForm, ReportDecisionForm, WithholdForm

moderator_view = platform_view(PlatformRole.MODERATOR)


def _complaint(public_id: str):
    complaint = publication.platform_complaint(public_id)
    if complaint is None:
        raise Http404
    return complaint


def _public_text_form(complaint, data=None) -> PublicTextForm:
    initial = {field: publication.public_text(complaint, field) for field in publication.PUBLIC_FIELDS}
    return PublicTextForm(data, initial=initial, prefix="public")


@require_GET
@moderator_view
def complaint(request, public_id: str):
    return _complaint_page(request, _complaint(public_id))


def _complaint_page(request, complaint, status=200, **bound):
    context = {
        "complaint": complaint,
        "pending": complaint.publication == Publication.PENDING,
        "withhold_form": bound.get("withhold_form") or WithholdForm(prefix="withhold"),
        "public_text_form": bound.get("public_text_form") or _public_text_form(complaint),
        "editable": complaint.publication in (Publication.PENDING, Publication.PUBLISHED),
        "edited": bool((complaint.screening or {}).get("public_text")),
        "reports": list(complaint.reports.order_by("-reported_at")),
    }
    return render(request, "desk/moderation/complaint.html", context, status=status)


@require_POST
@moderator_view
def publish(request, public_id: str):
    complaint = _complaint(public_id)
    try:
        actions.perform("publish", complaint, by=request.actor)
    except DomainError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, f"{complaint.reference}: {_('Published.')}")
    return redirect("moderation:complaint", public_id=complaint.public_id)


@require_POST
@moderator_view
def withhold(request, public_id: str):
    complaint = _complaint(public_id)
    form = WithholdForm(request.POST, prefix="withhold")
    if form.is_valid():
        try:
            actions.perform("withhold", complaint, by=request.actor, **form.cleaned_data)
        except InvalidInput as invalid:
            form.apply_domain_errors(invalid)
        except DomainError as problem:
            messages.error(request, problem.message)
            return redirect("moderation:complaint", public_id=complaint.public_id)
        else:
            messages.success(request, f"{complaint.reference}: {_('Withheld: the author is told why.')}")
            return redirect("moderation:complaint", public_id=complaint.public_id)
    return _complaint_page(request, complaint, status=400, withhold_form=form)


@require_POST
@moderator_view
def edit(request, public_id: str):
    """Store the edited public texts: each field that differs from its public version now."""
    complaint = _complaint(public_id)
    form = _public_text_form(complaint, request.POST)
    if form.is_valid():
        changed = [field for field in publication.PUBLIC_FIELDS if field in form.changed_data]
        try:
            for field in changed:
                actions.perform("edit_public_text", complaint, by=request.actor, field=field, text=form.cleaned_data[field])
        except InvalidInput as invalid:
            form.apply_domain_errors(invalid)
        except DomainError as problem:
            messages.error(request, problem.message)
            return redirect("moderation:complaint", public_id=complaint.public_id)
        else:
            if changed:
                messages.success(request, _("The public text was edited; the parties still see the text as written."))
            return redirect("moderation:complaint", public_id=complaint.public_id)
    return _complaint_page(request, complaint, status=400, public_text_form=form)


@require_GET
@moderator_view
def report_list(request):
    return _reports_page(request)


def _reports_page(request, failed=None, status=200):
    """`failed`: (report id, bound form) of a decision that did not go through."""
    open_reports = list(reports.open_reports())
    for report in open_reports:
        if failed and failed[0] == report.pk:
            report.decision_form = failed[1]
        else:
            report.decision_form = ReportDecisionForm(prefix=f"report-{report.pk}")
        report.public_description = publication.public_text(report.complaint, "description")
    return render(request, "desk/moderation/reports.html", {"reports": open_reports}, status=status)


@require_http_methods(["POST"])
@moderator_view
def decide(request, report_id: int):
    report = reports.open_report(report_id)
    if report is None:
        messages.error(request, _("This report has been decided already."))
        return redirect("moderation:reports")
    form = ReportDecisionForm(request.POST, prefix=f"report-{report.pk}")
    if form.is_valid():
        try:
            actions.perform("decide_report", report.complaint, by=request.actor, report_id=report.pk, **form.cleaned_data)
        except InvalidInput as invalid:
            form.apply_domain_errors(invalid)
        except DomainError as problem:
            form.add_error(None, problem.message)
        else:
            messages.success(request, f"{report.complaint.reference}: {_('Decided; the company is told by e-mail.')}")
            return redirect("moderation:reports")
    return _reports_page(request, failed=(report.pk, form), status=400)
