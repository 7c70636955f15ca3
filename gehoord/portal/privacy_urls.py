"""The consumer's data pages (included by portal/urls.py)."""

from django.urls import path

from gehoord.portal import privacy_views

urlpatterns = [
    path("account/gegevens/", privacy_views.data, name="account_data"),
    path("account/gegevens/downloaden/", privacy_views.download, name="account_data_download"),
    path("account/gegevens/wissen/", privacy_views.erase, name="account_data_erase"),
    path("gegevens/", privacy_views.ask_link, name="data_ask_link"),
    path("gegevens/link/<str:token>/", privacy_views.link, name="data_link"),
]
