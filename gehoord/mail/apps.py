from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "gehoord.mail"
    verbose_name = _("Mail")

    def ready(self):
        from gehoord.complaints import notices, timeline
        from gehoord.mail import erasure, outbound, staff_notifications
        from gehoord.platform import privacy

        # What the complaint actions decide to tell, this app says and sends.
        notices.use_messenger(outbound.tell)
        # What the timeline records, the staff concerned are told (the bell, and mail if they wish).
        timeline.follow(staff_notifications.follow_event)
        # An erasure (platform/privacy.py) also anonymises the mail stored and sent about the person.
        privacy.add_eraser(erasure.erase)
