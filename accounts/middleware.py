"""The signed-in person's language, for every page and the admin."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from .services import language_supported, preference_language

# The person's language is kept in their session, read at login: pages cost no query for it.
SESSION_KEY = "language"


def _browser_language(request) -> str:
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)


def remember_language(request, user) -> str:
    """Read (or, for someone new, store the browser's) language into the session."""
    language = preference_language(user=user, default=_browser_language(request))
    request.session[SESSION_KEY] = language
    return language


@receiver(user_logged_in, dispatch_uid="accounts.remember_language")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_language(request, user)


class UserLanguageMiddleware:
    """After LocaleMiddleware (the browser's language) and authentication: a signed-in person
    sees the language they chose, whatever the browser says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(SESSION_KEY)
            if not language_supported(language):
                language = remember_language(request, user)
            request.LANGUAGE_CODE = language
            # For this request only: the thread goes on in the language it had.
            with translation.override(language):
                response = self.get_response(request)
                response.headers.setdefault("Content-Language", language)
            return response
        return self.get_response(request)
