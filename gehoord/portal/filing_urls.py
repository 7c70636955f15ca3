"""Filing on the platform (included by portal/urls.py)."""

from django.urls import path

from gehoord.portal import filing_views, views

urlpatterns = [
    path("bedrijven/<slug:org>/klacht/", filing_views.platform_complaint_form, name="platform_complaint_form"),
    path("bedrijven/<slug:org>/klacht/ontvangen/", views.confirmation, name="platform_confirmation"),
]
