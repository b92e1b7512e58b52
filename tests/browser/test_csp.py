"""The pages pass the Content-Security-Policy in a real browser, and autosave still works under it."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

# Chromium reports a blocked inline script or style as a console error naming the policy; the
# init script also reports every `securitypolicyviolation` event, in case a message changes.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.violatedDirective + " "
    + event.blockedURI + " " + event.sourceFile + ":" + event.lineNumber);
});
"""


def watched_page(new_page):
    """A fresh, logged-out page whose console messages are collected."""
    page = new_page()
    page.context.add_init_script(REPORT_VIOLATIONS)
    messages = []
    page.on("console", lambda message: messages.append(f"{page.url}: {message.text}"))
    return page, messages


def csp_messages(messages):
    return [m for m in messages if "content security policy" in m.lower()]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_login_dashboard_and_editing_page_pass_the_csp_and_autosave_works(
    new_page, live_server, submission, contributor
):
    page, messages = watched_page(new_page)
    log_in(page, live_server, contributor.username)
    expect(page.get_by_role("heading", level=1).first).to_be_visible()

    page.goto(f"{live_server.url}/submissions/{submission.pk}/questions/1/")
    page.get_by_label("Answer").fill("Typed under a strict Content-Security-Policy.")
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Saved at"))
    page.wait_for_load_state("networkidle")

    assert csp_messages(messages) == []
    assert submission.answers.get(question__number="1").text.startswith("Typed under")


def test_lockout_page_passes_the_csp(new_page, live_server, contributor):
    page, messages = watched_page(new_page)
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill(contributor.username)
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Login temporarily blocked")).to_be_visible()
    assert csp_messages(messages) == []


def test_admin_with_nested_inlines_passes_the_csp(new_page, live_server, questionnaire):
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    page, messages = watched_page(new_page)
    log_in(page, live_server, "root")

    page.goto(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/submissions/questionnaire/")
    page.goto(f"{live_server.url}/admin/submissions/questionnaire/{questionnaire.pk}/change/")
    questions = page.locator(".djn-item.djn-dynamic-form-submissions-question:visible")
    count = questions.count()
    page.locator(".djn-add-handler.djn-model-submissions-question").click()
    expect(questions).to_have_count(count + 1)
    page.wait_for_load_state("networkidle")

    assert csp_messages(messages) == []
