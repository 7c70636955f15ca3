"""The platform's legalaid pages (included by gehoord/urls.py at their own root)."""

from django.urls import path

from gehoord.desk import legalaid_views

app_name = "legalaid"
urlpatterns: list = [
    path("", legalaid_views.queue, name="queue"),
    path("<str:public_id>/", legalaid_views.file, name="file"),
    path("<str:public_id>/oppakken/", legalaid_views.take, name="take"),
    path("<str:public_id>/afgerond/", legalaid_views.finish, name="finish"),
    path("<str:public_id>/dossier.pdf", legalaid_views.pdf, name="pdf"),
    path("<str:public_id>/bijlagen.zip", legalaid_views.attachments_zip, name="zip"),
    path("<str:public_id>/bijlage/<int:pk>/", legalaid_views.attachment, name="attachment"),
]
