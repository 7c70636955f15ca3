"""The report pages of an organisation (included by desk/urls.py at <org>/reports/; the recurring
problems have their own page at <org>/reports/problems/)."""

from django.urls import path

from gehoord.desk import insight_views

urlpatterns: list = [
    path("", insight_views.report, name="reports"),
]
