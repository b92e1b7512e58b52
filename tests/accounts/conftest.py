import pytest
from django.test import Client

from tests.oidc_provider.fixture import oidc_provider, oidc_settings  # noqa: F401


@pytest.fixture
def site():
    """A browser of the site at http://127.0.0.1 (the address registered at the provider)."""
    return Client(HTTP_HOST="127.0.0.1")
