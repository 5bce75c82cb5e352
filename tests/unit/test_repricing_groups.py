"""Repricing per group of products: the first group a product meets decides, the account's
rule the rest; every refused setting names its place; the competition read from
getCompetitiveSummary; a run's calls split between the two pricing operations."""

from decimal import Decimal as D

import pytest

from channel.errors import InvalidInput
from channel.magento.catalog import Product
from channel.repricing import Competition, RuleSet
from worker.repricing import plan

ACCOUNT = {"strategy": "match_buybox"}
CLEARANCE = {"name": "Clearance", "condition": {"type": "combine", "aggregator": "all", "value": True, "conditions": [
    {"type": "attribute", "attribute": "clearance", "operator": "==", "value": "1"}]},
    "rule": {"strategy": "beat_lowest", "beat_by": {"type": "percent", "value": "5"}}}
SHOES = {"name": "Shoes", "condition": {"type": "combine", "aggregator": "all", "value": True, "conditions": [
    {"type": "category", "operator": "()", "value": [7]}]}, "rule": {"strategy": "match_buybox", "enabled": False}}


def product(entity_id, categories=(), **attributes):
    return Product(entity_id, f"SKU-{entity_id}", "simple", 4, dict(attributes), list(categories), is_in_stock=True)


def test_the_first_group_a_product_meets_decides_and_the_account_rule_the_rest():
    rules = RuleSet.parse({"rule": ACCOUNT, "groups": [CLEARANCE, SHOES]})
    both = product(1, categories=[7], clearance="1")
    assert rules.rule_for(both) == ("Clearance", rules.groups[0].rule)  # listed first, so it wins
    assert rules.rule_for(product(2, categories=[7])) == ("Shoes", rules.groups[1].rule)
    assert rules.rule_for(product(3, clearance="0")) == (None, rules.default)
    assert rules.attribute_codes() == ["clearance"]
    again = RuleSet.from_stored(rules.to_stored())
    assert again == rules and again.to_stored()["strategy"] == "match_buybox"  # the account's rule at the top


@pytest.mark.parametrize("data, path", [
    ({"rule": {"strategy": "undercut"}}, "rule.strategy"),
    ({"rule": ACCOUNT, "groups": [{"name": "", "rule": ACCOUNT}]}, "groups[0].name"),
    ({"rule": ACCOUNT, "groups": [CLEARANCE, {**SHOES, "condition": {"type": "combine", "conditions": [
        {"type": "qty", "operator": "{}", "value": 2}]}}]}, "groups[1].condition.conditions[0].operator"),
    ({"rule": ACCOUNT, "groups": [{**CLEARANCE, "rule": {"floor": {"type": "fixed", "value": "-1"}}}]},
     "groups[0].rule.floor.value"),
    ({"rule": ACCOUNT, "groups": "all"}, "groups"),
    ({"rule": ACCOUNT, "competition_source": "scraping"}, "competition_source"),
])
def test_a_refused_setting_names_its_place(data, path):
    with pytest.raises(InvalidInput) as err:
        RuleSet.parse(data)
    assert err.value.details["path"] == path and err.value.message.startswith(path)


def test_the_competitive_summary_gives_the_most_seen_featured_offer_and_the_lowest_per_fulfilment():
    def offer(seller, price, fba, shipping=0.0, weight=None):
        out = {"sellerId": seller, "condition": "New", "fulfillmentType": "AFN" if fba else "MFN",
               "listingPrice": {"amount": price, "currencyCode": "USD"},
               "shippingOptions": [{"shippingOptionType": "DEFAULT", "price": {"amount": shipping,
                                                                               "currencyCode": "USD"}}]}
        if weight is not None:
            out["featuredOfferSegments"] = [{"customerMembership": "PRIME",
                                             "segmentDetails": {"glanceViewWeightPercentage": weight}}]
        return out

    body = {"asin": "B000000001", "marketplaceId": "ATVPDKIKX0DER",
            "featuredBuyingOptions": [{"buyingOptionType": "New", "segmentedFeaturedOffers": [
                offer("RIVAL1", 19.99, True, weight=70), offer("RIVAL2", 18.50, False, weight=30)]}],
            "lowestPricedOffers": [{"lowestPricedOffersInput": {"itemCondition": "New", "offerType": "Consumer"},
                                    "offers": [offer("ME", 17.00, False), offer("RIVAL2", 18.50, False, 1.25),
                                               offer("RIVAL1", 19.99, True), offer("RIVAL3", 19.00, True)]}]}
    comp = Competition.of_summary(body, "ME")
    assert (comp.buybox_price, comp.buybox_fba, comp.buybox_ours) == (D("19.99"), True, False)
    assert (comp.lowest_fba, comp.lowest_mfn, comp.offers) == (D("19.00"), D("19.75"), 3)
    mine = Competition.of_summary({**body, "featuredBuyingOptions": [{"buyingOptionType": "New",
                                   "segmentedFeaturedOffers": [offer("ME", 17.00, False, weight=100)]}]}, "ME")
    assert mine.buybox_ours and mine.buybox_price is None


def test_a_run_splits_its_calls_by_the_two_operations_rates():
    asins = [f"B{i:09d}" for i in range(170)]  # 9 calls of up to 20
    both = plan(asins, "both")
    assert [op for op, _ in both] == ["getItemOffersBatch"] * 3 + ["getCompetitiveSummary"] + \
        ["getItemOffersBatch"] * 3 + ["getCompetitiveSummary"] + ["getItemOffersBatch"]
    assert sum((chunk for _, chunk in both), []) == asins and all(len(c) <= 20 for _, c in both)
    assert {op for op, _ in plan(asins, "item_offers")} == {"getItemOffersBatch"}
    assert {op for op, _ in plan(asins, "competitive_summary")} == {"getCompetitiveSummary"}
