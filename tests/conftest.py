"""Fixtures chained as the app is used: organization -> questionnaire -> submission -> user -> client."""

import os
import re
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Organization, Role
from submissions.models import Question, Questionnaire, QuestionPart, Submission
from submissions.services import sdg_ensure_all

PASSWORD = "a-long-test-password-2030"


def require_program(name: str) -> str:
    """Path of a system program a test needs (chromium, soffice, pdftoppm).

    On a developer machine without it the test is skipped with the reason; CI sets
    REQUIRE_SYSTEM_DEPS=1 (after installing them), and there a missing program fails.
    """
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (make system-deps installs it)"
    if os.environ.get("REQUIRE_SYSTEM_DEPS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def sdgs(db):
    """The 17 SDGs (a data migration loads them, but transactional tests flush them)."""
    sdg_ensure_all()


@pytest.fixture
def organization(db):
    return Organization.objects.create(code="IOM", name="International Organization for Migration")


@pytest.fixture
def other_organization(db):
    return Organization.objects.create(code="UNDP", name="United Nations Development Programme")


@pytest.fixture
def questionnaire(db):
    """A small questionnaire with the shapes the seeds use: narrative, parts and a table."""
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2024, slug="desa-2024", title="UN DESA questionnaire 2024"
    )
    Question.objects.create(
        questionnaire=questionnaire, number="1", position=1, prompt="Decisions?", word_limit=200
    )
    Question.objects.create(
        questionnaire=questionnaire,
        number="3",
        position=2,
        prompt="Events?",
        has_narrative=False,
        table="events",
        row_description_word_limit=150,
    )
    transitions = Question.objects.create(
        questionnaire=questionnaire, number="5", position=3, prompt="Six transitions?"
    )
    for position, title in enumerate(["Food systems", "Energy access"], start=1):
        QuestionPart.objects.create(
            question=transitions, position=position, title=title, word_limit=200
        )
    return questionnaire


@pytest.fixture
def submission(organization, questionnaire):
    return Submission.objects.create(organization=organization, questionnaire=questionnaire)


def page_html(client, url: str) -> str:
    """A page's HTML without its forms' CSRF tokens (masked anew on every page), to compare
    one showing of a page with the next."""
    html = client.get(url).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def page_in_french(client, url: str) -> str:
    """The page as its reader sees it once they chose French (the test's thread back in
    English after: the middleware leaves it in the reader's language)."""
    try:
        client.post(reverse("set_language"), {"language": "fr"})
        return client.get(url).content.decode()
    finally:
        translation.activate("en")


def make_member(organization, role, username):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def contributor(organization):
    return make_member(organization, Role.CONTRIBUTOR, "contributor")


@pytest.fixture
def contributor_client(client, contributor):
    client.force_login(contributor)
    return client


@pytest.fixture
def coordinator(organization):
    """The focal point: opens, carries forward, imports, finalizes."""
    return make_member(organization, Role.COORDINATOR, "coordinator")
