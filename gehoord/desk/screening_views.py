"""The moderator's screening queue (seed 004): the texts the automatic screening flagged, with what it
found, and those it has not read yet; flagged first, then oldest first.

A moderator publishes it or withholds it with a reason; each decision is one lifecycle action
(platform/publication.py), so the timeline and the author's mail come with it.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gehoord.complaints import actions
from gehoord.errors import DomainError
from gehoord.organisations.models import PlatformRole
from gehoord.platform import companies, publication, reports
from gehoord.desk.access import platform_view

moderator_view = platform_view(PlatformRole.MODERATOR)


class ScreeningForm(forms.Form):
    decision = forms.ChoiceField(choices=[("publish", gettext_lazy("Publish")), ("withhold", gettext_lazy("Withhold"))])
    reason = forms.CharField(
        label=gettext_lazy("Reason (told to the author when withheld)"), required=False,
        max_length=publication.MAX_REASON, widget=forms.TextInput,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "withhold" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why it is withheld: the author is told."))
        return cleaned


@require_GET
@moderator_view
def home(request):
    context = {
        "complaints_waiting": publication.complaints_awaiting_screening().count(),
        "replies_waiting": publication.replies_awaiting_screening().count(),
        "reports_waiting": reports.open_reports().count(),
    }
    return render(request, "desk/moderation/home.html", context)


@require_GET
@moderator_view
def screening(request):
    context = {
        "complaints": publication.complaints_awaiting_screening(),
        "replies": publication.replies_awaiting_screening(),
        "unconfirmed": companies.all_waiting_for_confirmation(),
        "form": ScreeningForm(),
    }
    return render(request, "desk/moderation/screening.html", context)


@require_POST
@moderator_view
def screen_complaint(request, public_id: str):
    complaint = publication.platform_complaint(public_id)
    return _decide(request, complaint, "publish", "withhold", {})


@require_POST
@moderator_view
def screen_reply(request, message_id: int):
    message = publication.platform_message(message_id)
    complaint = message.complaint if message else None
    return _decide(request, complaint, "publish_reply", "withhold_reply", {"message_id": message_id})


@require_POST
@moderator_view
def confirm_sender(request, message_id: int):
    """A reply from an address other than the company's registry address: the moderator says
    whether it is the company's (the consumer may say so too, on their page)."""
    message = publication.platform_message(message_id)
    if message is None:
        messages.error(request, _("This text does not exist (any more)."))
        return redirect("moderation:screening")
    confirmed = request.POST.get("confirmed") == "yes"
    try:
        actions.perform(
            "confirm_sender", message.complaint, by=request.actor, message_id=message.pk, confirmed=confirmed
        )
    except DomainError as problem:
        messages.error(request, problem.message)
    else:
        done = _("Confirmed as the company's reply.") if confirmed else _("Marked as not the company's.")
        messages.success(request, f"{message.complaint.reference}: {done}")
    return redirect("moderation:screening")


def _decide(request, complaint, publish: str, withhold: str, arguments: dict):
    form = ScreeningForm(request.POST)
    if complaint is None:
        messages.error(request, _("This text does not exist (any more)."))
    elif not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(problems))
    else:
        withholding = form.cleaned_data["decision"] == "withhold"
        if withholding:
            arguments = {**arguments, "reason": form.cleaned_data["reason"]}
        try:
            actions.perform(withhold if withholding else publish, complaint, by=request.actor, **arguments)
        except DomainError as problem:
            messages.error(request, problem.message)
        else:
            done = _("Withheld: the author is told why.") if withholding else _("Published.")
            messages.success(request, f"{complaint.reference}: {done}")
    return redirect("moderation:screening")
