"""The settings page's repricing section in headless Chromium, against the sandbox
marketplace: a rule saved from its fields, a refused group named in place, and the saved
rule applied by the next run, its decision shown in the section in the merchant's words;
groups built as rows with the listing rules' condition builder, moved, saved and read back
in their order by the page and by the API."""

import json
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
    # A group whose condition is wrong (typed in the JSON view): refused, its place named, the
    # operator it names marked in the group's row.
    form.locator(".channel-repricing-advanced summary").click()
    form.locator("#rp-groups").fill('[{"name": "Bad", "condition": {"type": "combine", "conditions": '
                                    '[{"type": "qty", "operator": "{}", "value": 1}]}, "rule": {}}]')
    form.locator("button[type=submit]").click()
    result = form.locator(".channel-form-result")
    expect(result).to_contain_text("groups[0].condition.conditions[0].operator")
    expect(form.locator("#rp-groups")).to_have_attribute("aria-invalid", "true")
    bad = form.locator(".channel-repricing-group").nth(0)
    expect(bad.locator('[data-group-field="name"]')).to_have_value("Bad")
    expect(bad.locator(".channel-rule-leaf .channel-rule-operator")).to_have_attribute("aria-invalid", "true")
    form.locator("#rp-groups").fill("[]")
    expect(form.locator(".channel-repricing-group")).to_have_count(0)
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


def api_groups(page, box) -> list:
    """The groups GET .../repricing returns, asked with the page's own session."""
    body = page.evaluate("p => fetch(p, {credentials: 'same-origin', headers: {Accept: 'application/json'}})"
                         ".then(r => r.json())", box.get_attribute("data-path"))
    return body["groups"]


def test_groups_built_as_rows_keep_their_order_through_save_and_reload(page, stack):
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    box = page.locator("#channel-repricing")
    form = box.locator(".channel-repricing-form")
    expect(box.locator("#rp-groups-help")).to_contain_text("first group whose condition it meets")
    expect(form.locator(".channel-repricing-groups-empty")).to_be_visible()
    expect(form.locator("#rp-groups")).not_to_be_visible()  # the JSON is the advanced view, closed
    form.locator("#rp-enabled").check()

    # First group: red products, matching the Buy Box with a fixed floor.
    form.locator(".channel-repricing-group-add").click()
    first = form.locator(".channel-repricing-group").nth(0)
    expect(first.locator('[data-group-field="name"]')).to_be_focused()
    first.locator('[data-group-field="name"]').fill("Red ones")
    first.locator(".channel-rule-new").select_option("attr:color")
    first.locator(".channel-rule-leaf .channel-rule-value").select_option(label="Red")
    first.locator('[data-group-field="strategy"]').select_option("match_buybox")
    first.locator('[data-group-field="floor_type"]').select_option("fixed")
    first.locator('[data-group-field="floor_value"]').fill("3.50")

    # Second group: products with stock, beating the lowest by 2 percent, not repriced at all.
    form.locator(".channel-repricing-group-add").click()
    second = form.locator(".channel-repricing-group").nth(1)
    second.locator('[data-group-field="name"]').fill("In stock")
    second.locator(".channel-rule-new").select_option("fact:qty")
    second.locator(".channel-rule-leaf .channel-rule-operator").select_option(">=")
    second.locator(".channel-rule-leaf .channel-rule-value").fill("1")
    second.locator('[data-group-field="strategy"]').select_option("beat_lowest")
    second.locator('[data-group-field="beat_type"]').select_option("percent")
    second.locator('[data-group-field="beat_value"]').fill("2")
    second.locator('[data-group-field="enabled"]').uncheck()
    expect(first.locator(".channel-repricing-group-up")).to_be_disabled()
    expect(second.locator(".channel-repricing-group-down")).to_be_disabled()

    # A ceiling under the group's floor: refused, the floor of that group's row marked.
    first.locator('[data-group-field="ceiling_type"]').select_option("fixed")
    first.locator('[data-group-field="ceiling_value"]').fill("1.00")
    form.locator("button[type=submit]").click()
    expect(form.locator(".channel-form-result")).to_contain_text("groups[0].rule.floor")
    expect(first.locator('[data-group-field="floor_value"]')).to_have_attribute("aria-invalid", "true")
    expect(second.locator("[aria-invalid]")).to_have_count(0)
    first.locator('[data-group-field="ceiling_type"]').select_option("")

    # The second goes first: it now wins for a red product in stock.
    second.locator(".channel-repricing-group-up").click()
    rows = form.locator(".channel-repricing-group")
    expect(rows.nth(0).locator('[data-group-field="name"]')).to_have_value("In stock")
    expect(rows.nth(1).locator('[data-group-field="name"]')).to_have_value("Red ones")
    expect(rows.nth(0).locator('[data-group-field="name"]')).to_be_focused()  # its "Up" is off at the top
    form.locator("button[type=submit]").click()
    expect(form.locator(".channel-form-result")).to_contain_text("Saved")

    page.reload()
    box = page.locator("#channel-repricing")
    rows = box.locator(".channel-repricing-group")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator('[data-group-field="name"]')).to_have_value("In stock")
    expect(rows.nth(0).locator(".channel-rule-leaf .channel-rule-operator")).to_have_value(">=")
    expect(rows.nth(0).locator(".channel-rule-leaf .channel-rule-value")).to_have_value("1")
    expect(rows.nth(0).locator('[data-group-field="beat_value"]')).to_have_value("2")
    expect(rows.nth(0).locator('[data-group-field="enabled"]')).not_to_be_checked()
    expect(rows.nth(1).locator('[data-group-field="name"]')).to_have_value("Red ones")
    expect(rows.nth(1).locator(".channel-rule-leaf .channel-rule-value option:checked")).to_have_text("Red")
    expect(rows.nth(1).locator('[data-group-field="floor_value"]')).to_have_value("3.50")
    shot(page, "settings-repricing-groups")

    groups = api_groups(page, box)
    assert [g["name"] for g in groups] == ["In stock", "Red ones"]
    stock, red = groups
    assert stock["condition"]["conditions"] == [{"type": "qty", "operator": ">=", "value": 1}]
    assert stock["rule"]["enabled"] is False and stock["rule"]["strategy"] == "beat_lowest"
    assert stock["rule"]["beat_by"] == {"type": "percent", "value": "2"}
    (color,) = red["condition"]["conditions"]
    assert (color["type"], color["attribute"], color["operator"]) == ("attribute", "color", "==")
    assert red["rule"]["enabled"] is True and red["rule"]["floor"] == {"type": "fixed", "value": "3.50"}
    # The JSON view holds the same groups the page shows.
    assert json.loads(box.locator("#rp-groups").input_value()) == groups

    # Removing a group and saving leaves the other.
    rows.nth(0).locator(".channel-repricing-group-remove").click()
    expect(rows).to_have_count(1)
    box.locator(".channel-repricing-form button[type=submit]").click()
    expect(box.locator(".channel-form-result")).to_contain_text("Saved")
    assert [g["name"] for g in api_groups(page, box)] == ["Red ones"]
