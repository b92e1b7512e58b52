"""Security settings: deploy checks, Content-Security-Policy, login throttling, CSRF, passwords."""

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

BASE_DIR = Path(__file__).resolve().parents[1]

EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}


def parse_csp(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


# --- check --deploy ---------------------------------------------------------------------


def test_check_deploy_with_production_environment_gives_no_warnings():
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PYTEST")) or name == "DJANGO_SETTINGS_MODULE"
    }
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "ERRORS" not in output
    assert "System check identified no issues" in output


# --- Content-Security-Policy -------------------------------------------------------------


def test_csp_header_on_login_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_csp_header_on_dashboard(contributor_client):
    response = contributor_client.get(reverse("home"))
    assert response.status_code == 200
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_csp_header_on_admin_with_no_relaxation(admin_client, questionnaire):
    for url in (
        reverse("admin:index"),
        reverse("admin:submissions_questionnaire_changelist"),
        reverse("admin:submissions_questionnaire_change", args=[questionnaire.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP, url


def test_app_templates_have_no_inline_scripts_handlers_or_styles():
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=|javascript:",
        re.IGNORECASE,
    )
    offenders = [
        f"{path.relative_to(BASE_DIR)}: {match.group(0)}"
        for path in (BASE_DIR / "templates").rglob("*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- Login throttling (django-axes) ------------------------------------------------------


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_locked_after_repeated_failures_even_with_the_right_password(client, contributor):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = post_login(client, "contributor", "wrong-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()

    response = post_login(client, "contributor", "wrong-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Login temporarily blocked" in page
    assert f"There were {limit} failed login attempts" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Please try again in {minutes} minutes." in page
    assert "2030 Agenda submissions" in page  # the page extends base.html
    assert "accounts/locked.html" in [t.name for t in response.templates]

    response = post_login(client, "contributor", PASSWORD)
    assert response.status_code == 429
    assert "Login temporarily blocked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_ip_address(client, contributor, organization):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "contributor", "wrong-password")
    assert post_login(client, "contributor", PASSWORD).status_code == 429

    # The same user from another address, and another user from the same address, still log in.
    other_client = Client()
    response = post_login(other_client, "contributor", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    get_user_model().objects.create_user("reviewer", password=PASSWORD)
    response = post_login(Client(), "reviewer", PASSWORD)
    assert response.status_code == 302


def test_admin_login_is_throttled_too(client, admin_user):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(url, {"username": admin_user.username, "password": "nope"})
    assert response.status_code == 429
    assert "Login temporarily blocked" in response.content.decode()


def test_force_login_still_works(client, contributor):
    client.force_login(contributor)
    assert client.get(reverse("home")).status_code == 200


# --- CSRF --------------------------------------------------------------------------------


def test_login_post_without_csrf_token_is_refused(contributor):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "contributor", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_editing_post_without_csrf_token_is_refused(submission, contributor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(contributor)
    url = reverse("question_edit", args=[submission.pk, "1"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"answer-main-text": "Written without a token."})
    assert response.status_code == 403
    assert not submission.answers.filter(text__contains="without a token").exists()


# --- Passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [("password", "password_too_common"), ("20302030203020", "password_entirely_numeric")],
)
def test_django_password_validators_refuse_weak_passwords(password, code):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert code in {e.code for e in error.value.error_list}


def test_django_password_validators_accept_a_long_passphrase():
    validate_password(PASSWORD)
