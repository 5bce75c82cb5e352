from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channel.errors import InvalidInput
from channel.rules import ProductView, attribute_codes, dump_rule, evaluate, parse_rule

NOW = datetime(2026, 11, 24, 12, 0)


def view(**values):
    kw = {k: values.pop(k) for k in ("status", "qty", "categories", "attribute_set_id", "type_id", "in_stock")
          if k in values}
    return ProductView(values=values, now=NOW, **kw)


def rule(*conditions, aggregator="all", value=True):
    return parse_rule({"type": "combine", "aggregator": aggregator, "value": value, "conditions": list(conditions)})


def leaf(attribute, operator, value):
    return {"type": "attribute", "attribute": attribute, "operator": operator, "value": value}


@pytest.mark.parametrize("operator,value,expected", [
    ("==", "red", True), ("!=", "Red", False), ("()", "Blue, Red", True), ("!()", ["Blue"], True),
    ("{}", "e", True), ("!{}", "x", True),
])
def test_string_operators_compare_case_insensitively_like_magento(operator, value, expected):
    assert evaluate(rule(leaf("color", operator, value)), view(color="Red")) is expected


@pytest.mark.parametrize("operator,value,expected", [
    (">", 9, True), (">=", 10, True), ("<", 10, False), ("<=", "10.00", True), ("==", "10.0", True),
])
def test_numbers_compare_numerically(operator, value, expected):
    assert evaluate(rule(leaf("price", operator, value)), view(price=Decimal("10.0000"))) is expected


def test_select_attribute_matches_by_label_or_option_id():
    p = view(color=103, color_label="Red")
    assert evaluate(rule(leaf("color", "==", "Red")), p)
    assert evaluate(rule(leaf("color", "==", 103)), p)
    assert not evaluate(rule(leaf("color", "!=", "red")), p)


def test_first_class_leaves():
    p = view(status=1, qty=Decimal(4), categories=(3, 5), attribute_set_id=9, type_id="simple",
             news_from_date="2026-11-20 00:00:00", news_to_date="2026-11-24 00:00:00")
    assert evaluate(rule({"type": "status", "operator": "==", "value": "enabled"}), p)
    assert evaluate(rule({"type": "qty", "operator": ">", "value": 3}), p)
    assert evaluate(rule({"type": "category", "operator": "()", "value": [5, 7]}), p)
    assert not evaluate(rule({"type": "category", "operator": "!()", "value": [3]}), p)
    assert evaluate(rule({"type": "attribute_set", "operator": "==", "value": 9}), p)
    assert evaluate(rule({"type": "type_id", "operator": "!=", "value": "configurable"}), p)
    # news_to_date is inclusive of its whole day
    assert evaluate(rule({"type": "sell_dates", "operator": "within"}), p)


def test_false_groups_and_any_aggregator():
    p = view(color="Red", price=5)
    assert evaluate(rule(leaf("color", "==", "Blue"), value=False), p)
    assert evaluate(rule(leaf("color", "==", "Blue"), leaf("price", "<", 6), aggregator="any"), p)
    assert not evaluate(rule(leaf("color", "==", "Blue"), leaf("price", "<", 6)), p)


def test_empty_rule_admits_every_product():
    assert parse_rule(None) is None and parse_rule({"conditions": []}) is None
    assert evaluate(None, view())


@pytest.mark.parametrize("raw,path", [
    ({"aggregator": "most"}, "aggregator"),
    ({"conditions": [{"type": "attribute", "attribute": "color", "operator": "~", "value": 1}]},
     "conditions[0].operator"),
    ({"conditions": [{"conditions": [{"type": "qty", "operator": ">", "value": "many"}]}]},
     "conditions[0].conditions[0].value"),
    ({"conditions": [{"type": "colour"}]}, "conditions[0].type"),
    ({"conditions": [{"type": "attribute", "operator": "==", "value": 1}]}, "conditions[0].attribute"),
    ("{not json", "$"),
])
def test_bad_nodes_are_refused_with_their_path(raw, path):
    with pytest.raises(InvalidInput) as err:
        parse_rule(raw)
    assert err.value.details["path"] == path


def test_attribute_codes_lists_what_the_rule_reads():
    r = rule(leaf("color", "==", "Red"), {"conditions": [leaf("upc", "{}", "7")]},
             {"type": "sell_dates", "operator": "outside"})
    assert attribute_codes(r) == ["color", "news_from_date", "news_to_date", "upc"]


leaf_st = st.fixed_dictionaries({
    "type": st.just("attribute"), "attribute": st.sampled_from(["a", "b"]),
    "operator": st.sampled_from(["==", "!=", ">", "<", ">=", "<="]), "value": st.integers(0, 3)})
tree_st = st.recursive(leaf_st, lambda children: st.fixed_dictionaries({
    "type": st.just("combine"), "aggregator": st.sampled_from(["all", "any"]), "value": st.booleans(),
    "conditions": st.lists(children, min_size=1, max_size=3)}), max_leaves=8)


def reference(node, p):
    if node["type"] == "combine":
        results = [reference(c, p) == node["value"] for c in node["conditions"]]
        return all(results) if node["aggregator"] == "all" else any(results)
    a, v = p[node["attribute"]], node["value"]
    return {"==": a == v, "!=": a != v, ">": a > v, "<": a < v, ">=": a >= v, "<=": a <= v}[node["operator"]]


@given(st.fixed_dictionaries({"type": st.just("combine"), "aggregator": st.sampled_from(["all", "any"]),
                              "value": st.booleans(), "conditions": st.lists(tree_st, min_size=1, max_size=3)}),
       st.integers(0, 3), st.integers(0, 3))
def test_evaluator_agrees_with_a_reference_and_round_trips(tree, a, b):
    parsed = parse_rule(tree)
    assert evaluate(parsed, view(a=a, b=b)) == reference(tree, {"a": a, "b": b})
    assert parse_rule(dump_rule(parsed)) == parsed
