import pytest

from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, MARKETPLACE, REFRESH_TOKEN, SELLER
from worker.amazon.auth import TokenProvider
from worker.amazon.client import SpApiClient
from worker.amazon.throttle import Throttle


@pytest.fixture
def failures():
    return []


@pytest.fixture
def make_client(sandbox, redis_client, failures):
    def make(**kw):
        tokens = TokenProvider(redis_client, sandbox.lwa_url, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        kw.setdefault("backoff_base", 0.01)
        kw.setdefault("backoff_cap", 0.05)
        return SpApiClient(sandbox.url, SELLER, "na", MARKETPLACE, tokens,
                           Throttle(redis_client, scale=kw.pop("rate_scale", 200)), on_failure=failures.append, **kw)
    return make


@pytest.fixture
def client(make_client):
    return make_client()
