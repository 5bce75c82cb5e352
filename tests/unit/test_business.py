"""Business prices without I/O: the settings section refuses what it cannot use with the
field's path, tier prices become the business offer Amazon takes (or none, with the
reason), the trace says it in one line, and the push withdraws what no longer applies."""

from datetime import datetime
from decimal import Decimal

import pytest

from channel import payloads
from channel.business import BusinessOffer, explain_business
from channel.errors import InvalidInput
from channel.magento.catalog import Product
from channel.magento.tier_price import TierPrice
from channel.offer import Offer
from channel.pricing import AccountSettings

NOW = datetime(2026, 12, 1, 12, 0)
WHOLESALE = {"enabled": True, "price_source": "tier_price", "customer_group_id": 2}


def product(price="20", **attrs) -> Product:
    return Product(1, "MG-1", "simple", 4, {"price": Decimal(price), "status": 1, "name": "One", **attrs}, [],
                   qty=Decimal(10), is_in_stock=True, salable_qty=Decimal(10))


def fixed(qty, value, all_groups=False) -> TierPrice:
    return TierPrice(Decimal(qty), Decimal(value), None, 0, all_groups)


def percent(qty, value) -> TierPrice:
    return TierPrice(Decimal(qty), None, Decimal(value), 0, False)


def settings(**business) -> AccountSettings:
    return AccountSettings.from_json({"business": {**WHOLESALE, **business}})


@pytest.mark.parametrize("raw, path", [
    ({"enabled": True}, "business.customer_group_id"),
    ({"enabled": True, "price_source": "attribute"}, "business.price_attribute"),
    ({"enabled": "yes"}, "business.enabled"),
    ({"price_source": "catalog_rule"}, "business.price_source"),
    ({"discount_type": "tiered"}, "business.discount_type"),
    ({"customer_group_id": -1}, "business.customer_group_id"),
    ({"price_attribute": 7}, "business.price_attribute"),
    ("on", "business"),
])
def test_bad_business_settings_are_refused_with_their_path(raw, path):
    with pytest.raises(InvalidInput) as err:
        AccountSettings.from_json({"business": raw})
    assert err.value.details["path"] == path


def test_business_prices_are_off_by_default_and_round_trip():
    assert AccountSettings.from_json({}).business.enabled is False
    saved = settings(discount_type="percent").to_json()
    assert saved["business"] == {"enabled": True, "price_source": "tier_price", "customer_group_id": 2,
                                 "price_attribute": None, "discount_type": "percent"}
    assert AccountSettings.from_json(saved) == settings(discount_type="percent")


def test_group_tiers_make_the_business_offer_and_its_trace_line():
    trace = explain_business(product(), settings(), Decimal("20.00"),
                             [fixed(1, "18"), fixed(5, "17"), fixed(10, "16")], "Wholesale")
    assert trace.offer == BusinessOffer(Decimal("18.00"), "fixed", ((5, Decimal("17.00")), (10, Decimal("16.00"))))
    assert trace.text == "Business price 18.00 (tier price group Wholesale); 5+: 17.00, 10+: 16.00"
    assert BusinessOffer.from_text(trace.offer.to_text()) == trace.offer


def test_percentage_tiers_are_percent_off_the_business_price():
    trace = explain_business(product(), settings(), Decimal("20.00"), [percent(5, "5"), percent(10, "10")], "Wholesale")
    assert trace.offer == BusinessOffer(Decimal("20.00"), "percent", ((5, Decimal("5.00")), (10, Decimal("10.00"))))
    assert trace.text == ("Business price 20.00 (the standard price; tier price group Wholesale has no 1-unit tier);"
                          " 5+: 5 % off, 10+: 10 % off")
    as_fixed = explain_business(product(), settings(discount_type="fixed"), Decimal("20.00"), [percent(5, "5")])
    assert as_fixed.offer.tiers == ((5, Decimal("19.00")),)


def test_the_account_price_rule_applies_to_business_prices():
    s = AccountSettings.from_json({"business": WHOLESALE, "price": {"vat_percent": "20", "currency_rate": "1.5"}})
    trace = explain_business(product(), s, Decimal("36.00"), [fixed(1, "18"), fixed(6, "17")])
    assert trace.offer == BusinessOffer(Decimal("32.40"), "fixed", ((6, Decimal("30.60")),))


def test_what_amazon_would_refuse_is_left_out_with_the_reason():
    tiers = [fixed(1, "25"), fixed(2, "19"), fixed(3, "19.50"), fixed(4, "18"), fixed("4.5", "17.5"),
             fixed(6, "17"), fixed(7, "16"), fixed(8, "15"), fixed(9, "14")]
    trace = explain_business(product(), settings(), Decimal("20.00"), tiers)
    assert trace.offer.price == Decimal("20.00")  # above the standard price: brought down to it
    assert [q for q, _ in trace.offer.tiers] == [2, 4, 5, 6, 7]  # 3+ is no better; 4.5 units start at 5
    assert any("brought down" in n for n in trace.notes)
    assert any(n.startswith("3+ at 19.50 left out") for n in trace.notes)
    assert any(n.startswith("8+ left out: Amazon takes at most 5") for n in trace.notes)


def test_no_business_offer_without_a_standard_price_tiers_or_attribute_value():
    assert explain_business(product(), settings(), None, [fixed(1, "18")]).offer is None
    none = explain_business(product(), settings(), Decimal(20), [], "Wholesale")
    assert none.offer is None and none.text == "No business price: the product has no tier prices for tier price" \
        " group Wholesale."
    by_attribute = settings(price_source="attribute", price_attribute="b2b_price")
    assert explain_business(product(), by_attribute, Decimal(20)).offer is None
    got = explain_business(product(b2b_price=Decimal("17.5")), by_attribute, Decimal(20), [fixed(10, "15")])
    assert got.offer == BusinessOffer(Decimal("17.50"), "fixed", ((10, Decimal("15.00")),))
    assert explain_business(product(), AccountSettings(), Decimal(20), [fixed(1, "18")]).text == \
        "Business prices are off for this account."


def test_the_offer_carries_the_business_offer_and_reads_it_back():
    offer = Offer.of(product(), settings(), NOW, [fixed(1, "18"), fixed(5, "17")])
    assert offer.business == BusinessOffer(Decimal("18.00"), "fixed", ((5, Decimal("17.00")),))
    stored = Offer.stored({"calc_price": Decimal(20), "calc_qty": 10, "calc_business": offer.business.to_text()},
                          settings())
    assert stored.business == offer.business
    assert Offer.of(product(), AccountSettings(), NOW, [fixed(1, "18")]).business is None


def test_the_push_sends_the_business_offer_and_withdraws_a_plan_or_offer_gone():
    with_plan = BusinessOffer(Decimal(18), "fixed", ((5, Decimal(17)),)).to_text()
    no_plan = BusinessOffer(Decimal(18)).to_text()
    attrs = payloads.price_stock_attributes("ATVPDKIKX0DER", "USD", Decimal(20), 3, with_plan, None)
    assert [o["audience"] for o in attrs["purchasable_offer"]] == ["ALL", "B2B"]
    assert [p["op"] for p in payloads.patches_for(attrs)] == ["merge", "merge"]
    dropped = payloads.patches_for(payloads.price_stock_attributes("ATVPDKIKX0DER", "USD", Decimal(20), 3, no_plan,
                                                                   with_plan))
    assert [(p["op"], p["path"]) for p in dropped][:2] == [("delete", "/attributes/purchasable_offer"),
                                                           ("merge", "/attributes/purchasable_offer")]
    assert dropped[0]["value"] == [{"audience": "B2B", "currency": "USD", "marketplace_id": "ATVPDKIKX0DER"}]
    gone = payloads.price_stock_attributes("ATVPDKIKX0DER", "USD", Decimal(20), 3, None, no_plan)
    assert [o["audience"] for o in gone["purchasable_offer"]] == ["ALL"] and "-purchasable_offer" in gone
    untouched = payloads.price_stock_attributes("ATVPDKIKX0DER", "USD", Decimal(20), 3, None, None)
    assert set(untouched) == {"purchasable_offer", "fulfillment_availability"}


def test_a_lower_standard_price_brings_the_business_offer_and_its_tiers_down_with_the_reason():
    tiers = [fixed(1, "18"), fixed(5, "17"), fixed(10, "16")]
    repriced = explain_business(product(), settings(), Decimal("16.50"), tiers, "Wholesale")
    assert repriced.offer == BusinessOffer(Decimal("16.50"), "fixed", ((10, Decimal("16.00")),))
    assert repriced.notes[0].startswith("18.00 from tier price group Wholesale is above the standard price 16.50:"
                                        " brought down to it")
    assert any(n.startswith("5+ at 17.00 left out") for n in repriced.notes)
    as_percent = explain_business(product(), settings(), Decimal("16.50"), [percent(5, "5"), percent(10, "20")])
    assert as_percent.offer == BusinessOffer(Decimal("16.50"), "percent", ((10, Decimal("3.03")),))


def test_a_relist_withdraws_what_the_price_push_would_withdraw():
    with_plan = BusinessOffer(Decimal(18), "fixed", ((5, Decimal(17)),))
    no_plan = Offer(Decimal(20), 3, "new_new", business=BusinessOffer(Decimal(18)))
    shrank = payloads.patches_for(payloads.relist_patch_attributes("ATVPDKIKX0DER", "USD", no_plan,
                                                                   with_plan.to_text()))
    assert [(p["op"], p["path"]) for p in shrank] == [("delete", "/attributes/purchasable_offer"),
                                                      ("merge", "/attributes/purchasable_offer"),
                                                      ("merge", "/attributes/fulfillment_availability")]
    assert shrank[0]["value"] == [{"audience": "B2B", "currency": "USD", "marketplace_id": "ATVPDKIKX0DER"}]
    assert [o["audience"] for o in shrank[1]["value"]] == ["ALL", "B2B"]
    gone = payloads.relist_patch_attributes("ATVPDKIKX0DER", "USD", Offer(Decimal(20), 3, "new_new"),
                                            with_plan.to_text())
    assert "-purchasable_offer" in gone and [o["audience"] for o in gone["purchasable_offer"]] == ["ALL"]
    kept = payloads.relist_patch_attributes("ATVPDKIKX0DER", "USD", Offer(Decimal(20), 3, "new_new",
                                                                          business=with_plan), no_plan.business.to_text())
    assert set(kept) == {"purchasable_offer", "fulfillment_availability"}  # a merge sets the plan it gains
