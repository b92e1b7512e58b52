"""Small template helpers for the authoring pages."""

from functools import lru_cache

from django import template
from django.utils.html import format_html_join
from django.utils.translation import get_language, gettext
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


@register.filter
def sdg_badges(numbers) -> str:
    """A result's SDGs as badges ("SDG 5" in the page's language), drawn here: the search page
    shows up to twenty results of several SDGs each, and a template's loop with a translated
    label cost it more time than its two queries. Kept per process for each list and language.
    """
    return _sdg_badges(tuple(numbers), get_language())


@lru_cache(maxsize=4096)
def _sdg_badges(numbers: tuple[int, ...], language: str) -> str:
    return format_html_join(
        "",
        '<span class="badge sdg-toggle sdg-{}">{}</span>',
        ((number, gettext("SDG %(number)s") % {"number": number}) for number in numbers),
    )
