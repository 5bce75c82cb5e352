"""Listings Items 2021-08-01: get, put, patch, delete one SKU of the seller.

As on Amazon: a listing created by an accepted put is not readable at once (404 until
``visible_at``: Amazon's own eventual consistency); ``summaries[].status`` says BUYABLE
only for an approved offer with a price and, for merchant-fulfilled offers, stock
(else DISCOVERABLE); deleting an FBA SKU that still holds stock at Amazon strands it.
"""

from __future__ import annotations

import uuid

from flask import jsonify, request

from sandbox.listing_attrs import CURRENCIES, apply_attributes, apply_patches
from sandbox.product_types import relationships


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    def seller_of(seller_id_in_path: str, operation: str):
        seller_id = guard(operation)
        if seller_id_in_path != seller_id:
            raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                           "The seller id does not match the access token.")
        marketplace_ids(seller_id)
        return market.sellers[seller_id]

    def item(seller, listing, included: set) -> dict:
        market.refresh_listing(listing)
        out = {"sku": listing.sku}
        if "summaries" in included:
            summary = {"marketplaceId": seller.marketplaces[0], "productType": listing.product_type,
                       "conditionType": listing.condition, "status": [listing.status] if listing.status else [],
                       "itemName": listing.title or listing.sku, "createdDate": iso(listing.created),
                       "lastUpdatedDate": iso(listing.updated)}
            if listing.status == "BUYABLE":
                sellable = listing.price is not None and (listing.fulfillment_channel != "DEFAULT"
                                                          or (listing.quantity or 0) > 0)
                summary["status"] = ["BUYABLE", "DISCOVERABLE"] if sellable else ["DISCOVERABLE"]
            if listing.asin:
                summary["asin"] = listing.asin
            out["summaries"] = [summary]
        if "issues" in included:
            out["issues"] = list(listing.issues)
        if "relationships" in included:
            out["relationships"] = [{"marketplaceId": seller.marketplaces[0],
                                     "relationships": relationships(seller, listing)}]
        if "attributes" in included:
            out["attributes"] = {"item_name": [{"value": listing.title or listing.sku,
                                                "marketplace_id": seller.marketplaces[0]}], **listing.attributes}
        if "offers" in included:
            offers = []
            for offer in listing.attributes.get("purchasable_offer") or []:
                price = ((offer.get("our_price") or [{}])[0].get("schedule") or [{}])[0].get("value_with_tax")
                if price is None:
                    continue
                audience = offer.get("audience") or "ALL"
                offers.append({"marketplaceId": offer.get("marketplace_id", seller.marketplaces[0]),
                               "offerType": "B2B" if audience.startswith("B2B") else "B2C",
                               "price": {"currencyCode": offer.get("currency") or CURRENCIES.get(
                                   seller.marketplaces[0], "USD"), "amount": f"{float(price):.2f}"},
                               "audience": {"value": audience}})
            if not offers and listing.price is not None:
                offers = [{"marketplaceId": seller.marketplaces[0], "offerType": "B2C",
                           "price": {"currencyCode": CURRENCIES.get(seller.marketplaces[0], "USD"),
                                     "amount": f"{listing.price:.2f}"}}]
            if offers:
                out["offers"] = offers
        if "fulfillmentAvailability" in included:
            avail = {"fulfillmentChannelCode": listing.fulfillment_channel}
            if listing.quantity is not None and listing.fulfillment_channel == "DEFAULT":
                avail["quantity"] = listing.quantity
            out["fulfillmentAvailability"] = [avail]
        return out

    def submission(sku: str, problem: str | dict | list | None):
        if isinstance(problem, list):
            return jsonify({"sku": sku, "status": "INVALID", "submissionId": uuid.uuid4().hex, "issues": problem})
        if isinstance(problem, dict):
            return jsonify({"sku": sku, "status": "INVALID", "submissionId": uuid.uuid4().hex, "issues": [problem]})
        if problem:
            return jsonify({"sku": sku, "status": "INVALID", "submissionId": uuid.uuid4().hex,
                            "issues": [{"code": "90000", "message": problem, "severity": "ERROR",
                                        "categories": ["INVALID_ATTRIBUTE"]}]})
        return jsonify({"sku": sku, "status": "ACCEPTED", "submissionId": uuid.uuid4().hex, "issues": []})

    @app.get("/listings/2021-08-01/items/<seller_id>/<path:sku>")
    def get_listing(seller_id, sku):
        seller = seller_of(seller_id, "getListingsItem")
        included = set((request.args.get("includedData") or "summaries").split(","))
        with market.lock:
            listing = seller.listings.get(sku)
            if listing is None or (listing.visible_at is not None and market.clock.now() < listing.visible_at):
                raise ApiError(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace "
                                                 f"{seller.marketplaces[0]}.")
            return jsonify(item(seller, listing, included))

    @app.put("/listings/2021-08-01/items/<seller_id>/<path:sku>")
    def put_listing(seller_id, sku):
        seller = seller_of(seller_id, "putListingsItem")
        data = body()
        if not data.get("productType") or not isinstance(data.get("attributes"), dict):
            raise ApiError(400, "InvalidInput", "'productType' and 'attributes' are required.")
        with market.lock:
            return submission(sku, apply_attributes(market, seller, sku, data["productType"], data["attributes"],
                                                    data.get("requirements") or "LISTING"))

    @app.patch("/listings/2021-08-01/items/<seller_id>/<path:sku>")
    def patch_listing(seller_id, sku):
        seller = seller_of(seller_id, "patchListingsItem")
        data = body()
        if not data.get("productType") or not isinstance(data.get("patches"), list):
            raise ApiError(400, "InvalidInput", "'productType' and 'patches' are required.")
        with market.lock:
            listing = seller.listings.get(sku)
            if listing is None:  # the model documents no 404 here: Amazon answers INVALID
                return submission(sku, f"SKU '{sku}' does not exist in this marketplace.")
            return submission(sku, apply_patches(market, listing, data["patches"], seller, data["productType"]))

    @app.delete("/listings/2021-08-01/items/<seller_id>/<path:sku>")
    def delete_listing(seller_id, sku):
        seller = seller_of(seller_id, "deleteListingsItem")
        with market.lock:
            gone = seller.listings.pop(sku, None)  # deleting what is not there is accepted, as Amazon does
            if gone is not None:
                market.strand(seller, gone)
        return submission(sku, None)
