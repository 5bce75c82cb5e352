"""The settings page's repricing section in headless Chromium, against the sandbox
marketplace: a rule saved from its fields, a refused group named in place, and the saved
rule applied by the next run, its decision shown in the section in the merchant's words."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from worker.repricing import reprice_account

from .conftest import shot

pytestmark = pytest.mark.browser


def live_listing(stack):
    with stack["db"].engine.connect() as conn:
        return conn.execute(text(
            "SELECT listing_id, seller_sku, asin, calc_price FROM channel_amazon_listing WHERE account_id = :a"
            " AND amazon_status IS NOT NULL AND product_id IS NOT NULL AND asin IS NOT NULL ORDER BY listing_id"
            " LIMIT 1"), {"a": stack["account_id"]}).mappings().first()


def test_a_rule_saved_in_the_section_is_applied_by_the_next_run(page, stack):
    row = live_listing(stack)
    assert row is not None
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    box = page.locator("#channel-repricing")
    expect(box.locator('[data-field="run-status"]')).to_have_text("Not run yet")
    expect(box.locator("#channel-repricing-decisions tbody")).to_contain_text("No decision yet.")
    expect(box.locator("#rp-strategy-help")).to_contain_text("Match the Buy Box")

    form = box.locator(".channel-repricing-form")
    form.locator("#rp-enabled").check()
    form.locator("#rp-strategy").select_option("match_buybox")
    form.locator("#rp-beat-type").select_option("amount")
    form.locator("#rp-beat-value").fill("0.01")
    form.locator("#rp-floor-type").select_option("fixed")
    form.locator("#rp-floor-value").fill("2.00")
    form.locator("#rp-source").select_option("item_offers")
    # A group whose condition is wrong: refused, its place named and its field marked.
    form.locator("#rp-groups").fill('[{"name": "Bad", "condition": {"type": "combine", "conditions": '
                                    '[{"type": "qty", "operator": "{}", "value": 1}]}, "rule": {}}]')
    form.locator("button[type=submit]").click()
    result = form.locator(".channel-form-result")
    expect(result).to_contain_text("groups[0].condition.conditions[0].operator")
    expect(form.locator("#rp-groups")).to_have_attribute("aria-invalid", "true")
    form.locator("#rp-groups").fill("[]")
    form.locator("button[type=submit]").click()
    expect(result).to_contain_text("Saved")
    expect(form.locator(".channel-repricing-off")).to_be_enabled()

    # A rival takes the Buy Box; the next scheduled run applies the saved rule.
    buybox = (Decimal(row["calc_price"]) * Decimal("0.8")).quantize(Decimal("0.01"))
    stack["sandbox"].market.competition[row["asin"]] = [
        {"seller_id": "A1RIVAL", "price": float(buybox), "fba": True, "buybox": True}]
    summary = reprice_account(stack["account_id"])
    assert summary["decisions"] >= 1, summary
    page.reload()
    box = page.locator("#channel-repricing")
    expect(box.locator('[data-field="run-status"]')).to_have_text("Succeeded")
    decision = box.locator(f'#channel-repricing-decisions tr[data-listing-id="{row["listing_id"]}"]')
    expect(decision).to_contain_text(f"Buy Box {buybox} by a FBA seller, floor 2.00, sent {buybox - Decimal('0.01')}")
    expect(box.locator("#rp-beat-value")).to_have_value("0.01")  # the saved rule, read back
    expect(box.locator("#rp-source")).to_have_value("item_offers")
    with stack["db"].engine.connect() as conn:
        price = conn.execute(text("SELECT calc_price FROM channel_amazon_listing WHERE listing_id = :l"),
                             {"l": row["listing_id"]}).scalar()
    assert Decimal(price) == buybox - Decimal("0.01")
    shot(page, "settings-repricing")
