"""The platform's moderation pages (included by gehoord/urls.py at their own root)."""

from django.urls import path

from gehoord.desk import registry_views

app_name = "moderation"
urlpatterns: list = [
    # The company registry.
    path("bedrijven/", registry_views.companies, name="registry"),
    path("bedrijven/<slug:slug>/", registry_views.company, name="registry_company"),
    path("bedrijven/<slug:slug>/samenvoegen/", registry_views.merge, name="registry_merge"),
]
