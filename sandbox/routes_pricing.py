"""Product Pricing: the offers on an ASIN, served from the marketplace's competition state
(``Marketplace.competition``: other sellers' offers per ASIN) plus the calling seller's own
listing: v0 ``getItemOffersBatch`` in the shapes of ``productPricingV0.json``, and 2022-05-01
``getCompetitiveSummary`` in those of ``productPricing_2022-05-01.json`` (20 requests per
batch; the featured offer and the lowest-priced offers; its rate limit, 0.033 per second
with a burst of 1, is the guard's).

The same offers feed ``ANY_OFFER_CHANGED`` (``summary_of``): the Buy Box winner is the
offer marked ``buybox``, else the lowest landed price.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from flask import jsonify, request

from sandbox.listing_attrs import CURRENCIES


def _money(amount: float, currency: str, camel: bool = True) -> dict:
    return {"Amount": float(Decimal(str(amount)).quantize(Decimal("0.01"))), "CurrencyCode": currency}


def ranked(offers: list[dict]) -> list[dict]:
    """Offers, the Buy Box winner first, then by landed price."""
    return sorted(offers, key=lambda o: (not o.get("buybox"), float(o["price"]) + float(o.get("shipping", 0))))


def buybox_of(offers: list[dict]) -> dict | None:
    winners = [o for o in offers if o.get("buybox")]
    if winners:
        return winners[0]
    return min(offers, key=lambda o: float(o["price"]) + float(o.get("shipping", 0))) if offers else None


def summary_of(offers: list[dict], marketplace_id: str, condition: str = "new") -> tuple[dict, list[dict]]:
    """(Summary, Offers) of an ANY_OFFER_CHANGED payload for these offers."""
    currency = CURRENCIES.get(marketplace_id, "USD")
    lowest: dict[str, dict] = {}
    counts: dict[str, int] = {}
    for offer in offers:
        channel = "Amazon" if offer.get("fba") else "Merchant"
        counts[channel] = counts.get(channel, 0) + 1
        landed = float(offer["price"]) + float(offer.get("shipping", 0))
        if channel not in lowest or landed < lowest[channel]["landed"]:
            lowest[channel] = {"landed": landed, "offer": offer}
    box = buybox_of(offers)
    summary = {
        "NumberOfOffers": [{"Condition": condition, "FulfillmentChannel": c, "OfferCount": n} for c, n in counts.items()],
        "LowestPrices": [{"Condition": condition, "FulfillmentChannel": c,
                          "LandedPrice": _money(v["landed"], currency),
                          "ListingPrice": _money(float(v["offer"]["price"]), currency),
                          "Shipping": _money(float(v["offer"].get("shipping", 0)), currency)}
                         for c, v in lowest.items()],
        "BuyBoxPrices": [] if box is None else [{
            "Condition": condition, "LandedPrice": _money(float(box["price"]) + float(box.get("shipping", 0)), currency),
            "ListingPrice": _money(float(box["price"]), currency),
            "Shipping": _money(float(box.get("shipping", 0)), currency)}],
        "ListPrice": _money(0, currency), "MinimumAdvertisedPrice": _money(0, currency),
        "SuggestedLowerPricePlusShipping": _money(0, currency),
        "TotalBuyBoxEligibleOffers": len(offers), "SalesRankings": [],
        "NumberOfBuyBoxEligibleOffers": [{"Condition": condition, "FulfillmentChannel": c, "OfferCount": n}
                                         for c, n in counts.items()],
        "CompetitivePriceThreshold": _money(0, currency),
    }
    top = [{"SellerId": o["seller_id"], "SubCondition": condition,
            "SellerFeedbackRating": {"FeedbackCount": 100, "SellerPositiveFeedbackRating": 98},
            "ShippingTime": {"MinimumHours": 24, "MaximumHours": 48, "AvailabilityType": "NOW",
                             "AvailableDate": ""},
            "ListingPrice": _money(float(o["price"]), currency), "Points": {"PointsNumber": 0},
            "Shipping": _money(float(o.get("shipping", 0)), currency),
            "ShipsFrom": {"Country": "US", "State": "WA"}, "IsFulfilledByAmazon": bool(o.get("fba")),
            "PrimeInformation": {"IsOfferPrime": bool(o.get("fba")), "IsOfferNationalPrime": bool(o.get("fba"))},
            "IsExpeditedShippingAvailable": False, "IsFeaturedMerchant": True, "ShipsDomestically": True,
            "ShipsInternationally": False, "IsBuyBoxWinner": bool(o is box)}
           for o in ranked(offers)[:20]]
    return summary, top


def _money_v0(amount: float, currency: str) -> dict:
    return {"CurrencyCode": currency, "Amount": float(Decimal(str(amount)).quantize(Decimal("0.01")))}


def offers_result(market, seller, asin: str, marketplace_id: str, condition: str) -> dict:
    """GetOffersResult of an ASIN for the calling seller: the competition and its own offer."""
    currency = CURRENCIES.get(marketplace_id, "USD")
    offers = [dict(o) for o in market.competition.get(asin, [])]
    own = next((li for li in seller.listings.values() if li.asin == asin and li.price is not None), None)
    if own is not None:
        offers.append({"seller_id": seller.seller_id, "price": own.price, "shipping": 0,
                       "fba": own.fulfillment_channel != "DEFAULT", "mine": True})
    box = buybox_of(offers)
    lowest: dict[str, dict] = {}
    counts: dict[str, int] = {}
    for o in offers:
        channel = "Amazon" if o.get("fba") else "Merchant"
        counts[channel] = counts.get(channel, 0) + 1
        if channel not in lowest or float(o["price"]) + float(o.get("shipping", 0)) < \
                float(lowest[channel]["price"]) + float(lowest[channel].get("shipping", 0)):
            lowest[channel] = o
    cond = condition.lower()
    summary = {
        "TotalOfferCount": len(offers),
        "NumberOfOffers": [{"condition": cond, "fulfillmentChannel": c, "OfferCount": n} for c, n in counts.items()],
        "LowestPrices": [{"condition": cond, "fulfillmentChannel": c,
                          "LandedPrice": _money_v0(float(o["price"]) + float(o.get("shipping", 0)), currency),
                          "ListingPrice": _money_v0(float(o["price"]), currency),
                          "Shipping": _money_v0(float(o.get("shipping", 0)), currency)} for c, o in lowest.items()],
        "BuyBoxPrices": [] if box is None else [{
            "condition": cond, "LandedPrice": _money_v0(float(box["price"]) + float(box.get("shipping", 0)), currency),
            "ListingPrice": _money_v0(float(box["price"]), currency),
            "Shipping": _money_v0(float(box.get("shipping", 0)), currency), "sellerId": box["seller_id"]}],
    }
    return {"marketplaceId": marketplace_id, "ASIN": asin, "ItemCondition": condition, "status": "Success",
            "Identifier": {"MarketplaceId": marketplace_id, "ASIN": asin, "ItemCondition": condition},
            "Summary": summary,
            "Offers": [{"MyOffer": bool(o.get("mine")), "SubCondition": "new", "SellerId": o["seller_id"],
                        "SellerFeedbackRating": {"FeedbackCount": 100, "SellerPositiveFeedbackRating": 98.0},
                        "ShippingTime": {"minimumHours": 24, "maximumHours": 48, "availabilityType": "NOW"},
                        "ListingPrice": _money_v0(float(o["price"]), currency),
                        "Shipping": _money_v0(float(o.get("shipping", 0)), currency),
                        "IsFulfilledByAmazon": bool(o.get("fba")),
                        "PrimeInformation": {"IsPrime": bool(o.get("fba")), "IsNationalPrime": bool(o.get("fba"))},
                        "IsBuyBoxWinner": o is box, "IsFeaturedMerchant": True} for o in ranked(offers)[:20]]}


SUMMARY_URI = "/products/pricing/2022-05-01/items/competitiveSummary"
SUMMARY_DATA = ("featuredBuyingOptions", "referencePrices", "lowestPricedOffers", "similarItems")
CONDITIONS = ("New", "Used", "Collectible", "Refurbished", "Club")


def _money_2022(amount: float, currency: str) -> dict:
    return {"amount": float(Decimal(str(amount)).quantize(Decimal("0.01"))), "currencyCode": currency}


def _offer_2022(o: dict, currency: str, condition: str = "New") -> dict:
    return {"sellerId": o["seller_id"], "condition": condition, "subCondition": "New",
            "fulfillmentType": "AFN" if o.get("fba") else "MFN",
            "listingPrice": _money_2022(float(o["price"]), currency),
            "shippingOptions": [{"shippingOptionType": "DEFAULT",
                                 "price": _money_2022(float(o.get("shipping", 0)), currency)}],
            "primeDetails": {"eligibility": "NATIONAL" if o.get("fba") else "NONE"}}


def competitive_summary(market, seller, asin: str, marketplace_id: str, included: list[str],
                        inputs: list[dict]) -> dict:
    """CompetitiveSummaryResponseBody of an ASIN for the calling seller: its featured offer
    (one segment, every customer) and the lowest-priced offers per input, its own included."""
    currency = CURRENCIES.get(marketplace_id, "USD")
    offers = [dict(o) for o in market.competition.get(asin, [])]
    own = next((li for li in seller.listings.values() if li.asin == asin and li.price is not None), None)
    if own is not None:
        offers.append({"seller_id": seller.seller_id, "price": own.price, "shipping": 0,
                       "fba": own.fulfillment_channel != "DEFAULT"})
    out: dict = {"asin": asin, "marketplaceId": marketplace_id}
    box = buybox_of(offers)
    if "featuredBuyingOptions" in included:
        out["featuredBuyingOptions"] = [] if box is None else [{
            "buyingOptionType": "New", "segmentedFeaturedOffers": [{
                **_offer_2022(box, currency), "featuredOfferSegments": [{
                    "customerMembership": "DEFAULT", "segmentDetails": {"glanceViewWeightPercentage": 100}}]}]}]
    if "lowestPricedOffers" in included:
        by_price = sorted(offers, key=lambda o: float(o["price"]) + float(o.get("shipping", 0)))[:20]
        out["lowestPricedOffers"] = [] if not by_price else [
            {"lowestPricedOffersInput": {"itemCondition": i["itemCondition"], "offerType": i["offerType"]},
             "offers": [_offer_2022(o, currency, i["itemCondition"]) for o in by_price]}
            for i in (inputs or [{"itemCondition": "New", "offerType": "Consumer"}])]
    if "referencePrices" in included:
        out["referencePrices"] = [] if box is None else [
            {"name": "CompetitivePrice", "price": _money_2022(float(box["price"]), currency)}]
    if "similarItems" in included:
        out["similarItems"] = []
    return out


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    @app.post("/batches/products/pricing/v0/itemOffers")
    def get_item_offers_batch():
        seller = market.sellers[guard("getItemOffersBatch")]
        requests_ = body().get("requests")
        if not isinstance(requests_, list) or not 1 <= len(requests_) <= 20:
            raise ApiError(400, "InvalidInput", "'requests' must hold 1 to 20 requests.")
        responses = []
        for req in requests_:
            uri = str(req.get("uri") or "") if isinstance(req, dict) else ""
            parts = uri.split("/")
            if req.get("method") != "GET" or len(parts) != 7 or parts[:5] != ["", "products", "pricing", "v0", "items"] \
                    or parts[6] != "offers" or req.get("ItemCondition") not in ("New", "Used", "Collectible",
                                                                             "Refurbished", "Club") \
                    or req.get("MarketplaceId") not in seller.marketplaces:
                raise ApiError(400, "InvalidInput", f"Invalid request in the batch: {uri or req!r}.")
            asin = parts[5]
            params = {"MarketplaceId": req["MarketplaceId"], "ItemCondition": req["ItemCondition"], "Asin": asin}
            if req.get("CustomerType"):
                params["CustomerType"] = req["CustomerType"]
            with market.lock:
                result = offers_result(market, seller, asin, req["MarketplaceId"], req["ItemCondition"])
            responses.append({"status": {"statusCode": 200, "reasonPhrase": "OK"},
                              "headers": {"x-amzn-RequestId": str(uuid.uuid4())},
                              "body": {"payload": result}, "request": params})
        return jsonify({"responses": responses})

    @app.post("/batches/products/pricing/2022-05-01/items/competitiveSummary")
    def get_competitive_summary():
        seller = market.sellers[guard("getCompetitiveSummary")]
        requests_ = body().get("requests")
        if not isinstance(requests_, list) or not 1 <= len(requests_) <= 20:
            raise ApiError(400, "InvalidInput", "'requests' must hold 1 to 20 requests.")
        responses = []
        for req in requests_:
            if not isinstance(req, dict) or req.get("method") != "GET" or req.get("uri") != SUMMARY_URI \
                    or not isinstance(req.get("asin"), str) or not req["asin"]:
                raise ApiError(400, "InvalidInput", f"Invalid request in the batch: {req!r}.")
            included = req.get("includedData")
            inputs = req.get("lowestPricedOffersInputs") or []
            if not isinstance(included, list) or not included or any(i not in SUMMARY_DATA for i in included):
                raise ApiError(400, "InvalidInput", f"'includedData' must list some of {', '.join(SUMMARY_DATA)}.")
            if not isinstance(inputs, list) or len(inputs) > 5 or any(
                    not isinstance(i, dict) or i.get("itemCondition") not in CONDITIONS
                    or i.get("offerType") != "Consumer" for i in inputs):
                raise ApiError(400, "InvalidInput", "'lowestPricedOffersInputs' takes up to 5 inputs of a condition"
                                                    " and the Consumer offer type.")
            if inputs and "lowestPricedOffers" not in included:
                raise ApiError(400, "InvalidInput", "'lowestPricedOffersInputs' needs 'lowestPricedOffers' in"
                                                    " 'includedData'.")
            if req.get("marketplaceId") not in seller.marketplaces:
                responses.append({"status": {"statusCode": 400, "reasonPhrase": "Bad Request"},
                                  "body": {"asin": req["asin"], "marketplaceId": str(req.get("marketplaceId")),
                                           "errors": [{"code": "InvalidInput",
                                                       "message": "The seller does not sell in this marketplace."}]}})
                continue
            with market.lock:
                result = competitive_summary(market, seller, req["asin"], req["marketplaceId"], included, inputs)
            responses.append({"status": {"statusCode": 200, "reasonPhrase": "Success"}, "body": result})
        return jsonify({"responses": responses})

    @app.post("/_sandbox/competition")
    def admin_competition():
        """Other sellers' offers on an ASIN change: ``{"seller_id", "asin", "offers": [{"seller_id",
        "price", "shipping", "fba", "buybox"}]}``; subscribed sellers get ANY_OFFER_CHANGED."""
        data = request.get_json(force=True)
        with market.lock:
            market.competition[data["asin"]] = list(data["offers"])
            for seller in market.sellers.values():
                if any(li.asin == data["asin"] for li in seller.listings.values()):
                    market.notifications.offers_changed(seller.seller_id, data["asin"], market.competition[data["asin"]])
        return jsonify({"ok": True})
