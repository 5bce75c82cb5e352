"""Standalone writes carry the session's CSRF token; signed module requests keep their signature."""

import re

import pytest

from api.conftest import ACCOUNT, KEY, SECRET, SignedClient

HERE = "http://localhost:8765"


def _app(channel_db, redis_server, **extra):
    from bridge import create_app
    from channel.settings import Settings

    settings = Settings(database_url=channel_db.url, redis_url=redis_server.url, bridge_secret=SECRET,
                        encryption_key=KEY, table_prefix=channel_db.prefix, **extra)
    return create_app(settings, TESTING=True)


def _login(app):
    client = app.test_client()
    assert client.get(f"{HERE}/ui/login?token={app.config['STANDALONE_TOKEN']}").status_code == 302
    return client


def _token(client) -> str:
    found = re.search(r'<meta name="channel-csrf" content="([^"]+)"', client.get(HERE + "/ui/overview").text)
    assert found
    return found.group(1)


@pytest.fixture
def standalone(channel_db, redis_server, redis_client):
    app = _app(channel_db, redis_server, standalone=True)
    client = _login(app)
    resp = SignedClient(app.test_client()).post("/api/v1/accounts", json=ACCOUNT)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    yield app, client, resp.get_json()["account_id"]
    with app.app_context():
        from bridge import db
        db.engine.dispose()


def _status(client, account_id):
    return client.get(f"{HERE}/api/v1/accounts/{account_id}").get_json()["status"]


def _pause(client, account_id, **headers):
    return client.post(f"{HERE}/api/v1/accounts/{account_id}/pause", data=b"{}",
                       headers={"Content-Type": "application/json", "Origin": HERE, **headers})


def test_a_standalone_write_without_the_token_is_refused_with_a_clear_message(standalone):
    _, client, account_id = standalone
    resp = _pause(client, account_id)
    assert resp.status_code == 403
    error = resp.get_json()["error"]
    assert error["code"] == "forbidden" and "CSRF token" in error["message"] and "X-CSRF-Token" in error["message"]
    assert _status(client, account_id) != "paused"


@pytest.mark.parametrize("wrong", ["x", "A" * 43, "ä" * 10, " "])
def test_a_wrong_token_is_refused(standalone, wrong):
    _, client, account_id = standalone
    real = _token(client)
    assert wrong != real
    resp = _pause(client, account_id, **{"X-CSRF-Token": wrong.encode("utf-8").decode("latin-1")})
    assert resp.status_code == 403 and "CSRF" in resp.get_json()["error"]["message"]
    assert _status(client, account_id) != "paused"


def test_the_token_of_another_session_is_refused(standalone, channel_db, redis_server):
    _, client, account_id = standalone
    other = _app(channel_db, redis_server, standalone=True)
    other_client = _login(other)
    foreign = _token(other_client)
    assert foreign != _token(client)
    resp = _pause(client, account_id, **{"X-CSRF-Token": foreign})
    assert resp.status_code == 403
    assert _status(client, account_id) != "paused"


def test_with_the_token_the_write_works_and_the_token_stays_for_the_session(standalone):
    _, client, account_id = standalone
    token = _token(client)
    resp = _pause(client, account_id, **{"X-CSRF-Token": token})
    assert resp.status_code == 200 and resp.get_json()["status"] == "paused"
    assert _token(client) == token  # one per session, the page reloads keep it
    resp = client.post(f"{HERE}/api/v1/accounts/{account_id}/resume", data=b"{}",
                       headers={"Content-Type": "application/json", "Origin": HERE, "X-CSRF-Token": token})
    assert resp.status_code == 200 and _status(client, account_id) != "paused"


def test_a_standalone_read_needs_no_token(standalone):
    _, client, account_id = standalone
    assert client.get(f"{HERE}/api/v1/accounts/{account_id}").status_code == 200


def test_signed_module_requests_need_no_token_and_pages_carry_none(channel_db, redis_server, redis_client):
    app = _app(channel_db, redis_server)
    api = SignedClient(app.test_client())
    created = api.post("/api/v1/accounts", json=ACCOUNT)
    assert created.status_code == 201
    account_id = created.get_json()["account_id"]
    resp = api.post(f"/api/v1/accounts/{account_id}/pause", json={}, grants=["Channel_Amazon::accounts"])
    assert resp.status_code == 200 and resp.get_json()["status"] == "paused"
    page = api.get("/fragments/overview")
    assert page.status_code == 200 and '<meta name="channel-csrf"' not in page.get_data(as_text=True)


def test_the_pages_script_sends_the_token_on_every_call():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for script in ("bridge/static/channel.js", "bridge/static/rule_builder.js"):
        text = (root / script).read_text()
        assert 'meta[name="channel-csrf"]' in text and '"X-CSRF-Token"' in text, script
