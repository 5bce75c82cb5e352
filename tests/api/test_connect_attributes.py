"""The attributes the listing-rule builder offers: labels, value types, operators that
the rule engine accepts for that type, and option lists for selects."""

from channel.rules import check_against_catalog, parse_rule


def test_attributes_come_with_labels_types_operators_and_options(api):
    resp = api.get("/api/v1/attributes", grants=["Channel_Amazon::listings"])
    assert resp.status_code == 200
    data = resp.get_json()
    by_code = {a["code"]: a for a in data["attributes"]}
    color = by_code["color"]
    assert color["value_type"] == "select" and color["operators"] == ["==", "!=", "()", "!()"]
    assert [o["label"] for o in color["options"]] == ["Black", "White", "Red", "Blue", "Green"]
    assert by_code["price"]["value_type"] == "number" and ">=" in by_code["price"]["operators"]
    assert by_code["upc"]["value_type"] == "string" and ">" not in by_code["upc"]["operators"]
    assert "news_from_date" not in by_code and "status" not in by_code  # first-class conditions instead
    facts = {f["type"]: f for f in data["facts"]}
    assert set(facts) == {"status", "stock_status", "qty", "category", "attribute_set", "type_id", "sell_dates"}
    assert facts["attribute_set"]["options"]  # this Magento's attribute sets
    assert data["operators"]["()"] == "is one of"


def test_every_offered_operator_is_one_the_rule_engine_accepts(api, app):
    data = api.get("/api/v1/attributes").get_json()
    with app.app_context():
        from bridge.api.common import reader
        from channel.rules import catalog_attributes

        catalog = catalog_attributes(reader())
    for attr in data["attributes"]:
        for op in attr["operators"]:
            value = [attr["options"][0]["value"]] if op in ("()", "!()") and attr.get("options") else "1"
            rule = parse_rule({"conditions": [{"type": "attribute", "attribute": attr["code"], "operator": op,
                                               "value": value}]})
            check_against_catalog(rule, catalog)  # raises on an operator the type does not have
    for fact in data["facts"]:
        for op in fact["operators"]:
            leaf = {"type": fact["type"], "operator": op}
            if fact["value_type"] != "none":
                leaf["value"] = ["1"] if op in ("()", "!()") else "1"
            parse_rule({"conditions": [leaf]})
