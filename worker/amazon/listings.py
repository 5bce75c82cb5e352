"""Listings Items 2021-08-01: the calls. Their bodies are built in ``channel.payloads``
(shared with the admin's product page, which shows the body the worker sends next)."""

from __future__ import annotations

from channel.payloads import (  # noqa: F401 - the names callers use
    AUDIENCE,
    PRODUCT_TYPE,
    SELECTORS,
    end_fba_body,
    offer_attributes,
    patch_body,
    patches_for,
    put_body,
)
from worker.amazon.errors import NotFound


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
                          json=put_body(attributes, product_type))
    return data


def patch_item(client, sku: str, attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    data, _ = client.call("patchListingsItem", "PATCH",
                          f"/listings/2021-08-01/items/{client.quote(client.seller_id)}/{client.quote(sku)}",
                          params={"marketplaceIds": client.marketplace_id},
                          json=patch_body(attributes, product_type))
    return data


def end_fba_offer(client, sku: str, currency: str, product_type: str = PRODUCT_TYPE) -> dict:
    """Withdraw the standard offer of an FBA listing, keeping the SKU and its stock
    (``channel.payloads.end_fba_body``)."""
    data, _ = client.call("patchListingsItem", "PATCH",
                          f"/listings/2021-08-01/items/{client.quote(client.seller_id)}/{client.quote(sku)}",
                          params={"marketplaceIds": client.marketplace_id},
                          json=end_fba_body(client.marketplace_id, currency, product_type))
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

