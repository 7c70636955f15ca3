"""Links to the consumer pages for use outside a request (the acknowledgement mail)."""

from django.conf import settings
from django.urls import reverse

from gehoord.portal import access


def base_url() -> str:
    return getattr(settings, "GEHOORD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def tracking_url(complaint) -> str:
    """The absolute, signed link that opens the complaint's tracking page without typing anything."""
    return base_url() + reverse("portal:tracking_link", kwargs={"token": access.token_for(complaint)})
