"""The platform's registry pages (included by portal/urls.py)."""

from django.urls import path

from gehoord.portal import registry_views

urlpatterns = [
    path("bedrijven/", registry_views.search, name="registry_search"),
    # Before the company pages' bedrijven/<slug>/: a fixed path no slug may take (registry.RESERVED_SLUGS).
    path("bedrijven/toevoegen/", registry_views.add, name="registry_add"),
    path("klacht/", registry_views.choose_company, name="platform_file"),
]
