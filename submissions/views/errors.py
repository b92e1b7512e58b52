"""The site's error pages (handler400/403/404/500 and CSRF_FAILURE_VIEW), and JSON errors.

A request that asks for JSON (the autosave) gets ``{"error": message}`` with the status
instead of a page, so the browser can tell the person what happened. Django uses these
handlers only with DEBUG off. The 500 handler reads neither the database nor the session: it
also answers when the database cannot be reached, with a 503 that says "try again shortly".
"""

import sys

from django.core.exceptions import DisallowedHost
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

# Modules whose exception messages are written for people (Django's, such as
# get_object_or_404's "No Submission matches the given query.", are not).
OUR_MODULES = ("accounts.", "submissions.", "config.")

DATABASE_UNAVAILABLE = _(
    "Not saved: the database cannot be reached. Your text is kept in this browser; trying "
    "again shortly."
)

# The only JSON client is the editing page's autosave: the messages speak of saving.
JSON_MESSAGES = {
    400: _(
        "Not saved: the server could not read the request. Reload the page; your text is kept "
        "in this browser."
    ),
    403: _("Not saved: you are not allowed to do this."),
    404: _("Not saved: this page no longer exists, or it is not shared with you."),
    500: _(
        "Not saved: the server had a problem. Your text is kept in this browser; trying again "
        "shortly."
    ),
    503: DATABASE_UNAVAILABLE,
    "csrf": _(
        "Not saved: the page's security check failed (it expires when you log in again). "
        "Reload the page; your text is kept in this browser."
    ),
}


def wants_json(request: HttpRequest) -> bool:
    """Whether the request asks for a JSON answer (the autosave does)."""
    return "application/json" in request.headers.get("Accept", "")


def json_error(message, status: int) -> JsonResponse:
    """The JSON answer to an error: ``{"error": message}`` with the status."""
    return JsonResponse({"error": str(message)}, status=status)


def database_unreachable(exception: BaseException | None) -> bool:
    """Whether the exception says the database cannot be reached (or is locked): retry later."""
    return isinstance(exception, (OperationalError, InterfaceError))


def _our_message(exception: BaseException | None) -> str:
    """The exception's message when our code raised it, else "" (a general message is shown)."""
    if exception is None or not exception.args:
        return ""
    if not isinstance(exception.args[0], (str, Promise)) or exception.__traceback__ is None:
        return ""
    frame = exception.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    module = frame.tb_frame.f_globals.get("__name__", "")
    return str(exception) if module.startswith(OUR_MODULES) else ""


def _back_url(request: HttpRequest) -> str | None:
    """The page the person came from, for "Go back", when it is on this site."""
    referer = request.META.get("HTTP_REFERER")
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return referer
    return None


def _page(request, status: int, template: str, reason: str = "") -> HttpResponse:
    context = {"reason": reason, "back_url": _back_url(request)}
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception: BaseException) -> HttpResponse:
    # A SuspiciousOperation's message is for the logs, not for people.
    if wants_json(request):
        return json_error(JSON_MESSAGES[400], 400)
    return _page(request, 400, "errors/400.html")


def permission_denied(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The refusal with its reason (submissions.permissions.require says why)."""
    reason = _our_message(exception)
    if wants_json(request):
        return json_error(reason or JSON_MESSAGES[403], 403)
    return _page(request, 403, "errors/403.html", reason)


def page_not_found(request: HttpRequest, exception: BaseException) -> HttpResponse:
    reason = _our_message(exception)
    if wants_json(request):
        return json_error(reason or JSON_MESSAGES[404], 404)
    return _page(request, 404, "errors/404.html", reason)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form or autosave sent without a valid CSRF token (Django's reason goes to the log)."""
    if wants_json(request):
        return json_error(JSON_MESSAGES["csrf"], 403)
    return _page(request, 403, "errors/csrf.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500, or a 503 when the database cannot be reached; reads no database and no session.

    Django calls it for any exception of a middleware or view (and of the other handlers, such
    as the 404 page's layout reading the session), while that exception is being handled.
    """
    status = 503 if database_unreachable(sys.exc_info()[1]) else 500
    if wants_json(request):
        return json_error(JSON_MESSAGES[status], status)
    # Rendered without the request: the context processors would read the session.
    content = loader.render_to_string(f"errors/{status}.html", {"back_url": _back_url(request)})
    return HttpResponse(content, status=status)
