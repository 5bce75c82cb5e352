"""Listing attributes as Amazon keeps them, and the put/patch rules that change them.

A listing's attributes are stored whole (``Listing.attributes``); ``price`` and
``quantity`` are read from them: the ``purchasable_offer`` instance for audience ALL in
the marketplace's currency, and the ``fulfillment_availability`` instance for channel
``DEFAULT``. So a ``replace`` of ``purchasable_offer`` really drops the business (B2B)
offer, the sale price and the minimum/maximum prices set in Seller Central, and a
``replace`` of ``fulfillment_availability`` drops the handling time, as on Amazon.

``merge`` (Amazon's JSON patch extension) updates the instance picked by the attribute's
selectors (``audience``, ``currency``, ``marketplace_id`` for purchasable_offer;
``fulfillment_channel_code`` for fulfillment_availability), key by key: keys it does not
name stay. Selectors must be given and non-empty. ``delete`` removes the instances its
selectors pick. Put and patch are checked as Amazon checks them: a currency that is not
the marketplace's, a marketplace the seller does not sell in, or a product type other
than the listing's (or ``PRODUCT`` with offer attributes only) is INVALID.

Business (B2B) offers are checked as the product type definitions and Seller Central
define them: audience ``ALL`` or ``B2B``; a quantity discount plan only on a business
offer, one ``discount_type`` (``fixed`` or ``percent``) with one to five levels whose
``lower_bound`` quantities rise and whose discount grows with each (fixed prices below
the business price and falling, percentages above 0, below 100 and rising); and no
business offer in a marketplace without a standard offer there.
"""

from __future__ import annotations

import copy
from typing import TypeGuard

#: Each marketplace's currency (the ones the sandbox's sellers use).
CURRENCIES = {
    "ATVPDKIKX0DER": "USD", "A2EUQ1WTGCTBG2": "CAD", "A1AM78C64UM0Y8": "MXN", "A2Q3Y263D00KWC": "BRL",
    "A1F83G8C2ARO7P": "GBP", "A1PA6795UKMFR9": "EUR", "A13V1IB3VIYZZH": "EUR", "APJ6JRA9NG5V4": "EUR",
    "A1RKKUPIHCS9HS": "EUR", "A1805IZSGTT6HS": "EUR", "AMEN7PMS3EDWL": "EUR", "A28R8C7NBKEWEA": "EUR",
    "A2NODRKZP88ZB9": "SEK", "A1C3SOZRARQ6R3": "PLN", "A1VC38T7YXB528": "JPY", "A39IBJ37TRP1C6": "AUD",
}
SELECTORS = {"purchasable_offer": ("audience", "currency", "marketplace_id"),
             "fulfillment_availability": ("fulfillment_channel_code",)}
#: Attributes an offer-only submission (product type PRODUCT) may carry.
OFFER_ATTRIBUTES = {"merchant_suggested_asin", "condition_type", "condition_note", "purchasable_offer",
                    "fulfillment_availability", "list_price", "merchant_shipping_group", "skip_offer",
                    "main_offer_image_locator", "other_offer_image_locator"}
OFFER_ONLY_TYPE = "PRODUCT"


class Invalid(Exception):
    """A submission Amazon answers INVALID, with its issue."""

    def __init__(self, message: str, attribute: str | None = None, code: str = "90000"):
        super().__init__(message)
        self.issue = {"code": code, "message": message, "severity": "ERROR", "categories": ["INVALID_ATTRIBUTE"]}
        if attribute:
            self.issue["attributeNames"] = [attribute]


def _first(attrs: dict, name: str):
    value = attrs.get(name)
    return value[0] if isinstance(value, list) and value else None


def _audience(instance: dict) -> str:
    return instance.get("audience") or "ALL"


def our_price(offer: dict):
    schedule = ((offer.get("our_price") or [{}])[0].get("schedule") or [{}])[0]
    return schedule.get("value_with_tax")


def offer_values(attrs: dict, marketplace_id: str | None = None) -> tuple:
    """(asin, price, quantity, condition) from Listings attributes; None where absent."""
    asin = (_first(attrs, "merchant_suggested_asin") or {}).get("value")
    price = None
    for offer in attrs.get("purchasable_offer") or []:
        if isinstance(offer, dict) and _audience(offer) == "ALL" and (
                marketplace_id is None or offer.get("marketplace_id") in (None, marketplace_id)):
            price = our_price(offer)
            break
    quantity = None
    for avail in attrs.get("fulfillment_availability") or []:
        if isinstance(avail, dict) and avail.get("fulfillment_channel_code", "DEFAULT") == "DEFAULT":
            quantity = avail.get("quantity")
            break
    condition = (_first(attrs, "condition_type") or {}).get("value")
    return asin, price, quantity, condition


AUDIENCES = ("ALL", "B2B")
DISCOUNT_TYPES = ("fixed", "percent")
MAX_DISCOUNT_LEVELS = 5


def _number(value) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_discount_plan(offer: dict) -> None:
    """A business offer's ``quantity_discount_plan``, as Amazon checks it."""
    plan = offer.get("quantity_discount_plan")
    if _audience(offer) != "B2B":
        raise Invalid("'quantity_discount_plan' applies to the business offer (audience B2B) only.",
                      "purchasable_offer")
    if not isinstance(plan, list) or not plan:
        raise Invalid("'quantity_discount_plan' must hold at least one plan.", "purchasable_offer")
    business = our_price(offer) if "our_price" in offer else None
    for entry in plan:
        schedule = entry.get("schedule") if isinstance(entry, dict) else None
        if not isinstance(schedule, list) or not schedule:
            raise Invalid("A quantity discount plan needs a 'schedule'.", "purchasable_offer")
        for item in schedule:
            if not isinstance(item, dict) or item.get("discount_type") not in DISCOUNT_TYPES:
                raise Invalid("'discount_type' must be fixed or percent.", "purchasable_offer")
            levels = item.get("levels")
            if not isinstance(levels, list) or not 1 <= len(levels) <= MAX_DISCOUNT_LEVELS:
                raise Invalid(f"A quantity discount plan takes 1 to {MAX_DISCOUNT_LEVELS} levels.", "purchasable_offer")
            kind = item["discount_type"]
            last_bound: int | None = None
            last_value: float | None = None
            for level in levels:
                if not isinstance(level, dict) or set(level) - {"lower_bound", "value"}:
                    raise Invalid("A discount level has 'lower_bound' and 'value' only.", "purchasable_offer")
                bound, raw = level.get("lower_bound"), level.get("value")
                if not isinstance(bound, int) or isinstance(bound, bool) or bound < 0:
                    raise Invalid("'lower_bound' must be a whole number of units.", "purchasable_offer")
                if not _number(raw) or raw <= 0:
                    raise Invalid("A discount level's 'value' must be a positive number.", "purchasable_offer")
                value = float(raw)
                if last_bound is not None and bound <= last_bound:
                    raise Invalid("Quantity discount levels must have rising 'lower_bound' quantities.",
                                  "purchasable_offer")
                if kind == "percent":
                    if value >= 100:
                        raise Invalid("A percent discount must be below 100.", "purchasable_offer")
                    if last_value is not None and value <= last_value:
                        raise Invalid("Each quantity discount must be a larger percentage than the one before.",
                                      "purchasable_offer")
                else:
                    if _number(business) and value >= float(business):
                        raise Invalid("A quantity discount price must be below the business price.",
                                      "purchasable_offer")
                    if last_value is not None and value >= last_value:
                        raise Invalid("Each quantity discount price must be lower than the one before.",
                                      "purchasable_offer")
                last_bound, last_value = bound, value


def check_offer(seller, attrs: dict) -> None:
    """Currency, marketplace and value checks on the offer attributes of a submission."""
    audiences: dict[object, set] = {}
    for offer in attrs.get("purchasable_offer") or []:
        if not isinstance(offer, dict):
            raise Invalid("'purchasable_offer' instances must be objects.", "purchasable_offer")
        if offer.get("audience", "ALL") not in AUDIENCES:
            raise Invalid(f"'purchasable_offer' audience {offer.get('audience')!r} is not one of ALL, B2B.",
                          "purchasable_offer")
        audiences.setdefault(offer.get("marketplace_id"), set()).add(_audience(offer))
        if "quantity_discount_plan" in offer:
            check_discount_plan(offer)
        market_id = offer.get("marketplace_id")
        if not isinstance(market_id, str) or market_id not in seller.marketplaces:
            raise Invalid(f"'purchasable_offer' marketplace_id {market_id!r} is not one of the seller's"
                          f" marketplaces.", "purchasable_offer", "90244")
        if "currency" in offer and offer["currency"] != CURRENCIES.get(market_id, offer["currency"]):
            raise Invalid(f"The currency {offer['currency']!r} is not valid for marketplace {market_id}; use"
                          f" {CURRENCIES[market_id]}.", "purchasable_offer", "90244")
        if "our_price" in offer:
            price = our_price(offer)
            if not isinstance(price, (int, float)) or isinstance(price, bool) or price <= 0:
                raise Invalid("'purchasable_offer' price must be a positive number.", "purchasable_offer")
    for market_id, kinds in audiences.items():
        if "B2B" in kinds and "ALL" not in kinds:
            raise Invalid(f"A business price needs a standard offer (audience ALL) in marketplace {market_id}.",
                          "purchasable_offer", "90244")
    for avail in attrs.get("fulfillment_availability") or []:
        if not isinstance(avail, dict):
            raise Invalid("'fulfillment_availability' instances must be objects.", "fulfillment_availability")
        if "quantity" in avail:
            quantity = avail["quantity"]
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                raise Invalid("'fulfillment_availability' quantity must be a non-negative integer.",
                              "fulfillment_availability")
            if avail.get("fulfillment_channel_code", "DEFAULT") != "DEFAULT":
                raise Invalid("Quantity cannot be set for a listing fulfilled by Amazon.",
                              "fulfillment_availability", "90220")


def check_product_type(listing, product_type: str, names, requirements: str | None = None) -> None:
    if product_type == OFFER_ONLY_TYPE:
        extra = sorted(set(names) - OFFER_ATTRIBUTES)
        if extra:
            raise Invalid(f"Product type PRODUCT takes offer attributes only, not {', '.join(extra)}.", extra[0])
        return
    if listing is not None and product_type != listing.product_type:
        raise Invalid(f"The product type {product_type!r} does not match the listing's product type"
                      f" {listing.product_type!r}.", code="4000001")


def sync_offer(listing, marketplace_id: str) -> None:
    """Price and quantity as read from the stored attributes."""
    _, price, quantity, condition = offer_values(listing.attributes, marketplace_id)
    listing.price = None if price is None else float(price)
    if listing.fulfillment_channel == "DEFAULT":
        listing.quantity = quantity
    if condition:
        listing.condition = condition


def materialize(listing, marketplace_id: str) -> None:
    """Listings seeded with a bare price and quantity get the attributes Amazon would hold."""
    attrs = dict(listing.attributes)  # never the seed's own dict
    if "purchasable_offer" not in attrs and listing.price is not None:
        attrs["purchasable_offer"] = [{"audience": "ALL", "currency": CURRENCIES.get(marketplace_id, "USD"),
                                       "marketplace_id": marketplace_id,
                                       "our_price": [{"schedule": [{"value_with_tax": listing.price}]}]}]
    if "fulfillment_availability" not in attrs:
        avail = {"fulfillment_channel_code": listing.fulfillment_channel}
        if listing.fulfillment_channel == "DEFAULT" and listing.quantity is not None:
            avail["quantity"] = listing.quantity
        attrs["fulfillment_availability"] = [avail]
    # Price and quantity set directly on the listing (seeds, tests) win over stale attributes.
    _, price, quantity, _ = offer_values(attrs, marketplace_id)
    if listing.price is not None and price != listing.price:
        attrs["purchasable_offer"] = [
            {**o, "our_price": [{"schedule": [{"value_with_tax": listing.price}]}]}
            if isinstance(o, dict) and _audience(o) == "ALL" and o.get("marketplace_id") in (None, marketplace_id)
            else o for o in attrs.get("purchasable_offer") or []]
    if listing.fulfillment_channel == "DEFAULT" and listing.quantity is not None and quantity != listing.quantity:
        attrs["fulfillment_availability"] = [
            {**a, "quantity": listing.quantity} if isinstance(a, dict)
            and a.get("fulfillment_channel_code", "DEFAULT") == "DEFAULT" else a
            for a in attrs.get("fulfillment_availability") or []]
    listing.attributes = attrs


def apply_attributes(market, seller, sku: str, product_type: str, attrs: dict,
                     requirements: str | None = None) -> str | dict | list | None:
    """A full put: the listing's attributes become exactly ``attrs``."""
    refused = rejected_by_fault(market, sku)
    if refused:
        return refused
    from sandbox import product_types

    if product_type in product_types.names() and not offer_values(attrs)[0]:
        return product_types.create(market, seller, sku, product_type, attrs)  # a new ASIN
    try:
        existing = seller.listings.get(sku)
        check_product_type(existing, product_type, attrs, requirements)
        check_offer(seller, attrs)
    except Invalid as exc:
        return exc.issue
    asin, price, quantity, condition = offer_values(attrs, seller.marketplaces[0])
    if existing is None and not asin:
        return "'merchant_suggested_asin' is required to create an offer on an existing product."
    listing = market.submit_offer(seller, sku, asin, price, quantity, condition or "new_new",
                                  existing.product_type if existing and product_type == OFFER_ONLY_TYPE
                                  else product_type)
    listing.attributes = copy.deepcopy(attrs)
    sync_offer(listing, seller.marketplaces[0])
    return None


def _selected(name: str, instance: dict, candidate: dict) -> bool:
    keys = SELECTORS[name]
    if name == "purchasable_offer":
        return all((_audience(candidate) if k == "audience" else candidate.get(k)) ==
                   (_audience(instance) if k == "audience" else instance.get(k)) for k in keys)
    return all(candidate.get(k, "DEFAULT") == instance.get(k) for k in keys)


def _merge(name: str, current: list, value: list) -> list:
    if name not in SELECTORS:
        raise Invalid(f"'merge' is not supported for {name}.", name)
    out = copy.deepcopy(current)
    for instance in value:
        if not isinstance(instance, dict) or any(not instance.get(k) for k in SELECTORS[name]):
            raise Invalid(f"'merge' on {name} needs non-empty selectors {', '.join(SELECTORS[name])}.", name)
        for existing in out:
            if _selected(name, instance, existing):
                existing.update(copy.deepcopy(instance))
                break
        else:
            out.append(copy.deepcopy(instance))
    return out


def _delete(name: str, current: list, value) -> list | None:
    if not value:
        return None
    if name not in SELECTORS:
        return None
    return [c for c in current if not any(_selected(name, v, c) for v in value if isinstance(v, dict))] or None


def rejected_by_fault(market, sku: str) -> dict | None:
    """The ``reject_skus`` fault: Amazon refuses every value sent for these SKUs."""
    if sku in getattr(market, "reject_skus", ()):
        return Invalid("The value of 'purchasable_offer' is not allowed for this product.",
                       "purchasable_offer", code="8541").issue
    return None


def apply_patches(market, listing, patches: list, seller=None, product_type: str | None = None) -> str | dict | None:
    if not patches:
        return "'patches' must not be empty."
    refused = rejected_by_fault(market, listing.sku)
    if refused:
        return refused
    marketplace_id = seller.marketplaces[0] if seller is not None else None
    if marketplace_id:
        materialize(listing, marketplace_id)
    attrs = copy.deepcopy(listing.attributes)
    try:
        names = []
        for patch in patches:
            if not isinstance(patch, dict) or patch.get("op") not in ("add", "replace", "merge", "delete"):
                return "Each patch needs op add, replace, merge or delete."
            path = str(patch.get("path", ""))
            if not path.startswith("/attributes/") or "/" in path[len("/attributes/"):]:
                return f"Invalid patch path {path!r}: only top-level attributes can be patched."
            name = path[len("/attributes/"):]
            names.append(name)
            value = patch.get("value")
            if patch["op"] != "delete" and not isinstance(value, list):
                return f"'value' of the {patch['op']} patch on {name} must be an array."
            if patch["op"] in ("add", "replace"):
                attrs[name] = copy.deepcopy(value)
            elif patch["op"] == "merge":
                attrs[name] = _merge(name, attrs.get(name) or [], value or [])
            else:
                kept = _delete(name, attrs.get(name) or [], value)
                if kept is None:
                    attrs.pop(name, None)
                else:
                    attrs[name] = kept
        if product_type is not None:
            check_product_type(listing, product_type, names)
        if seller is not None:
            check_offer(seller, {k: attrs[k] for k in names if k in attrs})
    except Invalid as exc:
        return exc.issue
    listing.attributes = attrs
    if marketplace_id:
        sync_offer(listing, marketplace_id)
    else:
        _, price, quantity, condition = offer_values(attrs)
        listing.price, listing.quantity = price, quantity
    listing.updated = market.clock.now()
    return None
