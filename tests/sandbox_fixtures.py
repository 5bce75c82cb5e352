"""Fixtures for tests that talk to the sandbox marketplace over HTTP."""

import pytest

from sandbox.testing import running_sandbox

SELLER = "A2SANDBOXSELLER"
MARKETPLACE = "ATVPDKIKX0DER"
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "amzn1.oa2-cs.v1.test-secret"
REFRESH_TOKEN = "Atzr|test-refresh-token"


def seller_seed(listings=(), orders=(), catalog=()):
    return {"sellers": [{"seller_id": SELLER, "marketplaces": [MARKETPLACE], "client_id": CLIENT_ID,
                         "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN,
                         "listings": list(listings), "orders": list(orders), "catalog": list(catalog)}]}


@pytest.fixture
def sandbox():
    """A sandbox at 200x speed with one seller (extend with sandbox.market.load)."""
    with running_sandbox(seller_seed(), time_scale=200) as sb:
        yield sb
