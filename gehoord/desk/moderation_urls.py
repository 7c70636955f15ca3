"""The platform's moderation pages (included by gehoord/urls.py at their own root)."""

from django.urls import path

from gehoord.desk import registry_views, screening_views

app_name = "moderation"
urlpatterns: list = [
    # Screening what is published (desk/screening_views.py).
    path("", screening_views.home, name="home"),
    path("screening/", screening_views.screening, name="screening"),
    path("screening/klacht/<str:public_id>/", screening_views.screen_complaint, name="screen_complaint"),
    path("screening/bericht/<int:message_id>/", screening_views.screen_reply, name="screen_reply"),
    path("screening/afzender/<int:message_id>/", screening_views.confirm_sender, name="confirm_sender"),
    # The company registry.
    path("bedrijven/", registry_views.companies, name="registry"),
    path("bedrijven/<slug:slug>/", registry_views.company, name="registry_company"),
    path("bedrijven/<slug:slug>/samenvoegen/", registry_views.merge, name="registry_merge"),
]
