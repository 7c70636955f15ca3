"""The platform's company pages (included by portal/urls.py): the dashboard of an e-mail-only company."""

from django.urls import path

from gehoord.portal import company_views

urlpatterns = [
    path("bedrijf/", company_views.dashboard, name="company_dashboard"),
    path("bedrijf/inloggen/", company_views.login, name="company_login"),
    path("bedrijf/uitloggen/", company_views.logout, name="company_logout"),
    path("bedrijf/link/<str:token>/", company_views.link, name="company_link"),
    path("bedrijf/klachten/<str:public_id>/", company_views.complaint, name="company_complaint"),
    path("bedrijf/klachten/<str:public_id>/melden/", company_views.report, name="company_report"),
    path(
        "bedrijf/klachten/<str:public_id>/antwoorden/<int:message_id>/opnieuw/", company_views.resubmit_reply,
        name="company_resubmit_reply",
    ),
    path("bedrijf/claimen/", company_views.claim, name="company_claim"),
]
