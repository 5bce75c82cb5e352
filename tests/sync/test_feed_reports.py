"""A feed processing report must account for every message before anything counts as applied."""

import pytest
from sqlalchemy import text

from sandbox_fixtures import SELLER
from sync.test_never_silent import advance, set_price

SKUS = ["MG-0000001", "MG-0000002"]


@pytest.mark.parametrize("damage", ["empty", "malformed", "missing_messages"])
def test_unaccounted_messages_are_verified_on_amazon_not_assumed(damage, cycle, channel_db, market, monkeypatch):
    cycle()
    cycle()
    advance(market)
    cycle()
    monkeypatch.setattr("worker.sync.exporter.use_feeds", lambda *a, **k: True)
    for n, sku in enumerate(SKUS):
        set_price(channel_db, sku, 60 + n)
    market.fault(feed_report=damage)
    feeds_before = market.market.calls.get("createFeed", 0)
    for _ in range(3):  # an unreadable report is read again twice, then the feed is verified
        cycle()
        with channel_db.engine.connect() as conn:
            feed = conn.execute(text("SELECT status, verified, accepted FROM channel_amazon_feed"
                                     " ORDER BY created_at DESC LIMIT 1")).one()
        if feed.status != "submitted":
            break
    assert feed.status == "done" and feed.verified
    with channel_db.engine.connect() as conn:
        pushed = dict(conn.execute(text("SELECT seller_sku, pushed_price FROM channel_amazon_listing"
                                        " WHERE seller_sku IN ('MG-0000001', 'MG-0000002')")).all())
    listed = market.listings(SELLER)
    for n, sku in enumerate(SKUS):
        assert listed[sku]["price"] == 60 + n
        assert float(pushed[sku]) == 60 + n  # acknowledged because Amazon holds it, checked one by one
    # Nothing was sent twice: the verified changes are not pushed again.
    cycle()
    assert market.market.calls.get("createFeed", 0) == feeds_before + 1


def test_a_value_refused_in_a_feed_is_not_sent_again_until_it_changes(cycle, channel_db, market, monkeypatch):
    cycle()
    cycle()
    advance(market)
    cycle()
    monkeypatch.setattr("worker.sync.exporter.use_feeds", lambda *a, **k: True)
    market.fault(reject_skus=["MG-0000001"])
    set_price(channel_db, "MG-0000001", 71)
    cycle()
    feeds = market.market.calls.get("createFeed", 0)
    cycle()
    cycle()
    assert market.market.calls.get("createFeed", 0) == feeds  # the refused value is held back
    with channel_db.engine.connect() as conn:
        ref = conn.execute(text("SELECT submission_ref FROM channel_amazon_listing WHERE seller_sku = 'MG-0000001'"
                                )).scalar()
        alert = conn.execute(text("SELECT message FROM channel_amazon_alert WHERE code = 'value_rejected'"
                                  " AND cleared_at IS NULL")).scalar()
    assert ref.startswith("rejected:") and "MG-0000001" in alert
    market.fault(reject_skus=[])
    set_price(channel_db, "MG-0000001", 72)
    cycle()
    assert market.listings(SELLER)["MG-0000001"]["price"] == 72
