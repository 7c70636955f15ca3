"""Included by the desk at ``desk/<slug:org>/triage/`` (names in the desk's namespace)."""

from django.urls import path

from gehoord.mail import triage_views

urlpatterns = [
    path("", triage_views.triage, name="triage"),
    path("<int:pk>/", triage_views.triage_mail, name="triage_mail"),
    path("<int:pk>/attach/", triage_views.triage_attach, name="triage_attach"),
    path("<int:pk>/open/", triage_views.triage_open, name="triage_open"),
    path("<int:pk>/dismiss/", triage_views.triage_dismiss, name="triage_dismiss"),
]
