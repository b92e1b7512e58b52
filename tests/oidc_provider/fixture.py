"""The test OpenID Connect provider (server.mjs, `oidc-provider` under Node) as pytest fixtures.

``oidc_provider`` starts it once per session on a free loopback port with the site registered
as a client, and stops it; ``oidc_settings`` points the site's settings at it for one test.
"""

import copy
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import require_program

HERE = Path(__file__).resolve().parent
CLIENT_ID = "yearly-submission"
CLIENT_SECRET = "test-client-secret-that-is-long-enough-2030"
# Any loopback port is accepted for these (RFC 8252), so the live server's port need not be
# known when the provider starts.
REDIRECT_URIS = [
    "http://127.0.0.1/accounts/oidc/callback/",
    "http://localhost/accounts/oidc/callback/",
]
LOGOUT_URIS = ["http://127.0.0.1/accounts/login/", "http://localhost/accounts/login/"]
TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


@dataclass
class TestProvider:
    issuer: str
    process: subprocess.Popen
    accounts: dict = field(default_factory=dict)

    def add_account(self, login: str, **claims) -> None:
        """An account to sign in as (username ``login``, any password), with its claims."""
        self._control("accounts", {"login": login, "claims": claims})

    def misbehave(self, mode: str) -> None:
        """Rewrite the ID tokens it issues: "wrong-issuer", "bad-signature", "expired", ""."""
        self._control("misbehave", {"mode": mode})

    def _control(self, what: str, body: dict) -> None:
        response = requests.post(f"{self.issuer}/__test__/{what}", json=body, timeout=5)
        response.raise_for_status()


def _start() -> TestProvider:
    node = require_program("node")
    if not (HERE / "node_modules" / "oidc-provider").exists():
        message = "the test provider's packages are missing: make test installs them (npm ci)"
        if os.environ.get("REQUIRE_SYSTEM_DEPS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "application_type": "native",
        "redirect_uris": REDIRECT_URIS,
        "post_logout_redirect_uris": LOGOUT_URIS,
        "token_endpoint_auth_method": "client_secret_post",
    }
    env = {**os.environ, "OIDC_TEST_CONFIG": json.dumps({"port": 0, "clients": [client]})}
    process = subprocess.Popen(
        [node, str(HERE / "server.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:  # ends when the process does
        lines.append(line)
        found = re.match(r"listening (\S+)", line)
        if found:
            break
    else:
        raise RuntimeError("the test provider did not start:\n" + "".join(lines))
    provider = TestProvider(issuer=found.group(1), process=process)
    # Drain its output so that it never blocks on a full pipe.
    import threading

    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return provider


@pytest.fixture(scope="session")
def oidc_provider():
    provider = _start()
    yield provider
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """The site signs in with the test provider (and forgets any other's discovery)."""
    from accounts import oidc

    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_DISCOVERY_URL = ""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "the test provider"
    settings.OIDC_ALLOWED_TENANTS = [TENANT]
    settings.OIDC_ALLOWED_DOMAINS = []
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = []
    settings.OIDC_APPROVAL_ORGANIZATION = ""
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(oidc_provider.issuer)
    settings.CONTENT_SECURITY_POLICY = policy
    oidc.forget_discovery()
    oidc_provider.misbehave("")
    yield oidc_provider
    oidc_provider.misbehave("")
    oidc.forget_discovery()


def provider_sign_in(site_client, provider: TestProvider, login: str, password: str = "any"):
    """Go through the provider's login page without a browser; return the callback's URL.

    The site's client starts the sign-in (state, nonce and PKCE in its session); a requests
    session plays the browser at the provider: its login page, its form, its redirects.
    """
    start = site_client.get("/accounts/oidc/start/")
    assert start.status_code == 302, start
    browser = requests.Session()
    url = start["Location"]
    for _hop in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "/interaction/" in response.url:
            action = re.search(r'action="([^"]+)"', response.text).group(1)
            response = browser.post(
                provider.issuer + action,
                data={"login": login, "password": password},
                allow_redirects=False,
                timeout=10,
            )
        location = response.headers.get("Location")
        assert location, (response.status_code, response.text[:500])
        if location.startswith("/"):
            location = provider.issuer + location
        if "/accounts/oidc/callback/" in location:
            parts = urlsplit(location)
            return f"{parts.path}?{parts.query}"
        url = location
    raise AssertionError("the provider never sent the browser back to the site")
