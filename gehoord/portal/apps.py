from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "gehoord.portal"
    verbose_name = _("Consumer portal")
