"""The orders pages in headless Chromium over 10,250 orders: the pager by number then by
key, each filter, the sort, the status words explained where they appear; an order whose
creation failed shows its reason in plain words, Retry hands it back to Magento, and the
module's next run creates it."""

import json

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import text

from bridge.signing import signed_headers
from channel.magento.catalog import CatalogReader
from channel.magento.contracts import write_stock_event

from .conftest import shot

pytestmark = pytest.mark.browser

N = 10_250
SECRET = "browser-secret-5d1e8c3a9f7b2046c8e1d4a7"  # the stack's bridge secret
GRANTS = ["Channel_Amazon::orders", "Channel_Amazon::orders_actions"]
FAILED = "114-0000001-7654321"


@pytest.fixture
def orders(stack):
    """N orders set-based over sixty days, and one failed for stock with its item reserved."""
    with stack["db"].engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, fulfilled_by, purchase_date,"
            " last_update_date, currency, order_total, magento_status, magento_failure_reason,"
            " magento_failure_message, magento_attempts, magento_increment_id)"
            " SELECT :a, CONCAT('113-', LPAD(seq, 7, '0'), '-0000001'),"
            " ELT(1 + seq % 4, 'UNSHIPPED', 'SHIPPED', 'PENDING', 'CANCELLED'), IF(seq % 5 = 0, 'AMAZON', 'MERCHANT'),"
            " '2026-09-01' + INTERVAL (seq % 60) DAY + INTERVAL (seq % 1440) MINUTE, NOW(), 'USD', 5 + seq % 97,"
            " ELT(1 + seq % 5, 'offered', 'created', 'pending', 'failed', 'skipped'),"
            " IF(seq % 5 = 3, 'product_missing', NULL), IF(seq % 5 = 3, 'SKU X is not in the catalog', NULL),"
            " IF(seq % 5 = 3, 3, 0), IF(seq % 5 = 1, LPAD(seq, 9, '0'), NULL) FROM seq_1_to_" + str(N - 1)),
            {"a": stack["account_id"]})
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, fulfilled_by, purchase_date,"
            " last_update_date, currency, order_total, magento_status) VALUES (:a, :id, 'UNSHIPPED', 'MERCHANT',"
            " '2026-11-29 08:00', NOW(), 'USD', 18.00, 'offered')"), {"a": stack["account_id"], "id": FAILED})
        order_id = conn.execute(text("SELECT order_id FROM channel_amazon_order WHERE amazon_order_id = :id"),
                                {"id": FAILED}).scalar()
        conn.execute(text("INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku,"
                          " product_id, magento_sku, title, qty_ordered, price) VALUES (:o, 'OI-1', 'MG-0000001', 1,"
                          " 'MG-0000001', 'Sample product 1', 2, 9.00)"), {"o": order_id})
        item_id = conn.execute(text("SELECT item_id FROM channel_amazon_order_item WHERE order_id = :o"),
                               {"o": order_id}).scalar()
        reader = CatalogReader.connect(conn, "")
        stock_id = reader.website(1).stock_id if reader.stock.msi else None
        assert write_stock_event(conn, reader.schema, item_id=item_id, kind="reserve", sku="MG-0000001", qty=2,
                                 amazon_order_id=FAILED, msi_stock_id=stock_id, product_id=1)
    base = stack["url"].split("/ui/")[0]
    for _ in range(3):  # the module's three attempts, reported as the module reports them
        assert module(base, "POST", f"/api/v1/orders/{order_id}/claim").status_code == 200
        assert module(base, "POST", f"/api/v1/orders/{order_id}/magento-result", {
            "ok": False, "reason_code": "out_of_stock",
            "message": "The requested qty is not available"}).status_code == 200
    return {"base": base, "order_id": order_id}


def module(base: str, method: str, path: str, body: dict | None = None):
    """A call as the Magento module's order job signs it."""
    raw = json.dumps(body).encode() if body is not None else b""
    headers = signed_headers(SECRET, method, path, [], raw, user="magento-cron", grants=GRANTS)
    if body is not None:
        headers["Content-Type"] = "application/json"
    return requests.request(method, base + path, data=raw, headers=headers, timeout=30)


def rows(page):
    return page.locator("#channel-orders tbody tr")


def test_orders_list_pages_filters_and_sorts_over_ten_thousand_orders(page, stack, orders):
    page.click("nav.admin__menu >> text=Orders")
    pager = page.locator(".channel-pager")
    expect(pager).to_contain_text("Page 1 of 205 (10,250 orders)")
    expect(rows(page)).to_have_count(50)
    expect(rows(page).first).to_contain_text(FAILED)  # newest first
    first_status = rows(page).first.locator(".channel-creation .channel-status")
    expect(first_status).to_have_text("Creation failed")
    assert first_status.get_attribute("title").startswith("Magento could not create the order")
    expect(page.locator("#channel-orders")).not_to_contain_text("offered")
    shot(page, "orders-list")

    page.click(".channel-pager >> text=Next")
    expect(pager).to_contain_text("Page 2 of 205")
    for _ in range(19):  # numbered pages end at 20; from there the pager goes by key
        page.click(".channel-pager >> text=Next")
    expect(pager).to_contain_text("Further pages (10,250 orders)")
    expect(rows(page)).to_have_count(50)
    page.click(".channel-pager >> text=Previous")
    expect(rows(page)).to_have_count(50)

    page.click("text=Clear")
    page.select_option("select[name=status]", "failed")
    page.click("text=Apply filters")
    expect(pager).to_contain_text("Page 1 of 42 (2,051 orders)")
    statuses = page.locator("#channel-orders .channel-creation .channel-status").all_inner_texts()
    assert len(statuses) == 50 and set(statuses) == {"Creation failed"}
    expect(rows(page).first).to_contain_text("Magento has not enough salable quantity")
    expect(rows(page).nth(1)).to_contain_text("An ordered SKU is not a product in Magento")
    page.select_option("select[name=status]", "")
    page.select_option("select[name=fulfilled_by]", "AMAZON")
    page.click("text=Apply filters")
    expect(pager).to_contain_text("(2,049 orders)")
    assert set(page.locator("#channel-orders td:nth-child(5)").all_inner_texts()) == {"Amazon ships (FBA)"}
    waiting = page.locator("#channel-orders .channel-creation .channel-status[data-status=offered]")
    expect(waiting).to_have_count(50)  # in this data set every FBA order waits for Magento
    expect(waiting.first).to_have_text("Waiting for Magento")
    assert "next run" in waiting.first.get_attribute("title")
    page.select_option("select[name=fulfilled_by]", "")
    page.select_option("select[name=status]", "waiting")
    page.click("text=Apply filters")
    expect(pager).to_contain_text("(2,049 orders)")

    page.click("text=Clear")
    page.fill("input[name=from]", "2026-09-10")
    page.fill("input[name=to]", "2026-09-10")
    page.select_option("select[name=amazon_status]", "SHIPPED")
    page.select_option("select[name=sort]", "-total")
    page.click("text=Apply filters")
    with stack["db"].engine.connect() as conn:
        expected = conn.execute(text(
            "SELECT COUNT(*), MAX(order_total) FROM channel_amazon_order WHERE amazon_status = 'SHIPPED'"
            " AND purchase_date >= '2026-09-10' AND purchase_date < '2026-09-11'")).one()
    expect(pager).to_contain_text(f"({expected[0]} orders)")
    assert 0 < expected[0] < 200
    expect(rows(page).first.locator(".channel-money")).to_contain_text(f"{expected[1]:.2f} USD")
    assert set(page.locator("#channel-orders td:nth-child(4)").all_inner_texts()) == {"Shipped"}
    page.locator("#channel-order-legend summary").click()
    expect(page.locator("#channel-order-legend")).to_contain_text("Waiting for Magento")
    shot(page, "orders-filtered")


def test_failed_order_shows_its_reason_and_retry_creates_it_on_the_next_run(page, stack, orders):
    with stack["db"].engine.begin() as conn:  # earlier runs of the module created the generated backlog
        conn.execute(text("UPDATE channel_amazon_order SET magento_status = 'created' WHERE magento_status = 'offered'"
                          " AND amazon_order_id <> :id"), {"id": FAILED})
    page.click("nav.admin__menu >> text=Orders")
    page.select_option("select[name=status]", "failed")
    page.click("text=Apply filters")
    page.click(f"text={FAILED}")
    failure = page.locator("#channel-order-failure")
    expect(failure).to_contain_text("Magento could not create this order")
    expect(failure).to_contain_text("attempt 3 of 3")
    expect(failure.locator(".channel-failure-reason")).to_have_text(
        "Magento has not enough salable quantity for an item. Add stock, then retry.")
    expect(failure).to_contain_text("The requested qty is not available")
    expect(page.locator("#channel-order-items")).to_contain_text("MG-0000001")
    expect(page.locator("#channel-order-items .channel-reservation .channel-status")).to_have_text("Held for Amazon")
    expect(page.locator("#channel-order-timeline")).to_contain_text("Creation attempt 3 failed (not enough stock)")
    shot(page, "order-failed")

    failure.get_by_role("button", name="Retry").click()
    creation = page.locator("#channel-order-summary .channel-creation .channel-status")
    expect(creation).to_have_text("Waiting for Magento", timeout=10000)
    expect(page.locator("#channel-order-failure")).to_have_count(0)
    expect(page.locator("#channel-order-timeline")).to_contain_text("Retry: waiting for Magento again")

    # The module's next run: the order is offered, claimed, placed in Magento and reported.
    base, order_id = orders["base"], orders["order_id"]
    offered = module(base, "GET", "/api/v1/orders/offered").json()["items"]
    assert [o["amazon_order_id"] for o in offered] == [FAILED]
    assert module(base, "POST", f"/api/v1/orders/{order_id}/claim").status_code == 200
    with stack["db"].engine.begin() as conn:
        conn.execute(text("INSERT INTO sales_order (entity_id, state, status, increment_id, store_id, grand_total,"
                          " order_currency_code) VALUES (7001, 'processing', 'processing', '000007001', 1, 18, 'USD')"))
    done = module(base, "POST", f"/api/v1/orders/{order_id}/magento-result",
                  {"ok": True, "increment_id": "000007001", "magento_order_id": 7001, "store_id": 1})
    assert done.status_code == 200 and done.json()["magento_status"] == "created"
    page.reload()
    expect(creation).to_have_text("Created in Magento")
    expect(page.locator("#channel-order-summary .channel-magento-order")).to_contain_text("#000007001")
    expect(page.locator("#channel-order-summary .channel-magento-order")).to_contain_text("Processing")
    expect(page.locator("#channel-order-items .channel-reservation .channel-status")).to_have_text(
        "Held by the Magento order")
    expect(page.locator("#channel-order-timeline")).to_contain_text("Being created → Created in Magento")
    expect(page.locator("#channel-order-buyer")).to_be_visible()
    shot(page, "order-created")
