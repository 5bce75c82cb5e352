"""Publishing, ending and pushing as Amazon applies them, end to end over the sandbox:
what the merchant set in Seller Central survives a push, a refused value is not resent,
FBA stock is never stranded by an end, an accepted SKU that Amazon does not show yet is
not "gone", and an offer that is live but not buyable gets its stock."""

import pytest
from sqlalchemy import text

from sandbox.testing import running_sandbox
from sandbox_fixtures import SELLER, seller_seed

from .conftest import catalog_seed

MP = "ATVPDKIKX0DER"
SELLER_CENTRAL = {
    "purchasable_offer": [
        {"audience": "ALL", "currency": "USD", "marketplace_id": MP,
         "our_price": [{"schedule": [{"value_with_tax": 5.0}]}],
         "minimum_seller_allowed_price": [{"schedule": [{"value_with_tax": 4.0}]}]},
        {"audience": "B2B", "currency": "USD", "marketplace_id": MP,
         "our_price": [{"schedule": [{"value_with_tax": 4.5}]}]}],
    "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1,
                                  "lead_time_to_ship_max_days": 9}],
}


@pytest.fixture
def market():
    seed = seller_seed(
        listings=[{"sku": "MG-0000001", "asin": "B000000001", "price": 5.0, "quantity": 1,
                   "attributes": SELLER_CENTRAL},
                  {"sku": "MG-0000002", "asin": "B000000002", "price": 5.0, "quantity": 1},
                  {"sku": "MG-0000006", "asin": "B000000006", "price": 7.0, "quantity": 30,
                   "fulfillment_channel": "AMAZON_NA"}],
        catalog=catalog_seed())
    with running_sandbox(seed, time_scale=100) as sb:
        yield sb


def row(channel_db, sku):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT * FROM channel_amazon_listing WHERE seller_sku = :s"), {"s": sku}).one()


def set_stock(channel_db, sku, qty):
    with channel_db.raw() as raw:
        raw.cursor().execute(f"UPDATE `{channel_db.prefix}inventory_source_item` SET quantity = {int(qty)}"
                             f" WHERE sku = '{sku}' AND source_code = 'default'")
        raw.commit()


def advance(market, seconds=600):
    market.admin("POST", "/clock", json={"seconds": seconds})


def test_stock_and_price_push_keep_seller_central_settings(cycle, channel_db, market):
    cycle()
    listing = market.market.sellers[SELLER].listings["MG-0000001"]
    assert listing.quantity == row(channel_db, "MG-0000001").calc_qty  # the push went out
    attrs = listing.attributes
    assert attrs["fulfillment_availability"][0]["lead_time_to_ship_max_days"] == 9
    standard, business = attrs["purchasable_offer"]
    assert business == SELLER_CENTRAL["purchasable_offer"][1]
    assert standard["minimum_seller_allowed_price"] == [{"schedule": [{"value_with_tax": 4.0}]}]


def test_a_refused_value_is_not_sent_again_until_it_changes(cycle, channel_db, market):
    cycle()
    set_stock(channel_db, "MG-0000002", 17)
    market.admin("POST", "/faults", json={"reject_skus": ["MG-0000002"]})
    cycle()
    assert row(channel_db, "MG-0000002").submission_ref.startswith("rejected:")
    patches = market.market.calls.get("patchListingsItem", 0)
    cycle()
    cycle()
    assert market.market.calls.get("patchListingsItem", 0) == patches  # the same value is not resent
    market.admin("POST", "/faults", json={"reject_skus": []})
    set_stock(channel_db, "MG-0000002", 18)
    cycle()
    assert market.listings(SELLER)["MG-0000002"]["quantity"] == row(channel_db, "MG-0000002").calc_qty
    assert row(channel_db, "MG-0000002").submission_ref is None


def test_ending_an_fba_listing_keeps_the_sku_and_its_stock(cycle, channel_db, market):
    cycle()
    assert row(channel_db, "MG-0000006").fulfillment_channel == "AMAZON_NA"
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET pending_action = 'end'"
                          " WHERE seller_sku IN ('MG-0000006', 'MG-0000002')"))
    cycle()
    held = market.market.sellers[SELLER].listings
    assert "MG-0000006" in held and held["MG-0000006"].quantity == 30  # SKU and FBA units kept
    assert held["MG-0000006"].price is None  # the offer is withdrawn: not buyable
    assert market.market.stranded == {}
    assert "MG-0000002" not in held  # merchant-fulfilled: deleted, nothing left at Amazon
    assert row(channel_db, "MG-0000006").tab == "ended"
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET pending_action = 'publish'"
                          " WHERE seller_sku = 'MG-0000006'"))
    puts = market.market.calls.get("putListingsItem", 0)
    cycle()
    advance(market)
    cycle()
    assert market.market.calls.get("putListingsItem", 0) == puts  # relisted by patch, not by a full put
    assert held["MG-0000006"].price is not None and row(channel_db, "MG-0000006").tab == "active"
    channels = [a["fulfillment_channel_code"] for a in held["MG-0000006"].attributes["fulfillment_availability"]]
    assert channels == ["AMAZON_NA"]  # still fulfilled by Amazon: no merchant quantity added


def test_a_new_sku_amazon_does_not_show_yet_is_not_sent_again(cycle, channel_db, market):
    market.market.visibility_delay = 3000  # Amazon shows accepted SKUs minutes later
    cycle()
    assert row(channel_db, "MG-0000013").submission_ref  # accepted, then 404 while tracked
    cycle()
    cycle()
    assert market.admin("GET", "/submissions")["MG-0000013"] == 1
    assert row(channel_db, "MG-0000013").submitted_at is not None
    advance(market, 3600)
    cycle()
    assert row(channel_db, "MG-0000013").tab == "active"
    assert market.admin("GET", "/submissions")["MG-0000013"] == 1


def test_a_live_offer_without_stock_gets_stock_pushes(cycle, channel_db, market):
    cycle()
    assert row(channel_db, "MG-0000013").submitted_at is not None
    # Published with no stock (sold out meanwhile): Amazon approves it but it is only DISCOVERABLE.
    market.market.sellers[SELLER].listings["MG-0000013"].quantity = 0
    market.market.sellers[SELLER].listings["MG-0000013"].attributes["fulfillment_availability"] = [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 0}]
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET pushed_qty = 0 WHERE seller_sku = 'MG-0000013'"))
    advance(market)
    cycle()
    cycle()
    wanted = row(channel_db, "MG-0000013").calc_qty
    assert wanted > 0 and market.listings(SELLER)["MG-0000013"]["quantity"] == wanted
    assert row(channel_db, "MG-0000013").submitted_at is None
