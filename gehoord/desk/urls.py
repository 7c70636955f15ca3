from django.urls import include, path

from gehoord.desk import triage_views, views

app_name = "desk"
urlpatterns: list = [
    path("", views.home, name="home"),
    path("<slug:org>/", views.queue, name="queue"),
    path("<slug:org>/intake/", views.intake, name="intake"),
    path("<slug:org>/k/<str:reference>/", views.complaint, name="complaint"),
    path("<slug:org>/k/<str:reference>/action/<str:action>/", views.action, name="action"),
    path("<slug:org>/k/<str:reference>/message/", views.message, name="message"),
    path("<slug:org>/k/<str:reference>/attachment/<int:pk>/", views.attachment, name="attachment"),
    path("<slug:org>/settings/", include("gehoord.desk.settings_urls")),
    path("<slug:org>/triage/", triage_views.triage, name="triage"),
    path("<slug:org>/triage/<int:pk>/", triage_views.triage_mail, name="triage_mail"),
    path("<slug:org>/triage/<int:pk>/attach/", triage_views.triage_attach, name="triage_attach"),
    path("<slug:org>/triage/<int:pk>/open/", triage_views.triage_open, name="triage_open"),
    path("<slug:org>/triage/<int:pk>/dismiss/", triage_views.triage_dismiss, name="triage_dismiss"),
]
