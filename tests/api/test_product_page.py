"""The product page's API: one product on one account with its traces and next request,
search across accounts, ASIN choice and unlinking, the dry run switch and its calls."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import text

from channel import payloads


def _row(channel_db, account_id, product_id):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT * FROM channel_amazon_listing WHERE account_id = :a AND product_id = :p"),
                            {"a": account_id, "p": product_id}).mappings().first()


def _product(api, account_id, product_id):
    resp = api.get(f"/api/v1/accounts/{account_id}/products/{product_id}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_product_page_traces_price_and_quantity_to_the_stored_offer(api, listed, channel_db):
    with channel_db.engine.connect() as conn:
        pid = conn.execute(text("SELECT product_id FROM channel_amazon_listing WHERE account_id = :a AND"
                                " calc_price IS NOT NULL AND calc_qty > 0 ORDER BY product_id LIMIT 1"),
                           {"a": listed}).scalar()
    page = _product(api, listed, pid)
    row = _row(channel_db, listed, pid)
    price, qty = page["trace"]["price"], page["trace"]["quantity"]
    assert [s["code"] for s in price["steps"]] == ["source", "special_price", "adjustment", "vat", "currency",
                                                  "rounding"]
    assert Decimal(price["amount"]) == row["calc_price"]
    assert qty["amount"] == row["calc_qty"]
    assert Decimal(price["steps"][0]["value"]) == Decimal(str(page["magento"]["price"]))
    assert page["magento"]["sku"] == row["magento_sku"]
    assert page["listing"]["seller_sku"] == row["seller_sku"]
    assert page["listing"]["reason_text"]["title"]


def test_next_request_is_the_put_the_worker_builds(api, listed, channel_db):
    with channel_db.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM channel_amazon_listing WHERE account_id = :a AND tab = 'ready_to_list'"
                                " ORDER BY listing_id LIMIT 1"), {"a": listed}).mappings().first()
        conn.execute(text("UPDATE channel_amazon_listing SET asin = 'B0TESTASIN' WHERE listing_id = :l"),
                     {"l": row["listing_id"]})
    resp = api.post(f"/api/v1/accounts/{listed}/listings/actions",
                    json={"action": "publish", "listing_ids": [row["listing_id"]]})
    assert resp.status_code == 202
    from channel import listing_state

    with channel_db.engine.begin() as conn:
        listing_state.action_requested(conn, listed, [row["listing_id"]], "publish")
    page = _product(api, listed, row["product_id"])
    nxt = page["next_request"]
    assert nxt["send"] is True and nxt["operation"] == "putListingsItem" and nxt["method"] == "PUT"
    assert nxt["path"] == f"/listings/2021-08-01/items/A1SELLER/{row['seller_sku']}"
    attrs = nxt["body"]["attributes"]
    assert attrs["merchant_suggested_asin"][0]["value"] == "B0TESTASIN"
    assert Decimal(str(attrs["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"])) == \
        row["calc_price"]
    assert attrs["fulfillment_availability"][0]["quantity"] == row["calc_qty"]
    assert "choose_asin" not in page["actions"] and "end" in page["actions"]


def test_nothing_to_send_says_why(api, listed, channel_db):
    with channel_db.engine.connect() as conn:
        pid = conn.execute(text("SELECT product_id FROM channel_amazon_listing WHERE account_id = :a AND"
                                " tab = 'ready_to_list' LIMIT 1"), {"a": listed}).scalar()
    nxt = _product(api, listed, pid)["next_request"]
    assert nxt["send"] is False and "publish" in nxt["why"]
    api.post(f"/api/v1/accounts/{listed}/pause", json={})
    assert "paused" in _product(api, listed, pid)["next_request"]["why"]


def test_unknown_product_and_foreign_listing_are_404_bad_asin_400(api, listed, channel_db):
    assert api.get(f"/api/v1/accounts/{listed}/products/999999").status_code == 404
    assert api.get("/api/v1/accounts/9999/products/1").status_code == 404
    assert api.post(f"/api/v1/accounts/{listed}/listings/99999999/asin", json={"asin": "B000000001"}).status_code \
        == 404
    with channel_db.engine.connect() as conn:
        lid = conn.execute(text("SELECT listing_id FROM channel_amazon_listing WHERE account_id = :a AND"
                                " product_id IS NOT NULL AND amazon_status IS NULL LIMIT 1"), {"a": listed}).scalar()
    for bad in ({"asin": "short"}, {"asin": 12}, {}, {"asin": "B00000000!"}):
        resp = api.post(f"/api/v1/accounts/{listed}/listings/{lid}/asin", json=bad)
        assert resp.status_code == 400 and resp.get_json()["error"]["details"]["parameter"] == "asin"


def test_assign_asin_then_unlink(api, listed, channel_db):
    with channel_db.engine.connect() as conn:
        row = conn.execute(text("SELECT listing_id, product_id FROM channel_amazon_listing WHERE account_id = :a AND"
                                " product_id IS NOT NULL AND amazon_status IS NULL AND asin IS NULL LIMIT 1"),
                           {"a": listed}).mappings().first()
    resp = api.post(f"/api/v1/accounts/{listed}/listings/{row['listing_id']}/asin", json={"asin": "b0handpick"})
    assert resp.status_code == 200 and resp.get_json()["asin"] == "B0HANDPICK"
    assert _row(channel_db, listed, row["product_id"])["asin"] == "B0HANDPICK"
    page = _product(api, listed, row["product_id"])
    assert page["listing"]["asin"] == "B0HANDPICK" and "unlink" in page["actions"]
    assert api.post(f"/api/v1/accounts/{listed}/listings/{row['listing_id']}/unlink", json={}).status_code == 200
    assert _row(channel_db, listed, row["product_id"])["asin"] is None


def test_search_by_sku_asin_barcode_and_name_across_accounts(api, listed, channel_db):
    def found(q):
        resp = api.get(f"/api/v1/search?q={q}")
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()["items"]

    assert api.put(f"/api/v1/accounts/{listed}/mapping", json={"seller_sku": "sku", "upc": "upc", "ean": "ean"}
                   ).status_code == 200
    sku = found("MG-0000014")
    assert sku[0]["seller_sku"] == "MG-0000014" and sku[0]["matched"] == "sku" and sku[0]["tab_label"]
    prefix = [h["seller_sku"] for h in found("MG-000001")]
    assert "MG-0000014" in prefix and len(prefix) >= 5 and all(s.startswith("MG-000001") for s in prefix)
    upc = found(f"{700000000000 + 14:012d}")
    assert [h["product_id"] for h in upc] == [14] and upc[0]["matched"] == "upc"
    ean = found(f"{4000000000000 + 14:013d}")
    assert [h["product_id"] for h in ean] == [14] and ean[0]["matched"] == "ean"
    assert any(h["seller_sku"] == "LEGACY-1" for h in found("LEGACY"))
    with channel_db.engine.connect() as conn:
        name = conn.execute(text("SELECT product_name FROM channel_amazon_listing WHERE product_id = 14")).scalar()
    assert [h["product_id"] for h in found(name)] == [14]
    for bad in ("", "x" * 101):
        assert api.get(f"/api/v1/search?q={bad}").status_code == 400
    assert api.get("/api/v1/search?q=a&sort=x").status_code == 400


def test_dry_run_switch_and_its_calls(api, listed, channel_db):
    assert api.post(f"/api/v1/accounts/{listed}/dry-run", json={"enabled": "yes"}).status_code == 400
    resp = api.post(f"/api/v1/accounts/{listed}/dry-run", json={"enabled": True})
    assert resp.status_code == 200
    assert api.get(f"/api/v1/accounts/{listed}/settings").get_json()["dry_run"] is True
    body = payloads.patch_body(payloads.price_stock_attributes("ATVPDKIKX0DER", "USD", Decimal("9.5"), 3))
    with channel_db.engine.begin() as conn:
        conn.execute(text("INSERT INTO channel_amazon_dry_run_call (account_id, operation, method, path, seller_sku,"
                          " body) VALUES (:a, 'patchListingsItem', 'PATCH', '/listings/x', 'MG-0000014', :b)"),
                     {"a": listed, "b": json.dumps(body)})
    calls = api.get(f"/api/v1/accounts/{listed}/dry-run/calls?sku=MG-0000014").get_json()["items"]
    assert calls[0]["body"] == json.loads(json.dumps(body))
    assert _product(api, listed, 14)["dry_run_calls"][0]["operation"] == "patchListingsItem"
    assert api.get(f"/api/v1/accounts/{listed}/dry-run/calls?limit=0").status_code == 400
    with channel_db.engine.begin() as conn:  # as the dry run's ACCEPTED answer left it
        conn.execute(text("UPDATE channel_amazon_listing SET pushed_price = 9.5, pushed_qty = 3, pushed_at = NOW()"
                          " WHERE account_id = :a AND seller_sku = 'MG-0000014'"), {"a": listed})
    off = api.post(f"/api/v1/accounts/{listed}/dry-run", json={"enabled": False})
    assert off.status_code == 200 and off.get_json()["listings_to_send"] == 1
    settings = api.get(f"/api/v1/accounts/{listed}/settings").get_json()
    assert settings["dry_run"] is False and settings["dry_run_since"] is None
    row = _row(channel_db, listed, 14)
    assert row["pushed_price"] is None and row["pushed_qty"] is None


def test_amazon_side_and_catalog_search_are_worker_jobs(api, listed, redis_client):
    from channel.jobs import CATALOG_SEARCH_JOB, LOOKUP_JOB, queue

    resp = api.post(f"/api/v1/accounts/{listed}/products/14/amazon", json={})
    assert resp.status_code == 202
    job = queue(redis_client).fetch_job(resp.get_json()["job_id"])
    assert job.func_name == LOOKUP_JOB and job.args[1] == "MG-0000014"
    resp = api.post(f"/api/v1/accounts/{listed}/catalog/search", json={"keywords": "  sample   product "})
    assert resp.status_code == 202
    job = queue(redis_client).fetch_job(resp.get_json()["job_id"])
    assert job.func_name == CATALOG_SEARCH_JOB and job.args[1] == "sample product"
    for bad in ({}, {"keywords": ""}, {"keywords": 5}, {"keywords": "w " * 21}):
        assert api.post(f"/api/v1/accounts/{listed}/catalog/search", json=bad).status_code == 400


@pytest.mark.parametrize("grants", [frozenset({"Channel_Amazon::orders"})])
def test_product_page_needs_the_listings_grant(api, listed, grants):
    assert api.get(f"/api/v1/accounts/{listed}/products/14", grants=grants).status_code == 403
    assert api.get("/api/v1/search?q=MG", grants=grants).status_code == 403



def test_fragments_product_without_account_and_search_with_one_hit(api, listed):
    page = api.get("/fragments/product?product_id=14")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-product-id="14"' in html and f'data-account-id="{listed}"' in html
    assert 'id="channel-price-trace"' in html and 'class="channel-search"' in html
    one = api.get("/fragments/search?q=MG-0000014").get_data(as_text=True)
    assert 'data-product-id="14"' in one
    many = api.get("/fragments/search?q=MG-000001").get_data(as_text=True)
    assert 'id="channel-search-results"' in many and "product_id%3D14" in many or "product_id=14" in many
    assert api.get("/fragments/product?product_id=abc").status_code == 400


def test_the_log_of_one_sku_is_found_by_its_prefix(api, listed, channel_db):
    from channel.models.log import write_log

    with channel_db.engine.begin() as conn:
        write_log(conn, account_id=listed, operation="patchListingsItem", message="MG-0000014: price refused")
        write_log(conn, account_id=listed, operation="patchListingsItem", message="MG-00000140: other SKU")
        write_log(conn, account_id=listed, operation="getOrders", message="no SKU here")
    log = _product(api, listed, 14)["log"]
    assert [r["message"] for r in log] == ["MG-0000014: price refused"]
