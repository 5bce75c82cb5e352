"""The listings report import against reports as Amazon sends them: without a status
column, and stale (built from a cache older than recent submissions)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from sandbox.state import Listing
from sandbox_fixtures import SELLER

HOLD_BACK = "MG-0000013"  # has its ASIN in Magento: published as soon as the rule lets it
HOLD_BACK_ASIN = "B000000013"


def advance(market, seconds=600):
    market.admin("POST", "/clock", json={"seconds": seconds})


def set_rule(channel_db, asin):
    rule = None if asin is None else json.dumps({"type": "combine", "aggregator": "all", "value": True, "conditions": [
        {"type": "attribute", "attribute": "amazon_asin", "operator": "!=", "value": asin}]})
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET listing_rule = :r"), {"r": rule})


def listing(channel_db, sku):
    with channel_db.engine.connect() as conn:
        return conn.execute(text(
            "SELECT seller_sku, amazon_status, amazon_issues, submitted_at, tab, reason FROM channel_amazon_listing"
            " WHERE seller_sku = :s"), {"s": sku}).one()


@pytest.fixture
def settled_without_one(cycle, market, channel_db):
    """Most products published and approved; HOLD_BACK kept out by the listing rule."""
    set_rule(channel_db, HOLD_BACK_ASIN)
    cycle()
    cycle()
    advance(market)
    cycle()
    with channel_db.engine.connect() as conn:
        held_back = conn.execute(text("SELECT submitted_at FROM channel_amazon_listing WHERE seller_sku = :s"),
                                 {"s": HOLD_BACK}).first()
    assert held_back is None or held_back.submitted_at is None
    assert HOLD_BACK not in market.market.submissions
    return market


def test_a_report_without_status_keeps_submissions_and_amazon_issues(settled_without_one, cycle, channel_db):
    market = settled_without_one
    rejected = listing(channel_db, "MG-0000003")
    assert rejected.amazon_status == "INACTIVE" and "approval" in rejected.amazon_issues
    set_rule(channel_db, None)
    cycle()  # HOLD_BACK is submitted and awaits Amazon's approval
    pending = listing(channel_db, HOLD_BACK)
    assert pending.submitted_at is not None and pending.amazon_status != "BUYABLE"
    # Amazon takes its time to approve it (a day), however long the cycles take here.
    offer = market.market.sellers[SELLER].listings[HOLD_BACK]
    offer.buyable_at = market.market.clock.now() + timedelta(days=1)
    # Listings Amazon shows without price or stock, new to us.
    seller = market.market.sellers[SELLER]
    seller.listings["3P-NOSTOCK"] = Listing(sku="3P-NOSTOCK", asin="B0NOSTOCK1", price=9.0, quantity=0)
    seller.listings["3P-NOPRICE"] = Listing(sku="3P-NOPRICE", asin="B0NOPRICE1", price=None, quantity=4)
    seller.listings["3P-SELLING"] = Listing(sku="3P-SELLING", asin="B0SELLING1", price=9.0, quantity=4)
    market.fault(report_options={"no_status": True})
    summary = cycle()
    assert summary["steps"]["import"]["status"] == "ok"
    doc = market.market.documents[market.market.reports[max(market.market.reports, key=int)]["document"]]
    assert b"status" not in doc["content"].split(b"\n")[0].split(b"\t")
    # Our knowledge stands: the pending submission is still pending, Amazon's words are kept.
    still_pending = listing(channel_db, HOLD_BACK)
    assert still_pending.submitted_at is not None and still_pending.amazon_status != "BUYABLE"
    assert still_pending.tab == "list_in_progress"
    kept = listing(channel_db, "MG-0000003")
    assert kept.amazon_status == "INACTIVE" and kept.amazon_issues == rejected.amazon_issues
    assert kept.tab == "inactive"
    # What we knew nothing of is not made buyable without a price and stock.
    assert listing(channel_db, "3P-NOSTOCK").amazon_status == "INACTIVE"
    assert listing(channel_db, "3P-NOPRICE").amazon_status == "INACTIVE"
    assert listing(channel_db, "3P-SELLING").amazon_status == "BUYABLE"


def test_a_stale_report_does_not_make_a_listing_published_since_look_gone(settled_without_one, cycle, channel_db):
    market = settled_without_one
    # From now on Amazon's report is three hours old: built from the listings as they are now.
    market.fault(report_options={"stale_age": 3 * 3600})
    cycle()
    set_rule(channel_db, None)
    cycle()  # HOLD_BACK is published after the report's data was taken
    assert listing(channel_db, HOLD_BACK).submitted_at is not None
    advance(market)
    for _ in range(2):  # tracked to BUYABLE, then seen again through the stale report
        summary = cycle()
        assert summary["steps"]["import"]["status"] == "ok"
        doc = market.market.documents[market.market.reports[max(market.market.reports, key=int)]["document"]]
        assert HOLD_BACK.encode() not in doc["content"]  # the stale report does not show it
        now = listing(channel_db, HOLD_BACK)
        assert now.amazon_status is not None, "a listing published after the report's data looked gone"
    assert (now.amazon_status, now.tab) == ("BUYABLE", "active")
    assert market.market.submissions[HOLD_BACK] == 1  # never published a second time
    with channel_db.engine.connect() as conn:
        gone = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing WHERE amazon_status IS NULL"
                                 " AND seen_in_report_at IS NOT NULL")).scalar()
    assert gone == 0
    # A fresh report again: a listing Amazon no longer shows is gone, the new one is in it.
    del market.market.sellers[SELLER].listings["MG-0000002"]
    market.fault(report_options=None)
    cycle()
    assert listing(channel_db, HOLD_BACK).amazon_status == "BUYABLE"
    assert listing(channel_db, "MG-0000002").tab != "active"


def test_a_japanese_listings_report_in_windows_31j_imports(cycle, market, channel_db):
    """amazon.co.jp: Japanese column names and a Shift_JIS-family charset, whatever we ask for."""
    jp = "A1VC38T7YXB528"
    market.market.sellers[SELLER].marketplaces = [jp]
    market.market.sellers[SELLER].listings["緑茶-1"] = Listing(sku="緑茶-1", asin="B0JP000001", price=1980.0,
                                                                quantity=3, title="静岡の緑茶 100g")
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET marketplace_id = :m"), {"m": jp})
    market.fault(report_options={"ignore_locale": True, "gzip": True})
    summary = cycle()
    assert summary["steps"]["import"]["status"] == "ok", summary["steps"]["import"]
    doc = next(iter(market.market.documents.values()))
    assert "Windows-31J" in doc["content_type"]
    with channel_db.engine.connect() as conn:
        rows = {r.seller_sku: r for r in conn.execute(text(
            "SELECT seller_sku, product_name, amazon_status, amazon_price, asin FROM channel_amazon_listing"))}
    assert rows["緑茶-1"].product_name == "静岡の緑茶 100g" and rows["緑茶-1"].amazon_status == "BUYABLE"
    assert rows["緑茶-1"].amazon_price == 1980 and rows["緑茶-1"].asin == "B0JP000001"
    assert rows["MG-0000001"].amazon_status == "BUYABLE" and rows["LEGACY-1"].asin == "B0LEGACY01"


def test_a_gzip_report_that_stops_short_is_held_not_applied(cycle, market, channel_db):
    for i in range(60):
        market.market.sellers[SELLER].listings[f"3P-{i:03d}"] = Listing(sku=f"3P-{i:03d}", asin=f"B0T{i:07d}",
                                                                          price=5.0, quantity=2)
    assert cycle()["steps"]["import"]["status"] == "ok"
    market.fault(report_options={"gzip": True, "cut_gzip": True})
    summary = cycle()
    assert summary["steps"]["import"]["status"] == "held", summary["steps"]["import"]
    with channel_db.engine.connect() as conn:
        held = conn.execute(text("SELECT reason FROM channel_amazon_held_report")).one()
        live = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing WHERE amazon_status IS NOT NULL")).scalar()
    assert held.reason == "truncated" and live >= 63  # nothing marked gone
