"""Login throttling counts failures per person's address, also behind a load balancer."""

import pytest
from django.test import RequestFactory

from accounts.selectors import client_ip
from tests.conftest import PASSWORD


def request(forwarded=None, remote="10.0.0.5"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/accounts/login/", **meta)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.5"),  # no proxy trusted: the header is anyone's to write
        (1, None, "10.0.0.5"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # a client's own entry comes first
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.5"),  # fewer entries than proxies: not to be trusted
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    assert client_ip(request(forwarded)) == expected


@pytest.mark.django_db
def test_a_lockout_behind_the_balancer_is_one_persons(settings, client, contributor):
    """Five failures from one person lock that person out, not everyone behind the balancer."""
    settings.TRUSTED_PROXIES = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "contributor", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "contributor", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert locked.status_code == 429
    other = client.post(
        "/accounts/login/",
        {"username": "contributor", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert other.status_code == 302
