"""The orders list (filters, sort, pages by number and by key) and one order (items and the
products they map to, stock held, the Magento order, the failure in plain words, packages,
timeline), with buyer data only for the buyer data grant; Retry hands a failed order back
to Magento, which creates it on its next run."""

import json

import pytest
from sqlalchemy import text

from channel.crypto import Vault
from channel.magento.catalog import CatalogReader
from channel.magento.contracts import write_stock_event
from .conftest import KEY

ORDERS = "Channel_Amazon::orders"
ACTIONS = "Channel_Amazon::orders_actions"
PII = "Channel_Amazon::orders_buyer_data"
N = 240


@pytest.fixture
def many(channel_db, account_id):
    """N orders set-based, spread over statuses, fulfillment, days and totals."""
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, fulfilled_by, purchase_date,"
            " last_update_date, currency, order_total, magento_status, magento_failure_reason, magento_attempts)"
            " SELECT :a, CONCAT('113-', LPAD(seq, 7, '0'), '-0000001'),"
            " ELT(1 + seq % 4, 'UNSHIPPED', 'SHIPPED', 'PENDING', 'CANCELLED'), IF(seq % 5 = 0, 'AMAZON', 'MERCHANT'),"
            " '2026-10-01' + INTERVAL (seq % 60) DAY + INTERVAL seq MINUTE, NOW(), 'USD',"
            " IF(seq % 17 = 0, NULL, 5 + seq % 23), ELT(1 + seq % 5, 'offered', 'created', 'pending', 'failed', 'creating'),"
            " IF(seq % 5 = 3, 'out_of_stock', NULL), IF(seq % 5 = 3, 3, 0) FROM seq_1_to_" + str(N)),
            {"a": account_id})
    return account_id


def sql_ids(channel_db, where="1 = 1", order="purchase_date DESC, order_id DESC", params=None):
    with channel_db.engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            f"SELECT order_id FROM channel_amazon_order WHERE {where} ORDER BY {order}"), params or {})]


def walk(api, query):
    page = api.get("/api/v1/orders?" + query).get_json()
    seen = [o["order_id"] for o in page["items"]]
    while page["next_cursor"]:
        page = api.get(f"/api/v1/orders?{query}&after={page['next_cursor']}").get_json()
        seen += [o["order_id"] for o in page["items"]]
    back = [o["order_id"] for o in page["items"]]
    while page["prev_cursor"]:
        page = api.get(f"/api/v1/orders?{query}&before={page['prev_cursor']}").get_json()
        back = [o["order_id"] for o in page["items"]] + back
    return seen, back


def test_list_newest_first_with_words_and_an_exact_total(api, many, channel_db):
    resp = api.get("/api/v1/orders?per_page=25", grants=[ORDERS])
    assert resp.status_code == 200, resp.get_json()
    page = resp.get_json()
    assert [o["order_id"] for o in page["items"]] == sql_ids(channel_db)[:25]
    assert page["total"] == N and page["total_exact"] and page["pages"] == 10 and page["page"] == 1
    first = page["items"][0]
    assert first["magento_status_label"] in ("Waiting for Magento", "Created in Magento", "Not ready yet",
                                             "Creation failed", "Being created")
    assert "offered" not in json.dumps([o["magento_status_label"] for o in page["items"]])
    assert all("buyer_name" not in o and "shipping_address" not in o for o in page["items"])


@pytest.mark.parametrize("query, where", [
    ("status=waiting", "magento_status IN ('offered', 'creating')"),
    ("status=created", "magento_status = 'created'"),
    ("status=failed", "magento_status = 'failed'"),
    ("amazon_status=SHIPPED", "amazon_status = 'SHIPPED'"),
    ("fulfilled_by=AMAZON", "fulfilled_by = 'AMAZON'"),
    ("from=2026-10-10&to=2026-10-19", "purchase_date >= '2026-10-10' AND purchase_date < '2026-10-20'"),
    ("status=failed&fulfilled_by=MERCHANT&amazon_status=UNSHIPPED",
     "magento_status = 'failed' AND fulfilled_by = 'MERCHANT' AND amazon_status = 'UNSHIPPED'"),
])
def test_each_filter_gives_exactly_its_orders(api, many, channel_db, query, where):
    expected = sql_ids(channel_db, where)
    assert expected, "the fixture covers every filter"
    page = api.get(f"/api/v1/orders?{query}&per_page=200").get_json()
    assert [o["order_id"] for o in page["items"]] == expected[:200]
    assert page["total"] == len(expected)


def test_account_and_magento_order_status_filters(api, many, channel_db):
    other = api.post("/api/v1/accounts", json={"name": "UK", "marketplace_id": "A1F83G8C2ARO7P",
                                               "seller_id": "A2OTHER", "website_id": 1,
                                               "lwa_client_id": "amzn1.application-oa2-client.x",
                                               "lwa_client_secret": "s", "refresh_token": "Atzr|x"})
    assert other.status_code == 201, other.get_json()
    p = channel_db.prefix
    with channel_db.engine.begin() as conn:
        conn.execute(text("INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date,"
                          " last_update_date, magento_status, magento_order_id, magento_increment_id) VALUES"
                          " (:a, '202-0000001-0000001', 'SHIPPED', NOW(), NOW(), 'created', 9001, '000000901')"),
                     {"a": other.get_json()["account_id"]})
        conn.execute(text(f"INSERT INTO {p}sales_order (entity_id, state, status, increment_id, store_id, grand_total,"
                          f" order_currency_code) VALUES (9001, 'complete', 'complete', '000000901', 1, 12.5, 'GBP')"))
    mine = api.get(f"/api/v1/orders?account_id={many}&per_page=200").get_json()
    assert mine["total"] == N and all(o["account_id"] == many for o in mine["items"])
    done = api.get("/api/v1/orders?magento_order_status=complete").get_json()
    assert [o["amazon_order_id"] for o in done["items"]] == ["202-0000001-0000001"]
    assert done["items"][0]["magento_order_status"]["label"] == "Complete"
    assert api.get("/api/v1/orders?magento_order_status=processing").get_json()["total"] == 0


@pytest.mark.parametrize("sort, order", [
    ("-purchased", "purchase_date DESC, order_id DESC"), ("purchased", "purchase_date ASC, order_id ASC"),
    ("total", "order_total ASC, order_id ASC"), ("-total", "order_total DESC, order_id DESC"),
])
def test_pages_by_key_walk_every_order_in_order_both_ways(api, many, channel_db, sort, order):
    expected = sql_ids(channel_db, "magento_status <> 'pending'", order)
    forward, backward = walk(api, f"sort={sort}&per_page=30&status=waiting")
    waiting = set(sql_ids(channel_db, "magento_status IN ('offered', 'creating')"))
    expected = [i for i in expected if i in waiting]
    assert forward == expected and backward == expected and len(expected) == 96


def test_pages_by_number_reach_twenty_then_go_by_key(api, many):
    two = api.get("/api/v1/orders?per_page=10&page=2").get_json()
    assert two["page"] == 2 and two["prev_cursor"] and two["next_cursor"]
    assert api.get("/api/v1/orders?per_page=10&page=21").status_code == 400


@pytest.mark.parametrize("query, parameter", [
    ("status=offerd", "status"), ("amazon_status=shipped", "amazon_status"), ("fulfilled_by=FBA", "fulfilled_by"),
    ("from=2026-13-01", "from"), ("to=9999-12-31", "to"), ("from=2026-10-20&to=2026-10-01", "from"), ("sort=buyer", "sort"),
    ("after=not-a-cursor", "after"), ("account_id=x", "account_id"), ("per_page=0", "per_page"),
    ("magento_order_status=a%27b", "magento_order_status"), ("buyer=jane", "buyer"),
])
def test_bad_list_parameters_are_a_400_naming_the_parameter(api, many, query, parameter):
    resp = api.get("/api/v1/orders?" + query)
    assert resp.status_code == 400, (query, resp.status_code)
    assert resp.get_json()["error"]["details"]["parameter"] == parameter


@pytest.fixture
def failed_order(api, channel_db, listed):
    """A merchant-fulfilled order whose creation failed for stock, with buyer data sealed,
    two items (one mapped and reserved, one not mapped) and a confirmed package."""
    vault = Vault(KEY)
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, fulfilled_by, purchase_date,"
            " last_update_date, currency, order_total, buyer_name, buyer_email, shipping_address, magento_status)"
            " VALUES (:a, '114-7654321-1234567', 'UNSHIPPED', 'MERCHANT', '2026-11-02 10:00', NOW(), 'USD', 49.97,"
            " :bn, :be, :addr, 'offered')"),
            {"a": listed, "bn": vault.encrypt("Jane Buyer"), "be": vault.encrypt("jane@example.com"),
             "addr": vault.encrypt(json.dumps({"name": "Jane Buyer", "addressLine1": "1 Main St", "city": "Seattle",
                                               "postalCode": "98101", "countryCode": "US"}))})
        order_id = conn.execute(text("SELECT order_id FROM channel_amazon_order")).scalar()
        conn.execute(text("INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku, asin,"
                          " product_id, magento_sku, title, qty_ordered, price) VALUES"
                          " (:o, 'OI-1', 'MG-0000001', 'B0X', 1, 'MG-0000001', 'Sample one', 2, 19.99),"
                          " (:o, 'OI-2', 'NOT-IN-MAGENTO', NULL, NULL, NULL, 'Mystery', 1, 9.99)"), {"o": order_id})
        item = conn.execute(text("SELECT item_id FROM channel_amazon_order_item WHERE amazon_order_item_id = 'OI-1'"
                                 )).scalar()
        reader = CatalogReader.connect(conn, channel_db.prefix)
        stock_id = reader.website(1).stock_id if reader.stock.msi else None
        assert write_stock_event(conn, reader.schema, item_id=item, kind="reserve", sku="MG-0000001", qty=2,
                                 amazon_order_id="114-7654321-1234567", msi_stock_id=stock_id, product_id=1)
    for _ in range(3):  # the module's three tries, reported as it reports them
        assert api.post(f"/api/v1/orders/{order_id}/claim").status_code == 200
        assert api.post(f"/api/v1/orders/{order_id}/magento-result", json={
            "ok": False, "reason_code": "out_of_stock",
            "message": "Product that you are trying to add is not available."}).status_code == 200
    with channel_db.engine.begin() as conn:
        conn.execute(text("INSERT INTO channel_amazon_shipment (order_id, magento_shipment_id, package_reference_id,"
                          " carrier_code, tracking_number, ship_date, items) VALUES (:o, 77, '1', 'UPS', '1Z999',"
                          " '2026-11-03 09:00', :it)"), {"o": order_id, "it": json.dumps(
                              [{"orderItemId": "OI-1", "quantity": 2}])})
        conn.execute(text("UPDATE channel_amazon_shipment SET status = 'failed', attempts = 1,"
                          " message = 'Invalid carrier code' WHERE order_id = :o"), {"o": order_id})
    return order_id


def test_order_page_shows_items_stock_failure_packages_and_timeline_without_buyer_data(api, failed_order):
    resp = api.get(f"/api/v1/orders/{failed_order}", grants=[ORDERS])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    raw = json.dumps(body)
    assert "Jane" not in raw and "Main St" not in raw and "jane@" not in raw
    order = body["order"]
    assert order["buyer"] == {"shown": False, "note": f"Hidden: your Magento role lacks {PII}."}
    assert order["magento_status"] == "failed" and order["magento_status_label"] == "Creation failed"
    assert order["failure"]["reason"] == "out_of_stock" and order["failure"]["attempts"] == 3
    assert order["failure"]["text"].startswith("Magento has not enough salable quantity")
    assert order["can_retry"] and order["order_total"] == 49.97 and order["currency"] == "USD"
    mapped, unmapped = body["items"]
    assert mapped["magento_sku"] == "MG-0000001" and mapped["listing_id"] and mapped["tab"]
    assert mapped["reservation"]["state"] == "held" and mapped["line_total"] == 39.98
    assert unmapped["magento_sku"] is None and unmapped["reservation"]["state"] == "none"
    (package,) = body["packages"]
    assert package["status_label"] == "Refused by Amazon" and package["message"] == "Invalid carrier code"
    texts = [e["text"] for e in body["timeline"]]
    assert "Creation attempt 3 failed (not enough stock): gave up, waits for Retry" in texts
    assert "Creation attempt 1 failed (not enough stock): tried again on the next run" in texts
    assert "Package 1: Refused by Amazon (1 sent)" in texts
    details = {e["text"]: e["detail"] for e in body["timeline"]}
    assert details["Waiting for Magento → Being created"] is None  # a claim says nothing of an old failure
    assert details["Creation attempt 2 failed (not enough stock): tried again on the next run"] == \
        "Product that you are trying to add is not available."
    assert details["Package 1: Refused by Amazon (1 sent)"] == "Invalid carrier code"
    assert texts[-2:] == ["Imported: Waiting for Magento", "Amazon: Unshipped"] or \
        set(texts[-2:]) == {"Imported: Waiting for Magento", "Amazon: Unshipped"}


def test_timeline_carries_the_log_rows_that_name_the_order_while_it_changed(api, channel_db, failed_order, listed):
    with channel_db.engine.begin() as conn:
        for when, message in (("NOW()", "Order 114-7654321-1234567 not found"), ("NOW()", "Throttled"),
                              ("NOW() - INTERVAL 2 DAY", "Order 114-7654321-1234567 was read")):
            conn.execute(text(f"INSERT INTO channel_amazon_log (account_id, level, operation, http_status, message,"
                              f" created_at) VALUES (:a, 'error', 'getOrder', 404, :m, {when})"),
                         {"a": listed, "m": message})
    timeline = api.get(f"/api/v1/orders/{failed_order}").get_json()["timeline"]
    logged = [(e["text"], e["detail"]) for e in timeline if e["source"] == "log"]
    assert logged == [("Communication log: Amazon answered 404 to getOrder", "Order 114-7654321-1234567 not found")]


def test_buyer_data_only_with_its_grant(api, failed_order, listed):
    body = api.get(f"/api/v1/orders/{failed_order}", grants=[ORDERS, PII]).get_json()
    assert body["order"]["buyer"] == {"shown": True, "name": "Jane Buyer", "email": "jane@example.com",
                                      "address": {"name": "Jane Buyer", "addressLine1": "1 Main St",
                                                  "city": "Seattle", "postalCode": "98101", "countryCode": "US"}}
    assert api.get(f"/api/v1/orders/{failed_order}", grants=[PII]).status_code == 403
    viewer = api.get(f"/fragments/order?order_id={failed_order}", grants=[ORDERS]).get_data(as_text=True)
    assert "Jane" not in viewer and "Hidden: your Magento role lacks" in viewer
    assert "/retry" not in viewer  # no Retry without the actions grant
    assert "channel-product-link" not in viewer  # the product page needs Channel_Amazon::listings
    full = api.get(f"/fragments/order?order_id={failed_order}", grants=[ORDERS, ACTIONS, PII]).get_data(as_text=True)
    assert "Jane Buyer" in full and "1 Main St" in full and f"/api/v1/orders/{failed_order}/retry" in full
    products = api.get(f"/fragments/order?order_id={failed_order}",
                       grants=[ORDERS, "Channel_Amazon::listings"]).get_data(as_text=True)
    assert f"/fragments/product?account_id={listed}&amp;product_id=1" in products


def test_unknown_or_bad_order_is_a_404_or_400(api, failed_order):
    assert api.get("/api/v1/orders/999999").status_code == 404
    assert api.get("/fragments/order?order_id=999999").status_code == 404
    assert api.get("/fragments/order?order_id=abc").status_code == 400
    assert api.get("/fragments/order?order_id=1234567890").status_code == 400
    bare = api.get("/fragments/order")  # the page itself, without an order: points to the list
    assert bare.status_code == 200 and "Choose an order in the" in bare.get_data(as_text=True)


def test_retry_waits_for_magento_and_the_next_run_creates_it(api, channel_db, failed_order):
    assert api.post(f"/api/v1/orders/{failed_order}/retry", grants=[ORDERS]).status_code == 403
    resp = api.post(f"/api/v1/orders/{failed_order}/retry", grants=[ACTIONS])
    assert resp.status_code == 200 and resp.get_json() == {"order_id": failed_order, "magento_status": "offered"}
    order = api.get(f"/api/v1/orders/{failed_order}").get_json()["order"]
    assert order["magento_status_label"] == "Waiting for Magento" and not order["can_retry"]
    assert api.get("/api/v1/orders?status=waiting").get_json()["items"][0]["order_id"] == failed_order
    # The module's next run, as Cron/CreateOrders does it: offered, claimed, placed, reported.
    offers = api.get("/api/v1/orders/offered", grants=[ORDERS, ACTIONS]).get_json()["items"]
    assert [o["order_id"] for o in offers] == [failed_order]
    assert api.post(f"/api/v1/orders/{failed_order}/claim", grants=[ACTIONS]).status_code == 200
    with channel_db.engine.begin() as conn:
        conn.execute(text(f"INSERT INTO {channel_db.prefix}sales_order (entity_id, state, status, increment_id,"
                          f" store_id, grand_total, order_currency_code) VALUES (501, 'new', 'pending', '000000501', 1,"
                          f" 49.97, 'USD')"))
    done = api.post(f"/api/v1/orders/{failed_order}/magento-result", grants=[ACTIONS],
                    json={"ok": True, "increment_id": "000000501", "magento_order_id": 501, "store_id": 1})
    assert done.status_code == 200, done.get_json()
    url = "https://shop.example/admin/sales/order/view/order_id/__ID__/key/abc/"
    body = api.get(f"/api/v1/orders/{failed_order}", headers={"X-Channel-Order-Url": url}).get_json()
    order = body["order"]
    assert order["magento_status_label"] == "Created in Magento" and order["failure"] is None
    assert order["magento_order_url"] == "https://shop.example/admin/sales/order/view/order_id/501/key/abc/"
    assert order["magento_order"]["label"] == "Pending" and order["magento_order"]["increment_id"] == "000000501"
    assert body["items"][0]["reservation"]["state"] == "by_magento"
    texts = [e["text"] for e in body["timeline"]]
    assert texts.index("Being created → Created in Magento") < texts.index("Retry: waiting for Magento again")
    evil = api.get(f"/api/v1/orders/{failed_order}", headers={"X-Channel-Order-Url": "javascript:alert(1)//__ID__"})
    assert evil.get_json()["order"]["magento_order_url"] is None


def test_orders_list_fragment_explains_every_status_word(api, many):
    html = api.get("/fragments/orders?status=failed&per_page=25").get_data(as_text=True)
    assert html.count('data-status="failed"') == 25
    assert 'title="Magento could not create the order (see the reason).' in html
    assert ">offered<" not in html and "Waiting for Magento" in html
    assert 'id="channel-order-legend"' in html
    assert "(48 orders)" in html
    assert api.get("/fragments/orders?status=nope").status_code == 400


def test_dashboard_recent_orders_use_the_same_words(api, failed_order, listed):
    api.post(f"/api/v1/orders/{failed_order}/retry")
    html = api.get(f"/fragments/dashboard?account_id={listed}").get_data(as_text=True)
    assert ">Waiting for Magento<" in html and ">offered<" not in html and ">Unshipped<" in html
    assert f"order_id={failed_order}" in html
