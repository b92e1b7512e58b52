"""Accessibility: axe-core in Chromium on the app's pages; no serious or critical violation.

axe-core comes from the axe-playwright-python package (its axe.min.js, installed from PyPI
with the dev extras): nothing is downloaded at run time. The script is evaluated in the page
rather than added as a <script> tag, which the Content-Security-Policy would refuse.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from submissions.changes import answer_save
from submissions.models import Assignment, Event, ReviewComment
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = ("serious", "critical")


def axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


def blocking_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one readable line each."""
    page.wait_for_load_state("networkidle")
    page.evaluate(axe_script())
    results = page.evaluate(
        """() => axe.run(document, {resultTypes: ["violations"]})
                 .then(r => r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help,
                     targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
                     count: v.nodes.length})))"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) on {v['count']} elements, e.g. {v['targets']}"
        for v in results
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def filled(submission, organization, contributor, sdgs):
    """A submission with answers (and so history), parts, rows, a comment and an assignment."""
    questionnaire = submission.questionnaire
    first = questionnaire.questions.get(number="1")
    transitions = questionnaire.questions.get(number="5")
    result = answer_save(
        submission=submission,
        question=first,
        part=None,
        text="The Council adopted the Strategic Plan.",
        base_version=0,
        user=contributor,
        key="answer-main",
    )
    answer_save(
        submission=submission,
        question=first,
        part=None,
        text="The Council adopted the Strategic Plan 2024-2028 in November.",
        base_version=result.version,
        user=contributor,
        key="answer-main",
    )
    answer_save(
        submission=submission,
        question=transitions,
        part=transitions.parts.first(),
        text="Food systems work.",
        base_version=0,
        user=contributor,
        key="answer-part",
    )
    for position in (1, 2):
        row = Event.objects.create(
            submission=submission,
            question=questionnaire.questions.get(number="3"),
            position=position,
            name=f"Event {position}",
            dates="21-22 May 2024",
            description="A forum on migration.",
            website="https://www.iom.int/",
        )
        row.sdgs.set([5, 10, 17])
    coordinator = make_member(organization, Role.COORDINATOR, "coordinator")
    ReviewComment.objects.create(
        submission=submission, question=first, author=coordinator, text="Give the symbol."
    )
    Assignment.objects.create(
        submission=submission, question=first, assignee=contributor, assigned_by=coordinator
    )
    return {"submission": submission, "contributor": contributor, "coordinator": coordinator}


def test_login_page_has_no_serious_violation(new_page, live_server):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert blocking_violations(page) == []


def test_dashboard_editing_review_and_history_pages_have_no_serious_violation(
    new_page, live_server, filled
):
    submission = filled["submission"]
    base = f"{live_server.url}/submissions/{submission.pk}"
    pages = {
        "dashboard (contributor)": (filled["contributor"], f"{live_server.url}/"),
        "dashboard (coordinator)": (filled["coordinator"], f"{live_server.url}/"),
        "submission overview": (filled["contributor"], f"{base}/"),
        "editing, narrative": (filled["contributor"], f"{base}/questions/1/"),
        "editing, parts": (filled["contributor"], f"{base}/questions/5/"),
        "editing, table": (filled["contributor"], f"{base}/questions/3/"),
        "review": (filled["coordinator"], f"{base}/review/"),
        "history": (filled["contributor"], f"{base}/questions/1/history/"),
        "my work": (filled["contributor"], f"{live_server.url}/my-work/"),
    }
    found = {}
    pages_by_user = {}
    for name, (user, url) in pages.items():
        if user.pk not in pages_by_user:
            pages_by_user[user.pk] = new_page(user)
        page = pages_by_user[user.pk]
        response = page.goto(url)
        assert response.status == 200, (name, url, response.status)
        problems = blocking_violations(page)
        if problems:
            found[name] = problems
    assert found == {}


def test_editing_page_states_have_no_serious_violation(new_page, live_server, filled):
    """The states a person meets while editing: a row added, the limit passed, a failed save."""
    submission = filled["submission"]
    page = new_page(filled["contributor"])
    page.goto(f"{live_server.url}/submissions/{submission.pk}/questions/3/")
    page.get_by_role("button", name="Add").first.click()
    assert blocking_violations(page) == []

    page.goto(f"{live_server.url}/submissions/{submission.pk}/questions/1/")
    page.route("**/questions/1/", lambda route: route.abort() if route.request.method == "POST" else route.continue_())  # fmt: skip
    page.get_by_label("Answer").fill(" ".join(["word"] * 210))
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    assert blocking_violations(page) == []
