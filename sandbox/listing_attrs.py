"""Reads the offer attributes the channel sends (price, quantity, condition, ASIN)."""

from __future__ import annotations


def _first(attrs: dict, name: str):
    value = attrs.get(name)
    return value[0] if isinstance(value, list) and value else None


def offer_values(attrs: dict) -> tuple:
    """(asin, price, quantity, condition) from Listings attributes; None where absent."""
    asin = (_first(attrs, "merchant_suggested_asin") or {}).get("value")
    price = None
    offer = _first(attrs, "purchasable_offer")
    if offer:
        schedule = ((offer.get("our_price") or [{}])[0].get("schedule") or [{}])[0]
        price = schedule.get("value_with_tax")
    avail = _first(attrs, "fulfillment_availability")
    quantity = avail.get("quantity") if avail else None
    condition = (_first(attrs, "condition_type") or {}).get("value")
    return asin, price, quantity, condition


def apply_attributes(market, seller, sku: str, product_type: str, attrs: dict) -> str | None:
    asin, price, quantity, condition = offer_values(attrs)
    existing = seller.listings.get(sku)
    if existing is None and not asin:
        return "'merchant_suggested_asin' is required to create an offer on an existing product."
    if price is not None and (not isinstance(price, (int, float)) or price <= 0):
        return "'purchasable_offer' price must be a positive number."
    if quantity is not None and (not isinstance(quantity, int) or quantity < 0):
        return "'fulfillment_availability' quantity must be a non-negative integer."
    listing = market.submit_offer(seller, sku, asin, price, quantity, condition or "new_new", product_type)
    listing.attributes.update({k: v for k, v in attrs.items() if k not in (
        "merchant_suggested_asin", "purchasable_offer", "fulfillment_availability", "condition_type")})
    return None


def apply_patches(market, listing, patches: list) -> str | None:
    if not patches:
        return "'patches' must not be empty."
    for patch in patches:
        if not isinstance(patch, dict) or patch.get("op") not in ("add", "replace", "merge", "delete"):
            return "Each patch needs op add, replace, merge or delete."
        path = str(patch.get("path", ""))
        if not path.startswith("/attributes/"):
            return f"Invalid patch path {path!r}."
        name = path[len("/attributes/"):]
        _, price, quantity, condition = offer_values({name: patch.get("value")})
        if name == "purchasable_offer":
            if price is None or not isinstance(price, (int, float)) or price <= 0:
                return "'purchasable_offer' price must be a positive number."
            listing.price = float(price)
        elif name == "fulfillment_availability":
            if not isinstance(quantity, int) or quantity < 0:
                return "'fulfillment_availability' quantity must be a non-negative integer."
            listing.quantity = quantity
        elif name == "condition_type" and condition:
            listing.condition = condition
    listing.updated = market.clock.now()
    return None
