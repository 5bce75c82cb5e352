"""Every request the client builds and every response it accepts match Amazon's models."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import jsonschema
import pytest

from reference import shared_path
from sandbox_fixtures import SELLER
from worker.amazon import catalog, feeds, listings, orders, reports, sellers

from .contract import Models


@pytest.fixture(scope="module")
def models():
    return Models(shared_path("sp-api", "models"))


@pytest.fixture
def recorded(client, sandbox):
    calls = []

    def hook(resp, *args, **kwargs):
        if "/_sandbox/" in resp.url or "/auth/o2/" in resp.url:
            return
        req = resp.request
        body = json.loads(req.body) if req.body else None
        calls.append((req.method, resp.url, resp.status_code, resp.json() if resp.content else None, body))

    client.session.hooks["response"].append(hook)
    return calls


def exercise(client, sandbox):
    sandbox.market.load({"catalog": [{"asin": "B0C0NTRACT", "identifiers": {"UPC": "700000000001"}}], "sellers": []})
    sandbox.market.add_order(SELLER, {"items": [{"sku": "C-1", "quantity": 2, "price": "7.50"}]})
    sellers.marketplace_participations(client)
    list(reports.merchant_listings(client, poll=0.05))
    attrs = listings.offer_attributes("ATVPDKIKX0DER", "USD", asin="B0C0NTRACT", price=Decimal("9.99"), quantity=3,
                                      condition="new_new")
    listings.put_item(client, "C-1", attrs)
    listings.get_item(client, "C-1")
    listings.patch_item(client, "C-1", listings.offer_attributes("ATVPDKIKX0DER", "USD", quantity=1))
    feed_id = feeds.submit_feed(client, [{"messageId": 1, "sku": "C-1", "operationType": "PATCH",
                                          "productType": "PRODUCT", "patches": listings.patches_for(attrs)}])
    feeds.processing_report(client, feeds.wait_feed(client, feed_id, poll=0.05))
    catalog.search_by_identifiers(client, "upc", ["700000000001"])
    found = list(orders.search_orders(client, datetime.now(timezone.utc) - timedelta(days=1)))
    order = orders.get_order(client, found[0]["orderId"])
    orders.confirm_shipment(client, order["orderId"], "1", "UPS", "1Z1", [
        {"orderItemId": order["orderItems"][0]["orderItemId"], "quantity": 2}], datetime.now(timezone.utc))
    listings.delete_item(client, "C-1")
    listings.get_item(client, "C-1")  # 404, an answer the model documents too


def test_requests_and_responses_validate_against_the_models(client, sandbox, recorded, models):
    exercise(client, sandbox)
    seen = set()
    for method, url, status, body, sent in recorded:
        seen.add(models.check_response(method, url, status, body))
        models.check_request(method, url, sent)
    assert {"getMarketplaceParticipations", "createReport", "getReport", "getReportDocument", "createFeedDocument",
            "createFeed", "getFeed", "getFeedDocument", "putListingsItem", "getListingsItem", "patchListingsItem",
            "deleteListingsItem", "searchCatalogItems", "searchOrders", "getOrder", "confirmShipment"} <= seen


def test_error_responses_validate_too(client, models, recorded):
    from worker.amazon.errors import InvalidInput

    with pytest.raises(InvalidInput):
        client.call("createReport", "POST", "/reports/2021-06-30/reports", json={"marketplaceIds": ["ATVPDKIKX0DER"]})
    method, url, status, body, _ = recorded[-1]
    assert status == 400
    models.check_response(method, url, status, body)


def test_feed_messages_validate_against_the_feed_schema():
    folder = shared_path("sp-api", "schemas", "feeds")
    schema = json.loads((folder / "listings-feed-message-schema-v2.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    attrs = listings.offer_attributes("ATVPDKIKX0DER", "USD", asin="B0X", price=Decimal("1.5"), quantity=2,
                                      condition="new_new", handling_time=2)
    for message in ({"messageId": 1, "sku": "A", "operationType": "UPDATE", "productType": "PRODUCT",
                     "requirements": "LISTING_OFFER_ONLY", "attributes": attrs},
                    {"messageId": 2, "sku": "B", "operationType": "PATCH", "productType": "PRODUCT",
                     "patches": listings.patches_for(attrs)},
                    {"messageId": 3, "sku": "C", "operationType": "DELETE"}):
        validator.validate(message)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"messageId": "x", "sku": "A", "operationType": "EXPLODE"})
