"""SDG coverage in a browser: the chart on the submission page and the goals x years grid,
on the imported seeds (IOM's 2017, 2021, 2023 and 2024 submissions) and on a year with gaps."""

import pytest
from playwright.sync_api import expect

from accounts.models import Organization, Role
from submissions.models import Event, Initiative, Question, Questionnaire, Submission
from submissions.seeds import seeds_load
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(db):
    """The seeds (live_server's database is flushed after each test) and an IOM contributor."""
    seeds_load(demo_users=False)
    organization = Organization.objects.get(code="IOM")
    return organization, make_member(organization, Role.CONTRIBUTOR, "staff")


def _submission(slug: str) -> Submission:
    return Submission.objects.get(organization__code="IOM", questionnaire__slug=slug)


def test_submission_page_charts_the_seed_years_coverage(new_page, live_server, seeded):
    _organization, person = seeded
    page = new_page(person)
    page.goto(f"{live_server.url}/submissions/{_submission('desa-2024').pk}/")

    section = page.locator("#sdg-coverage")
    expect(section.get_by_role("heading", name="SDG coverage")).to_be_visible()
    chart = section.get_by_role("img", name="SDG coverage of IOM's 2024 submission")
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    expect(section).to_contain_text("17 of 17 goals have at least one row.")
    # The drawing's labels: the legend, every goal's title, and a total at each bar.
    expect(chart.locator("text", has_text="Initiatives and partnerships")).to_have_count(1)
    expect(chart.locator("text", has_text="Reduced Inequalities")).to_have_count(1)
    expect(chart.locator("text", has_text="0 · no rows")).to_have_count(0)
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 350

    section.get_by_text("Show the numbers").click()
    row = section.get_by_role("row", name="10 Reduced Inequalities")
    expect(row.get_by_role("cell")).to_have_text(["3", "3", "10", "16"])
    screenshot(page, "coverage-submission-2024")
    assert blocking_violations(page) == []


def test_across_years_grid_on_the_seeds_shows_the_thin_goals(new_page, live_server, seeded):
    _organization, person = seeded
    page = new_page(person)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="SDG coverage").click()

    expect(page.get_by_role("heading", name="SDG coverage across years")).to_be_visible()
    grid = page.locator("table.coverage-grid")
    headers = grid.locator("thead th")
    expect(headers).to_have_text(["Goal", "2021", "2023", "2024", "Years with rows"])
    expect(page.get_by_text("Not in the grid")).to_contain_text("2030 Agenda 2017")
    expect(grid.locator("td.cov-zero")).to_have_count(0)  # every goal has rows every year
    expect(grid.locator("tfoot td")).to_have_text(["17 / 17", "17 / 17", "17 / 17", ""])
    screenshot(page, "coverage-years-all-tables")

    # Resources alone: the goals no resource touched in any year stand out, hatched and 0.
    page.get_by_label("Rows counted").select_option(label="Resources")
    page.get_by_role("button", name="Show").click()
    expect(grid.locator("caption")).to_contain_text("Resources of International Organization")
    energy = grid.get_by_role("row", name="7 Affordable and Clean Energy")
    expect(energy.locator("td.cov-zero")).to_have_count(3)
    expect(energy.locator("td").last).to_have_text("0 / 3")
    inequalities = grid.get_by_role("row", name="10 Reduced Inequalities")
    expect(inequalities.locator("td.cov-zero")).to_have_count(0)
    screenshot(page, "coverage-years-resources")
    assert blocking_violations(page) == []

    grid.get_by_role("link", name="2023").click()
    expect(page.get_by_role("img", name="SDG coverage of IOM's 2023 submission")).to_be_visible()


@pytest.fixture
def year_with_gaps(db):
    """IOM's 2025 submission: one event (goals 5, 10), one initiative (goals 10, 17)."""
    organization = Organization.objects.create(
        code="IOM", name="International Organization for Migration"
    )
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2025, slug="desa-2025", title="UN DESA questionnaire 2025"
    )
    events = Question.objects.create(
        questionnaire=questionnaire, number="1", position=1, prompt="Events?", table="events"
    )
    initiatives = Question.objects.create(
        questionnaire=questionnaire,
        number="2",
        position=2,
        prompt="Initiatives?",
        table="initiatives",
    )
    submission = Submission.objects.create(organization=organization, questionnaire=questionnaire)
    from submissions.services import sdg_ensure_all

    sdg_ensure_all()
    event = Event.objects.create(submission=submission, question=events, name="Forum")
    event.sdgs.set([5, 10])
    initiative = Initiative.objects.create(
        submission=submission, question=initiatives, name="Joint programme"
    )
    initiative.sdgs.set([10, 17])
    return submission, make_member(organization, Role.COORDINATOR, "focal")


def test_goals_without_rows_are_labelled_on_the_chart(new_page, live_server, year_with_gaps):
    submission, person = year_with_gaps
    page = new_page(person)
    page.goto(f"{live_server.url}/submissions/{submission.pk}/")

    section = page.locator("#sdg-coverage")
    expect(section).to_contain_text("3 of 17 goals have at least one row.")
    expect(section.locator(".coverage-gaps")).to_contain_text("Zero Hunger")
    chart = section.get_by_role("img", name="SDG coverage of IOM's 2025 submission")
    chart.scroll_into_view_if_needed()
    expect(chart.locator("text", has_text="0 · no rows")).to_have_count(14)
    # Only the two kinds this questionnaire asks for are in the legend.
    expect(chart.locator("text", has_text="Resources")).to_have_count(0)
    screenshot(page, "coverage-submission-with-gaps")
