"""Listings writes as Amazon applies them: merge keeps what Seller Central set, replace
erases it; currency and product type are checked; a new SKU is unreadable for a while."""

from decimal import Decimal

from sandbox.state import Listing
from sandbox_fixtures import SELLER
from worker.amazon import feeds, listings

MP = "ATVPDKIKX0DER"


def seller_central_listing(sandbox, sku="SC-1", **kw):
    """An offer the merchant shaped in Seller Central: a sale price, min/max prices, a business
    price and a 7-day handling time."""
    attributes = {
        "purchasable_offer": [
            {"audience": "ALL", "currency": "USD", "marketplace_id": MP,
             "our_price": [{"schedule": [{"value_with_tax": 20.0}]}],
             "discounted_price": [{"schedule": [{"value_with_tax": 17.5, "start_at": "2026-11-01T00:00:00Z",
                                                  "end_at": "2026-12-31T00:00:00Z"}]}],
             "minimum_seller_allowed_price": [{"schedule": [{"value_with_tax": 15.0}]}],
             "maximum_seller_allowed_price": [{"schedule": [{"value_with_tax": 30.0}]}]},
            {"audience": "B2B", "currency": "USD", "marketplace_id": MP,
             "our_price": [{"schedule": [{"value_with_tax": 18.0}]}]}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5,
                                      "lead_time_to_ship_max_days": 7}],
    }
    sandbox.market.sellers[SELLER].listings[sku] = Listing(sku=sku, asin="B0SC000001", price=20.0, quantity=5,
                                                           attributes=attributes, **kw)
    return sku


def attributes(client, sku):
    return listings.get_item(client, sku, included="summaries,attributes,offers")["attributes"]


def test_stock_push_keeps_handling_time_and_business_price(client, sandbox):
    sku = seller_central_listing(sandbox)
    result = listings.patch_item(client, sku, listings.offer_attributes(MP, "USD", quantity=2))
    assert result["status"] == "ACCEPTED"
    attrs = attributes(client, sku)
    assert attrs["fulfillment_availability"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 2,
                                                  "lead_time_to_ship_max_days": 7}]
    assert [o["audience"] for o in attrs["purchasable_offer"]] == ["ALL", "B2B"]
    assert attrs["purchasable_offer"][1]["our_price"][0]["schedule"][0]["value_with_tax"] == 18.0


def test_price_push_keeps_sale_min_max_and_business_prices(client, sandbox):
    sku = seller_central_listing(sandbox)
    listings.patch_item(client, sku, listings.offer_attributes(MP, "USD", price=Decimal("21.99")))
    standard, business = attributes(client, sku)["purchasable_offer"]
    assert standard["our_price"][0]["schedule"][0]["value_with_tax"] == 21.99
    assert standard["minimum_seller_allowed_price"][0]["schedule"][0]["value_with_tax"] == 15.0
    assert standard["maximum_seller_allowed_price"][0]["schedule"][0]["value_with_tax"] == 30.0
    assert standard["discounted_price"][0]["schedule"][0]["value_with_tax"] == 17.5
    assert business["our_price"][0]["schedule"][0]["value_with_tax"] == 18.0
    assert sandbox.listings(SELLER)[sku]["price"] == 21.99


def test_feed_patch_merges_too(client, sandbox):
    sku = seller_central_listing(sandbox)
    attrs = listings.offer_attributes(MP, "USD", price=Decimal("19"), quantity=9)
    feed_id = feeds.submit_feed(client, [{"messageId": 1, "sku": sku, "operationType": "PATCH",
                                          "productType": listings.PRODUCT_TYPE, "patches": listings.patches_for(attrs)}])
    report = feeds.processing_report(client, feeds.wait_feed(client, feed_id, poll=0.05))
    assert report["summary"]["messagesAccepted"] == 1
    got = sandbox.market.sellers[SELLER].listings[sku].attributes
    assert got["fulfillment_availability"][0]["lead_time_to_ship_max_days"] == 7
    assert len(got["purchasable_offer"]) == 2


def test_sandbox_replace_really_erases(client, sandbox):
    sku = seller_central_listing(sandbox)
    patches = [{"op": "replace", "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 2}]},
               {"op": "replace", "path": "/attributes/purchasable_offer",
                "value": listings.offer_attributes(MP, "USD", price=Decimal(20))["purchasable_offer"]}]
    data, _ = client.call("patchListingsItem", "PATCH", f"/listings/2021-08-01/items/{SELLER}/{sku}",
                          params={"marketplaceIds": MP}, json={"productType": "PRODUCT", "patches": patches})
    assert data["status"] == "ACCEPTED"
    attrs = attributes(client, sku)
    assert "lead_time_to_ship_max_days" not in attrs["fulfillment_availability"][0]
    assert [o["audience"] for o in attrs["purchasable_offer"]] == ["ALL"]


def test_merge_without_selectors_wrong_currency_or_product_type_is_invalid(client, sandbox):
    sku = seller_central_listing(sandbox, product_type="SHOES")
    path = f"/listings/2021-08-01/items/{SELLER}/{sku}"

    def patch(product_type, patches):
        data, _ = client.call("patchListingsItem", "PATCH", path, params={"marketplaceIds": MP},
                              json={"productType": product_type, "patches": patches})
        return data

    no_selector = patch("PRODUCT", [{"op": "merge", "path": "/attributes/fulfillment_availability",
                                     "value": [{"quantity": 1}]}])
    euros = patch("PRODUCT", listings.patches_for(listings.offer_attributes(MP, "EUR", price=Decimal(20))))
    luggage = patch("LUGGAGE", listings.patches_for(listings.offer_attributes(MP, "USD", quantity=1)))
    shoes = patch("SHOES", listings.patches_for(listings.offer_attributes(MP, "USD", quantity=1)))
    assert [d["status"] for d in (no_selector, euros, luggage, shoes)] == ["INVALID", "INVALID", "INVALID", "ACCEPTED"]
    assert "currency" in euros["issues"][0]["message"] and euros["issues"][0]["attributeNames"] == ["purchasable_offer"]
    put = listings.put_item(client, "NEW-EUR", listings.offer_attributes(MP, "EUR", asin="B0SC000001",
                                                                         price=Decimal(5), quantity=1))
    assert put["status"] == "INVALID" and "NEW-EUR" not in sandbox.listings(SELLER)


def test_new_sku_is_not_readable_at_once_after_an_accepted_put(client, sandbox):
    sandbox.market.load({"catalog": [{"asin": "B0NEW00001"}], "sellers": []})
    attrs = listings.offer_attributes(MP, "USD", asin="B0NEW00001", price=Decimal(5), quantity=1, condition="new_new")
    assert listings.put_item(client, "NEW-1", attrs)["status"] == "ACCEPTED"
    assert listings.get_item(client, "NEW-1") is None
    sandbox.admin("POST", "/clock", json={"seconds": 90})
    assert listings.get_item(client, "NEW-1")["sku"] == "NEW-1"


def test_buyable_needs_stock_else_discoverable(client, sandbox):
    sku = seller_central_listing(sandbox)
    listings.patch_item(client, sku, listings.offer_attributes(MP, "USD", quantity=0))
    assert listings.status_of(listings.get_item(client, sku))[0] == "DISCOVERABLE"
    listings.patch_item(client, sku, listings.offer_attributes(MP, "USD", quantity=3))
    assert listings.status_of(listings.get_item(client, sku))[0] == "BUYABLE"
