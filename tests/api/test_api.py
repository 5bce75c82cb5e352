"""The bridge API: every endpoint, signed as the module signs, and its refusals."""

import time

import pytest
from sqlalchemy import text

from bridge.signing import signed_headers

from .conftest import ACCOUNT, SECRET


def test_whoami_returns_the_signed_user_and_grants(api):
    resp = api.get("/api/v1/whoami", grants=["Channel_Amazon::listings"])
    assert resp.status_code == 200
    assert resp.get_json() == {"user": "admin", "grants": ["Channel_Amazon::listings"]}


def test_unsigned_expired_tampered_and_replayed_requests_are_refused(app):
    client = app.test_client()
    assert client.get("/api/v1/accounts").get_json()["error"]["code"] == "missing_signature"
    old = signed_headers(SECRET, "GET", "/api/v1/accounts", grants=["Channel_Amazon::listings"],
                         timestamp=int(time.time()) - 400)
    assert client.get("/api/v1/accounts", headers=old).get_json()["error"]["code"] == "expired_signature"
    good = signed_headers(SECRET, "GET", "/api/v1/accounts", grants=["Channel_Amazon::listings"])
    tampered = dict(good, **{"X-Channel-Acl": "Channel_Amazon::accounts,Channel_Amazon::listings"})
    assert client.get("/api/v1/accounts", headers=tampered).status_code == 401
    assert client.get("/api/v1/accounts", headers=good).status_code == 200
    replay = client.get("/api/v1/accounts", headers=good)
    assert replay.status_code == 401 and replay.get_json()["error"]["code"] == "replayed_request"


def test_missing_acl_grant_is_forbidden(api):
    resp = api.post("/api/v1/accounts", json=ACCOUNT, grants=["Channel_Amazon::listings"])
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"


def test_account_lifecycle_never_returns_secrets(api, channel_db):
    created = api.post("/api/v1/accounts", json=ACCOUNT)
    assert created.status_code == 201
    account_id = created.get_json()["account_id"]
    everything = [api.get("/api/v1/accounts").data, api.get(f"/api/v1/accounts/{account_id}").data, created.data]
    patched = api.patch(f"/api/v1/accounts/{account_id}", json={"name": "US main", "sync_interval": 600})
    assert patched.get_json()["name"] == "US main" and patched.get_json()["sync_interval"] == 600
    rotated = api.post(f"/api/v1/accounts/{account_id}/rotate-secret",
                       json={"lwa_client_secret": "amzn1.oa2-cs.v1.NEW-PLANTED"})
    assert rotated.get_json()["secret_rotated_at"]
    everything += [patched.data, rotated.data]
    assert created.get_json()["status"] == "pending" and created.get_json()["check_job"]
    assert api.post(f"/api/v1/accounts/{account_id}/pause").get_json()["status"] == "paused"
    resumed = api.post(f"/api/v1/accounts/{account_id}/resume").get_json()
    assert resumed["status"] == "pending" and resumed["check_job"]  # never checked: not active yet
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET credential_status = 'ok', status = 'paused'"))
    assert api.post(f"/api/v1/accounts/{account_id}/resume").get_json()["status"] == "active"
    for blob in everything:
        assert b"PLANTED" not in blob
    with channel_db.engine.connect() as conn:
        raw = " ".join(str(v) for v in conn.execute(text("SELECT * FROM channel_amazon_account")).one())
    assert "PLANTED" not in raw
    duplicate = api.post("/api/v1/accounts", json=ACCOUNT)
    assert duplicate.status_code == 409
    assert api.delete(f"/api/v1/accounts/{account_id}").status_code == 204
    assert api.get(f"/api/v1/accounts/{account_id}").status_code == 404


@pytest.mark.parametrize("field,value", [("marketplace_id", "XX"), ("website_id", 99), ("website_id", "1"),
                                         ("name", ""), ("seller_id", None)])
def test_bad_account_bodies_are_422(api, field, value):
    resp = api.post("/api/v1/accounts", json={**ACCOUNT, field: value})
    assert resp.status_code == 422 and resp.get_json()["error"]["details"]["path"] == field


def test_mapping_rule_and_settings(api, account_id):
    assert api.put(f"/api/v1/accounts/{account_id}/mapping", json={"upc": "upc", "ean": "ean"}).status_code == 200
    assert api.get(f"/api/v1/accounts/{account_id}/mapping").get_json()["ean"] == "ean"
    assert api.put(f"/api/v1/accounts/{account_id}/mapping", json={"ean": "nope"}).status_code == 404
    rule = {"conditions": [{"type": "qty", "operator": ">", "value": 3}]}
    assert api.post(f"/api/v1/accounts/{account_id}/rule/validate", json=rule).get_json()["valid"]
    bad = api.put(f"/api/v1/accounts/{account_id}/rule", json={"conditions": [{"type": "qty", "operator": "~"}]})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["path"] == "conditions[0].operator"
    preview = api.post(f"/api/v1/accounts/{account_id}/rule/preview?bucket=new&limit=5", json={"rule": rule})
    assert preview.status_code == 200 and len(preview.get_json()["items"]) == 5
    assert api.put(f"/api/v1/accounts/{account_id}/rule", json=rule).status_code == 200
    assert api.get(f"/api/v1/accounts/{account_id}/rule").get_json()["conditions"][0]["value"] == 3
    saved = api.put(f"/api/v1/accounts/{account_id}/settings", json={"auto_publish": True,
                                                                     "stock": {"out_of_stock_threshold": 2}})
    assert saved.get_json()["stock"]["out_of_stock_threshold"] == 2
    assert api.put(f"/api/v1/accounts/{account_id}/settings", json={"price": {"rounding": "x"}}).status_code == 422


def test_listings_per_tab_with_filters_sort_paging_and_counts(api, listed):
    resp = api.get(f"/api/v1/accounts/{listed}/listings?tab=incomplete&sort=-sku&per_page=5&page=2")
    data = resp.get_json()
    assert resp.status_code == 200 and data["page"] == 2 and len(data["items"]) == 5
    skus = [i["seller_sku"] for i in data["items"]]
    assert skus == sorted(skus, reverse=True)
    assert data["counts"]["active"] == 1 and data["counts"]["new_third_party"] == 1
    assert data["items"][0]["reason_text"]["action"]
    one = api.get(f"/api/v1/accounts/{listed}/listings?tab=active&sku=0000001").get_json()
    assert [i["seller_sku"] for i in one["items"]] == ["MG-0000001"]
    csv = api.get(f"/api/v1/accounts/{listed}/listings?tab=incomplete&format=csv")
    assert csv.mimetype == "text/csv" and csv.data.count(b"\n") == data["total"] + 1


@pytest.mark.parametrize("query", ["tab=sold", "sort=password", "sort=sku;DROP TABLE x", "page=0", "per_page=5000",
                                   "bogus=1", "sku=" + "x" * 300, "sort=sku%20DESC,(SELECT 1)"])
def test_bad_filters_and_sorts_are_400_never_500(api, listed, query):
    resp = api.get(f"/api/v1/accounts/{listed}/listings?{query}")
    assert resp.status_code == 400, resp.get_json()


def test_sql_injection_in_filter_values_is_only_data(api, listed, channel_db):
    resp = api.get(f"/api/v1/accounts/{listed}/listings?tab=active&sku=%27%20OR%201%3D1%20--")
    assert resp.status_code == 200 and resp.get_json()["total"] == 0
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing")).scalar() > 0


def test_bulk_actions_enqueue_jobs_with_progress(api, listed, redis_client):
    ids = [i["listing_id"] for i in api.get(f"/api/v1/accounts/{listed}/listings?tab=active").get_json()["items"]]
    resp = api.post(f"/api/v1/accounts/{listed}/listings/actions", json={"action": "end", "listing_ids": ids})
    assert resp.status_code == 202
    job = api.get(f"/api/v1/jobs/{resp.get_json()['job_id']}").get_json()
    assert job["status"] == "queued" and job["total"] == len(ids)
    assert api.post(f"/api/v1/accounts/{listed}/listings/actions",
                    json={"action": "explode", "listing_ids": ids}).status_code == 400
    assert api.post(f"/api/v1/accounts/{listed}/listings/actions",
                    json={"action": "end", "listing_ids": ["1; DROP"]}).status_code == 400
    sync = api.post(f"/api/v1/accounts/{listed}/sync")
    assert sync.status_code == 202 and sync.get_json()["job_id"] == f"sync-account-{listed}"
    assert api.get("/api/v1/jobs/nope").status_code == 404
    assert api.get("/api/v1/jobs/p7%5C45").status_code == 404  # not even a job id


def test_assign_product_to_third_party_listing(api, listed):
    third = api.get(f"/api/v1/accounts/{listed}/listings?tab=new_third_party").get_json()["items"][0]
    resp = api.post(f"/api/v1/accounts/{listed}/listings/{third['listing_id']}/assign", json={"product_id": 2})
    assert resp.status_code == 200
    assert api.post(f"/api/v1/accounts/{listed}/listings/{third['listing_id']}/assign",
                    json={"product_id": "two"}).status_code == 400


def test_log_history_trends_overview(api, listed, channel_db):
    with channel_db.engine.begin() as conn:
        conn.execute(text("INSERT INTO channel_amazon_log (account_id, operation, http_status, message, request_id)"
                          " VALUES (:a, 'getListingsItem', 429, 'You exceeded your quota', 'rid-1')"), {"a": listed})
    log = api.get(f"/api/v1/accounts/{listed}/log?status=429").get_json()
    assert log["total"] == 1 and log["items"][0]["request_id"] == "rid-1"
    assert api.get(f"/api/v1/accounts/{listed}/log?status=abc").status_code == 400
    history = api.get(f"/api/v1/accounts/{listed}/history?tab=active").get_json()
    assert history["total"] >= 1
    assert api.get(f"/api/v1/accounts/{listed}/trends?days=7").status_code == 200
    assert api.get(f"/api/v1/accounts/{listed}/trends?days=9999").status_code == 400
    overview = api.get("/api/v1/overview").get_json()["items"]
    assert overview[0]["counts"]["active"] == 1


def test_unknown_ids_are_404(api):
    assert api.get("/api/v1/accounts/9999").status_code == 404
    assert api.get("/api/v1/accounts/9999/listings").status_code == 404
    assert api.get("/api/v1/nothing-here").status_code == 404


def test_openapi_document_is_served(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")


def test_openapi_document_is_a_valid_openapi_3_document():
    from pathlib import Path

    import yaml
    from openapi_spec_validator import validate

    validate(yaml.safe_load((Path(__file__).resolve().parents[2] / "bridge" / "openapi.yaml").read_text()))


def test_fragments_for_the_module_route_links_through_magento(api, listed):
    base = "https://shop.example.com/admin/channel_amazon/page/view/key/abc/?path=__PATH__"
    resp = api.get(f"/fragments/listings?account_id={listed}&tab=active",
                   headers={"X-Channel-Link-Base": base, "X-Channel-Form-Key": "FK1"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "MG-0000001" in html
    assert "path=%2Ffragments%2Flistings%3Faccount_id" in html  # links go back through the module
    assert 'data-form-key="FK1"' in html and "<script>" in html
    assert api.get("/fragments/listings", grants=["Channel_Amazon::orders"]).status_code == 403


def test_order_settings_are_saved_and_validated(api, account_id):
    saved = api.put(f"/api/v1/accounts/{account_id}/settings",
                    json={"orders": {"import": True, "customer": "guest", "number_source": "amazon"}})
    assert saved.status_code == 200 and saved.get_json()["orders"]["number_source"] == "amazon"
    bad = api.put(f"/api/v1/accounts/{account_id}/settings", json={"orders": {"customer": "robot"}})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["path"] == "orders.customer"
    page = api.get(f"/fragments/onboarding?account_id={account_id}").get_data(as_text=True)
    assert 'name="orders.number_source"' in page and 'value="amazon" selected' in page


def test_a_lock_conflict_answers_503_busy_changes_nothing_and_the_retry_succeeds(app, api, account_id, channel_db,
                                                                                 monkeypatch):
    """A sync holding the account's row makes the admin's save wait; when the bridge stops
    waiting, the admin gets a clear "busy, try again" (503 with Retry-After), the row is
    unchanged, and the same request succeeds once the row is free."""
    import bridge
    from bridge import db

    monkeypatch.setattr(bridge, "LOCK_WAIT_S", 1)
    with app.app_context():
        db.engine.dispose()  # the bridge's next connection waits 1 s
    with channel_db.engine.connect() as sync:
        held = sync.begin()
        sync.execute(text("SELECT name FROM channel_amazon_account WHERE account_id = :a FOR UPDATE"),
                     {"a": account_id})
        started = time.monotonic()
        busy = api.patch(f"/api/v1/accounts/{account_id}", json={"name": "Renamed while busy"})
        waited = time.monotonic() - started
        held.rollback()
    assert busy.status_code == 503, busy.get_json()
    assert 0.9 < waited < 5
    assert busy.headers["Retry-After"] == "2"
    error = busy.get_json()["error"]
    assert error["code"] == "database_busy" and "nothing was changed" in error["message"]
    assert api.get(f"/api/v1/accounts/{account_id}").get_json()["name"] == "US store"
    retried = api.patch(f"/api/v1/accounts/{account_id}", json={"name": "Renamed while busy"})
    assert retried.status_code == 200 and retried.get_json()["name"] == "Renamed while busy"


def test_the_bridge_stops_waiting_for_a_held_row_well_before_the_module_stops_waiting_for_it(app):
    """The module gives up on the bridge after its timeout (``etc/config.xml``); a request
    waiting for a row a sync holds answers before that, so the admin always hears the outcome."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    from bridge import db

    config = ET.parse(Path(__file__).parents[2] / "magento_module" / "etc" / "config.xml")
    module_timeout = float(config.find(".//channel_amazon/bridge/timeout").text)
    with app.app_context(), db.engine.connect() as conn:
        waits = conn.execute(text("SELECT @@SESSION.innodb_lock_wait_timeout")).scalar_one()
    assert waits == 8 and waits + 2 <= module_timeout
