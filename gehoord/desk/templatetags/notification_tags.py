"""The bell in the desk's header: a person's unread notifications at the page's organisation."""

from django import template

from gehoord.desk.access import HANDLING_ROLES
from gehoord.mail import staff_notifications

register = template.Library()


@register.inclusion_tag("desk/notifications/_bell.html", takes_context=True)
def notification_bell(context):
    """Shown to the staff who handle complaints, on their organisation's pages (the desk's views set
    `request.actor`): an admin who handles none gets no notifications."""
    request = context.get("request")
    organisation = context.get("organisation")
    actor = getattr(request, "actor", None)
    if organisation is None or actor is None or actor.organisation_id != organisation.pk or not actor.roles & HANDLING_ROLES:
        return {"organisation": None}
    return {
        "organisation": organisation,
        "nav": context.get("nav"),
        "unread": staff_notifications.unread_count(request.user, organisation),
    }
