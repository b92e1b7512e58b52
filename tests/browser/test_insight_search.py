"""Search in a real browser: the seeded IOM years, filters, highlights and the way to the answer."""

import pytest
from playwright.sync_api import expect

from accounts.models import Organization, Role
from submissions.seeds import seeds_load
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_with_filters_highlights_and_leads_to_the_question(new_page, live_server):
    seeds_load(demo_users=False)  # the live server's database is flushed: load what we need
    user = make_member(Organization.objects.get(code="IOM"), Role.REVIEWER, "searcher")
    page = new_page(user)
    page.get_by_role("link", name="Search").click()
    expect(page.get_by_text("Type one or more words")).to_be_visible()

    page.get_by_label("Search for").fill("migration")
    page.get_by_label("Year").select_option("2024")
    page.get_by_label("Where").select_option("resources")
    page.get_by_role("button", name="Search").click()

    results = page.locator("ol.search-results > li")
    expect(results.first).to_be_visible()
    expect(page.get_by_role("heading", name="results for “migration”")).to_be_visible()
    expect(results.first.locator("mark").first).to_have_text("Migration", ignore_case=True)
    for badge in results.locator(".badge.text-bg-primary").all_inner_texts():
        assert badge == "2024"
    assert all("Resources:" in text for text in results.all_inner_texts())
    assert blocking_violations(page) == []
    screenshot(page, "search-migration-2024-resources")

    results.first.get_by_role("link").first.click()
    page.wait_for_url(f"{live_server.url}/submissions/**/questions/**#row-*")
    row_id = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{row_id}")).to_be_in_viewport()


def test_bad_input_is_explained_in_the_page(new_page, live_server, organization, sdgs):
    page = new_page(make_member(organization, Role.CONTRIBUTOR, "typist"))
    page.goto(f"{live_server.url}/search/?q=%3F%3F%3F&sdg=x")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("not only punctuation")
    expect(alert).to_contain_text("Choose an SDG from 1 to 17.")
    screenshot(page, "search-bad-input")
