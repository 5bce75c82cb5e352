"""Repricing decisions: each strategy within its floor and ceiling, and their words."""

from decimal import Decimal as D

import pytest

from channel.errors import InvalidInput
from channel.repricing import Bound, Competition, Rule, decide

COMP = Competition(buybox_price=D("19.99"), buybox_fba=True, lowest_fba=D("19.99"), lowest_mfn=D("18.75"), offers=3)


def rule(**kw):
    return Rule.from_json({"strategy": "match_buybox", **kw})


def test_match_buybox_undercut_by_a_cent_within_floor_and_ceiling():
    d = decide(rule(beat_by={"type": "amount", "value": "0.01"}), D("25"), COMP, D("18.50"), D("30"))
    assert d.price == D("19.98") and d.outcome == "followed" and d.reference == D("19.99")
    assert d.trace == "Buy Box 19.99 by a FBA seller, floor 18.50, ceiling 30.00, sent 19.98"


def test_beat_lowest_by_percent_and_the_floor_stops_it():
    r = rule(strategy="beat_lowest", beat_by={"type": "percent", "value": "10"})
    followed = decide(r, D("25"), COMP, D("15"), None)
    assert followed.price == D("16.88") and "lowest offer 18.75 by a merchant-fulfilled seller" in followed.trace
    floored = decide(r, D("25"), COMP, D("17.50"), None)
    assert floored.price == D("17.50") and floored.outcome == "floor" and "floor hit" in floored.trace
    back = decide(Rule.from_json({"strategy": "beat_lowest", "beat_by": {"type": "percent", "value": "10"},
                                  "below_floor": "price_source"}), D("25"), COMP, D("17.50"), None)
    assert back.price == D("25.00") and back.outcome == "floor"


def test_lowest_of_a_fulfilment_type_and_the_ceiling_caps_it():
    r = rule(strategy="lowest_of_fulfilment", fulfilment="FBA")
    assert decide(r, D("25"), COMP, None, None).price == D("19.99")
    capped = decide(r, D("25"), COMP, None, D("19.00"))
    assert capped.price == D("19.00") and capped.outcome == "ceiling"
    mfn = decide(rule(strategy="lowest_of_fulfilment", fulfilment="MFN"), D("25"), COMP, None, None)
    assert mfn.price == D("18.75")


def test_without_competitor_the_rule_says_what_is_sent():
    alone = Competition()
    assert decide(rule(), D("25"), alone, None, D("40")).price == D("25.00")
    assert decide(rule(no_competitor="ceiling"), D("25"), alone, None, D("40")).price == D("40.00")
    kept = decide(rule(no_competitor="keep"), D("25"), alone, None, D("40"))
    assert kept.price is None and kept.outcome == "no_competitor"


def test_holding_the_buybox_keeps_the_price_and_no_price_sends_nothing():
    assert decide(rule(), D("25"), Competition(buybox_ours=True), None, None).outcome == "holding_buybox"
    assert decide(rule(), None, COMP, None, None).outcome == "no_price"


def test_bounds_from_a_percent_of_the_price_source_or_an_attribute():
    assert Bound("percent", "80").amount(D("25")) == D("20.00")
    assert Bound("attribute", "cost").amount(D("25"), {"cost": "12.345"}) == D("12.35")
    assert Bound("attribute", "cost").amount(D("25"), {}) is None


def test_the_competition_from_offers_leaves_our_own_offer_out():
    offers = [{"SellerId": "ME", "ListingPrice": {"Amount": 17.0}, "Shipping": {"Amount": 0},
               "IsFulfilledByAmazon": False, "IsBuyBoxWinner": False},
              {"SellerId": "A1", "ListingPrice": {"Amount": 19.99}, "Shipping": {"Amount": 0},
               "IsFulfilledByAmazon": True, "IsBuyBoxWinner": True},
              {"SellerId": "A2", "ListingPrice": {"Amount": 18.0}, "Shipping": {"Amount": 0.75},
               "IsFulfilledByAmazon": False}]
    comp = Competition.of_offers(offers, "ME")
    assert (comp.buybox_price, comp.buybox_fba, comp.lowest_fba, comp.lowest_mfn, comp.offers) == (
        D("19.99"), True, D("19.99"), D("18.75"), 2)


@pytest.mark.parametrize("raw", [{"strategy": "guess"}, {"floor": {"type": "fixed", "value": "-1"}},
                                 {"floor": {"type": "fixed", "value": "30"}, "ceiling": {"type": "fixed", "value": "20"}},
                                 {"beat_by": {"type": "fraction", "value": "1"}}, {"no_competitor": "panic"}])
def test_a_rule_that_makes_no_sense_is_refused(raw):
    with pytest.raises(InvalidInput):
        Rule.from_json(raw)
