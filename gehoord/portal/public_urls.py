"""The platform's public pages (included by portal/urls.py)."""

from django.urls import path

from gehoord.portal import public_views

urlpatterns = [
    path("bedrijven/<slug:slug>/", public_views.company, name="company"),
    path("klachten/", public_views.complaints, name="public_complaints"),
    path("klachten/<str:public_id>/", public_views.public_complaint, name="public_complaint"),
]
