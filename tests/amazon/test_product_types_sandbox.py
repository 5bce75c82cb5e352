"""The sandbox's product types, restrictions and new ASINs, through the worker's client,
every request and answer checked against Amazon's models."""

import json
import pytest

from reference import shared_path
from sandbox_fixtures import MARKETPLACE
from worker.amazon import definitions, listings, restrictions
from worker.amazon.errors import NotFound

from . import contract
from .contract import Models

MP = MARKETPLACE


@pytest.fixture(scope="module")
def models():
    names = contract.MODELS + ("definitionsProductTypes_2020-09-01.json", "listingsRestrictions_2021-08-01.json")
    saved = contract.MODELS
    contract.MODELS = names
    try:
        return Models(shared_path("sp-api", "models"))
    finally:
        contract.MODELS = saved


@pytest.fixture
def recorded(client):
    calls = []

    def hook(resp, *args, **kwargs):
        if "/_sandbox/" in resp.url or "/auth/o2/" in resp.url:
            return
        req = resp.request
        calls.append((req.method, resp.url, resp.status_code, resp.json() if resp.content else None,
                      json.loads(req.body) if req.body else None))

    client.session.hooks["response"].append(hook)
    return calls


def text(value):
    return [{"value": value, "language_tag": "en_US", "marketplace_id": MP}]


def home_attributes(**drop):
    attrs = {"item_name": text("Linen cushion"), "brand": text("Acme"), "product_description": text("A cushion."),
             "bullet_point": text("Soft"), "condition_type": [{"value": "new_new", "marketplace_id": MP}],
             "item_type_keyword": [{"value": "cushions", "marketplace_id": MP}],
             "externally_assigned_product_identifier": [{"type": "ean", "value": "4006381333931", "marketplace_id": MP}],
             **listings.offer_attributes(MP, "USD", price=19.5, quantity=4)}
    for name in drop:
        attrs.pop(name)
    return attrs


def advance(sandbox, seconds):
    sandbox.admin("POST", "/clock", json={"seconds": seconds})


def test_product_type_search_definition_and_schema_match_the_models(client, sandbox, recorded, models):
    found = definitions.search(client, item_name="Slim fit shirt")
    assert [p["name"] for p in found] == ["SHIRT"]
    assert {p["name"] for p in definitions.search(client, keywords=["suitcase", "vase"])} == {"LUGGAGE", "HOME"}
    definition = definitions.definition(client, "SHIRT")
    assert definition["productTypeVersion"]["latest"] is True
    schema = definitions.schema_document(client, definition)
    assert schema["$schema"].endswith("/meta-schema/v1")
    assert schema["properties"]["variation_theme"]["items"]["properties"]["name"]["enum"] == \
        ["COLOR", "SIZE", "SIZE/COLOR"]
    with pytest.raises(NotFound):
        definitions.definition(client, "SPACESHIP")
    for method, url, status, body, sent in recorded:
        models.check_response(method, url, status, body)
        models.check_request(method, url, sent)


def test_a_gated_brand_is_restricted_with_amazons_reason(client, sandbox, recorded, models):
    sandbox.market.load({"catalog": [{"asin": "B0STARK001", "title": "Stark tee", "brand": "Stark"},
                                     {"asin": "B0ACME0001", "title": "Acme tee", "brand": "Acme"}], "sellers": []})
    sandbox.admin("POST", "/gated_brands", json={"brands": ["Stark"]})
    found = restrictions.restrictions(client, "B0STARK001", product_type="SHIRT")
    (reason,) = restrictions.blocking_reasons(found)
    assert reason["reasonCode"] == "APPROVAL_REQUIRED" and "Stark" in reason["message"]
    assert restrictions.restrictions(client, "B0ACME0001") == []
    for method, url, status, body, _ in recorded:
        models.check_response(method, url, status, body)


def test_new_product_is_refused_with_issues_naming_attributes_then_gets_an_asin(client, sandbox, recorded, models):
    refused = listings.put_item(client, "CUSHION-1", home_attributes(brand=1, item_type_keyword=1), "HOME")
    assert refused["status"] == "INVALID"
    assert {tuple(i["attributeNames"]) for i in refused["issues"]} == {("brand",), ("item_type_keyword",)}
    too_long = home_attributes()
    too_long["item_name"] = text("x" * 201)
    invalid = listings.put_item(client, "CUSHION-1", too_long, "HOME")
    assert invalid["issues"][0]["attributeNames"] == ["item_name"]
    assert listings.put_item(client, "CUSHION-1", home_attributes(), "HOME")["status"] == "ACCEPTED"
    advance(sandbox, 61)
    item = listings.get_item(client, "CUSHION-1")
    assert "asin" not in item["summaries"][0]  # created, no ASIN yet
    advance(sandbox, 60)
    item = listings.get_item(client, "CUSHION-1")
    asin = item["summaries"][0]["asin"]
    assert asin.startswith("B0") and item["summaries"][0]["productType"] == "HOME"
    assert asin in sandbox.market.catalog
    for method, url, status, body, sent in recorded:
        models.check_response(method, url, status, body)
        models.check_request(method, url, sent)


def shirt(theme=None, level=None, parent=None, **extra):
    attrs = {"item_name": text("Tee"), "brand": text("Acme"), "product_description": text("A tee."),
             "department": [{"value": "unisex-adult", "marketplace_id": MP}]}
    if level:
        attrs["parentage_level"] = [{"value": level, "marketplace_id": MP}]
    if theme:
        attrs["variation_theme"] = [{"name": theme}]
    if parent:
        attrs["child_parent_sku_relationship"] = [{"child_relationship_type": "variation", "parent_sku": parent,
                                                   "marketplace_id": MP}]
    return {**attrs, **extra}


def test_variation_family_children_need_their_parent_and_theme(client, sandbox):
    child = shirt("SIZE/COLOR", "child", "TEE", color=text("Red"), size=text("M"), bullet_point=text("Soft"),
                  condition_type=[{"value": "new_new", "marketplace_id": MP}],
                  supplier_declared_has_product_identifier_exemption=[{"value": True, "marketplace_id": MP}])
    orphan = listings.put_item(client, "TEE-M-RED", child, "SHIRT")
    assert orphan["issues"][0]["attributeNames"] == ["child_parent_sku_relationship"]
    bad_theme = listings.put_item(client, "TEE", shirt("FLAVOR", "parent"), "SHIRT")
    assert bad_theme["issues"][0]["attributeNames"] == ["variation_theme"]
    assert listings.put_item(client, "TEE", shirt("SIZE/COLOR", "parent"), "SHIRT")["status"] == "ACCEPTED"
    assert listings.put_item(client, "TEE-M-RED", child, "SHIRT")["status"] == "ACCEPTED"
    no_size = {k: v for k, v in child.items() if k != "size"}
    assert listings.put_item(client, "TEE-X", no_size, "SHIRT")["issues"][0]["attributeNames"] == ["size"]
    advance(sandbox, 61)
    parent = listings.get_item(client, "TEE", "summaries,relationships")
    (rel,) = parent["relationships"][0]["relationships"]
    assert rel["childSkus"] == ["TEE-M-RED"] and rel["variationTheme"]["theme"] == "SIZE/COLOR"


def test_new_product_bodies_validate_against_the_listings_model_and_feed_schema(models):
    import jsonschema

    from channel import payloads

    attrs = home_attributes()
    body = payloads.new_product_body(attrs, "HOME")
    models.check_request("PUT", "https://sellingpartnerapi-na.amazon.com/listings/2021-08-01/items/S/CUSHION-1",
                         body)
    folder = shared_path("sp-api", "schemas", "feeds")
    feed_schema = json.loads((folder / "listings-feed-message-schema-v2.json").read_text())
    jsonschema.Draft7Validator(feed_schema).validate(payloads.new_product_message(1, "CUSHION-1", attrs, "HOME"))
    jsonschema.Draft7Validator(feed_schema).validate(
        {"messageId": 2, "sku": "TEE-S", **payloads.leave_family_body("SHIRT", MP), "operationType": "PATCH"})
