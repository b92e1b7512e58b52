"""Error pages in a real browser: the site's 403 with its reason, and autosave after a 500."""

import pytest
from playwright.sync_api import expect

from submissions.models import Answer
from submissions.permissions import ACTIONS
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.browser.test_csp import REPORT_VIOLATIONS, csp_messages

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_contributor_on_a_coordinator_page_sees_the_site_s_403_with_the_reason(
    new_page, live_server, submission, contributor, width
):
    page = new_page(contributor, width=width, height=844)
    page.context.add_init_script(REPORT_VIOLATIONS)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    came_from = f"{live_server.url}/submissions/{submission.pk}/"

    # As if following a link from the submission's page (a contributor has none to follow).
    response = page.goto(f"{came_from}completeness/", referer=came_from)

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    reason = f"Your role does not allow this: {ACTIONS['completeness'][1]}."
    expect(page.get_by_role("alert")).to_have_text(reason)
    expect(page.get_by_role("link", name="2030 Agenda submissions")).to_be_visible()
    back = page.get_by_role("link", name="Go back")
    expect(back).to_have_attribute("href", came_from)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"error-403-{width}")
    assert csp_messages(messages) == []
    assert blocking_violations(page) == []

    page.get_by_role("link", name="Back to the dashboard").click()
    page.wait_for_url(f"{live_server.url}/")


def test_autosave_after_a_server_error_says_so_and_saves_on_retry(
    new_page, live_server, submission, contributor, monkeypatch
):
    """A JSON 500 is not a refusal: the page tells, keeps the text and tries again."""
    from submissions.views import authoring

    failing = [True]
    original = authoring.question_save

    def question_save(*args, **kwargs):
        if failing[0]:
            raise RuntimeError("a bug in the save")
        return original(*args, **kwargs)

    monkeypatch.setattr(authoring, "question_save", question_save)
    page = new_page(contributor)
    page.clock.install()  # the retry waits 10 s: let the test move time on
    page.goto(f"{live_server.url}/submissions/{submission.pk}/questions/1/")
    text = "Written while the server had a bug."

    page.get_by_label("Answer").fill(text)
    page.clock.run_for(2000)
    status = page.locator("#save-status")
    expect(status).to_contain_text("the server had a problem")
    expect(status).to_contain_text("Your text is kept")
    assert not Answer.objects.exists()

    failing[0] = False
    page.clock.run_for(11_000)
    expect(status).to_contain_text("Saved at")
    assert Answer.objects.get().text == text
