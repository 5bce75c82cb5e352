"""Product Type Definitions 2020-09-01 and Listings Restrictions 2021-08-01.

``searchDefinitionsProductTypes`` matches keywords or an item name's words;
``getDefinitionsProductType`` answers as Amazon does, with links to the schema and
meta-schema documents (served here at ``/_sandbox/schemas/...``, fetched without
SP-API headers like Amazon's pre-signed links) and their checksums.
``getListingsRestrictions`` reports an ASIN Amazon does not know (``ASIN_NOT_FOUND``)
and brands that need approval (``APPROVAL_REQUIRED`` with its path-forward link);
``/_sandbox/gated_brands`` sets those brands.
"""

from __future__ import annotations

import json
import re

from flask import Response, jsonify, request

from sandbox import product_types

#: What the meta-schema link serves: the vocabulary Amazon's product type schemas use.
META_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2019-09/schema",
    "$id": "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1",
    "$vocabulary": {"https://json-schema.org/draft/2019-09/vocab/core": True,
                    "https://json-schema.org/draft/2019-09/vocab/applicator": True,
                    "https://json-schema.org/draft/2019-09/vocab/validation": True,
                    "https://schemas.amazon.com/selling-partners/definitions/product-types/vocabulary/v1": False},
    "allOf": [{"$ref": "https://json-schema.org/draft/2019-09/schema"}],
    "properties": {"selectors": {"type": "array", "items": {"type": "string"}},
                   "maxUniqueItems": {"type": "integer", "minimum": 0},
                   "minUniqueItems": {"type": "integer", "minimum": 0},
                   "editable": {"type": "boolean"}, "hidden": {"type": "boolean"},
                   "enumNames": {"type": "array", "items": {"type": "string"}}},
}
META_BYTES = json.dumps(META_SCHEMA, indent=1).encode()


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    def link(path: str, content: bytes) -> dict:
        return {"link": {"resource": request.host_url.rstrip("/") + path, "verb": "GET"},
                "checksum": product_types.checksum(content)}

    @app.get("/definitions/2020-09-01/productTypes")
    def search_product_types():
        seller_id = guard("searchDefinitionsProductTypes")
        ids = marketplace_ids(seller_id)
        keywords = [k.strip() for k in (request.args.get("keywords") or "").split(",") if k.strip()]
        item_name = request.args.get("itemName")
        if keywords and item_name:
            raise ApiError(400, "InvalidInput", "'keywords' and 'itemName' cannot be in the same request.")
        if item_name:
            keywords = re.findall(r"\w+", item_name)
        found = product_types.search(keywords)
        return jsonify({"productTypes": [{"name": n, "displayName": product_types.display_name(n),
                                          "marketplaceIds": ids} for n in found],
                        "productTypeVersion": product_types.VERSION})

    @app.get("/definitions/2020-09-01/productTypes/<product_type>")
    def get_product_type(product_type):
        seller_id = guard("getDefinitionsProductType")
        ids = marketplace_ids(seller_id)
        requirements = request.args.get("requirements") or "LISTING"
        enforced = request.args.get("requirementsEnforced") or "ENFORCED"
        if requirements not in ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY") \
                or enforced not in ("ENFORCED", "NOT_ENFORCED"):
            raise ApiError(400, "InvalidInput", "Invalid 'requirements' or 'requirementsEnforced'.")
        version = request.args.get("productTypeVersion") or "LATEST"
        if version not in ("LATEST", product_types.VERSION):
            raise ApiError(404, "NOT_FOUND", f"Version '{version}' of product type '{product_type}' not found.")
        content = product_types.document(product_type)
        if content is None:
            raise ApiError(404, "NOT_FOUND", f"Product type '{product_type}' not found.")
        schema = json.loads(content)
        props = list(schema["properties"])
        offer = [p for p in props if p in ("purchasable_offer", "fulfillment_availability", "condition_type")]
        variation = [p for p in props if p in ("parentage_level", "child_parent_sku_relationship", "variation_theme")]
        return jsonify({
            "metaSchema": link("/_sandbox/schemas/meta-schema.json", META_BYTES),
            "schema": link(f"/_sandbox/schemas/{product_type}/{product_types.VERSION}.json", content),
            "requirements": requirements, "requirementsEnforced": enforced,
            "propertyGroups": {
                "offer": {"title": "Offer", "description": "Sales terms of the offer", "propertyNames": offer},
                "variations": {"title": "Variations", "description": "Variation family", "propertyNames": variation},
                "product_details": {"title": "Product Details", "description": "Facts about the product",
                                    "propertyNames": [p for p in props if p not in offer + variation]},
            },
            "locale": request.args.get("locale") or "en_US", "marketplaceIds": ids, "productType": product_type,
            "displayName": product_types.display_name(product_type),
            "productTypeVersion": {"version": product_types.VERSION, "latest": True, "releaseCandidate": False},
        })

    @app.get("/_sandbox/schemas/meta-schema.json")
    def meta_schema_document():
        return Response(META_BYTES, mimetype="application/json")

    @app.get("/_sandbox/schemas/<product_type>/<version>.json")
    def schema_document(product_type, version):
        content = product_types.document(product_type)
        if content is None or version != product_types.VERSION:
            return Response(b"<Error><Code>NoSuchKey</Code></Error>", status=404, mimetype="application/xml")
        return Response(content, mimetype="application/json")

    @app.get("/listings/2021-08-01/restrictions")
    def listings_restrictions():
        seller_id = guard("getListingsRestrictions")
        for name in ("asin", "sellerId"):
            if not request.args.get(name):
                raise ApiError(400, "InvalidInput", f"Missing required '{name}'.")
        if request.args["sellerId"] != seller_id:
            raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                           "The seller id does not match the access token.")
        ids = marketplace_ids(seller_id)
        asin = request.args["asin"]
        condition = request.args.get("conditionType")
        with market.lock:
            item = market.catalog.get(asin)
        restrictions = []
        for marketplace_id in ids:
            reasons: list[dict[str, object]] = []
            if item is None:
                reasons.append({"message": f"The ASIN {asin} does not exist in this marketplace.",
                                "reasonCode": "ASIN_NOT_FOUND"})
            elif product_types.gated(market, item.get("brand")):
                reasons.append({
                    "message": product_types.GATED_MESSAGE.format(brand=item["brand"]),
                    "reasonCode": "APPROVAL_REQUIRED",
                    "links": [{"resource": "https://sellercentral.amazon.com/hz/approvalrequest/restrictions/"
                                           f"approve?asin={asin}", "verb": "GET",
                               "title": "Request Approval via Seller Central.", "type": "text/html"}]})
            if reasons:
                restrictions.append({"marketplaceId": marketplace_id, **({"conditionType": condition}
                                                                          if condition else {}), "reasons": reasons})
        return jsonify({"restrictions": restrictions})

    @app.post("/_sandbox/gated_brands")
    def set_gated_brands():
        """``{"brands": ["Stark"]}``: these brands need approval from now on."""
        market.gated_brands = set(body().get("brands") or ())
        return jsonify({"ok": True})
