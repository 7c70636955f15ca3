"""The staff's notifications, included by desk/urls.py under `<slug:org>/notifications/`."""

from django.urls import path

from gehoord.desk import notification_views as views

urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("read/", views.notifications_read_all, name="notifications_read_all"),
    path("settings/", views.notification_settings, name="notification_settings"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
]
