"""The completeness page in a browser: on a phone (390 px) it fits the screen, on a desktop it
is one table; IOM's seeded 2024 submission with assignments, one of them overdue."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organization, Role
from submissions.models import Assignment, Submission
from submissions.seeds import seeds_load
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(db):
    """The seeds (live_server's database is flushed after each test), IOM's coordinator and a
    contributor holding two questions of 2024, one of them overdue."""
    seeds_load(demo_users=False)
    iom = Organization.objects.get(code="IOM")
    coordinator = make_member(iom, Role.COORDINATOR, "focal")
    writer = make_member(iom, Role.CONTRIBUTOR, "writer")
    writer.first_name, writer.last_name = "Maria Fernanda", "Castellanos-Rodríguez"
    writer.save()
    submission = Submission.objects.get(organization=iom, questionnaire__slug="desa-2024")
    today = timezone.localdate()
    for number, due in [("2", today - timedelta(days=3)), ("5", today + timedelta(days=14))]:
        Assignment.objects.create(
            submission=submission,
            question=submission.questionnaire.questions.get(number=number),
            assignee=writer,
            assigned_by=coordinator,
            due_date=due,
        )
    return coordinator, submission


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_completeness_fits_a_phone_and_a_desktop(new_page, live_server, seeded):
    coordinator, submission = seeded
    url = f"{live_server.url}/submissions/{submission.pk}/completeness/"

    wide = new_page(coordinator, width=1280, height=900)
    wide.goto(url)
    expect(wide.locator('tr[data-question="2"]')).to_contain_text("100 / 200 words")
    expect(wide.locator('tr[data-question="2"]')).to_contain_text("Overdue")
    assert page_width(wide) <= 1280, overflowing(wide)
    screenshot(wide, "completeness-1280")
    assert blocking_violations(wide) == []

    phone = new_page(coordinator, width=390, height=844)
    phone.goto(url)
    screenshot(phone, "completeness-390")
    assert page_width(phone) <= 390, overflowing(phone)
    # Each question a card, its values under their labels; sorting by buttons of its own.
    two = phone.locator('tr[data-question="2"]')
    expect(two.locator('[data-col="words"]')).to_be_visible()
    expect(two.locator('[data-col="due"]')).to_contain_text("Overdue")
    assert box(two)["width"] <= 390
    phone.get_by_role("navigation", name="Sort the questions").get_by_role(
        "link", name="Due date"
    ).click()
    expect(phone.locator("tr[data-question]").first).to_have_attribute("data-question", "2")
    assert blocking_violations(phone) == []


def test_completeness_fits_a_tablet(new_page, live_server, seeded):
    """Between phone and desktop the table scrolls in its own box, and nothing in it (the
    sort links' hidden words) widens the page."""
    coordinator, submission = seeded
    page = new_page(coordinator, width=768, height=1024)
    page.goto(f"{live_server.url}/submissions/{submission.pk}/completeness/")
    assert page_width(page) <= 768, overflowing(page)


def box(locator) -> dict:
    return locator.bounding_box()


def overflowing(page) -> list[str]:
    """What reaches past the window's right edge, to say why a page is too wide."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                 .slice(0, 10)
                 .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""
    )
