"""Faster everyday work on the desk (issue 15): one action on many complaints of the queue, and a
reply template filled in for the complaint at hand. Adapters like the other desk views: the work
is done by complaints/bulk.py and complaints/reply_templates.py."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gehoord.complaints import bulk, reply_templates
from gehoord.desk import forms, queries
from gehoord.desk.views import desk_view
from gehoord.errors import InvalidInput, NotFound
from gehoord.organisations import settings as org_settings


@desk_view
@require_POST
def bulk_action(request, organisation):
    """Run one action on the complaints ticked in the queue, and show what was done and refused."""
    form = forms.BulkActionForm(request.POST, staff=queries.staff_of(organisation))
    queue_url = reverse("desk:queue", args=[organisation.slug])
    back = f"{queue_url}?{query}" if (query := form.back_query()) else queue_url
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": " ".join(problems)})
        return redirect(back)
    arguments = form.arguments()
    try:
        results = bulk.run(organisation, arguments.pop("references"), arguments.pop("action"), by=request.actor, **arguments)
    except InvalidInput as invalid:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": " ".join(invalid.errors.values())})
        return redirect(back)
    done = [result for result in results if result.done]
    refused = [result for result in results if not result.done]
    context = {
        "organisation": organisation,
        "nav": "queue",
        "action_label": bulk.LABELS[form.cleaned_data["action"]],
        "results": results,
        "done": done,
        "refused": refused,
        "back": back,
    }
    return render(request, "desk/bulk_done.html", context)


@desk_view
@require_safe
def reply_template_text(request, organisation, reference, pk: int):
    """A reply template's text for this complaint, in its consumer's language with the placeholders
    filled, as JSON for the complaint page's script to insert into a reply."""
    complaint = queries.complaint_for_staff(organisation, reference)
    if complaint is None:
        raise Http404
    try:
        template = org_settings.reply_template_of(organisation, pk)
    except NotFound:
        raise Http404 from None
    response = JsonResponse({"name": template.name, "text": reply_templates.filled(template, complaint)})
    response["Cache-Control"] = "private, no-store"
    return response
