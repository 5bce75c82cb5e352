"""Business prices end to end, in both Magento shapes: a customer group's tier prices become
the business offer Amazon holds (read back from the sandbox's listing), a changed tier is
pushed at the next cycle like any price change, and tiers that are gone take the business
offer the account sent off Amazon again, by a price push or by a relist. A repriced price
below the business price brings the business offer down with it."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from channel import listing_state, repricing
from channel.business import BusinessOffer
from channel.models import Account
from sandbox_fixtures import SELLER
from worker.repricing import reprice_account

SKU = "MG-0000001"
WHOLESALE = 2


def cents(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def set_tiers(channel_db, sku: str, rows) -> None:
    """Replace the product's tier prices: (qty, value, percentage or None, group or None for all)."""
    schema = channel_db.schema
    raw = channel_db.raw()
    try:
        cur = raw.cursor()
        cur.execute(f"SELECT {schema.link} FROM {schema.t('catalog_product_entity')} WHERE sku = %s", (sku,))
        links = [r[0] for r in cur.fetchall()]  # every staging row of the product, in Adobe Commerce
        table = schema.t("catalog_product_entity_tier_price")
        for link in links:
            cur.execute(f"DELETE FROM {table} WHERE {schema.link} = %s", (link,))
            for qty, value, percent, group in rows:
                cur.execute(f"INSERT INTO {table} ({schema.link}, all_groups, customer_group_id, qty, value, website_id,"
                            f" percentage_value) VALUES (%s, %s, %s, %s, %s, 0, %s)",
                            (link, int(group is None), group or 0, qty, value, percent))
        raw.commit()
    finally:
        raw.close()


@pytest.fixture
def business_on(channel_db, sync_account):
    with Session(channel_db.engine) as session:
        acc = session.get(Account, sync_account)
        acc.settings = {**acc.settings, "business": {"enabled": True, "price_source": "tier_price",
                                                     "customer_group_id": WHOLESALE}}
        session.commit()


def listing(channel_db, sku=SKU):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT * FROM channel_amazon_listing WHERE seller_sku = :s"), {"s": sku}).mappings().one()


def offers(market, sku=SKU) -> dict:
    """The listing's purchasable_offer instances on Amazon, by audience."""
    attrs = market.market.sellers[SELLER].listings[sku].attributes
    return {o.get("audience", "ALL"): o for o in attrs.get("purchasable_offer") or []}


def test_group_tiers_reach_amazon_and_a_changed_tier_is_pushed_next_cycle(cycle, channel_db, market, business_on):
    cycle()
    price = Decimal(listing(channel_db)["calc_price"])
    assert "B2B" not in offers(market)  # no tier prices yet: no business offer
    set_tiers(channel_db, SKU, [(1, price * Decimal("0.95"), None, WHOLESALE),
                                (5, price * Decimal("0.9"), None, WHOLESALE),
                                (10, 0, Decimal(20), None),          # all groups: 20 % off the price
                                (3, price * Decimal("0.5"), None, 1)])  # another group's: not ours
    cycle()
    row = listing(channel_db)
    assert row["calc_business"] is not None and row["pushed_business"] == row["calc_business"]
    business = offers(market)["B2B"]
    assert business["currency"] == "USD" and business["marketplace_id"] == "ATVPDKIKX0DER"
    assert business["our_price"][0]["schedule"][0]["value_with_tax"] == cents(price * Decimal("0.95"))
    plan = business["quantity_discount_plan"][0]["schedule"][0]
    assert plan["discount_type"] == "fixed"
    assert plan["levels"] == [{"lower_bound": 5, "value": cents(price * Decimal("0.9"))},
                              {"lower_bound": 10, "value": cents(price * Decimal("0.8"))}]
    assert offers(market)["ALL"]["our_price"][0]["schedule"][0]["value_with_tax"] == float(price)

    patches = market.market.calls.get("patchListingsItem", 0)
    cycle()
    assert market.market.calls.get("patchListingsItem", 0) == patches  # unchanged: nothing sent

    set_tiers(channel_db, SKU, [(1, price * Decimal("0.95"), None, WHOLESALE),
                                (5, price * Decimal("0.9"), None, WHOLESALE),
                                (10, 0, Decimal(25), None)])
    cycle()
    levels = offers(market)["B2B"]["quantity_discount_plan"][0]["schedule"][0]["levels"]
    assert levels[1] == {"lower_bound": 10, "value": cents(price * Decimal("0.75"))}
    assert listing(channel_db)["pushed_business"] == listing(channel_db)["calc_business"]

    set_tiers(channel_db, SKU, [(1, price * Decimal("0.95"), None, WHOLESALE)])  # the discounts are gone
    cycle()
    business = offers(market)["B2B"]
    assert "quantity_discount_plan" not in business  # a merge alone would have kept the old plan
    assert business["our_price"][0]["schedule"][0]["value_with_tax"] == cents(price * Decimal("0.95"))

    set_tiers(channel_db, SKU, [])
    cycle()
    assert set(offers(market)) == {"ALL"}  # the business offer the account sent is withdrawn
    assert listing(channel_db)["pushed_business"] is None


def test_percentage_tiers_go_as_percent_off_the_business_price(cycle, channel_db, market, business_on):
    cycle()
    set_tiers(channel_db, SKU, [(4, 0, Decimal(5), WHOLESALE), (12, 0, Decimal("12.5"), WHOLESALE)])
    cycle()
    price = Decimal(listing(channel_db)["calc_price"])
    business = offers(market)["B2B"]
    assert business["our_price"][0]["schedule"][0]["value_with_tax"] == float(price)  # no 1-unit tier
    plan = business["quantity_discount_plan"][0]["schedule"][0]
    assert plan == {"discount_type": "percent", "levels": [{"lower_bound": 4, "value": 5.0},
                                                           {"lower_bound": 12, "value": 12.5}]}


def test_a_published_offer_carries_its_business_offer(cycle, channel_db, market, business_on):
    candidates = [f"MG-{i:07d}" for i in range(5, 21)]  # not on Amazon yet: auto-publish sends them
    for sku in candidates:
        set_tiers(channel_db, sku, [(1, 4, None, WHOLESALE), (6, 3, None, WHOLESALE)])
    cycle()
    with channel_db.engine.connect() as conn:
        sku = conn.execute(text("SELECT seller_sku FROM channel_amazon_listing WHERE seller_sku IN :s"
                                " AND submitted_at IS NOT NULL ORDER BY listing_id LIMIT 1").bindparams(
                                    bindparam("s", expanding=True)), {"s": candidates}).scalar_one()
    row = listing(channel_db, sku)
    assert row["calc_business"] is not None and row["pushed_business"] == row["calc_business"]
    business = offers(market, sku)["B2B"]
    assert business["our_price"][0]["schedule"][0]["value_with_tax"] == 4.0
    assert business["quantity_discount_plan"][0]["schedule"][0]["levels"] == [{"lower_bound": 6, "value": 3.0}]
    assert offers(market, sku)["ALL"]["our_price"][0]["schedule"][0]["value_with_tax"] == float(row["calc_price"])


def test_a_business_offer_sent_in_a_feed_is_acknowledged_from_its_report(cycle, channel_db, market, business_on,
                                                                         monkeypatch):
    cycle()
    price = Decimal(listing(channel_db)["calc_price"])
    set_tiers(channel_db, SKU, [(2, price * Decimal("0.9"), None, WHOLESALE)])
    monkeypatch.setattr("worker.sync.exporter.use_feeds", lambda *args, **kwargs: True)
    feeds = market.market.calls.get("createFeed", 0)
    cycle()
    assert market.market.calls.get("createFeed", 0) > feeds
    business = offers(market)["B2B"]
    assert business["quantity_discount_plan"][0]["schedule"][0]["levels"] == [
        {"lower_bound": 2, "value": cents(price * Decimal("0.9"))}]
    row = listing(channel_db)
    assert row["pushed_business"] == row["calc_business"] and row["offer_dirty"] is None


def test_a_business_offer_in_a_feed_without_a_report_is_verified_on_amazon(cycle, channel_db, market, business_on,
                                                                           monkeypatch):
    cycle()
    price = Decimal(listing(channel_db)["calc_price"])
    set_tiers(channel_db, SKU, [(1, price * Decimal("0.95"), None, WHOLESALE)])
    monkeypatch.setattr("worker.sync.exporter.use_feeds", lambda *args, **kwargs: True)
    market.fault(feed_report="empty")
    for _ in range(4):  # an unreadable report is read again twice, then the feed is verified
        cycle()
        with channel_db.engine.connect() as conn:
            feed = conn.execute(text("SELECT status, verified FROM channel_amazon_feed"
                                     " ORDER BY created_at DESC LIMIT 1")).one()
        if feed.status != "submitted":
            break
    assert feed.status == "done" and feed.verified
    assert offers(market)["B2B"]["our_price"][0]["schedule"][0]["value_with_tax"] == cents(price * Decimal("0.95"))
    row = listing(channel_db)
    assert row["pushed_business"] == row["calc_business"]  # Amazon holds it: checked with getListingsItem


def test_a_repriced_price_below_the_business_price_brings_the_business_offer_down(
        cycle, channel_db, market, business_on, sync_account, worker_env):
    cycle()
    row = listing(channel_db)
    price = Decimal(row["calc_price"])
    set_tiers(channel_db, SKU, [(1, price * Decimal("0.95"), None, WHOLESALE),
                                (5, price * Decimal("0.9"), None, WHOLESALE),
                                (10, price * Decimal("0.8"), None, WHOLESALE)])
    cycle()
    assert offers(market)["B2B"]["our_price"][0]["schedule"][0]["value_with_tax"] == cents(price * Decimal("0.95"))
    with channel_db.engine.begin() as conn:
        repricing.save_rule(conn, sync_account, {"strategy": "match_buybox",
                                                 "floor": {"type": "percent", "value": "50"}})
    repriced = Decimal(str(cents(price * Decimal("0.85"))))  # below the business price and the 5+ tier
    market.market.competition[row["asin"]] = [{"seller_id": "A1RIVAL", "price": float(repriced), "fba": False,
                                               "buybox": True}]
    reprice_account(sync_account)
    row = listing(channel_db)
    assert Decimal(row["calc_price"]) == repriced
    business = BusinessOffer.from_text(row["calc_business"])
    assert business == BusinessOffer(repriced, "fixed", ((10, Decimal(str(cents(price * Decimal("0.8"))))),))
    with channel_db.engine.connect() as conn:
        trace = repricing.last_decision(conn, row["listing_id"])["trace"]
    assert f"sent {repriced}" in trace and "brought down" in trace and "5+ at" in trace

    cycle()  # classification keeps both; the push sends them together
    row = listing(channel_db)
    assert BusinessOffer.from_text(row["calc_business"]) == business and row["pushed_business"] == row["calc_business"]
    held = offers(market)
    assert held["ALL"]["our_price"][0]["schedule"][0]["value_with_tax"] == float(repriced)
    assert held["B2B"]["our_price"][0]["schedule"][0]["value_with_tax"] == float(repriced)
    assert held["B2B"]["quantity_discount_plan"][0]["schedule"][0]["levels"] == [
        {"lower_bound": 10, "value": cents(price * Decimal("0.8"))}]
    patches = market.market.calls.get("patchListingsItem", 0)
    cycle()
    assert market.market.calls.get("patchListingsItem", 0) == patches  # settled: nothing sent again

    with channel_db.engine.begin() as conn:  # the rival is back at the price rule's price
        repricing.competition_seen(conn, sync_account, row["asin"], repricing.Competition(buybox_price=price, offers=1),
                                   "ANY_OFFER_CHANGED", datetime.utcnow() + timedelta(minutes=1))
    reprice_account(sync_account)  # and so is ours: the business offer is whole again
    assert BusinessOffer.from_text(listing(channel_db)["calc_business"]).price == Decimal(str(cents(
        price * Decimal("0.95"))))


def test_a_relist_withdraws_the_quantity_discounts_amazon_still_holds(cycle, channel_db, market, business_on,
                                                                       sync_account):
    cycle()
    price = Decimal(listing(channel_db)["calc_price"])
    set_tiers(channel_db, SKU, [(1, price * Decimal("0.95"), None, WHOLESALE),
                                (5, price * Decimal("0.9"), None, WHOLESALE)])
    cycle()
    assert "quantity_discount_plan" in offers(market)["B2B"]
    listing_id = listing(channel_db)["listing_id"]
    with channel_db.engine.begin() as conn:  # ended here while Amazon keeps the SKU and its business offer
        listing_state.ended(conn, sync_account, listing_id)
    set_tiers(channel_db, SKU, [(1, price * Decimal("0.95"), None, WHOLESALE)])  # the discounts are gone
    cycle()
    assert listing(channel_db)["tab"] == "ended"
    with channel_db.engine.begin() as conn:
        listing_state.action_requested(conn, sync_account, [listing_id], "relist")
    puts = market.market.calls.get("putListingsItem", 0)
    cycle()
    assert market.market.calls.get("putListingsItem", 0) == puts  # relisted by patch
    business = offers(market)["B2B"]
    assert "quantity_discount_plan" not in business  # a merge alone would have kept the old plan
    assert business["our_price"][0]["schedule"][0]["value_with_tax"] == cents(price * Decimal("0.95"))
    row = listing(channel_db)
    assert row["pushed_business"] == row["calc_business"]

    with channel_db.engine.begin() as conn:  # ended again, then business prices turned off
        listing_state.ended(conn, sync_account, listing_id)
    with Session(channel_db.engine) as session:
        acc = session.get(Account, sync_account)
        acc.settings = {**acc.settings, "business": {"enabled": False}}
        session.commit()
    cycle()
    with channel_db.engine.begin() as conn:
        listing_state.action_requested(conn, sync_account, [listing_id], "relist")
    cycle()
    assert set(offers(market)) == {"ALL"}  # the business offer the account sent is withdrawn
