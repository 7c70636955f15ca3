from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    """Inbound mail: the four doors (SMTP, IMAP, HTTP, files) onto one pipeline that stores, matches
    and files what arrives. Its stored rows are the mail app's (the outbox threads on them)."""

    name = "gehoord.inbound"
    verbose_name = _("Inbound mail")
