"""A coordinator manages the organization's people in Chromium: invites a colleague (who joins
from the mailed link), promotes and deactivates them; a contributor meets the 403 page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from accounts.models import FormerMembership, Membership, Role
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_invites_promotes_and_deactivates_a_colleague(
    new_page, live_server, coordinator, settings
):
    settings.SITE_URL = live_server.url
    coordinator.first_name, coordinator.last_name = "Nadia", "Okafor"
    coordinator.save()
    page = new_page(coordinator)
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Members of International Organization for Migration"
    )
    page.get_by_label("E-mail").fill("lea.martin@iom.int")
    page.get_by_label("Full name").fill("Léa Martin")
    page.locator("#id_role").select_option("contributor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_have_text("Invitation sent to lea.martin@iom.int.")
    screenshot(page, "members-invited")

    page.wait_for_load_state("networkidle")
    link = re.search(r"http\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)
    colleague_page = new_page()
    colleague_page.goto(link)
    expect(colleague_page.get_by_role("heading", level=1)).to_have_text(
        "Join International Organization for Migration"
    )
    colleague_page.locator("#id_username").fill("lmartin")
    colleague_page.locator("#id_password1").fill("a-long-password-2030!")
    colleague_page.locator("#id_password2").fill("a-long-password-2030!")
    screenshot(colleague_page, "members-invitation")
    colleague_page.get_by_role("button", name="Create my account").click()
    colleague_page.wait_for_url(f"{live_server.url}/")
    expect(colleague_page.get_by_text("Léa Martin")).to_be_visible()

    page.reload()
    row = page.get_by_role("row").filter(has_text="Léa Martin")
    row.get_by_label("Role of Léa Martin").select_option("coordinator")
    row.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("status")).to_have_text("Léa Martin is now Coordinator.")
    lea = get_user_model().objects.get(username="lmartin")
    assert Membership.objects.get(user=lea).role == Role.COORDINATOR
    screenshot(page, "members-promoted")

    page.get_by_role("row").filter(has_text="Léa Martin").get_by_role(
        "link", name="Deactivate"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Léa Martin in IOM?")
    page.get_by_role("button", name="Deactivate Léa Martin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Léa Martin no longer has access")
    screenshot(page, "members-deactivated")
    assert FormerMembership.objects.filter(user=lea).exists()
    page.get_by_role("link", name="Back to the members").click()
    expect(page.get_by_role("row").filter(has_text="Léa Martin")).to_contain_text("was Coordinator")
    expect(page.get_by_text("Deactivated: Léa Martin")).to_be_visible()
    screenshot(page, "members-after")
    # Her session ends with her access.
    colleague_page.reload()
    assert "/accounts/login/" in colleague_page.url


def test_a_contributor_cannot_reach_the_members_page(new_page, live_server, contributor):
    page = new_page(contributor)
    expect(page.get_by_role("link", name="Members")).to_have_count(0)
    response = page.goto(f"{live_server.url}/accounts/members/")
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text(
        "You are a contributor in International Organization for Migration: only coordinators"
    )
    screenshot(page, "members-403")
