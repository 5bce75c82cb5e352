"""ASINs assigned by hand in headless Chromium: on the product page by a keyword search of
Amazon's catalog, and in bulk from the listings grid's Incomplete tab ("Find ASINs on
Amazon", a worker job searching the sandbox's catalog, then one candidate's Assign and
"Assign where exactly one candidate"). Each ends in the database and leaves Incomplete;
nothing is sent to Amazon by assigning, and the next sync keeps the merchant's choice."""

import pytest
import requests
from playwright.sync_api import expect
from rq import SimpleWorker
from sqlalchemy import text

from channel.jobs import QUEUE
from sandbox import journal as sandbox_journal
from sandbox_fixtures import SELLER

from .conftest import shot

pytestmark = pytest.mark.browser

#: Sample products without a barcode (every 23rd) and without a known ASIN: Incomplete.
NO_BARCODE = (46, 69, 92)


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


def _listing(stack, product_id: int) -> dict:
    with stack["db"].engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT listing_id, seller_sku, asin, tab, reason, match_status FROM channel_amazon_listing"
            " WHERE account_id = :a AND product_id = :p"), {"a": stack["account_id"], "p": product_id}).mappings().one())


def _titled(stack, items: list[tuple[str, str, str]]) -> None:
    """Catalog items with a title and brand, so a search by a product's name finds them."""
    stack["sandbox"].market.load({"catalog": [{"asin": a, "title": t, "brand": b, "identifiers": {}}
                                              for a, t, b in items]})


def _changing_requests(stack, sku: str) -> list:
    entries = requests.get(stack["sandbox"].url + "/_sandbox/requests", timeout=10).json()
    return [e for e in entries if e["path"].endswith(f"/{SELLER}/{sku}")]


def _run_worker(stack) -> None:
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)


def test_product_page_assigns_an_asin_found_by_keyword(journal, page, stack):
    before = _listing(stack, 46)
    assert (before["tab"], before["reason"], before["asin"]) == ("incomplete", "missing_identifier", None)
    _titled(stack, [("B0KEYWORD1", "Trail lantern 46 lumen", "Lumio"), ("B0KEYWORD2", "Trail lantern 46 mini", "Lumio")])
    page.goto(stack["url"].split("/ui/")[0] + f"/ui/product?account_id={stack['account_id']}&product_id=46")
    page.fill(".channel-asin-form [name=keywords]", "trail lantern 46")
    with page.expect_response(lambda r: r.url.endswith("/catalog/search") and r.status == 202):
        page.click(".channel-product-action[data-action=catalog]")
    _run_worker(stack)
    results = page.locator("#channel-catalog-results li")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("Lumio")
    with page.expect_navigation():
        results.filter(has_text="B0KEYWORD2").locator("button").click()
    after = _listing(stack, 46)
    assert after["asin"] == "B0KEYWORD2" and after["match_status"] == "matched"
    assert (after["tab"], after["reason"]) == ("ready_to_list", "ready")
    expect(page.locator(".channel-product-head")).to_contain_text(before["seller_sku"])
    assert _changing_requests(stack, before["seller_sku"]) == []  # chosen, not yet sent


def test_bulk_find_asins_and_assign_from_the_incomplete_tab(journal, page, stack):
    lantern, stove, tent = (_listing(stack, p) for p in NO_BARCODE)
    assert {lantern["tab"], stove["tab"], tent["tab"]} == {"incomplete"}
    with stack["db"].engine.begin() as conn:  # as a barcode matching two ASINs leaves product 46
        conn.execute(text("UPDATE channel_amazon_listing SET match_status = 'multiple_matches', match_candidates ="
                          " '[\"B0KNOWN001\", \"B0KNOWN002\"]', reason = 'multiple_matches' WHERE listing_id = :l"),
                     {"l": lantern["listing_id"]})
    # Product 69 finds two catalog items by its name, product 92 exactly one.
    _titled(stack, [("B0BULK0691", "Sample product 69", "Acme"), ("B0BULK0692", "Sample product 69 XL", "Acme"),
                    ("B0BULK0921", "Sample product 92", "Borealis")])
    calls_before = stack["sandbox"].market.calls.get("searchCatalogItems", 0)
    page.goto(stack["url"].split("/ui/")[0] + f"/ui/listings?account_id={stack['account_id']}&tab=incomplete")
    expect(page.locator(".channel-asin-note")).to_contain_text("at most 100")
    for row in (lantern, stove, tent):
        page.check(f"#channel-listings tr[data-listing-id='{row['listing_id']}'] .channel-select")
    page.select_option("#channel-action", "find_asins")
    page.click("#channel-run-action")
    status = page.locator(".channel-mass-actions .channel-job")
    expect(status).to_contain_text("Queued: a worker searches Amazon's catalog for 2 listings")
    # Candidates already known are shown at once, without a search.
    lantern_box = page.locator(f"tr.channel-asin-candidates[data-for='{lantern['listing_id']}']")
    expect(lantern_box.locator("li.channel-candidate")).to_have_count(2)
    expect(lantern_box).to_contain_text("candidates the barcode matched")
    _run_worker(stack)
    expect(status).to_have_attribute("data-finished", "finished")
    stove_box = page.locator(f"tr.channel-asin-candidates[data-for='{stove['listing_id']}']")
    tent_box = page.locator(f"tr.channel-asin-candidates[data-for='{tent['listing_id']}']")
    expect(stove_box.locator("li.channel-candidate")).to_have_count(2)
    expect(stove_box).to_contain_text("searched by name")
    expect(tent_box.locator("li.channel-candidate")).to_have_count(1)
    expect(tent_box).to_contain_text("Borealis")
    assert page.locator("tr.channel-asin-candidates").count() == 3  # only the selected listings
    shot(page, "listings-find-asins")
    # Two names searched, one searchCatalogItems call each (neither has a barcode); none for 46.
    assert stack["sandbox"].market.calls["searchCatalogItems"] - calls_before == 2
    stove_box.locator("li[data-asin=B0BULK0692] button").click()
    expect(stove_box).to_contain_text("ASIN B0BULK0692 assigned")
    page.click("#channel-assign-single")
    expect(tent_box).to_contain_text("ASIN B0BULK0921 assigned")
    expect(status).to_contain_text("1 ASIN assigned")
    assigned = {p: _listing(stack, p) for p in NO_BARCODE}
    assert assigned[69]["asin"] == "B0BULK0692" and assigned[92]["asin"] == "B0BULK0921"
    assert {assigned[p]["tab"] for p in (69, 92)} == {"ready_to_list"}
    assert assigned[46]["asin"] is None and assigned[46]["reason"] == "multiple_matches"  # two candidates: left
    for row in (stove, tent):  # assigning sends nothing to Amazon
        assert _changing_requests(stack, row["seller_sku"]) == []
    page.reload()
    expect(page.locator(f"#channel-listings tr[data-listing-id='{stove['listing_id']}']")).to_have_count(0)


def test_find_asins_refuses_more_than_100_listings_at_once(page, stack):
    page.goto(stack["url"].split("/ui/")[0] + f"/ui/listings?account_id={stack['account_id']}&tab=incomplete")
    # A grid page holds up to 200 rows; this catalog's Incomplete tab has 3, so more are ticked here.
    page.evaluate("""() => { const cell = document.querySelector('#channel-listings tbody tr td');
        for (let i = 1; i <= 101; i++) { const c = document.createElement('input'); c.type = 'checkbox';
            c.className = 'channel-select'; c.value = String(100000 + i); c.checked = true; cell.appendChild(c); } }""")
    page.select_option("#channel-action", "find_asins")
    sent = []
    page.on("request", lambda r: sent.append(r.url))
    page.click("#channel-run-action")
    expect(page.locator(".channel-mass-actions .channel-job")).to_have_text(
        "At most 100 listings are searched at a time; 101 are selected. Select fewer and search again.")
    assert not [u for u in sent if "asin-search" in u]  # refused before asking the bridge
