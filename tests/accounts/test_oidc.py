"""Sign-in with an OpenID Connect provider: the real one of tests/oidc_provider (oidc-provider
under Node) on loopback, its login page driven without a browser (the browser test does it in
Chromium). Each failure is a page that says why, with no account created and nobody signed in.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.models import Identity, Membership, OrganizationEvent, Role
from tests.conftest import PASSWORD, make_member
from tests.oidc_provider.fixture import TENANT, provider_sign_in

pytestmark = pytest.mark.django_db

User = get_user_model()

AMINA = {
    "oid": "00000000-0000-0000-0000-00000000a111",
    "tid": TENANT,
    "name": "Amina Diallo",
    "given_name": "Amina",
    "family_name": "Diallo",
    "preferred_username": "adiallo@iom.int",
    "groups": ["grp-iom-writers"],
}


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_in(site, provider, login, **claims):
    provider.add_account(login, **claims)
    return site.get(provider_sign_in(site, provider, login), follow=False)


@pytest.fixture
def mapped(oidc_settings, settings, organization):
    settings.OIDC_ROLE_MAP = ["grp-iom-writers=IOM:contributor", "grp-iom-leads=IOM:coordinator"]
    return oidc_settings


def test_start_sends_state_nonce_and_pkce_challenge(site, oidc_settings):
    response = site.get("/accounts/oidc/start/")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(oidc_settings.issuer + "/auth?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"] and query["nonce"]
    assert query["redirect_uri"] == ["http://127.0.0.1/accounts/oidc/callback/"]


def test_first_sign_in_creates_the_account_with_the_mapped_role(site, mapped, organization):
    response = sign_in(site, mapped, "amina", **AMINA)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(site)
    identity = Identity.objects.get()
    assert identity.subject == AMINA["oid"]  # Entra's oid, not its per-application sub
    assert identity.issuer == mapped.issuer and identity.tenant == TENANT
    user = identity.user
    assert user.get_full_name() == "Amina Diallo"
    assert user.email == "adiallo@iom.int"
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, organization=organization).role == Role.CONTRIBUTOR
    assert OrganizationEvent.objects.filter(kind="joined", person=user).exists()
    home = site.get("/")
    assert "Amina Diallo" in home.content.decode()


def test_users_are_matched_on_the_subject_never_on_the_email(site, mapped, organization):
    """A password account with the same address is not taken over; a new address is the
    same person when the subject is."""
    colleague = make_member(organization, Role.COORDINATOR, "adiallo")
    colleague.email = "adiallo@iom.int"
    colleague.save()
    sign_in(site, mapped, "amina", **AMINA)
    user = Identity.objects.get().user
    assert user != colleague
    site.post("/accounts/logout/")
    sign_in(site, mapped, "amina", **{**AMINA, "preferred_username": "amina.diallo@iom.int"})
    assert User.objects.count() == 2
    user.refresh_from_db()
    assert user.email == "amina.diallo@iom.int"
    assert site.session["_auth_user_id"] == str(user.pk)


def test_without_a_mapped_role_the_person_waits_for_a_coordinator(
    site, oidc_settings, organization, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(site, oidc_settings, "newcomer", **{**AMINA, "groups": []})
    assert response.status_code == 200
    assert "waiting for approval" in response.content.decode()
    assert not signed_in(site)
    identity = Identity.objects.get()
    assert identity.awaiting_organization == organization
    assert not Membership.objects.filter(user=identity.user).exists()
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "Amina Diallo" in mail.outbox[0].subject


def _refused(site, response, text):
    page = response.content.decode()
    assert response.status_code in (400, 403), response.status_code
    assert text in page, page
    assert "no account was created" in page
    assert not signed_in(site)
    assert not Identity.objects.exists()
    assert not User.objects.exclude(username__in=["coordinator"]).exists()


def test_wrong_issuer(site, mapped):
    """The real provider issues the token; its misbehave hook re-signs it (with its own,
    published key) naming another issuer."""
    mapped.misbehave("wrong-issuer")
    _refused(site, sign_in(site, mapped, "amina", **AMINA), "issued by another service")


def test_bad_signature(site, mapped):
    """The real provider's token, re-signed by its misbehave hook with a key it does not
    publish (same key id): a forged token."""
    mapped.misbehave("bad-signature")
    _refused(site, sign_in(site, mapped, "amina", **AMINA), "signature does not match")


def test_expired_token(site, mapped):
    """The real provider's token, re-signed by its misbehave hook (its own key) with an
    expiry an hour ago."""
    mapped.misbehave("expired")
    _refused(site, sign_in(site, mapped, "amina", **AMINA), "ID token has expired")


def test_replayed_state(site, client, mapped):
    """The provider's answer (code and state) sent again: from another browser, and a second
    time from the same one. The real provider, behaving."""
    mapped.add_account("amina", **AMINA)
    callback = provider_sign_in(site, mapped, "amina")
    stranger = type(site)(HTTP_HOST="127.0.0.1")
    _refused(stranger, stranger.get(callback), "already used")
    assert site.get(callback).status_code == 302  # the browser that started it
    again = site.get(callback)
    assert again.status_code == 400 and "already used" in again.content.decode()
    assert User.objects.count() == 1


def test_unknown_tenant(site, mapped):
    """An account of another Entra tenant, from the real provider."""
    response = sign_in(site, mapped, "outsider", **{**AMINA, "tid": "another-tenant"})
    _refused(site, response, "tenant another-tenant")


def test_missing_claim(site, mapped):
    """The real provider sends no tid claim for this account, and tenants are checked."""
    claims = {k: v for k, v in AMINA.items() if k != "tid"}
    _refused(site, sign_in(site, mapped, "no-tenant", **claims), "no “tid” claim")


def test_unknown_e_mail_domain(site, mapped, settings):
    settings.OIDC_ALLOWED_DOMAINS = ["iom.int"]
    response = sign_in(site, mapped, "gmail", **{**AMINA, "preferred_username": "a@gmail.com"})
    _refused(site, response, "gmail.com are not let in")


def test_sign_in_attempts_are_throttled_like_passwords(site, mapped, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        site.get("/accounts/oidc/callback/?code=x&state=forged")
    mapped.add_account("amina", **AMINA)
    response = site.get(provider_sign_in(site, mapped, "amina"))
    assert response.status_code == 429
    assert "Login temporarily blocked" in response.content.decode()
    assert not Identity.objects.exists()


def test_logout_ends_the_session_and_the_providers(site, mapped):
    sign_in(site, mapped, "amina", **AMINA)
    response = site.post("/accounts/logout/")
    assert not signed_in(site)
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == mapped.issuer + "/session/end"
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1/accounts/login/"]
    assert query["id_token_hint"]


def test_logout_without_provider_goes_to_the_login_page(client, contributor):
    client.force_login(contributor)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_password_sign_in_can_be_kept_for_administrators(client, settings, contributor):
    settings.PASSWORD_LOGIN = "staff"
    response = client.post("/accounts/login/", {"username": "contributor", "password": PASSWORD})
    assert response.status_code == 200
    assert "passwords are for administrators only" in response.content.decode()
    assert "_auth_user_id" not in client.session
    contributor.is_staff = True
    contributor.save()
    response = client.post("/accounts/login/", {"username": "contributor", "password": PASSWORD})
    assert response.status_code == 302


def test_login_page_offers_the_provider_when_configured(client, oidc_settings):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with the test provider" in page
    assert 'href="/accounts/oidc/start/"' in page
