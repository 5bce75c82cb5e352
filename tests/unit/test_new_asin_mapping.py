"""Attribute mapping: values from Magento attributes, fixed values and templates, shaped as
the product type's schema says; enum values through the merchant's map and Amazon's own
names; suggestions from matching names; the variation theme from configurable attributes;
schema problems tied to their attribute (unknown Amazon keywords tolerated)."""

import json

import pytest

from channel import new_asin, product_types
from channel.errors import InvalidInput
from channel.new_asin import AttributeBuilder, MappingRow
from sandbox import product_types as sandbox_types

MP = "ATVPDKIKX0DER"


def schema(name):
    raw = sandbox_types.document(name)
    return product_types.from_document(name, MP, "en_US", sandbox_types.VERSION, name.title(), json.loads(raw),
                                       sandbox_types.checksum(raw))


SHIRT = schema("SHIRT")
PRODUCT = {"name": "Classic tee", "manufacturer": "101", "manufacturer_label": "Acme", "color": "113",
           "color_label": "Black", "size": "121", "size_label": "M", "ean": "4006381333931", "weight": "0.25"}


def test_values_come_from_attributes_fixed_values_and_templates_in_the_schemas_shape():
    builder = AttributeBuilder(SHIRT, [
        MappingRow("item_name", "template", "{{manufacturer}} {{name}} - {{color}}"),
        MappingRow("brand", "attribute", "manufacturer"), MappingRow("department", "fixed", "Men's"),
        MappingRow("externally_assigned_product_identifier.type", "fixed", "EAN"),
        MappingRow("externally_assigned_product_identifier.value", "attribute", "ean")], MP)
    attrs = builder.build(PRODUCT)
    assert attrs["item_name"] == [{"value": "Acme Classic tee - Black", "language_tag": "en_US", "marketplace_id": MP}]
    assert attrs["brand"][0]["value"] == "Acme"  # a select attribute by its option label
    assert attrs["department"] == [{"value": "mens", "marketplace_id": MP}]  # Amazon's value for its display name
    assert attrs["externally_assigned_product_identifier"] == [
        {"type": "ean", "value": "4006381333931", "marketplace_id": MP}]
    assert builder.codes() == ["color", "ean", "manufacturer", "name"]


def test_value_map_wins_and_an_empty_product_value_leaves_the_attribute_out():
    builder = AttributeBuilder(SHIRT, [
        MappingRow("department", "attribute", "gender", {"Kids": "boys"}),
        MappingRow("externally_assigned_product_identifier.type", "fixed", "ean"),
        MappingRow("externally_assigned_product_identifier.value", "attribute", "ean"),
        MappingRow("color", "attribute", "color")], MP)
    attrs = builder.build({"gender": "Kids", "ean": None})
    assert attrs["department"][0]["value"] == "boys"
    assert "externally_assigned_product_identifier" not in attrs  # only its fixed type: not this product's
    assert "color" not in attrs
    problems = {p.attribute: p for p in SHIRT.problems(attrs)}
    assert problems["item_name"].code == "missing" and "Item Name" in problems["item_name"].message
    assert "externally_assigned_product_identifier" in problems  # conditionally required: no exemption


def test_invalid_values_are_tied_to_their_attribute():
    attrs = AttributeBuilder(SHIRT, [MappingRow("item_name", "fixed", "x" * 201),
                                     MappingRow("department", "fixed", "aliens")], MP).build({})
    problems = {p.attribute: p for p in SHIRT.problems(attrs)}
    assert problems["item_name"].code == "invalid" and "200" in problems["item_name"].message
    assert problems["department"].code == "invalid"


def test_suggestions_follow_matching_names_and_skip_the_channels_own_attributes():
    rows = {r.amazon_attribute: r.value for r in new_asin.suggest(SHIRT, ["name", "manufacturer", "color", "size",
                                                                          "ean", "description", "sku"])}
    assert rows == {"item_name": "name", "brand": "manufacturer", "product_description": "description",
                    "color": "color", "size": "size", "externally_assigned_product_identifier.value": "ean"}


def test_variation_theme_is_the_one_made_of_the_configurable_attributes():
    mapping = [MappingRow("color", "attribute", "color"), MappingRow("size", "attribute", "size")]
    assert new_asin.choose_theme(SHIRT, mapping, ["size", "color"]) == "SIZE/COLOR"
    assert new_asin.choose_theme(SHIRT, mapping, ["color"]) == "COLOR"
    assert new_asin.choose_theme(SHIRT, mapping, ["material"]) is None
    assert SHIRT.variation_themes == ("COLOR", "SIZE", "SIZE/COLOR")


def test_parent_has_no_offer_and_children_name_their_parent():
    base = {"item_name": [{"value": "Tee"}], "purchasable_offer": [{"currency": "USD"}]}
    parent = new_asin.parent_attributes(base, "SIZE/COLOR", MP)
    assert "purchasable_offer" not in parent and parent["variation_theme"] == [{"name": "SIZE/COLOR"}]
    child = new_asin.child_attributes(base, "SIZE/COLOR", "TEE", MP)
    assert child["child_parent_sku_relationship"][0]["parent_sku"] == "TEE"
    assert child["parentage_level"][0]["value"] == "child" and "purchasable_offer" in child


def test_mapping_rows_are_checked():
    with pytest.raises(InvalidInput):
        new_asin.parse_mapping([{"amazon_attribute": "brand", "source": "guess", "value": "x"}])
    with pytest.raises(InvalidInput):
        new_asin.parse_mapping([{"amazon_attribute": "warp_drive", "source": "fixed", "value": "x"}], SHIRT)
    assert new_asin.parse_mapping([{"amazon_attribute": "brand", "source": "fixed", "value": " "}], SHIRT) == []


def test_attributes_of_the_schema_say_what_is_required():
    specs = {a.name: a for a in SHIRT.attributes}
    assert specs["item_name"].required == "required"
    assert specs["size"].required == "conditional"
    assert specs["item_name"].member("value").max_length == 200
    assert specs["department"].member("value").enum_names[0] == "Men's"


def test_a_list_of_enum_values_is_sent_as_a_list_through_the_value_map():
    home = schema("HOME")
    member = home.attribute("color").member("standardized_values")
    assert member.type == "array" and "Red" in member.enum
    builder = AttributeBuilder(home, [MappingRow("color.value", "attribute", "color"),
                                      MappingRow("color.standardized_values", "attribute", "color", {"Rot": "Red"})],
                               MP)
    assert builder.build({"color": "115", "color_label": "Rot"})["color"] == [
        {"value": "Rot", "standardized_values": ["Red"], "language_tag": "en_US", "marketplace_id": MP}]
    blue = builder.build({"color": "116", "color_label": "blue"})  # Amazon's own value, case aside
    assert blue["color"][0]["standardized_values"] == ["Blue"]
    unknown = builder.build({"color": "117", "color_label": "Grün"})
    assert [p.attribute for p in home.problems(unknown) if p.attribute == "color"] == ["color"]


def test_a_value_map_naming_no_value_of_amazons_is_refused():
    home = schema("HOME")
    rows = new_asin.parse_mapping([{"amazon_attribute": "color.standardized_values", "source": "attribute",
                                    "value": "color", "value_map": {"Rot": "Red", "Blau": ""}}], home)
    assert rows[0].value_map == {"Rot": "Red"}
    with pytest.raises(InvalidInput, match="Crimson"):
        new_asin.parse_mapping([{"amazon_attribute": "color.standardized_values", "source": "attribute",
                                 "value": "color", "value_map": {"Rot": "Crimson"}}], home)
    with pytest.raises(InvalidInput):
        new_asin.parse_mapping([{"amazon_attribute": "item_name", "source": "attribute", "value": "name",
                                 "value_map": {"x": "y"}}], home)  # no list of values to map to
