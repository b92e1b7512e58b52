"""Small template helpers for the authoring pages."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS = {
    "empty": (_("Not started"), "text-bg-light border"),
    "draft": (_("Draft"), "text-bg-secondary"),
    "changes_requested": (_("Changes requested"), "text-bg-warning"),
    "in_review": (_("In review"), "text-bg-info"),
    "approved": (_("Approved"), "text-bg-success"),
}


@register.inclusion_tag("submissions/includes/status_badge.html")
def status_badge(status: str):
    label, css = STATUS.get(status, (status, "text-bg-secondary"))
    return {"label": label, "css": css}


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if mapping else None
