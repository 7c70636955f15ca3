from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "gehoord.complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # The lifecycle's registry is declared by the actions: load it before any door asks it.
        from gehoord.complaints import actions  # noqa: F401
