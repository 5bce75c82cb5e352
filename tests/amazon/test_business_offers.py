"""Business (B2B) offers as Amazon takes them, over the sandbox's Listings Items API: a
well-formed business price with quantity discounts is kept beside the standard offer; a
malformed one (levels not rising, a percentage out of range, a plan on the standard offer,
no standard offer at all, a sixth level) is INVALID and changes nothing."""

import json
from decimal import Decimal
from importlib import resources

import jsonschema
import pytest

from channel.business import BusinessOffer
from sandbox.state import Listing
from sandbox_fixtures import SELLER
from worker.amazon import listings

MP = "ATVPDKIKX0DER"
SKU = "B2B-1"


@pytest.fixture
def live(sandbox):
    sandbox.market.sellers[SELLER].listings[SKU] = Listing(sku=SKU, asin="B0B2B00001", price=20.0, quantity=5)
    return sandbox.market.sellers[SELLER].listings[SKU]


def business(discount_type="fixed", levels=((5, 17.0), (10, 16.0)), price=18.0) -> dict:
    out = {"audience": "B2B", "currency": "USD", "marketplace_id": MP,
           "our_price": [{"schedule": [{"value_with_tax": price}]}]}
    if levels is not None:
        out["quantity_discount_plan"] = [{"schedule": [{"discount_type": discount_type, "levels": [
            {"lower_bound": q, "value": v} for q, v in levels]}]}]
    return out


def standard(price=20.0) -> dict:
    return {"audience": "ALL", "currency": "USD", "marketplace_id": MP,
            "our_price": [{"schedule": [{"value_with_tax": price}]}]}


def patch(client, instances):
    return listings.patch_item(client, SKU, {"purchasable_offer": instances})


def test_a_business_price_with_quantity_discounts_is_kept_beside_the_standard_offer(client, live):
    offer = BusinessOffer(Decimal("18"), "fixed", ((5, Decimal("17")), (10, Decimal("16"))))
    attrs = listings.offer_attributes(MP, "USD", price=Decimal(20), business=offer)
    assert listings.patch_item(client, SKU, attrs)["status"] == "ACCEPTED"
    got = listings.get_item(client, SKU, included="attributes,offers")
    kept = {o["audience"]: o for o in got["attributes"]["purchasable_offer"]}
    assert kept["B2B"] == business()
    assert {o["offerType"]: o["price"]["amount"] for o in got["offers"]} == {"B2C": "20.00", "B2B": "18.00"}
    percent = business("percent", ((5, 5.0), (10, 12.5)))
    assert patch(client, [percent])["status"] == "ACCEPTED"  # the standard offer is already there


@pytest.mark.parametrize("instances, words", [
    ([standard(), business(levels=((10, 17.0), (5, 16.0)))], "rising 'lower_bound'"),
    ([standard(), business(levels=((5, 17.0), (10, 17.5)))], "lower than the one before"),
    ([standard(), business(levels=((5, 18.5),))], "below the business price"),
    ([standard(), business("percent", ((5, 5.0), (10, 100.0)))], "below 100"),
    ([standard(), business("percent", ((5, 10.0), (10, 5.0)))], "larger percentage"),
    ([standard(), business("percent", ((5, 0),))], "positive number"),
    ([standard(), business("tiered")], "fixed or percent"),
    ([standard(), business(levels=[(q, 20.0 - q / 10) for q in range(2, 8)])], "1 to 5 levels"),
    ([{**standard(), "quantity_discount_plan": business()["quantity_discount_plan"]}], "audience B2B"),
    ([{**business(), "audience": "B2G"}], "audience 'B2G'"),
], ids=["bounds-falling", "fixed-rising", "fixed-above-business", "percent-100", "percent-falling", "percent-0",
        "unknown-type", "six-levels", "plan-on-standard", "unknown-audience"])
def test_a_malformed_business_offer_is_invalid_and_changes_nothing(client, live, instances, words):
    result = patch(client, instances)
    assert result["status"] == "INVALID"
    assert words in result["issues"][0]["message"] and result["issues"][0]["attributeNames"] == ["purchasable_offer"]
    assert [o.get("audience") for o in live.attributes["purchasable_offer"]] == ["ALL"] and live.price == 20.0


def test_a_business_offer_needs_a_standard_offer(client, sandbox):
    put = listings.put_item(client, "B2B-ONLY", {
        "merchant_suggested_asin": [{"value": "B0B2B00001", "marketplace_id": MP}],
        "purchasable_offer": [business()],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}]})
    assert put["status"] == "INVALID" and "needs a standard offer" in put["issues"][0]["message"]
    assert "B2B-ONLY" not in sandbox.market.sellers[SELLER].listings


def test_withdrawing_the_business_offer_keeps_the_standard_one(client, live):
    assert patch(client, [standard(), business()])["status"] == "ACCEPTED"
    attrs = listings.offer_attributes(MP, "USD", price=Decimal(19))
    body_attrs = {"-purchasable_offer": [{"audience": "B2B", "currency": "USD", "marketplace_id": MP}], **attrs}
    assert listings.patch_item(client, SKU, body_attrs)["status"] == "ACCEPTED"
    assert [o["audience"] for o in live.attributes["purchasable_offer"]] == ["ALL"] and live.price == 19.0


@pytest.mark.parametrize("product_type", ["HOME", "LUGGAGE", "SHIRT"])
def test_the_business_offer_sent_is_valid_for_the_product_type_definitions(product_type):
    definition = json.loads(resources.files("sandbox").joinpath(f"product_types/{product_type}.json").read_text())
    offer = BusinessOffer(Decimal("18"), "percent", ((5, Decimal("5")), (10, Decimal("12.5"))))
    attrs = listings.offer_attributes(MP, "USD", price=Decimal(20), business=offer)
    schema = {**definition["properties"]["purchasable_offer"], "$defs": definition["$defs"]}
    jsonschema.validate(attrs["purchasable_offer"], schema)
    bad = [attrs["purchasable_offer"][0], {**attrs["purchasable_offer"][1], "quantity_discount_plan": [
        {"schedule": [{"discount_type": "tiered", "levels": [{"lower_bound": 5, "value": 5}]}]}]}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
