"""The settings page shows, live, what the settings being edited do to a sample product of
the catalog (the product page's own trace), in headless Chromium."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _amount(text: str) -> Decimal:
    return Decimal(text.split()[0])


def test_changing_the_adjustment_changes_the_samples_final_price(page, stack):
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    box = page.locator("#channel-settings-preview")
    price = box.locator("#channel-preview-price")
    expect(price).to_contain_text("USD")
    expect(box.locator(".channel-preview-result")).to_have_text("")
    before = _amount(price.inner_text())
    source = box.locator("li[data-step=source]").inner_text()
    base = Decimal(source.split(": ")[1].split(" ")[0])
    assert before == base.quantize(Decimal("0.01"), ROUND_HALF_UP)  # nothing adjusted yet

    page.locator("#s-price-adjustment-type").select_option("percent")
    page.locator("#s-price-adjustment").fill("10")
    expected = (base * Decimal("1.10")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    expect(price).to_have_text(f"{expected} USD")
    expect(box.locator("li[data-step=adjustment]")).to_contain_text("+10%")

    page.locator("#s-price-adjustment").fill("-5")
    expected = (base * Decimal("0.95")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    expect(price).to_have_text(f"{expected} USD")

    # Another product, typed: the same settings on its own price.
    skus = box.locator("#channel-sample-skus option")
    expect(skus.first).to_be_attached()
    other = skus.nth(skus.count() - 1).get_attribute("value")
    box.locator("#channel-sample-sku").fill(other)
    expect(box.locator(".channel-preview-product")).to_contain_text(other)
    box.locator("#channel-sample-sku").fill("NO-SUCH-SKU")
    expect(box.locator(".channel-preview-result")).to_contain_text("Magento has no product with SKU")
    # Nothing of this was saved.
    page.reload()
    expect(page.locator("#s-price-adjustment-type")).to_have_value("none")
