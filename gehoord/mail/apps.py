from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "gehoord.mail"
    verbose_name = _("Mail")

    def ready(self):
        from gehoord.complaints import notices
        from gehoord.mail import erasure, outbound
        from gehoord.platform import privacy

        # What the complaint actions decide to tell, this app says and sends.
        notices.use_messenger(outbound.tell)
        # An erasure (platform/privacy.py) also anonymises the mail stored and sent about the person.
        privacy.add_eraser(erasure.erase)
