from django.contrib import admin
from django.urls import include, path

from gehoord.api.v1 import api
from gehoord.inbound.http import inbound_mail
from gehoord.server.accounts import PasswordResetView

urlpatterns = [
    path("admin/", admin.site.urls),
    # The installation's mail route, beside the organisations' API (not part of it).
    path("api/v1/inbound-mail", inbound_mail, name="inbound_mail"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's own: the reset request is throttled and its mail goes through the outbox.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("desk/", include("gehoord.desk.urls")),
    # The platform's own staff: its moderators and its legal advisors (seed 004).
    path("moderatie/", include("gehoord.desk.moderation_urls")),
    path("rechtshulp/", include("gehoord.desk.legalaid_urls")),
    path("", include("gehoord.portal.urls")),
]
