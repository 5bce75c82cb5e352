"""Product Pricing v0: the offers on up to 20 ASINs per call (``getItemOffersBatch``,
0.1 call per second, burst 1), read for repricing."""

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
