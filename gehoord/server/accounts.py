"""Staff accounts at the front door: login throttling (django-axes) and password reset through the outbox.

Logins: settings.py configures django-axes to lock a (username, client address) pair after
AXES_FAILURE_LIMIT failures; `LoginFailures` adds a looser lock on an address trying many accounts.
Password reset: every request counts against limits per client address and per e-mail address
typed, and its mail is recorded in the outbox (mail.outbound), with the outbox's daily limit per
address, instead of being sent from inside the request.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gehoord.mail import outbound
from gehoord.portal.ratelimit import Limit, client_ip

PASSWORD_RESETS_PER_ADDRESS = Limit("password-reset-ip", 10, 3600)
PASSWORD_RESETS_PER_EMAIL = Limit("password-reset-email", 3, 3600)


def client_address(request) -> str | None:
    """The client address django-axes counts (AXES_CLIENT_IP_CALLABLE): the portal's proxy-aware one,
    or None when there is none that is an IP address (a request made in code, e.g. by `force_login`;
    PostgreSQL stores the address as `inet` and refuses anything else)."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class LoginFailures(AxesDatabaseHandler):
    """django-axes' record of failed logins, locking also a client address whose failures over all
    accounts reach GEHOORD_LOGIN_FAILURES_PER_ADDRESS within the cool-off (someone trying many accounts)."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or (
            self.failures_from_address(request) >= settings.GEHOORD_LOGIN_FAILURES_PER_ADDRESS
        )

    def failures_from_address(self, request) -> int:
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def locked_out(request, original_response=None, credentials=None):
    """The page a locked login answers with (AXES_LOCKOUT_CALLABLE), on the desk's and the admin's login."""
    minutes = int(get_cool_off(request).total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


class OutboxPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, whose mail goes into the outbox with a link built on GEHOORD_BASE_URL
    (never on the Host header of the request that asked for it)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        outbound.send_password_reset(context["user"], settings.GEHOORD_BASE_URL + path, translation.get_language())


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        # Both limits count every request, whether or not the address belongs to an account.
        from_address = PASSWORD_RESETS_PER_ADDRESS.take(client_ip(self.request))
        for_email = PASSWORD_RESETS_PER_EMAIL.take(form.cleaned_data["email"])
        if not (from_address and for_email):
            form.add_error("email", _("Too many requests for a new password. Try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
