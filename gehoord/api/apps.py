from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "gehoord.api"
    verbose_name = _("API")

    def ready(self):
        from gehoord.api import erasure
        from gehoord.platform import privacy

        # An erasure (platform) also forgets the stored API answers that name the person.
        privacy.add_eraser(erasure.erase)
