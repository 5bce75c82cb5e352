"""The settings page's business prices section, in headless Chromium: off at first, switched
on for a customer group (the preview saying what business customers get) and saved, shown
again after a reload; a business price from an
attribute without the attribute is refused with the field named."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_business_prices_section_saves_and_refuses_a_missing_attribute(page, stack):
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    form = page.locator(".channel-settings-form")
    section = form.locator("fieldset.channel-settings-section", has_text="Business prices")
    expect(section.locator("#s-business-enabled")).not_to_be_checked()
    expect(section.locator("#s-business-customer-group-id-help")).to_contain_text("customer group")

    section.locator("#s-business-enabled").check()
    section.locator("#s-business-customer-group-id").fill("2")
    section.locator("#s-business-discount-type").select_option("percent")
    # The preview says what the sample product's business customers would get.
    expect(form.locator("#channel-preview-business")).to_contain_text("tier price group Wholesale")
    form.locator("button", has_text="Save settings").click()
    expect(form.locator(".channel-form-result")).to_have_text("Saved.")
    page.reload()
    expect(page.locator("#s-business-enabled")).to_be_checked()
    expect(page.locator("#s-business-customer-group-id")).to_have_value("2")
    expect(page.locator("#s-business-discount-type")).to_have_value("percent")

    page.locator("#s-business-price-source").select_option("attribute")
    page.locator(".channel-settings-form button", has_text="Save settings").click()
    expect(page.locator(".channel-settings-form .channel-form-result")).to_contain_text("business.price_attribute")
    page.reload()
    expect(page.locator("#s-business-price-source")).to_have_value("tier_price")  # nothing was saved
