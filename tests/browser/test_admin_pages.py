"""The standalone admin in headless Chromium: tabs, filters, sort, paging, a mass action
with its progress bar, and a listing rule previewed then saved. Screenshots are kept in
tests/artifacts/."""

import pytest
from playwright.sync_api import expect
from rq import SimpleWorker

from channel.jobs import QUEUE

from .conftest import shot

pytestmark = pytest.mark.browser


def test_overview_and_dashboard_show_the_synced_account(page, stack):
    expect(page.locator("#channel-overview")).to_contain_text("US store")
    shot(page, "overview")
    page.click("text=Dashboard")
    expect(page.locator(".channel-health")).to_contain_text("Last cycle")
    expect(page.locator("svg.channel-chart").first).to_be_visible()
    shot(page, "dashboard")


def test_tabs_filter_sort_and_paging(page, stack):
    page.click("nav.admin__menu >> text=Listings")
    expect(page.locator(".channel-tab._active")).to_contain_text("Active")
    expect(page.locator("#channel-listings tbody tr")).to_have_count(5)
    page.click(".channel-tab[data-tab=incomplete]")
    expect(page.locator(".channel-tab._active")).to_contain_text("Incomplete")
    first = page.locator("#channel-listings tbody tr").first.locator(".channel-sku").inner_text()
    page.select_option("select[name=sort]", "-sku")
    page.click("text=Apply filters")
    expect(page.locator("#channel-listings tbody tr").first.locator(".channel-sku")).not_to_have_text(first)
    # A SKU of this tab, found by part of it (the first by SKU descending, as sorted now).
    sku = page.locator("#channel-listings tbody tr").first.locator(".channel-sku").inner_text().strip()
    page.fill("input[name=sku]", sku[3:])
    page.click("text=Apply filters")
    expect(page.locator("#channel-listings tbody tr")).to_have_count(1)
    expect(page.locator("#channel-listings")).to_contain_text(sku)
    page.fill("input[name=sku]", "")
    page.click("text=Apply filters")
    # Paging, in the tab holding the most listings.
    tabs = page.locator(".channel-tab")
    counts = {tabs.nth(i).get_attribute("data-tab"): int(tabs.nth(i).locator(".channel-count").inner_text())
              for i in range(tabs.count())}
    largest = max(counts, key=lambda t: counts[t])
    assert counts[largest] > 50, counts
    page.click(f".channel-tab[data-tab={largest}]")
    expect(page.locator(".channel-tab._active")).to_have_attribute("data-tab", largest)
    pager = page.locator(".channel-pager")
    expect(pager).to_contain_text("Page 1 of")
    page.click(".channel-pager >> text=Next")
    expect(page.locator(".channel-pager")).to_contain_text("Page 2 of")
    shot(page, "listings-incomplete-page-2")


def test_mass_action_shows_progress_and_the_change(page, stack):
    page.click("nav.admin__menu >> text=Listings")
    row = page.locator("#channel-listings tbody tr", has_text="MG-0000001")
    row.locator("input.channel-select").check()
    page.select_option("#channel-action", "end")
    page.click("#channel-run-action")
    bar = page.locator(".channel-mass-actions progress")
    expect(bar).to_be_visible()
    # The worker runs here (RQ wants the main thread) while the page keeps polling the job.
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)
    job = page.locator(".channel-mass-actions .channel-job")
    expect(job).to_contain_text("Done:", timeout=30000)
    expect(job).to_contain_text("1 queued")  # counts, once the sync that carried the action finished
    shot(page, "mass-action-done")
    page.click(".channel-tab[data-tab=ended]")
    expect(page.locator("#channel-listings")).to_contain_text("MG-0000001")
    expect(page.locator(".channel-tab[data-tab=ended] .channel-count")).to_have_text("1")


def test_listing_rule_is_previewed_then_saved(page, stack):
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    rule = '{"conditions": [{"type": "attribute", "attribute": "color", "operator": "==", "value": "Red"}]}'
    page.fill("#channel-rule", rule)
    page.click("#channel-rule-preview")
    expect(page.locator(".channel-preview-counts")).to_contain_text("eligible")
    shot(page, "rule-preview")
    page.click("#channel-rule-save")
    expect(page.locator(".channel-rule-form .channel-form-result")).to_have_text("Rule saved.")
    page.fill("#channel-rule", '{"conditions": [{"type": "qty", "operator": "~", "value": 1}]}')
    page.click("#channel-rule-save")
    expect(page.locator(".channel-rule-form .channel-form-result")).to_contain_text("conditions[0].operator")


def test_pages_need_the_one_time_login_which_works_once(browser, stack, page):
    context = browser.new_context()
    other = context.new_page()
    base = stack["url"].split("/ui/login")[0]
    other.goto(base + "/ui/listings")
    expect(other.locator("body")).to_contain_text("one-time URL")
    other.goto(stack["url"])  # the page fixture has used it already
    expect(other.locator("body")).to_contain_text("not valid")
    context.close()
