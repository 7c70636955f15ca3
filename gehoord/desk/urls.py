from django.urls import include, path

from gehoord.desk import views

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
    path("<slug:org>/triage/", include("gehoord.mail.triage_urls")),
]
