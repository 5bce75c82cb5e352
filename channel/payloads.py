"""The request bodies the worker sends Amazon for an offer, built in one place.

Pure functions: the worker's Listings Items calls and feed messages are built here
(``worker.amazon.listings``, ``worker.sync.exporter``), and the admin's product page shows
the very body the worker would send next by calling the same functions.

Price and stock changes never erase what the merchant set in Seller Central: they are
``merge`` patches (Amazon's JSON patch extension) on the instance picked by the
attribute's selectors - ``audience``, ``currency`` and ``marketplace_id`` for
``purchasable_offer``, ``fulfillment_channel_code`` for ``fulfillment_availability`` -
so the business (B2B) offer, sale price, minimum/maximum prices and the handling time
(``lead_time_to_ship_max_days``) stay as they are. A ``replace`` would drop them.
"""

from __future__ import annotations

from decimal import Decimal

PRODUCT_TYPE = "PRODUCT"
#: The standard offer's audience (Amazon's default; B2B is the business offer).
AUDIENCE = "ALL"
#: Attributes whose instances are picked by selectors, so they can be merged.
SELECTORS = {"purchasable_offer": ("audience", "currency", "marketplace_id"),
             "fulfillment_availability": ("fulfillment_channel_code",)}


def offer_attributes(marketplace_id: str, currency: str, *, asin: str | None = None, price: Decimal | None = None,
                     quantity: int | None = None, condition: str | None = None, handling_time: int | None = None,
                     fulfillment_channel: str = "DEFAULT") -> dict:
    attrs: dict = {}
    if asin:
        attrs["merchant_suggested_asin"] = [{"value": asin, "marketplace_id": marketplace_id}]
    if condition:
        attrs["condition_type"] = [{"value": condition, "marketplace_id": marketplace_id}]
    if price is not None:
        attrs["purchasable_offer"] = [{"audience": AUDIENCE, "currency": currency, "marketplace_id": marketplace_id,
                                       "our_price": [{"schedule": [{"value_with_tax": float(price)}]}]}]
    if quantity is not None and fulfillment_channel == "DEFAULT":
        avail = {"fulfillment_channel_code": "DEFAULT", "quantity": int(quantity)}
        if handling_time is not None:
            avail["lead_time_to_ship_max_days"] = int(handling_time)
        attrs["fulfillment_availability"] = [avail]
    return attrs


def publish_attributes(marketplace_id: str, currency: str, asin: str | None, offer) -> dict:
    """What publishing sends for an ``channel.offer.Offer``: the whole offer on the ASIN."""
    return offer_attributes(marketplace_id, currency, asin=asin, price=offer.price, quantity=offer.quantity,
                            condition=offer.condition or "new_new", handling_time=offer.handling_time,
                            fulfillment_channel=offer.fulfillment_channel)


def relist_attributes(attrs: dict) -> dict:
    """Relisting what Amazon still holds patches the offer only: a put would replace every attribute."""
    return {k: v for k, v in attrs.items() if k in SELECTORS}


def patches_for(attrs: dict) -> list[dict]:
    """``merge`` where Amazon keys instances by selectors, ``replace`` elsewhere."""
    return [{"op": "merge" if name in SELECTORS else "replace", "path": f"/attributes/{name}", "value": value}
            for name, value in attrs.items()]


def put_body(attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    """putListingsItem's body: an offer on an existing ASIN."""
    return {"productType": product_type, "requirements": "LISTING_OFFER_ONLY", "attributes": attributes}


def patch_body(attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    """patchListingsItem's body for these attributes."""
    return {"productType": product_type, "patches": patches_for(attributes)}


def end_fba_body(marketplace_id: str, currency: str, product_type: str = PRODUCT_TYPE) -> dict:
    """Withdraw the standard offer of an FBA listing, keeping the SKU and its stock: a
    ``delete`` patch of the ``purchasable_offer`` instance picked by its selectors."""
    offer = {"audience": AUDIENCE, "currency": currency, "marketplace_id": marketplace_id}
    return {"productType": product_type, "patches": [
        {"op": "delete", "path": "/attributes/purchasable_offer", "value": [offer]}]}


def price_stock_attributes(marketplace_id: str, currency: str, price: Decimal | None, quantity: int | None) -> dict:
    """What a price and stock push sends: the wanted price and quantity only."""
    return offer_attributes(marketplace_id, currency, price=price, quantity=quantity)


def feed_message(message_id: int, sku: str, attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    """One JSON_LISTINGS_FEED message patching these attributes."""
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": product_type,
            "patches": patches_for(attributes)}
