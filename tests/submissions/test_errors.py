"""Error pages and JSON errors (submissions/views/errors.py).

Django uses the error handlers only with DEBUG off, as in these tests. Clients are made with
``raise_request_exception=False`` where a handler answers an exception: the test client would
otherwise raise it in the test instead of returning the handler's response.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape

from submissions.models import Answer
from submissions.permissions import ACTIONS
from submissions.views import errors
from tests.test_failures import database_away

ROOT = Path(__file__).resolve().parents[2]
JSON = {"HTTP_ACCEPT": "application/json"}
LAYOUT = "2030 Agenda submissions"  # the navbar's brand: the page extends base.html
UNREACHABLE = "Not saved: the database cannot be reached."
COMPLETENESS_REFUSED = f"Your role does not allow this: {ACTIONS['completeness'][1]}."


def client_for(user, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def contributor_web(contributor):
    return client_for(contributor)


def test_debug_is_off_so_the_handlers_are_used():
    assert not settings.DEBUG


# --- 403 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refusal_is_a_403_page_in_the_layout_that_says_why(contributor_web, submission):
    response = contributor_web.get(
        reverse("completeness", args=[submission.pk]),
        HTTP_REFERER=f"http://testserver{submission.get_absolute_url()}",
    )

    assert response.status_code == 403
    assert "errors/403.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert LAYOUT in page
    assert escape(COMPLETENESS_REFUSED) in page
    assert 'href="/"' in page  # back to the dashboard
    assert f'href="http://testserver{submission.get_absolute_url()}"' in page  # go back


@pytest.mark.django_db
def test_a_refusal_asked_as_json_is_json_with_the_reason(contributor_web, submission):
    response = contributor_web.get(reverse("completeness", args=[submission.pk]), **JSON)

    assert response.status_code == 403
    assert response.json() == {"error": COMPLETENESS_REFUSED}


def test_a_403_without_a_message_of_ours_shows_a_general_one(rf):
    """Django's PermissionDenied carries no message written for people: none is made up."""
    response = errors.permission_denied(rf.get("/", **JSON), PermissionDenied())
    assert response.status_code == 403
    assert json.loads(response.content) == {"error": str(errors.JSON_MESSAGES[403])}


# --- 404 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_address_is_a_404_page_in_the_layout(contributor_web):
    response = contributor_web.get("/no-such-page/")

    assert response.status_code == 404
    assert "errors/404.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert LAYOUT in page
    assert "Page not found" in page
    assert 'href="/"' in page
    assert "no-such-page" not in page  # not the URL patterns Django tried


@pytest.mark.django_db
def test_a_404_of_ours_says_what_is_missing(contributor_web, submission):
    response = contributor_web.get(reverse("question_edit", args=[submission.pk, "99"]))

    assert response.status_code == 404
    assert "This questionnaire has no question 99." in response.content.decode()


@pytest.mark.django_db
def test_django_s_own_404_message_is_not_shown(contributor_web, other_organization):
    """get_object_or_404's "No Submission matches the given query." is not for people."""
    response = contributor_web.get(reverse("submission_detail", args=[99999]))

    assert response.status_code == 404
    assert "matches the given query" not in response.content.decode()


@pytest.mark.django_db
def test_a_404_asked_as_json_is_json(contributor_web, submission):
    response = contributor_web.post(
        reverse("question_edit", args=[submission.pk + 1, "1"]), {"autosave": "1"}, **JSON
    )

    assert response.status_code == 404
    assert response.json() == {"error": str(errors.JSON_MESSAGES[404])}


# --- 400 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_request_is_a_400_page_in_the_layout(contributor_web):
    response = contributor_web.get("/", HTTP_HOST="not-ours.example.org")

    assert response.status_code == 400
    assert "errors/400.html" in [t.name for t in response.templates]
    assert LAYOUT in response.content.decode()


@pytest.mark.django_db
def test_a_bad_request_asked_as_json_is_json(contributor_web):
    response = contributor_web.get("/", HTTP_HOST="not-ours.example.org", **JSON)

    assert response.status_code == 400
    assert response.json() == {"error": str(errors.JSON_MESSAGES[400])}


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_csrf_failure_is_a_403_page_in_the_layout(contributor, submission):
    client = client_for(contributor, enforce_csrf_checks=True)
    url = reverse("question_edit", args=[submission.pk, "1"])

    response = client.post(url, {"answer-main-text": "No token."}, HTTP_REFERER=url)

    assert response.status_code == 403
    assert "errors/csrf.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert LAYOUT in page
    assert "security check" in page
    assert f'href="{url}"' in page  # go back, reload and send again
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_a_csrf_failure_of_an_autosave_is_json(contributor, submission):
    client = client_for(contributor, enforce_csrf_checks=True)
    url = reverse("question_edit", args=[submission.pk, "1"])

    response = client.post(url, {"autosave": "1", "answer-main-text": "No token."}, **JSON)

    assert response.status_code == 403
    assert response.json() == {"error": str(errors.JSON_MESSAGES["csrf"])}


# --- 500 and the database away ---------------------------------------------------------------


class Unreadable:
    """A session or user that fails when read, as both do with the database down."""

    def __getattr__(self, name):
        raise AssertionError(f"the error page read the session or user ({name})")


def failing_request(**headers):
    request = RequestFactory().get("/", **headers)
    request.session = Unreadable()
    request.user = SimpleLazyObject(Unreadable)
    return request


@pytest.mark.parametrize("headers", [{}, JSON])
def test_the_500_handler_reads_neither_database_nor_session(headers):
    """No django_db mark: pytest-django fails any query. The page still has the site's CSS."""
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = errors.server_error(failing_request(**headers))

    assert response.status_code == 500
    if headers:
        assert json.loads(response.content) == {"error": str(errors.JSON_MESSAGES[500])}
    else:
        page = response.content.decode()
        assert "submissions/css/app.css" in page
        assert 'href="/"' in page
        assert "a bug" not in page


@pytest.mark.django_db
def test_autosave_with_the_database_away_before_the_view_is_a_json_503(contributor_web, submission):
    """Every statement fails, so the session read (before the view's own handler) fails."""
    post = {"autosave": "1", "answer-main-text": "Kept in the browser.", "answer-main-version": "0"}

    with database_away("."):
        response = contributor_web.post(
            reverse("question_edit", args=[submission.pk, "1"]), post, **JSON
        )

    assert response.status_code == 503
    assert response.json()["error"].startswith(UNREACHABLE)
    assert not Answer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/no-such-page/"])
def test_a_page_with_the_database_away_is_a_503_page_not_a_traceback(contributor_web, path):
    """/no-such-page/: the 404 page reads the session for its layout; that fails too."""
    with database_away("."):
        response = contributor_web.get(path)

    assert response.status_code == 503
    page = response.content.decode()
    assert "Service unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


UNREACHABLE_SERVER = textwrap.dedent(
    """
    import json, os, sys
    sys.path.insert(0, {root!r})
    os.environ.update(DATABASE_URL="postgres://nobody:x@127.0.0.1:{port}/nothing",
                      DJANGO_SETTINGS_MODULE="config.settings", DJANGO_SECRET_KEY="k" * 50,
                      DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_LOG_LEVEL="CRITICAL")
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    setup_test_environment()  # allows the test client's host name
    # Static files as in the test suite: without collectstatic there is no manifest.
    override_settings(STORAGES={{**settings.STORAGES, "staticfiles": {{
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}).enable()
    client = Client(raise_request_exception=False, HTTP_ACCEPT="application/json")
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    response = client.post("/submissions/1/questions/1/", {{"autosave": "1"}}, secure=True)
    page = client.get("/", secure=True, HTTP_ACCEPT="text/html")
    shown = "Service unavailable" in page.content.decode()
    print(json.dumps([response.status_code, response.json(), page.status_code, shown]))
    """
)


def test_autosave_to_a_postgresql_that_does_not_answer_is_a_json_503():
    """The real thing: the app pointed at a closed port, with production settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    script = UNREACHABLE_SERVER.format(root=str(ROOT), port=closed_port())
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env
    )

    assert result.returncode == 0, result.stderr
    status, body, page_status, page_shown = json.loads(result.stdout.splitlines()[-1])
    assert status == 503 and body["error"].startswith(UNREACHABLE)
    assert page_status == 503 and page_shown  # a page, the same way


def test_the_resolver_s_404_shows_a_general_message(rf):
    """The URL resolver's Http404 carries the patterns it tried: never shown."""
    response = errors.page_not_found(rf.get("/", **JSON), Http404({"path": "x", "tried": []}))
    assert response.status_code == 404
    assert json.loads(response.content) == {"error": str(errors.JSON_MESSAGES[404])}
