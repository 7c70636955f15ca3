from django.urls import include, path

from gehoord.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:org>/klacht/", views.complaint_form, name="complaint_form"),
    path("o/<slug:org>/klacht/velden/", views.category_fields, name="category_fields"),
    path("o/<slug:org>/klacht/ontvangen/", views.confirmation, name="confirmation"),
    path("volgen/", views.track, name="track"),
    path("volgen/nieuwe-link/", views.fresh_link, name="fresh_link"),
    path("volgen/link/<str:token>/", views.tracking_link, name="tracking_link"),
    path("volgen/<str:public_id>/", views.tracking, name="tracking"),
    path("volgen/<str:public_id>/bijlagen/<int:attachment_id>/", views.attachment, name="attachment"),
    path("volgen/<str:public_id>/<slug:action>/", views.act, name="action"),
    # The public platform (seed 004).
    path("", include("gehoord.portal.registry_urls")),
    path("", include("gehoord.portal.account_urls")),
    path("", include("gehoord.portal.filing_urls")),
    path("", include("gehoord.portal.company_urls")),
    path("", include("gehoord.portal.public_urls")),
    path("", include("gehoord.portal.privacy_urls")),
]
