from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "gehoord.platform"
    verbose_name = _("Platform")

    def ready(self):
        # The platform's own lifecycle actions join the registry before any door asks it.
        from gehoord.platform import closing, companies, legalaid, publication, reports  # noqa: F401
