"""The product page in headless Chromium: found by EAN from the search box, its trace
step by step with the sample catalog's values and the amounts Amazon (the sandbox)
holds, the next request equal to the body the worker then sends, and a dry run that
sends nothing while recording every call."""

import json
from decimal import Decimal

import pytest
import requests
from playwright.sync_api import expect
from rq import SimpleWorker
from sqlalchemy import text
from sqlalchemy.orm import Session

from channel import listing_state
from channel.jobs import QUEUE
from channel.models import Account
from sandbox import journal as sandbox_journal
from sandbox_fixtures import SELLER

from .conftest import shot

pytestmark = pytest.mark.browser


@pytest.fixture
def journal(monkeypatch):
    """Every changing request the sandbox receives, readable at /_sandbox/requests."""
    import sandbox.testing

    make = sandbox.testing.create_app

    def with_journal(market):
        app = make(market)
        sandbox_journal.install(app)
        return app

    monkeypatch.setattr(sandbox.testing, "create_app", with_journal)


def received(stack, method: str, sku: str) -> list:
    """Bodies the sandbox received for this SKU's listing, read back over HTTP."""
    entries = requests.get(stack["sandbox"].url + "/_sandbox/requests", timeout=10).json()
    return [e["body"] for e in entries if e["method"] == method and e["path"].endswith(f"/items/{SELLER}/{sku}")]


def send_and_reload(page, stack):
    """The worker runs the cycle Send now queued; once the page sees it finished, it reloads."""
    expect(page.locator("#channel-next .channel-job progress")).to_be_visible()  # the page follows the job
    with page.expect_navigation(timeout=30000):
        SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)


def _map_ean(stack):
    with Session(stack["db"].engine) as session:
        acc = session.get(Account, stack["account_id"])
        acc.identifier_mapping = {**acc.identifier_mapping, "ean": "ean"}
        session.commit()


def _magento_price(stack, entity_id: int) -> tuple[Decimal, Decimal]:
    with stack["db"].engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT a.attribute_code, d.value FROM catalog_product_entity_decimal d JOIN eav_attribute a"
            " ON a.attribute_id = d.attribute_id WHERE d.entity_id = :e AND d.store_id = 0"
            " AND a.attribute_code IN ('price', 'special_price')"), {"e": entity_id}).all())
    return rows["price"], rows["special_price"]


def _steps(page, table: str) -> dict:
    out = {}
    for row in page.locator(f"#{table} tbody tr").all():
        out[row.get_attribute("data-code")] = row.locator(".channel-step-value").inner_text()
    return out


def test_search_by_ean_opens_the_product_page_with_its_trace(journal, page, stack):
    _map_ean(stack)
    # Product 7 of the sample catalog: on Amazon, and on an active special price.
    page.fill("#channel-search-q", f"{4000000000000 + 7:013d}")
    page.press("#channel-search-q", "Enter")
    expect(page.locator(".channel-product-head")).to_contain_text("MG-0000007")
    price, special = _magento_price(stack, 7)
    steps = _steps(page, "channel-price-trace")
    assert Decimal(steps["source"]) == price
    assert Decimal(steps["special_price"]) == special < price
    expect(page.locator("#channel-price-trace tr[data-code=special_price]")).to_contain_text("active")
    for code in ("adjustment", "vat", "currency"):
        assert Decimal(steps[code]) == special  # the sample account adjusts nothing
    qty_steps = _steps(page, "channel-qty-trace")
    assert {"salable", "threshold", "maximum"} <= set(qty_steps)
    final_price = Decimal(page.locator("#channel-final-price").inner_text())
    final_qty = int(page.locator("#channel-final-qty").inner_text())
    assert final_price == special.quantize(Decimal("0.01")) and Decimal(steps["rounding"]) == final_price
    assert int(qty_steps["maximum"]) == final_qty
    on_amazon = stack["sandbox"].listings(SELLER)["MG-0000007"]
    assert Decimal(str(on_amazon["price"])) == final_price and on_amazon["quantity"] == final_qty
    # Amazon's side, read on demand through a worker job, matches ours.
    page.click("#channel-amazon-side >> text=Read from Amazon now")
    expect(page.locator(".channel-fetch-status")).to_contain_text("Queued")  # the job exists before the worker runs
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)
    expect(page.locator("#channel-compare")).to_be_visible()
    expect(page.locator("#channel-compare tr[data-field=price] td").nth(2)).to_have_text(str(on_amazon["price"]))
    assert page.locator("#channel-compare tr[data-differs=true]").count() == 0
    shot(page, "product-page-trace")


def _queue_publish(stack) -> dict:
    """A Ready to list product with an ASIN, queued for publishing."""
    with stack["db"].engine.begin() as conn:
        row = conn.execute(text(
            "SELECT listing_id, product_id, seller_sku FROM channel_amazon_listing WHERE account_id = :a AND"
            " tab = 'ready_to_list' AND asin IS NOT NULL ORDER BY listing_id LIMIT 1"),
            {"a": stack["account_id"]}).mappings().one()
        listing_state.action_requested(conn, stack["account_id"], [row["listing_id"]], "publish")
    return dict(row)


def _open_product(page, stack, product_id):
    page.goto(page.url.split("/ui/")[0] + f"/ui/product?account_id={stack['account_id']}&product_id={product_id}")


def test_the_next_request_shown_is_the_body_the_worker_sends(journal, page, stack):
    row = _queue_publish(stack)
    _open_product(page, stack, row["product_id"])
    expect(page.locator("#channel-next-method")).to_have_text("PUT")
    shown = json.loads(page.locator("#channel-next-payload").inner_text())
    assert received(stack, "PUT", row["seller_sku"]) == []
    page.click("#channel-next >> text=Send now")
    send_and_reload(page, stack)
    assert received(stack, "PUT", row["seller_sku"]) == [shown]
    shot(page, "product-page-next-request")


def test_dry_run_sends_nothing_and_records_every_call(journal, page, stack):
    row = _queue_publish(stack)
    _open_product(page, stack, row["product_id"])
    page.click("text=Turn dry run on")
    expect(page.locator(".channel-dry-run-on")).to_be_visible()
    shown = json.loads(page.locator("#channel-next-payload").inner_text())
    before = len(requests.get(stack["sandbox"].url + "/_sandbox/requests", timeout=10).json())
    page.click("#channel-next >> text=Send now")
    send_and_reload(page, stack)
    during = requests.get(stack["sandbox"].url + "/_sandbox/requests", timeout=10).json()[before:]
    assert during, "the cycle ran and read from Amazon"
    # Only reads went out: the token exchange and the listings report request.
    assert [e for e in during if not e["path"].startswith(("/auth/o2/token", "/reports/"))] == [], \
        "nothing that changes anything may reach Amazon during a dry run"
    _open_product(page, stack, row["product_id"])
    call = page.locator("#channel-dry-run-calls tr[data-operation=putListingsItem]")
    expect(call).to_have_count(1)
    assert json.loads(call.locator(".channel-dry-run-body").inner_text()) == shown
    with stack["db"].engine.connect() as conn:
        recorded = conn.execute(text("SELECT operation FROM channel_amazon_dry_run_call WHERE account_id = :a"),
                                {"a": stack["account_id"]}).scalars().all()
    assert recorded and all(op in ("putListingsItem", "patchListingsItem", "deleteListingsItem",
                                   "createFeedDocument", "uploadFeedDocument", "createFeed") for op in recorded)
    shot(page, "product-page-dry-run")
    # Off again: the held-back offer goes out, exactly as recorded.
    page.click("text=Turn dry run off")
    expect(page.locator(".channel-dry-run-on")).to_have_count(0)
    expect(page.locator("#channel-next-method")).to_have_text("PUT")
    page.click("#channel-next >> text=Send now")
    send_and_reload(page, stack)
    assert received(stack, "PUT", row["seller_sku"]) == [shown]
    page.click("nav.admin__menu >> text=Communication log")
    expect(page.locator("#channel-log")).to_contain_text(f"{row['seller_sku']}: dry run, not sent: PUT")
