"""The staff's notifications in the desk: the list, marking read, opening one, and the
choice of what also comes by mail. Each person sees only their own (mail/staff_notifications.py):
another's notification answers 404, as if it did not exist. Only the staff who handle complaints
are notified, so only they have these pages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gehoord.desk.notification_forms import NotificationSettingsForm
from gehoord.desk.views import desk_view
from gehoord.mail import staff_notifications
from gehoord.mail.models import StaffNotification

PER_PAGE = 30


def _own(request, organisation, pk: int) -> StaffNotification:
    notification = (
        StaffNotification.objects.for_recipient(request.user, organisation)
        .select_related("complaint").filter(pk=pk).first()
    )
    if notification is None:
        raise Http404
    return notification


@desk_view
@require_safe
def notifications(request, organisation):
    page = Paginator(staff_notifications.listed(request.user, organisation), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "desk/notifications/list.html", {
        "organisation": organisation,
        "nav": "notifications",
        "page": page,
        "unread": staff_notifications.unread_count(request.user, organisation),
    })


@desk_view
@require_safe
def notification_open(request, organisation, pk):
    """Follow a notification (from the list or its mail): it is read, and the complaint opens."""
    notification = _own(request, organisation, pk)
    staff_notifications.mark_read(notification)
    return redirect("desk:complaint", organisation.slug, notification.complaint.reference)


@desk_view
@require_POST
def notification_read(request, organisation, pk):
    staff_notifications.mark_read(_own(request, organisation, pk))
    return _back(request, organisation)


@desk_view
@require_POST
def notifications_read_all(request, organisation):
    staff_notifications.mark_all_read(request.user, organisation)
    return _back(request, organisation)


def _back(request, organisation):
    """Back to the page the button was on (a path of this site), else the list."""
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("desk:notifications", args=[organisation.slug])
    return redirect(target)


@desk_view
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request, organisation):
    by_mail, language = staff_notifications.settings_of(request.user)
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"by_mail": sorted(by_mail), "language": language},
    )
    if request.method == "POST" and form.is_valid():
        staff_notifications.save_settings(request.user, form.cleaned_data["by_mail"], form.cleaned_data["language"])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("desk:notification_settings", organisation.slug)
    return render(request, "desk/notifications/settings.html", {
        "organisation": organisation,
        "nav": "notifications",
        "form": form,
    }, status=400 if form.is_bound else 200)
