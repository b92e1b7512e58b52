"""The review flow end to end in a browser: send, request changes, fix, approve, finalize."""

import pytest
from playwright.sync_api import expect

from accounts.models import Organization, Role
from submissions.models import Answer, Question, Questionnaire, Submission
from tests.browser.conftest import screenshot
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_question_submission(db):
    organization = Organization.objects.create(
        code="IOM", name="International Organization for Migration"
    )
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2025, slug="desa-2025", title="UN DESA questionnaire 2025", is_open=True
    )
    Question.objects.create(
        questionnaire=questionnaire,
        number="1",
        position=1,
        prompt="Decisions of 2025?",
        word_limit=20,
    )
    submission = Submission.objects.create(organization=organization, questionnaire=questionnaire)
    people = {
        role: make_member(organization, role, str(role))
        for role in (Role.CONTRIBUTOR, Role.REVIEWER, Role.COORDINATOR)
    }
    return submission, people


def test_review_flow_end_to_end(new_page, live_server, one_question_submission):
    submission, people = one_question_submission
    url = f"{live_server.url}/submissions/{submission.pk}/questions/1/"

    writer = new_page(people[Role.CONTRIBUTOR])
    writer.goto(url)
    writer.get_by_label("Answer").fill(" ".join(["long"] * 25))
    expect(writer.locator("#save-status")).to_contain_text("Saved at")
    writer.get_by_role("button", name="Send for review").click()
    expect(writer.locator(".review-panel")).to_contain_text("25 words; the limit is 20")
    screenshot(writer, "review-refused")
    writer.get_by_label("Answer").fill("IOM's Council adopted the Strategic Plan.")
    expect(writer.locator("#save-status")).to_contain_text("Saved at")
    writer.get_by_role("button", name="Send for review").click()
    expect(writer.locator(".review-panel")).to_contain_text("In review")

    reviewer = new_page(people[Role.REVIEWER])
    reviewer.goto(url)
    expect(reviewer.get_by_label("Answer")).to_have_count(0)  # reviewers read, they do not edit
    # A draft: the banner says why the page is read-only for a reviewer, not "finalized".
    banner = reviewer.get_by_role("status").filter(has_text="reviewers comment and approve")
    expect(banner).to_be_visible()
    expect(reviewer.get_by_text("finalized")).to_have_count(0)
    screenshot(reviewer, "review-reviewer-banner")
    reviewer.get_by_text("Request changes…").click()
    reviewer.get_by_label("What should change?").fill("Please give the decision's symbol.")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.locator(".review-panel")).to_contain_text("Changes requested")
    expect(reviewer.locator("#comments")).to_contain_text("Please give the decision's symbol.")

    writer.reload()
    expect(writer.locator("#comments")).to_contain_text("Please give the decision's symbol.")
    writer.get_by_label("Answer").fill("IOM's Council adopted the Strategic Plan (C/114/RES/1).")
    expect(writer.locator("#save-status")).to_contain_text("Saved at")
    writer.get_by_placeholder("Reply…").fill("Added the symbol.")
    writer.get_by_role("button", name="Reply").click()
    writer.get_by_role("button", name="Resolve").click()
    writer.get_by_role("button", name="Send for review").click()
    expect(writer.locator(".review-panel")).to_contain_text("In review")

    reviewer.reload()
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.locator(".review-panel")).to_contain_text("Approved")

    coordinator = new_page(people[Role.COORDINATOR])
    coordinator.goto(f"{live_server.url}/submissions/{submission.pk}/review/")
    screenshot(coordinator, "review-page")
    coordinator.get_by_role("button", name="Finalize the submission").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("finalized")
    submission.refresh_from_db()
    assert submission.status == "finalized"

    writer.goto(url)
    expect(
        writer.get_by_text("This submission was finalized by coordinator on").first
    ).to_be_visible()
    expect(writer.get_by_label("Answer")).to_have_count(0)
    expect(writer.get_by_role("button", name="Save")).to_have_count(0)
    screenshot(writer, "finalized")
    assert Answer.objects.get().text == "IOM's Council adopted the Strategic Plan (C/114/RES/1)."

    # The overview says who finalized it, offers Reopen to the coordinator, and the
    # timeline keeps the reason given for reopening.
    coordinator.goto(f"{live_server.url}/submissions/{submission.pk}/")
    expect(coordinator.get_by_text("finalized by coordinator on")).to_be_visible()
    coordinator.get_by_role("link", name="Reopen…").first.click()
    coordinator.get_by_label("Why reopen it?").fill("UN DESA asked for the resolution's date.")
    coordinator.get_by_role("button", name="Reopen").click()
    timeline = coordinator.locator("#timeline")
    expect(timeline).to_contain_text("Reopened")
    expect(timeline).to_contain_text("Reason: UN DESA asked for the resolution's date.")
    expect(timeline).to_contain_text("Finalized")
    for width in (1280, 390):
        coordinator.set_viewport_size({"width": width, "height": 900})
        assert coordinator.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(coordinator, f"overview-timeline-{width}")
