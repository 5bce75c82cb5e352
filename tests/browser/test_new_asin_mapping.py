"""The new-ASIN mapping screen in headless Chromium: from the product page's "Create on
Amazon", a product type search (a worker job against the sandbox), the attribute rows
with suggested Magento attributes, a fixed value and a template, save with validation
counts, then the product created: refused locally with what to fill, fixed, and sent."""

import pytest
from playwright.sync_api import expect
from rq import SimpleWorker
from sqlalchemy import text

from channel import new_asin
from channel.jobs import QUEUE
from sandbox_fixtures import SELLER

from .conftest import shot

pytestmark = pytest.mark.browser

PRODUCT = 46  # no barcode, no ASIN: Incomplete


def _run_worker(stack) -> None:
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)


def _flow(stack) -> dict:
    with stack["db"].engine.connect() as conn:
        return new_asin.rows(conn, stack["account_id"], product_ids=[PRODUCT])[0]


def _row(page, target):
    return page.locator(f"tr.channel-map-row[data-target='{target}']")


def test_mapping_screen_searches_maps_validates_and_creates(page, stack):
    base = stack["url"].split("/ui/")[0]
    page.goto(base + f"/ui/product?account_id={stack['account_id']}&product_id={PRODUCT}")
    with page.expect_navigation():
        page.click("#channel-create-on-amazon")
    expect(page.locator("#channel-pt-create h2")).to_contain_text("MG-0000046")

    page.fill("#channel-pt-keywords", "cushion")
    with page.expect_response(lambda r: r.url.endswith("/product-types/search") and r.status == 202):
        page.click("#channel-pt-search-button")
    _run_worker(stack)
    expect(page.locator(".channel-pt-status")).to_contain_text("HOME", timeout=10_000)
    expect(page.locator("#channel-pt-mapping")).to_be_visible()
    expect(page.locator(".channel-pt-suggested")).to_be_visible()
    # Suggested from Magento attributes with matching names.
    expect(_row(page, "item_name").locator(".channel-map-value")).to_have_value("name")
    expect(_row(page, "brand").locator(".channel-map-value")).to_have_value("manufacturer")
    expect(_row(page, "item_name")).to_contain_text("required")

    _row(page, "item_type_keyword").locator(".channel-map-source").select_option("fixed")
    _row(page, "item_type_keyword").locator(".channel-map-value").select_option(label="Cushions")
    _row(page, "bullet_point").locator(".channel-map-source").select_option("template")
    _row(page, "bullet_point").locator(".channel-map-value").fill("{{name}} by {{manufacturer}}")
    page.click("#channel-pt-save")
    expect(page.locator(".channel-pt-saved")).to_contain_text("Saved")
    expect(page.locator(".channel-pt-validation")).to_contain_text("0 products chosen")

    with page.expect_response(lambda r: r.url.endswith("/new-asins") and r.status == 202):
        page.click("#channel-pt-create-button")
    expect(page.locator(".channel-pt-created")).to_contain_text("Queued")
    _run_worker(stack)
    flow = _flow(stack)
    assert flow["status"] == "invalid"
    assert [i["attribute"] for i in flow["issues"]] == ["externally_assigned_product_identifier"]

    # What to fill shows on the product page and in the Incomplete tab.
    page.goto(base + f"/ui/product?account_id={stack['account_id']}&product_id={PRODUCT}")
    expect(page.locator("#channel-new-asin .channel-new-asin-issues")).to_contain_text(
        "externally_assigned_product_identifier")
    page.goto(base + f"/ui/listings?account_id={stack['account_id']}&tab=incomplete&sku=MG-0000046")
    expect(page.locator(".channel-new-asin-row").first).to_contain_text("to fill")
    page.goto(base + "/ui/accounts")  # the page under the account
    with page.expect_navigation():
        page.click(f"tr[data-account-id='{stack['account_id']}'] >> text=New products")
    page.select_option("#channel-pt-select", "HOME")
    expect(page.locator(".channel-pt-validation")).to_contain_text("1 products chosen for this product type: 0 ready")
    page.goto(base + f"/ui/new_asin?account_id={stack['account_id']}&product_id={PRODUCT}")
    page.select_option("#channel-pt-select", "HOME")
    expect(page.locator(".channel-pt-validation")).to_contain_text("1 products chosen for this product type: 0 ready")
    exemption = _row(page, "supplier_declared_has_product_identifier_exemption")
    exemption.locator(".channel-map-source").select_option("fixed")
    exemption.locator(".channel-map-value").fill("true")
    page.click("#channel-pt-save")
    expect(page.locator(".channel-pt-validation")).to_contain_text("1 ready")
    shot(page, "new-asin-mapping")
    page.click("#channel-pt-create-button")
    expect(page.locator(".channel-pt-created")).to_contain_text("Queued")
    _run_worker(stack)
    assert _flow(stack)["status"] in ("submitted", "assigned")
    seller = stack["sandbox"].market.sellers[SELLER]
    assert seller.listings["MG-0000046"].product_type == "HOME"
    with stack["db"].engine.connect() as conn:
        tab = conn.execute(text("SELECT tab FROM channel_amazon_listing WHERE account_id = :a AND product_id = :p"),
                           {"a": stack["account_id"], "p": PRODUCT}).scalar()
    assert tab in ("list_in_progress", "active")


#: The Main Website's store view names the colors in German (store 0 keeps the English labels).
GERMAN = {"Black": "Schwarz", "White": "Weiß", "Red": "Rot", "Blue": "Blau", "Green": "Grün"}


def test_value_map_editor_maps_magento_option_labels_to_amazons_values(page, stack):
    from sandbox import catalog as sample

    with stack["db"].raw() as raw:
        cur = raw.cursor()
        cur.executemany("INSERT INTO eav_attribute_option_value (option_id, store_id, value) VALUES (%s, 1, %s)",
                        [(sample.option_id("color", en), de) for en, de in GERMAN.items()])
        raw.commit()
    base = stack["url"].split("/ui/")[0]
    page.goto(base + f"/ui/new_asin?account_id={stack['account_id']}&product_id={PRODUCT}")
    page.fill("#channel-pt-keywords", "cushion")
    with page.expect_response(lambda r: r.url.endswith("/product-types/search") and r.status == 202):
        page.click("#channel-pt-search-button")
    _run_worker(stack)
    expect(page.locator("#channel-pt-mapping")).to_be_visible(timeout=10_000)

    _row(page, "item_type_keyword").locator(".channel-map-source").select_option("fixed")
    _row(page, "item_type_keyword").locator(".channel-map-value").select_option(label="Cushions")
    _row(page, "bullet_point").locator(".channel-map-source").select_option("template")
    _row(page, "bullet_point").locator(".channel-map-value").fill("{{name}} by {{manufacturer}}")
    exemption = _row(page, "supplier_declared_has_product_identifier_exemption")
    exemption.locator(".channel-map-source").select_option("fixed")
    exemption.locator(".channel-map-value").fill("true")
    color_map = _row(page, "color.standardized_values")
    color_map.locator(".channel-map-source").select_option("attribute")
    expect(color_map.locator(".channel-value-map")).to_have_count(0)  # no Magento attribute yet
    color_map.locator(".channel-map-value").select_option("color")
    lines = color_map.locator("tr.channel-value-map-row")
    expect(lines).to_have_count(5)
    expect(lines.locator("th")).to_have_text(list(GERMAN.values()))  # the store view's labels
    expect(lines.first.locator("option")).to_contain_text(["Same as in Magento", "Beige", "Black"])
    color_map.locator("tr[data-label='Rot'] .channel-value-map-value").select_option("Red")
    page.click("#channel-pt-save")
    expect(page.locator(".channel-pt-saved")).to_contain_text("Saved")

    # "Weiß" is not mapped and not one of Amazon's values: refused locally, the attribute named.
    page.click("#channel-pt-create-button")
    expect(page.locator(".channel-pt-created")).to_contain_text("Queued")
    _run_worker(stack)
    flow = _flow(stack)
    assert flow["status"] == "invalid"
    assert [i["attribute"] for i in flow["issues"]] == ["color"]

    color_map.locator("tr[data-label='Weiß'] .channel-value-map-value").select_option(label="White")
    page.click("#channel-pt-save")
    expect(page.locator(".channel-pt-validation")).to_contain_text("1 products chosen for this product type: 1 ready")

    page.reload()  # saved with the mapping: shown again
    page.select_option("#channel-pt-select", "HOME")
    color_map = _row(page, "color.standardized_values")
    expect(color_map.locator(".channel-map-source")).to_have_value("attribute")
    expect(color_map.locator(".channel-map-value")).to_have_value("color")
    expect(color_map.locator("tr[data-label='Rot'] .channel-value-map-value")).to_have_value("Red")
    expect(color_map.locator("tr[data-label='Weiß'] .channel-value-map-value")).to_have_value("White")
    expect(color_map.locator("tr[data-label='Blau'] .channel-value-map-value")).to_have_value("")
    shot(page, "new-asin-value-map")
    with stack["db"].engine.connect() as conn:
        (row,) = [r for r in new_asin.load_mapping(conn, stack["account_id"], "HOME")
                  if r.amazon_attribute == "color.standardized_values"]
    assert dict(row.value_map) == {"Rot": "Red", "Weiß": "White"}

    page.click("#channel-pt-create-button")
    expect(page.locator(".channel-pt-created")).to_contain_text("Queued")
    _run_worker(stack)
    assert _flow(stack)["status"] in ("submitted", "assigned")
    sent = stack["sandbox"].market.sellers[SELLER].listings["MG-0000046"]
    assert sent.attributes["color"][0]["standardized_values"] == ["White"]
    assert sent.attributes["color"][0]["value"] == "Weiß"
