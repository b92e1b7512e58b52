"""Writes about people: their preferences."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Preference


def language_supported(language: str | None) -> bool:
    return language in dict(settings.LANGUAGES)


def preference_set_language(*, user: AbstractBaseUser, language: str) -> Preference:
    """Store the language the person chose for the pages, the admin and their mails."""
    if not language_supported(language):
        raise ValidationError(
            _("“%(language)s” is not one of the site's languages.") % {"language": language},
            code="unsupported_language",
        )
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def preference_language(*, user: AbstractBaseUser, default: str) -> str:
    """The person's language; a person without one gets `default` (their browser's) stored."""
    language = (
        Preference.objects.filter(user=user).order_by().values_list("language", flat=True).first()
    )
    if language_supported(language):
        return language
    if not language_supported(default):
        default = settings.LANGUAGE_CODE
    return preference_set_language(user=user, language=default).language
