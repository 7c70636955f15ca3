from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "gehoord.portal"
    verbose_name = _("Consumer portal")

    def ready(self):
        from gehoord.platform import privacy
        from gehoord.portal import erasure

        # An erasure (platform) also forgets the portal's rows about the person.
        privacy.add_eraser(erasure.erase)
