"""Product Pricing: the competition on up to 20 ASINs per call, read for repricing: v0
``getItemOffersBatch`` (0.1 call per second, burst 1) and 2022-05-01 ``getCompetitiveSummary``
(0.033 call per second, burst 1)."""

from __future__ import annotations

from collections.abc import Iterator

from worker.amazon.client import SpApiClient

BATCH = 20


def item_offers(client: SpApiClient, asins: list[str], condition: str = "New") -> Iterator[tuple[str, dict]]:
    """(ASIN, GetOffersResult) for each ASIN Amazon answered for, 20 per call."""
    for start in range(0, len(asins), BATCH):
        chunk = asins[start:start + BATCH]
        data, _ = client.call("getItemOffersBatch", "POST", "/batches/products/pricing/v0/itemOffers", json={
            "requests": [{"uri": f"/products/pricing/v0/items/{SpApiClient.quote(asin)}/offers", "method": "GET",
                          "MarketplaceId": client.marketplace_id, "ItemCondition": condition,
                          "CustomerType": "Consumer"} for asin in chunk]})
        for response in data.get("responses") or []:
            status = (response.get("status") or {}).get("statusCode")
            payload = (response.get("body") or {}).get("payload") or {}
            asin = payload.get("ASIN") or (response.get("request") or {}).get("Asin")
            if status == 200 and asin and payload.get("status", "Success") == "Success":
                yield asin, payload


#: getCompetitiveSummary (productPricing 2022-05-01): 20 ASINs per call, 0.033 call per second, burst 1.
SUMMARY_BATCH = 20


def competitive_summary(client: SpApiClient, asins: list[str], condition: str = "New"
                        ) -> Iterator[tuple[str, dict]]:
    """(ASIN, CompetitiveSummaryResponseBody) for each ASIN Amazon answered for, 20 per call:
    the featured offers (the Buy Box per customer segment) and the 20 lowest-priced offers."""
    for start in range(0, len(asins), SUMMARY_BATCH):
        chunk = asins[start:start + SUMMARY_BATCH]
        data, _ = client.call("getCompetitiveSummary", "POST",
                              "/batches/products/pricing/2022-05-01/items/competitiveSummary", json={
            "requests": [{"asin": asin, "marketplaceId": client.marketplace_id,
                          "includedData": ["featuredBuyingOptions", "lowestPricedOffers"],
                          "lowestPricedOffersInputs": [{"itemCondition": condition, "offerType": "Consumer"}],
                          "method": "GET", "uri": "/products/pricing/2022-05-01/items/competitiveSummary"}
                         for asin in chunk]})
        for response in data.get("responses") or []:
            status = (response.get("status") or {}).get("statusCode")
            body = response.get("body") or {}
            if status == 200 and body.get("asin") and not body.get("errors"):
                yield body["asin"], body
