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


@register.filter
def word_count(text) -> int:
    """Words as the word processor counts them (the one counter), of a text not stored yet
    (a form's posted value); stored texts carry their count."""
    from ..wordcount import count_words

    return count_words(text or "")


@register.filter
def as_numbers(values) -> list[int]:
    """A multiple choice's value (SDGs) as sorted whole numbers."""
    numbers = []
    for value in values or []:
        try:
            numbers.append(int(value))
        except (TypeError, ValueError):
            continue
    return sorted(set(numbers))
