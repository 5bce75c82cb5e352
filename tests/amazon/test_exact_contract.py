"""The new request forms (merge and delete patches, paged catalog searches, getFeeds) and
the sandbox's answers to them validate against Amazon's models; rate-limit headers only
where Amazon sends them."""

import json
from decimal import Decimal

import pytest

from reference import shared_path
from sandbox.state import Listing
from sandbox_fixtures import SELLER
from worker.amazon import catalog, feeds, listings

from .contract import Models

MP = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def models():
    return Models(shared_path("sp-api", "models"))


@pytest.fixture
def recorded(client):
    calls = []

    def hook(resp, *args, **kwargs):
        if "/_sandbox/" in resp.url or "/auth/o2/" in resp.url:
            return
        req = resp.request
        calls.append((req.method, resp.url, resp.status_code, resp.json() if resp.content else None,
                      json.loads(req.body) if req.body else None, resp.headers))

    client.session.hooks["response"].append(hook)
    return calls


def test_new_request_forms_and_answers_validate(client, sandbox, recorded, models):
    sandbox.market.load({"catalog": [{"asin": f"B0CT{n:06d}", "identifiers": {"EAN": f"{4000000000000 + n % 12:013d}"}}
                                     for n in range(30)], "sellers": []})
    seller = sandbox.market.sellers[SELLER]
    seller.listings["FBA-1"] = Listing(sku="FBA-1", asin="B0CT000001", price=9.0, quantity=4,
                                       fulfillment_channel="AMAZON_NA")
    seller.listings["MFN-1"] = Listing(sku="MFN-1", asin="B0CT000002", price=9.0, quantity=4)
    catalog.search_by_identifiers(client, "ean", [f"{4000000000000 + n:013d}" for n in range(12)])
    listings.patch_item(client, "MFN-1", listings.offer_attributes(MP, "USD", price=Decimal("8.5"), quantity=2))
    listings.end_fba_offer(client, "FBA-1", "USD")
    listings.put_item(client, "MFN-2", listings.offer_attributes(MP, "USD", asin="B0CT000003", price=Decimal(3),
                                                                 quantity=1, condition="new_new", handling_time=2))
    listings.get_item(client, "MFN-2")  # 404: not visible yet
    feed_id = feeds.submit_feed(client, [{"messageId": 1, "sku": "MFN-1", "operationType": "PATCH",
                                          "productType": "PRODUCT", "patches": listings.patches_for(
                                              listings.offer_attributes(MP, "USD", quantity=5))}])
    found = feeds.recent_feeds(client, sandbox.market.clock.now().replace(year=2000))
    assert [f["feedId"] for f in found] == [feed_id]
    seen = set()
    for method, url, status, body, sent, headers in recorded:
        seen.add(models.check_response(method, url, status, body))
        models.check_request(method, url, sent)
        assert ("x-amzn-RateLimit-Limit" in headers) == (status < 300 or status in (400, 404))
    assert {"searchCatalogItems", "patchListingsItem", "putListingsItem", "getListingsItem", "getFeeds",
            "createFeed"} <= seen
    assert sum(1 for c in recorded if "pageToken=" in c[1]) >= 1


def test_a_full_put_on_an_existing_sku_replaces_every_attribute(client, sandbox):
    seller = sandbox.market.sellers[SELLER]
    seller.listings["SC-1"] = Listing(sku="SC-1", asin="B0SC000001", price=9.0, quantity=4, attributes={
        "purchasable_offer": [{"audience": "B2B", "currency": "USD", "marketplace_id": MP,
                               "our_price": [{"schedule": [{"value_with_tax": 8.0}]}]}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4,
                                      "lead_time_to_ship_max_days": 6}]})
    listings.put_item(client, "SC-1", listings.offer_attributes(MP, "USD", asin="B0SC000001", price=Decimal(9),
                                                                quantity=4, condition="new_new"))
    attrs = seller.listings["SC-1"].attributes
    assert [o["audience"] for o in attrs["purchasable_offer"]] == ["ALL"]  # the business price is gone
    assert "lead_time_to_ship_max_days" not in attrs["fulfillment_availability"][0]
