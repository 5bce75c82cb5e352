"""Orders 2026-01-01 searchOrders/getOrder with pagination; v0 confirmShipment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime


def search_orders(client, last_updated_after: datetime, page_size: int = 100) -> Iterator[dict]:
    """Every order updated since the cursor, following pagination.nextToken."""
    params = {"lastUpdatedAfter": last_updated_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "marketplaceIds": client.marketplace_id, "maxResultsPerPage": page_size,
              "includedData": "BUYER,RECIPIENT,FULFILLMENT"}
    while True:
        data, _ = client.call("searchOrders", "GET", "/orders/2026-01-01/orders", params=params)
        yield from data.get("orders", [])
        token = (data.get("pagination") or {}).get("nextToken")
        if not token:
            return
        params = {**params, "paginationToken": token}


def get_order(client, order_id: str) -> dict:
    data, _ = client.call("getOrder", "GET", f"/orders/2026-01-01/orders/{client.quote(order_id)}",
                          params={"includedData": "BUYER,RECIPIENT,FULFILLMENT"})
    return data["order"]


def confirm_shipment(client, order_id: str, package_reference: str, carrier_code: str, tracking_number: str,
                     items: list[dict], ship_date: datetime, carrier_name: str | None = None,
                     shipping_method: str | None = None) -> None:
    package = {"packageReferenceId": package_reference, "carrierCode": carrier_code,
               "trackingNumber": tracking_number, "shipDate": ship_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "orderItems": [{"orderItemId": i["orderItemId"], "quantity": int(i["quantity"])} for i in items]}
    if carrier_name:
        package["carrierName"] = carrier_name
    if shipping_method:
        package["shippingMethod"] = shipping_method
    client.call("confirmShipment", "POST", f"/orders/v0/orders/{client.quote(order_id)}/shipmentConfirmation",
                json={"marketplaceId": client.marketplace_id, "packageDetail": package})
