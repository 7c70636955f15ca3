from django.contrib import admin
from django.urls import include, path

from gehoord.api.v1 import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("desk/", include("gehoord.desk.urls")),
    path("", include("gehoord.portal.urls")),
]
