"""The site's URLs with the mail app's pages mounted the way the lead mounts them: the inbound-mail
endpoint under /api/v1/ and the triage pages under /desk/<org>/triage/ (desk namespace)."""

from django.urls import include, path
from ninja import NinjaAPI

from gehoord.desk import urls as desk_urls
from gehoord.mail import triage_urls
from gehoord.mail.api import build_router
from gehoord.urls import urlpatterns as site

api = NinjaAPI(urls_namespace="inbound-mail-test", docs_url=None)
api.add_router("/", build_router())
desk = [*desk_urls.urlpatterns, path("<slug:org>/triage/", include(triage_urls))]
urlpatterns = [
    path("api/v1/", api.urls),
    path("desk/", include((desk, "desk"))),
    *[pattern for pattern in site if getattr(pattern, "namespace", None) != "desk"],
]
