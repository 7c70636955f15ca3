"""Moderation in templates: why a text is withheld, as its author reads it (mail and pages alike)."""

from django import template

from gehoord.platform import publication

register = template.Library()


@register.filter
def withheld_reason(text) -> str:
    """`{{ complaint|withheld_reason }}` or `{{ message|withheld_reason }}`: the reason in the active
    language and the moderator's note."""
    return publication.withheld_reason_text(text)
