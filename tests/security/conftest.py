"""Fixtures of the security tests: the bridge with its API signed as the module signs it."""

import pytest

from api.conftest import ACCOUNT, KEY, SECRET, SignedClient


@pytest.fixture
def app(channel_db, redis_server, redis_client):
    from bridge import create_app
    from channel.settings import Settings

    settings = Settings(database_url=channel_db.url, redis_url=redis_server.url, bridge_secret=SECRET,
                        encryption_key=KEY, table_prefix=channel_db.prefix)
    application = create_app(settings, TESTING=True)
    yield application
    with application.app_context():
        from bridge import db
        db.engine.dispose()


@pytest.fixture
def api(app):
    return SignedClient(app.test_client())


@pytest.fixture
def account_id(api):
    resp = api.post("/api/v1/accounts", json=ACCOUNT)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["account_id"]
