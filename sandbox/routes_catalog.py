"""Catalog Items 2022-04-01 searchCatalogItems by identifiers (ASIN, UPC, EAN, ISBN)."""

from __future__ import annotations

from flask import jsonify, request

TYPES = ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    @app.get("/catalog/2022-04-01/items")
    def search_catalog():
        seller_id = guard("searchCatalogItems")
        ids = marketplace_ids(seller_id)
        if len(ids) != 1:
            raise ApiError(400, "InvalidInput", "Exactly one marketplace id is allowed.")
        raw = request.args.get("identifiers")
        kind = request.args.get("identifiersType")
        if not raw or kind not in TYPES:
            raise ApiError(400, "InvalidInput", "'identifiers' and a valid 'identifiersType' are required.")
        wanted = [v.strip() for v in raw.split(",") if v.strip()]
        if len(wanted) > 20:
            raise ApiError(400, "InvalidInput", "At most 20 identifiers are allowed.")
        items = []
        for asin, entry in market.catalog.items():
            values = {"ASIN": asin, **{k.upper(): v for k, v in (entry.get("identifiers") or {}).items()}}
            if values.get(kind) in wanted:
                idents = [{"identifierType": k, "identifier": v} for k, v in values.items() if k != "ASIN"]
                items.append({"asin": asin,
                              "summaries": [{"marketplaceId": ids[0], "itemName": entry.get("title", asin),
                                             "itemClassification": "VARIATION_PARENT" if entry.get("parent")
                                             else "BASE_PRODUCT"}],
                              "identifiers": [{"marketplaceId": ids[0], "identifiers": idents}]})
        return jsonify({"numberOfResults": len(items), "items": items})
