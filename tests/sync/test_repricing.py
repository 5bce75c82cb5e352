"""Repricing end to end: Amazon's competition (ANY_OFFER_CHANGED on the moto SQS queue, or
getItemOffersBatch) answered within the floor and ceiling, the price reaching the sandbox
through the normal delta push, each decision recorded."""

import time
from decimal import Decimal

import pytest
from sqlalchemy import text

from channel import repricing
from sandbox_fixtures import SELLER
from worker import runtime
from worker.repricing import offers_changed, reprice_account

from .test_notifications import drain, notified, queue, sqs_server  # noqa: F401 - fixtures

RULE = {"strategy": "match_buybox", "beat_by": {"type": "amount", "value": "0.01"},
        "floor": {"type": "percent", "value": "50"}, "ceiling": {"type": "percent", "value": "300"}}


def live_listing(channel_db):
    with channel_db.engine.connect() as conn:
        return conn.execute(text(
            "SELECT listing_id, seller_sku, asin, calc_price FROM channel_amazon_listing WHERE tab = 'active'"
            " AND product_id IS NOT NULL ORDER BY listing_id LIMIT 1")).mappings().first()


@pytest.fixture
def repricing_on(channel_db, sync_account):
    with channel_db.engine.begin() as conn:
        repricing.save_rule(conn, sync_account, RULE)


def test_a_competitor_price_change_is_answered_within_the_floor_and_reaches_amazon(
        cycle, notified, market, channel_db, settings, sync_account, repricing_on):  # noqa: F811
    cycle()
    drain(notified, market, lambda: live_listing(channel_db) is not None, timeout=30)  # approvals arrive
    row = live_listing(channel_db)
    source = Decimal(row["calc_price"])
    notified.offers_handler = lambda conn, account_id, body: offers_changed(conn, settings, account_id, body)
    buybox = (source * Decimal("0.9")).quantize(Decimal("0.01"))
    started = time.monotonic()
    market.admin("POST", "/competition", json={"asin": row["asin"], "offers": [
        {"seller_id": "A1RIVAL", "price": float(buybox), "fba": True, "buybox": True},
        {"seller_id": "A2RIVAL", "price": float(buybox) + 1}]})

    def repriced():
        with channel_db.engine.connect() as conn:
            return conn.execute(text("SELECT calc_price FROM channel_amazon_listing WHERE listing_id = :l"),
                                {"l": row["listing_id"]}).scalar() == buybox - Decimal("0.01")

    drain(notified, market, repriced)
    assert time.monotonic() - started < 10
    with channel_db.engine.connect() as conn:
        decision = repricing.last_decision(conn, row["listing_id"])
    assert decision["outcome"] == "followed"
    assert decision["trace"].startswith(f"Buy Box {buybox} by a FBA seller, floor")
    assert decision["trace"].endswith(f"sent {buybox - Decimal('0.01')}")

    cycle()  # classification keeps the repriced price; the delta push sends it
    assert market.market.sellers[SELLER].listings[row["seller_sku"]].price == pytest.approx(float(buybox) - 0.01)
    with channel_db.engine.connect() as conn:
        assert Decimal(conn.execute(text("SELECT calc_price FROM channel_amazon_listing WHERE listing_id = :l"),
                                    {"l": row["listing_id"]}).scalar()) == buybox - Decimal("0.01")

    # A rival far below the floor: the floor is sent, and said.
    market.admin("POST", "/competition", json={"asin": row["asin"], "offers": [
        {"seller_id": "A1RIVAL", "price": float(source * Decimal("0.2")), "fba": False, "buybox": True}]})
    floor = (source * Decimal("0.5")).quantize(Decimal("0.01"))
    def floored():
        with channel_db.engine.connect() as conn:
            return repricing.last_decision(conn, row["listing_id"])["outcome"] == "floor"

    drain(notified, market, floored)
    with channel_db.engine.connect() as conn:
        decision = repricing.last_decision(conn, row["listing_id"])
    assert Decimal(decision["price"]) == floor and "floor hit" in decision["trace"]


def test_the_competition_read_with_getItemOffersBatch_reprices_every_live_listing(
        cycle, worker_env, market, channel_db, sync_account, repricing_on):
    cycle()
    deadline = time.monotonic() + 30
    while live_listing(channel_db) is None and time.monotonic() < deadline:
        time.sleep(0.3)
        cycle()
    row = live_listing(channel_db)
    assert row is not None
    market.market.competition[row["asin"]] = [{"seller_id": "A1RIVAL", "price": 3.33, "fba": False}]
    summary = reprice_account(sync_account)
    assert summary["asins"] >= 1 and market.market.calls.get("getItemOffersBatch", 0) >= 1
    with runtime.engine().connect() as conn:
        decision = repricing.last_decision(conn, row["listing_id"])
    # No Buy Box but ours: the listing holds it, or, when no one does, the rule's no-competitor price.
    assert decision["outcome"] in ("holding_buybox", "followed", "floor")
