"""Applies a JSON_LISTINGS_FEED to the seller's listings and writes the processing report."""

from __future__ import annotations

import json

from sandbox.listing_attrs import apply_attributes, apply_patches


def apply_feed(market, feed) -> tuple[dict, bool]:
    """Returns (processing report, fatal). A document that is not a valid feed is FATAL."""
    seller = market.sellers[feed["seller"]]
    try:
        doc = json.loads(feed["input"].decode("utf-8"))
        messages = doc["messages"]
        if not isinstance(messages, list) or not 1 <= len(messages) <= 25000:
            raise ValueError("messages must hold 1 to 25000 items")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        return {"header": {"sellerId": seller.seller_id, "version": "2.0", "feedId": feed["feedId"]},
                "issues": [{"code": "4000003", "severity": "ERROR",
                            "message": f"The feed document could not be processed: {exc}"}],
                "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
                            "messagesInvalid": 0}}, True
    issues, accepted, invalid = [], 0, 0
    with market.lock:
        for msg in messages:
            problem = _apply(market, seller, msg)
            if problem:
                invalid += 1
                for issue in problem if isinstance(problem, list) else [
                        problem if isinstance(problem, dict) else {"code": "90000", "message": problem}]:
                    issues.append({"messageId": msg.get("messageId", 0) if isinstance(msg, dict) else 0,
                                   "sku": str(msg.get("sku", "")) if isinstance(msg, dict) else "",
                                   "code": str(issue.get("code", "90000")), "severity": "ERROR",
                                   "message": issue.get("message", ""),
                                   **({"attributeName": issue["attributeNames"][0]} if issue.get("attributeNames")
                                      else {})})
            else:
                accepted += 1
    return {"header": {"sellerId": seller.seller_id, "version": "2.0", "feedId": feed["feedId"]},
            "issues": issues,
            "summary": {"errors": invalid, "warnings": 0, "messagesProcessed": len(messages),
                        "messagesAccepted": accepted, "messagesInvalid": invalid}}, False


def _apply(market, seller, msg) -> str | dict | list | None:
    if not isinstance(msg, dict) or not isinstance(msg.get("messageId"), int) or not msg.get("sku"):
        return "Each message needs an integer messageId and a sku."
    sku, op = msg["sku"], msg.get("operationType")
    if op == "DELETE":
        if sku not in seller.listings:
            return f"SKU '{sku}' does not exist."
        market.strand(seller, seller.listings.pop(sku))
        return None
    if op == "PATCH":
        listing = seller.listings.get(sku)
        if listing is None:
            return f"SKU '{sku}' does not exist; use UPDATE to create it."
        return apply_patches(market, listing, msg.get("patches") or [], seller, msg.get("productType") or "PRODUCT")
    if op in ("UPDATE", "PARTIAL_UPDATE"):
        attrs = msg.get("attributes")
        if not isinstance(attrs, dict):
            return f"'attributes' is required for {op}."
        if op == "PARTIAL_UPDATE":  # PATCH with "replace" for each attribute given, as Amazon documents
            listing = seller.listings.get(sku)
            if listing is None:
                return f"SKU '{sku}' does not exist; use UPDATE to create it."
            return apply_patches(market, listing, [{"op": "replace", "path": f"/attributes/{name}", "value": value}
                                                   for name, value in attrs.items()], seller,
                                 msg.get("productType") or "PRODUCT")
        return apply_attributes(market, seller, sku, msg.get("productType") or "PRODUCT", attrs,
                                msg.get("requirements") or "LISTING")
    return f"Unsupported operationType {op!r}."
