"""The listing-rule builder in headless Chromium: conditions picked from this Magento's
attributes with operators by type and values from option lists, live counts from the
preview while editing, the JSON kept in step, and the rule saved and shown again."""

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import shot

pytestmark = pytest.mark.browser


def _eligible(page) -> int:
    counts = page.locator(".channel-rule-counts")
    expect(counts).to_have_text(re.compile(r"^\d+ eligible, \d+ ineligible, \d+ new"))
    return int(counts.get_attribute("data-eligible"))


def _settled(page, previous: int | None = None) -> int:
    """The counts once the preview answered the latest edit."""
    counts = page.locator(".channel-rule-counts")
    expect(counts).not_to_have_attribute("aria-busy", "true")
    if previous is not None:
        expect(counts).not_to_have_attribute("data-eligible", str(previous))
    return _eligible(page)


def test_a_rule_built_from_two_conditions_shows_counts_and_saves(page, stack):
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    builder = page.locator(".channel-rule-builder")
    expect(builder.locator(".channel-rule-new")).to_have_count(1)
    everything = _settled(page)
    assert everything > 0

    add = builder.locator(".channel-rule-new").first
    expect(add.locator("option", has_text="Color (color)")).to_have_count(1)
    add.select_option("attr:color")
    leaf = builder.locator(".channel-rule-leaf").nth(0)
    expect(page.locator(".channel-rule-counts")).to_contain_text("Choose a value for Color")
    ops = leaf.locator(".channel-rule-operator option")
    expect(ops).to_have_text(["is", "is not", "is one of", "is not one of"])  # a select's operators
    leaf.locator(".channel-rule-value").select_option(label="Red")
    red = _settled(page, everything)
    assert 0 < red < everything

    add.select_option("fact:qty")
    qty = builder.locator(".channel-rule-leaf").nth(1)
    expect(qty.locator(".channel-rule-operator option")).to_have_count(6)  # a number's operators
    qty.locator(".channel-rule-operator").select_option(">=")
    qty.locator(".channel-rule-value").fill("100000")
    few = _settled(page, red)
    assert few < red  # only products whose stock is not managed have that many
    qty.locator(".channel-rule-value").fill("1")
    both = _settled(page, few)
    assert 0 < both <= red
    shot(page, "rule-builder")

    rule = json.loads(page.locator("#channel-rule").input_value())
    assert rule["aggregator"] == "all" and len(rule["conditions"]) == 2
    color, stock = rule["conditions"]
    assert (color["type"], color["attribute"], color["operator"]) == ("attribute", "color", "==")
    assert color["value"].isdigit()  # the option id, as Magento stores it
    assert stock == {"type": "qty", "operator": ">=", "value": 1}

    page.click("#channel-rule-save")
    expect(page.locator(".channel-rule-form .channel-form-result")).to_have_text("Rule saved.")
    page.reload()
    leaves = page.locator(".channel-rule-builder .channel-rule-leaf")
    expect(leaves).to_have_count(2)
    expect(leaves.nth(0).locator(".channel-rule-value option:checked")).to_have_text("Red")
    assert _settled(page) == both


def test_nested_any_group_with_a_list_of_options_and_the_json_view(page, stack):
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    builder = page.locator(".channel-rule-builder")
    everything = _settled(page)
    builder.locator(".channel-rule-new").first.select_option("combine")
    inner = builder.locator(".channel-rule-group .channel-rule-group")
    expect(inner).to_have_count(1)
    inner.locator(".channel-rule-aggregator").select_option("any")
    inner.locator(".channel-rule-new").select_option("attr:manufacturer")
    leaf = inner.locator(".channel-rule-leaf")
    leaf.locator(".channel-rule-operator").select_option("()")
    leaf.locator(".channel-rule-value").select_option(label=["Acme", "Globex"])
    some = _settled(page, everything)
    assert 0 < some < everything
    rule = json.loads(page.locator("#channel-rule").input_value())
    group = rule["conditions"][0]
    assert group["aggregator"] == "any" and len(group["conditions"][0]["value"]) == 2
    # Editing the JSON redraws the conditions.
    page.fill("#channel-rule", json.dumps({"type": "combine", "aggregator": "all", "value": True, "conditions": [
        {"type": "stock_status", "operator": "==", "value": "1"}]}))
    expect(builder.locator(".channel-rule-leaf")).to_have_count(1)
    expect(builder.locator(".channel-rule-label")).to_have_text("Stock status ")
    _settled(page)
    shot(page, "rule-builder-json")
