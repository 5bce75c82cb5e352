"""Settings that explain themselves, in headless Chromium: each with its help and range,
the currency rate between the website's and the marketplace's currency, saved and shown
again; a value out of range is held back by the field itself."""

import pytest
from playwright.sync_api import expect

from bridge.settings_help import FIELDS

from .conftest import shot

pytestmark = pytest.mark.browser


def test_each_setting_has_its_help_and_range_and_the_currency_rate_saves(page, stack):
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    form = page.locator(".channel-settings-form")
    expect(form.locator(".channel-setting")).to_have_count(len(FIELDS))
    for f in FIELDS:
        expect(form.locator(f"#{f.id}-help")).to_contain_text(f.help[:30])
    rate = form.locator("#s-price-currency-rate")
    expect(rate).to_have_value("1")
    help_text = form.locator("#s-price-currency-rate-help")
    expect(help_text).to_contain_text("From 0.000001 to 1,000,000.")
    expect(help_text).to_contain_text("Magento's prices and United States are both in USD")
    expect(form.locator("#s-price-vat-percent-help")).to_contain_text("From 0 to 100 %.")

    form.locator("#s-price-vat-percent").fill("150")
    form.locator("button", has_text="Save settings").click()
    assert form.locator("#s-price-vat-percent").evaluate("e => e.validity.rangeOverflow")
    expect(form.locator(".channel-form-result")).to_have_text("")  # nothing was sent
    form.locator("#s-price-vat-percent").fill("0")

    rate.fill("1.25")
    form.locator("#s-price-rounding").select_option("x99")
    form.locator("#s-handling-time").fill("3")
    form.locator("button", has_text="Save settings").click()
    expect(form.locator(".channel-form-result")).to_have_text("Saved.")
    shot(page, "settings-help")
    page.reload()
    expect(page.locator("#s-price-currency-rate")).to_have_value("1.25")
    expect(page.locator("#s-price-rounding")).to_have_value("x99")
    expect(page.locator("#s-handling-time")).to_have_value("3")
