"""getCompetitiveSummary (productPricing 2022-05-01) as the sandbox serves it: requests and
responses valid against Amazon's model, 20 requests per batch at most, its documented rate
limit (0.033 per second, burst 1), and the worker's reading of it."""

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from channel.repricing import Competition
from sandbox_fixtures import MARKETPLACE, SELLER
from worker.amazon import pricing
from worker.amazon.errors import AmazonError
from worker.amazon.throttle import RATES

MODEL = json.loads((Path(__file__).resolve().parents[3] / "shared" / "sp-api" / "models"
                    / "productPricing_2022-05-01.json").read_text())
OPERATION = MODEL["paths"]["/batches/products/pricing/2022-05-01/items/competitiveSummary"]["post"]
PATH = "/batches/products/pricing/2022-05-01/items/competitiveSummary"


def valid(definition: str, instance) -> None:
    jsonschema.Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": MODEL["definitions"]}
                               ).validate(instance)


def request_for(asin: str) -> dict:
    return {"asin": asin, "marketplaceId": MARKETPLACE, "includedData": ["featuredBuyingOptions", "lowestPricedOffers"],
            "lowestPricedOffersInputs": [{"itemCondition": "New", "offerType": "Consumer"}], "method": "GET",
            "uri": "/products/pricing/2022-05-01/items/competitiveSummary"}


@pytest.fixture
def rivals(sandbox):
    sandbox.market.competition["B000000042"] = [
        {"seller_id": "A1RIVAL", "price": 19.99, "fba": True, "buybox": True},
        {"seller_id": "A2RIVAL", "price": 18.75, "shipping": 1.5, "fba": False},
        {"seller_id": "A3RIVAL", "price": 21.00, "fba": True}]
    return sandbox


def test_the_rate_limit_is_the_models():
    assert "| 0.033 | 1 |" in OPERATION["description"]
    assert RATES["getCompetitiveSummary"] == (0.033, 1)
    from sandbox.state import RATES as SANDBOX_RATES

    assert SANDBOX_RATES["getCompetitiveSummary"] == (0.033, 1)


def test_requests_and_answers_are_valid_against_the_model(rivals, client):
    requests_ = [request_for("B000000042"), request_for("B000000043")]
    valid("CompetitiveSummaryBatchRequest", {"requests": requests_})
    data, resp = client.call("getCompetitiveSummary", "POST", PATH, json={"requests": requests_})
    valid("CompetitiveSummaryBatchResponse", data)
    assert resp.headers["x-amzn-RateLimit-Limit"] == "0.033"
    body = data["responses"][0]["body"]
    featured = body["featuredBuyingOptions"][0]["segmentedFeaturedOffers"][0]
    assert (featured["sellerId"], featured["listingPrice"]["amount"], featured["fulfillmentType"]) == \
        ("A1RIVAL", 19.99, "AFN")
    assert [o["sellerId"] for o in body["lowestPricedOffers"][0]["offers"]] == ["A1RIVAL", "A2RIVAL", "A3RIVAL"]  # by landed price
    comp = Competition.of_summary(body, SELLER)
    assert (comp.buybox_price, comp.lowest_mfn, comp.lowest_fba, comp.offers) == \
        (Decimal("19.99"), Decimal("20.25"), Decimal("19.99"), 3)
    assert data["responses"][1]["body"] == {"asin": "B000000043", "marketplaceId": MARKETPLACE,
                                            "featuredBuyingOptions": [], "lowestPricedOffers": []}


@pytest.mark.parametrize("change, words", [
    (lambda r: [r] * 21, "1 to 20"),
    (lambda r: [{**r, "uri": "/products/pricing/v0/items/B000000042/offers"}], "Invalid request"),
    (lambda r: [{**r, "includedData": ["buyBox"]}], "includedData"),
    (lambda r: [{**r, "lowestPricedOffersInputs": [{"itemCondition": "New", "offerType": "Business"}]}],
     "lowestPricedOffersInputs"),
    (lambda r: [{**r, "includedData": ["featuredBuyingOptions"]}], "needs 'lowestPricedOffers'"),
])
def test_a_batch_outside_the_model_is_refused(rivals, client, change, words):
    with pytest.raises(AmazonError) as err:
        client.call("getCompetitiveSummary", "POST", PATH, json={"requests": change(request_for("B000000042"))})
    assert err.value.status == 400 and words in str(err.value)


def test_a_second_call_at_once_is_throttled_at_amazons_rate(rivals, make_client):
    hasty = make_client(rate_scale=1_000_000, max_attempts=1)  # the client's own pacing out of the way
    hasty.call("getCompetitiveSummary", "POST", PATH, json={"requests": [request_for("B000000042")]})
    with pytest.raises(AmazonError) as err:
        hasty.call("getCompetitiveSummary", "POST", PATH, json={"requests": [request_for("B000000042")]})
    assert err.value.status == 429


def test_the_worker_reads_twenty_asins_per_call(rivals, client):
    asins = [f"B0000000{i:02d}" for i in range(30, 71)]  # 41 ASINs: 3 calls
    answered = dict(pricing.competitive_summary(client, asins))
    # Three batches answered (a batch Amazon throttled under load is sent again, not split).
    market = rivals.market
    assert sorted(answered) == asins
    assert market.calls["getCompetitiveSummary"] - market.throttled.get("getCompetitiveSummary", 0) == 3
    assert answered["B000000042"]["featuredBuyingOptions"][0]["segmentedFeaturedOffers"][0]["sellerId"] == "A1RIVAL"
