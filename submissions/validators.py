"""Field validators shared by models, forms, the admin and importers."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# Values the seed documents use in a website field instead of an address.
WEBSITE_PLACEHOLDERS = frozenset({"n/a", "na", "forthcoming", "not applicable", "none", "-"})

_url = URLValidator(schemes=["http", "https"])


def validate_website(value: str) -> None:
    """Accept an empty value, an http(s) address, or one of the seeds' placeholders."""
    value = (value or "").strip()
    if not value or value.lower() in WEBSITE_PLACEHOLDERS:
        return
    candidate = value if "://" in value else f"https://{value}"
    try:
        _url(candidate)
    except ValidationError:
        raise ValidationError(
            _("Enter a web address (https://…), leave it empty, or write “n/a” or “Forthcoming”."),
            code="invalid_website",
        ) from None


def validate_due_date(value: datetime.date | None) -> None:
    """Accept no due date, today or a later day (in the configured time zone)."""
    if value is not None and value < timezone.localdate():
        raise ValidationError(
            _("The due date %(date)s is in the past: choose today or a later day."),
            code="due_date_past",
            params={"date": formats.date_format(value)},
        )
