"""Sign-in with the organization's provider in Chromium: the real test provider's login page
(oidc-provider under Node, tests/oidc_provider), PKCE and state checked by the site, and
logout through the provider's end-session page."""

import pytest
from playwright.sync_api import expect

from accounts.models import Identity, Membership, Role
from tests.accounts.test_oidc import AMINA
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_and_out_through_the_provider(
    new_page, live_server, oidc_settings, settings, organization
):
    settings.OIDC_ROLE_MAP = ["grp-iom-writers=IOM:contributor"]
    oidc_settings.add_account("amina", **AMINA)
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "oidc-login-page")
    page.get_by_role("link", name="Sign in with the test provider").click()

    page.wait_for_url(f"{oidc_settings.issuer}/interaction/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test provider sign-in")
    page.get_by_label("Username").fill("amina")
    page.get_by_label("Password").fill("anything")
    screenshot(page, "oidc-provider-login")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Amina Diallo")).to_be_visible()
    screenshot(page, "oidc-signed-in")
    identity = Identity.objects.get()
    assert identity.subject == AMINA["oid"]
    assert Membership.objects.get(user=identity.user).role == Role.CONTRIBUTOR

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{oidc_settings.issuer}/session/end**")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    # Signed out of both: signing in again asks the provider's login page again.
    page.get_by_role("link", name="Sign in with the test provider").click()
    page.wait_for_url(f"{oidc_settings.issuer}/interaction/**")
    expect(page.get_by_label("Username")).to_be_visible()


def test_a_refused_sign_in_is_a_page_that_says_why(new_page, live_server, oidc_settings):
    oidc_settings.add_account("outsider", **{**AMINA, "tid": "another-tenant"})
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with the test provider").click()
    page.get_by_label("Username").fill("outsider")
    page.get_by_label("Password").fill("anything")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/oidc/callback/**")
    expect(page.get_by_role("alert")).to_contain_text("tenant another-tenant")
    screenshot(page, "oidc-refused")
    assert not Identity.objects.exists()
