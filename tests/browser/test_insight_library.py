"""The library in a browser: a recurring item's history opens without JavaScript (and passes
axe), and reusing it copies its latest version into the open submission."""

import pytest
from playwright.sync_api import expect

from accounts.models import Organization, Role
from submissions.models import Initiative, Question, Questionnaire, Submission
from submissions.services import sdg_ensure_all
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def _questionnaire(year, *, is_open=False):
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=year, slug=f"desa-{year}", title=f"UN DESA {year}", is_open=is_open
    )
    Question.objects.create(
        questionnaire=questionnaire,
        number="7",
        position=1,
        prompt="Initiatives and partnerships?",
        has_narrative=False,
        table="initiatives",
    )
    return questionnaire


@pytest.fixture
def library_years(db):
    """Mayors Mechanism in 2023 and 2024; an open, empty 2025 submission."""
    sdg_ensure_all()
    organization = Organization.objects.create(
        code="IOM", name="International Organization for Migration"
    )
    for year, sdgs, description in (
        (2023, [10, 11], "Links local authorities to the GFMD."),
        (2024, [10, 11, 16], "Links local authorities to the GFMD and the UN Network."),
    ):
        submission = Submission.objects.create(
            organization=organization, questionnaire=_questionnaire(year)
        )
        row = Initiative.objects.create(
            submission=submission,
            question=submission.questionnaire.questions.get(),
            name=f"Mayors Mechanism ({year})",
            description=description,
        )
        row.sdgs.set(sdgs)
    target = Submission.objects.create(
        organization=organization, questionnaire=_questionnaire(2025, is_open=True)
    )
    return target, make_member(organization, Role.CONTRIBUTOR, "writer")


def test_library_history_and_reuse(new_page, live_server, library_years):
    target, writer = library_years
    page = new_page(writer)
    page.goto(f"{live_server.url}/library/")

    item = page.locator("article", has_text="Mayors Mechanism (2024)")
    expect(item).to_contain_text("2023")
    item.get_by_text("History by year (2 years)").click()
    expect(item.get_by_text("Changed since 2023:")).to_be_visible()
    expect(item).to_contain_text("Initiative/partnership name, Relevant SDGs, Description")
    screenshot(page, "library-history")
    assert blocking_violations(page) == []

    item.get_by_role("button", name="Reuse in 2025 submission").click()
    page.wait_for_url(f"{live_server.url}/submissions/{target.pk}/questions/7/")
    expect(page.get_by_role("status").first).to_contain_text(
        "“Mayors Mechanism (2024)” from 2024 is now in question 7 of the 2025 submission."
    )
    expect(page.get_by_text("from 2024", exact=True)).to_be_visible()
    copy = Initiative.objects.get(submission=target)
    assert sorted(copy.sdgs.values_list("number", flat=True)) == [10, 11, 16]
