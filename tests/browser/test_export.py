"""The CSV export in headless Chromium: the merchant starts a large export and keeps working
in another tab of the admin while the file downloads."""

import csv
import io
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from .conftest import shot

pytestmark = pytest.mark.browser



@pytest.mark.parametrize("rows, bound", [
    (150_000, 3.0),  # the everyday suite, on a loaded 2-core machine
    pytest.param(1_000_000, 1.0, marks=pytest.mark.slow),  # make soak: a million rows, a page in under a second
])
def test_a_large_export_downloads_while_another_page_loads(page, stack, rows, bound):
    ROWS = rows
    with stack["db"].engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing (account_id, seller_sku, asin, product_name, tab, reason, calc_price,"
            " calc_qty, match_status) SELECT :a, CONCAT('BULK-', LPAD(seq, 7, '0')), CONCAT('B1', LPAD(seq, 8, '0')),"
            f" IF(seq = 7, '=1+1', CONCAT('Bulk item ', seq)), 'active', 'listed_buyable', 12.5, 3, 'matched'"
            f" FROM seq_1_to_{ROWS}"), {"a": stack["account_id"]})
        listed = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing WHERE account_id = :a"
                                   " AND tab = 'active'"), {"a": stack["account_id"]}).scalar()
    page.click("nav.admin__menu >> text=Listings")
    expect(page.locator(".channel-tab._active")).to_contain_text("Active")
    with page.expect_download() as started:
        page.click("text=Export CSV")
    download = started.value
    assert download.suggested_filename.startswith(f"amazon-listings-{stack['account_id']}-active-")

    # Meanwhile, in another tab of the same admin session, the merchant opens the dashboard.
    other = page.context.new_page()
    t = time.perf_counter()
    other.goto(stack["url"].split("/ui/")[0] + "/ui/dashboard")
    expect(other.locator(".channel-health")).to_contain_text("Last cycle")
    elapsed = time.perf_counter() - t
    shot(other, "dashboard-during-export")
    assert download.failure() is None
    body = open(download.path(), encoding="utf-8-sig", newline="").read()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["seller_sku", "magento_sku", "asin"]
    assert len(rows) == listed + 1 and listed > ROWS
    assert [r[3] for r in rows if r[0] == "BULK-0000007"] == ["'=1+1"]
    assert elapsed < bound, elapsed
