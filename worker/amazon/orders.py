"""Orders 2026-01-01 searchOrders/getOrder, and v0 confirmShipment.

searchOrders is read a page at a time (``search_page``) so the caller can checkpoint
after every page: at 0.0056 requests per second (burst 20) a backlog of thousands of
orders takes many runs. Every read asks for the datasets the channel needs
(``INCLUDED_DATA``); without them Amazon returns no status, money or address.

confirmShipment is never retried blindly: Amazon processes it asynchronously, so a
timeout or a 5xx may hide a confirmation that went through. Those raise
``ConfirmationUnknown``; the caller looks at the order (``shipped_packages``) before
sending again. Only a 429 (nothing was processed) is retried here.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from worker.amazon.errors import AmazonUnavailable, Throttled

#: Datasets of the Orders 2026-01-01 model the channel reads (status, money, buyer,
#: address, item fulfilment, packages, cancellations).
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES", "CANCELLATION")
#: How often a throttled confirmShipment is tried before the caller gets ``Throttled``.
CONFIRM_ATTEMPTS = 3
_PACKAGE_ID = re.compile(r"[1-9][0-9]{0,18}")


class ConfirmationUnknown(AmazonUnavailable):
    """confirmShipment timed out or failed with 5xx: it may have gone through."""


@dataclasses.dataclass(frozen=True)
class OrderPage:
    orders: list
    next_token: str | None
    #: The search's upper bound as Amazon gives it (its clock): the next checkpoint.
    updated_before: str | None


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z; naive datetimes are taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def search_page(client, last_updated_after: str, token: str | None = None, page_size: int = 100) -> OrderPage:
    """One page of the orders updated at or after ``last_updated_after`` (ISO 8601).

    With ``token`` the same search continues: Amazon wants every other parameter repeated."""
    params = {"lastUpdatedAfter": last_updated_after, "marketplaceIds": client.marketplace_id,
              "maxResultsPerPage": page_size, "includedData": ",".join(INCLUDED_DATA)}
    if token:
        params["paginationToken"] = token
    data, _ = client.call("searchOrders", "GET", "/orders/2026-01-01/orders", params=params)
    return OrderPage(data.get("orders", []), (data.get("pagination") or {}).get("nextToken"),
                     data.get("lastUpdatedBefore"))


def search_orders(client, last_updated_after: datetime, page_size: int = 100) -> Iterator[dict]:
    """Every order updated since ``last_updated_after``, following the page tokens."""
    after, token = iso(last_updated_after), None
    while True:
        page = search_page(client, after, token, page_size)
        yield from page.orders
        if not page.next_token:
            return
        token = page.next_token


def get_order(client, order_id: str) -> dict:
    data, _ = client.call("getOrder", "GET", f"/orders/2026-01-01/orders/{client.quote(order_id)}",
                          params={"includedData": ",".join(INCLUDED_DATA)})
    return data["order"]


def shipped_packages(order: dict) -> dict[str, dict]:
    """The packages Amazon shows for an order, by package reference id."""
    return {str(p.get("packageReferenceId")): p for p in order.get("packages") or []}


def package_detail(package_reference: str, carrier_code: str, tracking_number: str, items: list[dict],
                   ship_date: datetime, carrier_name: str | None = None,
                   shipping_method: str | None = None) -> dict:
    """confirmShipment's packageDetail, refusing what Amazon would refuse."""
    if not _PACKAGE_ID.fullmatch(str(package_reference)):
        raise ValueError(f"packageReferenceId must be a positive number, not {package_reference!r}")
    if not carrier_code:
        raise ValueError("carrierCode is required")
    if carrier_code == "Other" and not (carrier_name or "").strip():
        raise ValueError("carrierName is required when carrierCode is Other")
    if not tracking_number:
        raise ValueError("trackingNumber is required")
    quantities = [(str(i["orderItemId"]), int(i["quantity"])) for i in items]
    if not quantities or any(quantity < 1 for _, quantity in quantities):
        raise ValueError("a package needs order items with positive quantities")
    package = {"packageReferenceId": str(package_reference), "carrierCode": carrier_code,
               "trackingNumber": tracking_number, "shipDate": iso(ship_date),
               "orderItems": [{"orderItemId": item_id, "quantity": quantity} for item_id, quantity in quantities]}
    if carrier_name:
        package["carrierName"] = carrier_name[:255]
    if shipping_method:
        package["shippingMethod"] = shipping_method[:255]
    return package


def confirm_shipment(client, order_id: str, package_reference: str, carrier_code: str, tracking_number: str,
                     items: list[dict], ship_date: datetime, carrier_name: str | None = None,
                     shipping_method: str | None = None) -> None:
    """Confirm one package. Raises ``ConfirmationUnknown`` when it may or may not have
    gone through, ``Throttled`` when Amazon kept refusing it for its rate."""
    package = package_detail(package_reference, carrier_code, tracking_number, items, ship_date, carrier_name,
                             shipping_method)
    once = copy.copy(client)
    once.max_attempts = 1  # the client retries timeouts and 5xx; a confirmation must not be
    path = f"/orders/v0/orders/{client.quote(order_id)}/shipmentConfirmation"
    body = {"marketplaceId": client.marketplace_id, "packageDetail": package}
    for attempt in range(1, CONFIRM_ATTEMPTS + 1):
        try:
            once.call("confirmShipment", "POST", path, json=body)
            return
        except Throttled:
            if attempt == CONFIRM_ATTEMPTS:
                raise
            client.sleep(client.backoff(attempt))
        except AmazonUnavailable as exc:
            raise ConfirmationUnknown(f"confirmShipment for {order_id} package {package_reference}: {exc.message}",
                                      operation="confirmShipment", status=exc.status, errors=exc.errors,
                                      request_id=exc.request_id) from None


def restricted_data_access(client, now: datetime | None = None, days: int = 30) -> dict | None:
    """Whether the app reads restricted data, judged on one recent merchant-fulfilled order
    that Amazon would show it for: ``{"order_id", "buyer", "address"}``, or None when the
    seller has no such order. Amazon returns buyer and street only to apps holding the
    restricted roles (Direct-to-Consumer Delivery, Tax Invoicing)."""
    now = now or datetime.now(timezone.utc)
    params = {"createdAfter": iso(now - timedelta(days=days)), "marketplaceIds": client.marketplace_id,
              "fulfilledBy": "MERCHANT", "fulfillmentStatuses": "UNSHIPPED,PARTIALLY_SHIPPED,SHIPPED",
              "maxResultsPerPage": 1, "includedData": "BUYER,RECIPIENT"}
    data, _ = client.call("searchOrders", "GET", "/orders/2026-01-01/orders", params=params)
    found = data.get("orders") or []
    if not found:
        return None
    order = found[0]
    address = (order.get("recipient") or {}).get("deliveryAddress") or {}
    return {"order_id": order["orderId"], "buyer": bool((order.get("buyer") or {}).get("buyerName")),
            "address": bool(address.get("addressLine1"))}
