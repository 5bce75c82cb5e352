"""The standalone session is bound to its origin, writes need JSON, header-given links are
http(s) or paths only, and every answer carries the security headers."""

import re

import pytest

from api.conftest import ACCOUNT, KEY, SECRET, SignedClient


@pytest.fixture
def standalone(channel_db, redis_server, redis_client):
    from bridge import create_app
    from channel.settings import Settings

    settings = Settings(database_url=channel_db.url, redis_url=redis_server.url, bridge_secret=SECRET,
                        encryption_key=KEY, table_prefix=channel_db.prefix, standalone=True,
                        admin_origin="https://shop.example")
    app = create_app(settings, TESTING=True)
    client = app.test_client()
    assert client.get(f"http://localhost:8765/ui/login?token={app.config['STANDALONE_TOKEN']}").status_code == 302
    SignedClient(app.test_client()).post("/api/v1/accounts", json=ACCOUNT)
    yield client
    with app.app_context():
        from bridge import db
        db.engine.dispose()


HERE = "http://localhost:8765"
PAUSE = HERE + "/api/v1/accounts/1/pause"


def csrf(client) -> str:
    """The session's CSRF token, read from a page as the pages' script reads it."""
    found = re.search(r'<meta name="channel-csrf" content="([^"]+)"', client.get(HERE + "/ui/overview").text)
    assert found, "the standalone page carries no CSRF token"
    return found.group(1)


def test_standalone_pages_answer_only_on_the_origin_of_the_login(standalone):
    assert standalone.get(HERE + "/ui/overview").status_code == 200
    other_port = standalone.get("http://localhost:9999/ui/overview")
    assert other_port.status_code == 403
    assert standalone.get(HERE + "/ui/overview", headers={"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert standalone.get(HERE + "/api/v1/accounts", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403


def test_cross_site_text_plain_post_does_not_pause_an_account(standalone):
    for headers in ({"Content-Type": "text/plain", "Origin": "http://evil.example"},
                    {"Content-Type": "text/plain", "Origin": HERE},
                    {"Content-Type": "application/json", "Origin": "http://localhost:9999"},
                    {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
                    {"Content-Type": "application/json"}):
        resp = standalone.post(PAUSE, data=b"{}", headers=headers)
        assert resp.status_code in (403, 415), (headers, resp.status_code)
    assert standalone.get(HERE + "/api/v1/accounts/1").get_json()["status"] != "paused"
    token = csrf(standalone)
    ok = standalone.post(PAUSE, data=b"{}", headers={"Content-Type": "application/json", "Origin": HERE,
                                                     "X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.get_json()["status"] == "paused"
    same = standalone.post(HERE + "/api/v1/accounts/1/resume", data=b"{}",
                           headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin",
                                    "X-CSRF-Token": token})
    assert same.status_code == 200


def test_every_answer_carries_the_security_headers(standalone, app):
    answers = [standalone.get(HERE + "/ui/overview"), standalone.get(HERE + "/ui/listings"),
               standalone.get(HERE + "/static/channel.js"), standalone.get(HERE + "/api/v1/health"),
               standalone.get(HERE + "/nowhere"), standalone.get("http://localhost:9999/ui/overview"),
               app.test_client().get("/api/v1/accounts"), app.test_client().get("/fragments/overview")]
    for resp in answers:
        policy = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "object-src 'none'" in policy
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'self' https://shop.example" in answers[0].headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in answers[-1].headers["Content-Security-Policy"]


def test_standalone_pages_have_no_inline_script(standalone):
    from bridge.views import VIEWS

    needs = {"product": "?account_id=1&product_id=1"}  # a page of one thing names it
    for view in VIEWS:
        resp = standalone.get(HERE + f"/ui/{view}{needs.get(view, '')}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, (view, html[:300])
        assert '<script src="/static/channel.js"></script>' in html, view
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), view
        assert not re.search(r"\son[a-z]+\s*=", html), view
        assert "javascript:" not in html, view


@pytest.mark.parametrize("base", ["javascript:alert(document.domain)//__PATH__", "data:text/html,__PATH__",
                                  " javascript:alert(1)//__PATH__", "//evil.example/__PATH__",
                                  "vbscript:x/__PATH__", "java\tscript:alert(1)//__PATH__"])
def test_links_from_unsigned_headers_are_http_or_paths_only(api, account_id, base):
    headers = {"X-Channel-Link-Base": base, "X-Channel-Api-Base": base}
    for view in ("overview", "listings", "accounts"):
        html = api.get(f"/fragments/{view}?account_id={account_id}", headers=headers).get_data(as_text=True)
        assert "javascript:" not in html and "data:text" not in html and "evil.example" not in html
    good = "https://shop.example/admin/channel_amazon/page/view/path/__PATH__/key/abc/"
    html = api.get("/fragments/overview", headers={"X-Channel-Link-Base": good}).get_data(as_text=True)
    assert "https://shop.example/admin/channel_amazon/page/view/path/" in html


def test_standalone_writes_need_json_even_without_a_body(standalone):
    token = csrf(standalone)
    for headers in ({"Origin": HERE}, {"Origin": HERE, "Content-Type": "text/plain"}):
        resp = standalone.post(PAUSE, headers={**headers, "X-CSRF-Token": token})
        assert resp.status_code == 415 and resp.get_json()["error"]["code"] == "unsupported_media_type"
    assert standalone.get(HERE + "/api/v1/accounts/1").get_json()["status"] != "paused"


def test_signed_write_without_a_body_passes_with_its_http_clients_default_type(api, account_id):
    resp = api.open("DELETE", f"/api/v1/accounts/{account_id}", grants=["Channel_Amazon::accounts"],
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 204
