"""The trace of a price, a quantity and a listing rule is the rule itself: every step
with its value, the final amounts those of compute_price/compute_qty/evaluate."""

from datetime import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from channel.magento.catalog import Product
from channel.pricing import AccountSettings, compute_price, compute_qty, explain_price, explain_qty
from channel.rules import ProductView, evaluate, explain, parse_rule

NOW = datetime(2026, 11, 24, 15, 0)


def product(salable=Decimal(10), **attrs):
    base = {"price": Decimal("20.00"), "status": 1}
    return Product(1, "SKU-1", "simple", 4, {**base, **attrs}, [], qty=Decimal(12), salable_qty=salable)


def steps(trace):
    return {s.code: s for s in trace.steps}


def test_price_trace_names_each_step_with_its_value():
    s = AccountSettings.from_json({"price": {"adjustment_type": "percent", "adjustment": 10, "vat_percent": 20,
                                             "currency_rate": "0.5", "rounding": "x99"}})
    p = product(special_price=Decimal("15"), special_from_date="2026-11-01 00:00:00",
                special_to_date="2026-11-30 00:00:00")
    trace = explain_price(p, s, NOW)
    by = steps(trace)
    assert [x.code for x in trace.steps] == ["source", "special_price", "adjustment", "vat", "currency", "rounding"]
    assert by["source"].value == Decimal("20.00")
    assert by["special_price"].applied and by["special_price"].value == Decimal("15")
    assert "from 2026-11-01, through 2026-11-30" in by["special_price"].note
    assert by["adjustment"].value == Decimal("16.5")
    assert by["vat"].value == Decimal("19.8")
    assert by["currency"].value == Decimal("9.9")
    assert trace.amount == Decimal("9.99") == compute_price(p, s, NOW)


def test_an_expired_special_price_says_why_it_is_not_used():
    p = product(special_price=Decimal("15"), special_to_date="2026-11-20 00:00:00")
    by = steps(explain_price(p, AccountSettings(), NOW))
    assert not by["special_price"].applied
    assert "ended with 2026-11-20" in by["special_price"].note
    assert explain_price(p, AccountSettings(), NOW).amount == Decimal("20.00")


def test_quantity_trace_from_stock_to_the_number_sent():
    s = AccountSettings.from_json({"stock": {"out_of_stock_threshold": 2, "max_quantity": 5}})
    p = product(salable=Decimal("9.5"))
    p.reserved = Decimal(-2)
    trace = explain_qty(p, s)
    by = steps(trace)
    assert by["stock"].value == Decimal(12)
    assert by["reservations"].value == Decimal(10)
    assert by["salable"].value == 9
    assert not by["threshold"].applied
    assert by["maximum"].applied and by["maximum"].value == 5
    assert trace.amount == 5 == compute_qty(p, s)
    low = explain_qty(product(salable=Decimal(2)), s)
    assert low.amount == 0 and steps(low)["threshold"].applied
    unmanaged = explain_qty(product(salable=None), AccountSettings())
    assert steps(unmanaged)["unmanaged"].value == 100 and unmanaged.amount == 100
    assert explain_qty(product(status=2), s).amount == 0


@given(price=st.decimals("0.01", "999", places=2), special=st.one_of(st.none(), st.decimals("0.01", "999", places=2)),
       pct=st.decimals("-50", "50", places=1), rounding=st.sampled_from(["none", "cents", "whole", "x99"]),
       salable=st.one_of(st.none(), st.decimals("0", "500", places=1)), threshold=st.integers(0, 5))
def test_traced_amounts_are_the_rule(price, special, pct, rounding, salable, threshold):
    s = AccountSettings.from_json({"price": {"adjustment_type": "percent", "adjustment": str(pct),
                                             "rounding": rounding}, "stock": {"out_of_stock_threshold": threshold}})
    p = product(salable=salable, price=price, special_price=special)
    trace = explain_price(p, s, NOW)
    assert trace.amount == compute_price(p, s, NOW)
    if trace.amount is not None:
        assert trace.steps[-1].value == trace.amount
    assert explain_qty(p, s).amount == compute_qty(p, s)


def test_rule_trace_shows_what_each_node_saw_and_whether_it_held():
    rule = parse_rule({"type": "combine", "aggregator": "all", "value": True, "conditions": [
        {"type": "attribute", "attribute": "color", "operator": "==", "value": "Red"},
        {"type": "combine", "aggregator": "any", "value": True, "conditions": [
            {"type": "qty", "operator": ">", "value": 5},
            {"type": "status", "operator": "==", "value": "enabled"}]}]})
    view = ProductView(values={"color": "Blue"}, status=1, qty=Decimal(3), now=NOW)
    tree = explain(rule, view)
    assert tree.held is False is evaluate(rule, view)
    color, group = tree.children
    assert color.saw == "Blue" and color.held is False
    assert group.held is True
    assert [c.held for c in group.children] == [False, True]
    assert group.children[0].saw == Decimal(3)
    assert tree.to_json()["children"][1]["children"][0] == {
        "node": {"type": "qty", "operator": ">", "value": 5}, "held": False, "saw": "3"}
    assert explain(None, view) is None
