"""Listings Items 2021-08-01 and the offer attributes the channel writes.

Price and stock changes never erase what the merchant set in Seller Central: they are
``merge`` patches (Amazon's JSON patch extension) on the instance picked by the
attribute's selectors - ``audience``, ``currency`` and ``marketplace_id`` for
``purchasable_offer``, ``fulfillment_channel_code`` for ``fulfillment_availability`` -
so the business (B2B) offer, sale price, minimum/maximum prices and the handling time
(``lead_time_to_ship_max_days``) stay as they are. A ``replace`` would drop them.
"""

from __future__ import annotations

from decimal import Decimal

from worker.amazon.errors import NotFound

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


def patches_for(attrs: dict) -> list[dict]:
    """``merge`` where Amazon keys instances by selectors, ``replace`` elsewhere."""
    return [{"op": "merge" if name in SELECTORS else "replace", "path": f"/attributes/{name}", "value": value}
            for name, value in attrs.items()]


def get_item(client, sku: str, included: str = "summaries,issues,offers,fulfillmentAvailability") -> dict | None:
    try:
        data, _ = client.call("getListingsItem", "GET",
                              f"/listings/2021-08-01/items/{client.quote(client.seller_id)}/{client.quote(sku)}",
                              params={"marketplaceIds": client.marketplace_id, "includedData": included},
                              expected=(404,))
    except NotFound:
        return None
    return data


def put_item(client, sku: str, attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    data, _ = client.call("putListingsItem", "PUT",
                          f"/listings/2021-08-01/items/{client.quote(client.seller_id)}/{client.quote(sku)}",
                          params={"marketplaceIds": client.marketplace_id},
                          json={"productType": product_type, "requirements": "LISTING_OFFER_ONLY",
                                "attributes": attributes})
    return data


def patch_item(client, sku: str, attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    data, _ = client.call("patchListingsItem", "PATCH",
                          f"/listings/2021-08-01/items/{client.quote(client.seller_id)}/{client.quote(sku)}",
                          params={"marketplaceIds": client.marketplace_id},
                          json={"productType": product_type, "patches": patches_for(attributes)})
    return data


def end_fba_offer(client, sku: str, currency: str, product_type: str = PRODUCT_TYPE) -> dict:
    """Withdraw the standard offer of an FBA listing, keeping the SKU and its stock: a
    ``delete`` patch of the ``purchasable_offer`` instance picked by its selectors."""
    offer = {"audience": AUDIENCE, "currency": currency, "marketplace_id": client.marketplace_id}
    data, _ = client.call("patchListingsItem", "PATCH",
                          f"/listings/2021-08-01/items/{client.quote(client.seller_id)}/{client.quote(sku)}",
                          params={"marketplaceIds": client.marketplace_id},
                          json={"productType": product_type, "patches": [
                              {"op": "delete", "path": "/attributes/purchasable_offer", "value": [offer]}]})
    return data


def delete_item(client, sku: str) -> dict | None:
    try:
        data, _ = client.call("deleteListingsItem", "DELETE",
                              f"/listings/2021-08-01/items/{client.quote(client.seller_id)}/{client.quote(sku)}",
                              params={"marketplaceIds": client.marketplace_id})
    except NotFound:
        return None
    return data


def status_of(item: dict | None) -> tuple[str | None, list]:
    """(BUYABLE | DISCOVERABLE | None, issues) from a getListingsItem answer (None: not readable)."""
    if item is None:
        return None, []
    statuses = set()
    for summary in item.get("summaries", []):
        statuses |= set(summary.get("status", []))
    status = "BUYABLE" if "BUYABLE" in statuses else ("DISCOVERABLE" if "DISCOVERABLE" in statuses else None)
    return status, item.get("issues", [])
