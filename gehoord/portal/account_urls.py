"""The platform's account pages (included by portal/urls.py)."""

from django.urls import path

from gehoord.portal import account_views

urlpatterns = [
    path("account/", account_views.home, name="account_home"),
    path("account/aanmelden/", account_views.sign_up, name="account_sign_up"),
    path("account/aanmelden/verstuurd/", account_views.signed_up, name="account_signed_up"),
    path("account/bevestigen/<str:token>/", account_views.verify, name="account_verify"),
    path("account/inloggen/", account_views.log_in, name="account_login"),
    path("account/inloglink/", account_views.ask_login_link, name="account_ask_login_link"),
    path("account/inloglink/<str:token>/", account_views.login_link, name="account_login_link"),
    path("account/uitloggen/", account_views.log_out, name="account_logout"),
    path("account/instellingen/", account_views.settings_page, name="account_settings"),
    path("account/klachten/<str:public_id>/", account_views.follow, name="account_complaint"),
]
