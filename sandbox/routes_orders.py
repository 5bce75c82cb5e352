"""Orders 2026-01-01 searchOrders/getOrder, and v0 confirmShipment, as strict as Amazon.

What a caller sees of an order follows Amazon's rules: only the datasets asked for in
``includedData``; no buyer and no street address for Pending, Cancelled or Amazon-fulfilled
orders or for an app without the restricted roles (city, region, postal code and country
remain); no prices while an order is Pending. searchOrders pages by a token that holds
the search's upper bound and the last order returned, so orders updated while a
client pages move out of the search instead of shifting pages, and it is rate limited
like Amazon (0.0056/s, burst 20, on the sandbox's clock). confirmShipment refuses what
Amazon refuses: a non-numeric package id, carrier "Other" without a name, a ship date
that is not ISO 8601, quantities over what is unshipped, a package id used twice.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from datetime import datetime, timedelta, timezone

from flask import jsonify, request

STATUSES = ("PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED",
            "UNFULFILLABLE")
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION", "FULFILLMENT",
                 "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS")
#: Address fields Amazon returns without the restricted role (no name, street or phone).
PUBLIC_ADDRESS = ("city", "stateOrRegion", "postalCode", "countryCode", "districtOrCounty", "municipality")
#: A pagination token is valid this long (sandbox time).
TOKEN_LIFETIME = timedelta(hours=24)
ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$")
SHIPPABLE = ("UNSHIPPED", "PARTIALLY_SHIPPED")


def _parse(value: str, name: str, ApiError) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise ApiError(400, "InvalidInput", f"'{name}' must be an ISO 8601 date-time.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _included(ApiError) -> set[str]:
    raw = set((request.args.get("includedData") or "").split(",")) - {""}
    unknown = raw - set(INCLUDED_DATA)
    if unknown:
        raise ApiError(400, "InvalidInput", f"Invalid 'includedData': {','.join(sorted(unknown))}.")
    return raw


def order_view(order: dict, included: set[str], restricted_roles: bool = True) -> dict:
    """What Amazon returns of ``order`` for the datasets in ``included``."""
    order = json.loads(json.dumps(order))
    status = order["fulfillment"]["fulfillmentStatus"]
    fba = order["fulfillment"].get("fulfilledBy") == "AMAZON"
    pending = status in ("PENDING", "PENDING_AVAILABILITY")
    pii = restricted_roles and not fba and not pending and status != "CANCELLED"
    out = {k: order[k] for k in ("orderId", "createdTime", "lastUpdatedTime", "salesChannel")}
    items = []
    for raw in order["orderItems"]:
        product = dict(raw["product"])
        if pending:
            product.pop("price", None)
        item = {"orderItemId": raw["orderItemId"], "quantityOrdered": raw["quantityOrdered"], "product": product}
        if "PROCEEDS" in included and not pending and raw.get("proceeds"):
            item["proceeds"] = raw["proceeds"]
        if "FULFILLMENT" in included and raw.get("fulfillment"):
            item["fulfillment"] = raw["fulfillment"]
        items.append(item)
    out["orderItems"] = items
    if "FULFILLMENT" in included:
        out["fulfillment"] = order["fulfillment"]
    if "PROCEEDS" in included and not pending:
        out["proceeds"] = order["proceeds"]
    if "BUYER" in included and pii:
        out["buyer"] = order["buyer"]
    address = (order.get("recipient") or {}).get("deliveryAddress")
    if "RECIPIENT" in included and address and not pending:
        if not pii:
            address = {k: v for k, v in address.items() if k in PUBLIC_ADDRESS}
        out["recipient"] = {"deliveryAddress": address}
    if "PACKAGES" in included and not fba and order.get("packages"):
        out["packages"] = order["packages"]
    return out


def _token(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _search_key(args) -> str:
    """The parameters a page token is bound to (all but the token, page size and datasets)."""
    return "&".join(f"{k}={args.get(k, '')}" for k in (
        "createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore", "fulfillmentStatuses",
        "marketplaceIds", "fulfilledBy"))


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    def orders_guard(operation: str) -> str:
        seller_id = guard(operation)
        if not market.sellers[seller_id].orders_role:
            raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                           "The application is not authorized for the Inventory and Order Tracking role.")
        return seller_id

    @app.get("/orders/2026-01-01/orders")
    def search_orders():
        seller_id = orders_guard("searchOrders")
        args = request.args
        now = market.clock.now()
        created, updated = args.get("createdAfter"), args.get("lastUpdatedAfter")
        if bool(created) == bool(updated):
            raise ApiError(400, "InvalidInput", "Exactly one of 'createdAfter' or 'lastUpdatedAfter' is required.")
        if (created and args.get("lastUpdatedBefore")) or (updated and args.get("createdBefore")):
            raise ApiError(400, "InvalidInput", "Created and last-updated filters cannot be combined.")
        marketplace_ids(seller_id, required=False)
        field = "createdTime" if created else "lastUpdatedTime"
        since = _parse(created or updated or "", "createdAfter" if created else "lastUpdatedAfter", ApiError)
        before_name = "createdBefore" if created else "lastUpdatedBefore"
        until = now
        if args.get(before_name):
            until = _parse(args[before_name], before_name, ApiError)
            if until < since or until > now - timedelta(minutes=2):
                raise ApiError(400, "InvalidInput", f"'{before_name}' must be after '{field}' filter and at least"
                                                    " two minutes before the time of the request.")
        statuses = set((args.get("fulfillmentStatuses") or "").split(",")) - {""}
        if statuses - set(STATUSES):
            raise ApiError(400, "InvalidInput", "Invalid 'fulfillmentStatuses'.")
        fulfilled_by = set((args.get("fulfilledBy") or "").split(",")) - {""}
        if fulfilled_by - {"MERCHANT", "AMAZON"}:
            raise ApiError(400, "InvalidInput", "Invalid 'fulfilledBy'.")
        included = _included(ApiError)
        try:
            size = int(args.get("maxResultsPerPage", 100))
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            raise ApiError(400, "InvalidInput", "'maxResultsPerPage' must be between 1 and 100.")
        last = None
        if args.get("paginationToken"):
            try:
                state = json.loads(base64.urlsafe_b64decode(args["paginationToken"].encode()))
                until = _parse(state["until"], "paginationToken", ApiError)
                last = (state["last"][0], state["last"][1])
                issued, key = _parse(state["issued"], "paginationToken", ApiError), state["key"]
            except (ValueError, KeyError, TypeError, IndexError):
                raise ApiError(400, "InvalidInput", "Invalid 'paginationToken'.") from None
            if key != _search_key(args):
                raise ApiError(400, "InvalidInput", "The 'paginationToken' was issued for other search parameters.")
            if now - issued > TOKEN_LIFETIME:
                raise ApiError(400, "InvalidInput", "The 'paginationToken' has expired.")
        with market.lock:
            seller = market.sellers[seller_id]
            found = []
            for o in seller.orders.values():
                stamp = _parse(o[field], field, ApiError)
                if not since <= stamp <= until:
                    continue
                if statuses and o["fulfillment"]["fulfillmentStatus"] not in statuses:
                    continue
                if fulfilled_by and o["fulfillment"].get("fulfilledBy", "MERCHANT") not in fulfilled_by:
                    continue
                key = (o[field], o["orderId"])
                if last is None or key > last:
                    found.append((key, o))
            found.sort(key=lambda pair: pair[0])
            page = found[:size]
            out: dict[str, Any] = {"orders": [order_view(o, included, seller.restricted_roles) for _, o in page]}
            out["createdBefore" if created else "lastUpdatedBefore"] = iso(until)
        if len(found) > size:
            out["pagination"] = {"nextToken": _token({
                "until": until.isoformat(), "last": list(page[-1][0]), "issued": now.isoformat(),
                "key": _search_key(args)})}
        return jsonify(out)

    @app.get("/orders/2026-01-01/orders/<order_id>")
    def get_order(order_id):
        seller_id = orders_guard("getOrder")
        included = _included(ApiError)
        with market.lock:
            seller = market.sellers[seller_id]
            order = seller.orders.get(order_id)
            if order is None:
                raise ApiError(404, "NotFound", f"Order {order_id} not found.")
            return jsonify({"order": order_view(order, included, seller.restricted_roles)})

    @app.post("/orders/v0/orders/<order_id>/shipmentConfirmation")
    def confirm_shipment(order_id):
        seller_id = orders_guard("confirmShipment")
        data = body()
        package = data.get("packageDetail") or {}
        if not isinstance(package, dict) or not data.get("marketplaceId"):
            raise ApiError(400, "InvalidInput", "marketplaceId and packageDetail are required.")
        missing = [k for k in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems")
                   if not package.get(k)]
        if missing:
            raise ApiError(400, "InvalidInput", f"packageDetail is missing {', '.join(missing)}.")
        reference = package["packageReferenceId"]
        if not isinstance(reference, str) or not re.fullmatch(r"[1-9][0-9]{0,18}", reference):
            raise ApiError(400, "InvalidInput", "packageReferenceId must be a positive number (as a string).")
        if package["carrierCode"] == "Other" and not (package.get("carrierName") or "").strip():
            raise ApiError(400, "InvalidInput", "carrierName is required when carrierCode is Other.")
        if not isinstance(package["shipDate"], str) or not ISO_DATE_TIME.match(package["shipDate"]):
            raise ApiError(400, "InvalidInput", "shipDate must be an ISO 8601 date-time.")
        lines = package["orderItems"]
        if not isinstance(lines, list) or any(
                not isinstance(i, dict) or not i.get("orderItemId") or not isinstance(i.get("quantity"), int)
                or i["quantity"] < 1 for i in lines):
            raise ApiError(400, "InvalidInput", "orderItems need an orderItemId and a positive integer quantity.")
        with market.lock:
            seller = market.sellers[seller_id]
            if data["marketplaceId"] not in seller.marketplaces:
                raise ApiError(400, "InvalidInput", f"Invalid marketplaceId {data['marketplaceId']}.")
            order = seller.orders.get(order_id)
            if order is None:
                raise ApiError(404, "NotFound", f"Order {order_id} not found.")
            status = order["fulfillment"]["fulfillmentStatus"]
            if order["fulfillment"].get("fulfilledBy") == "AMAZON" or status not in SHIPPABLE:
                raise ApiError(400, "InvalidInput", f"The order cannot be shipped: it is {status}.")
            if any(p["packageReferenceId"] == reference for p in order.get("packages", [])):
                raise ApiError(400, "InvalidInput", f"Package {reference} is already confirmed for this order.")
            items = {i["orderItemId"]: i for i in order["orderItems"]}
            wanted: dict[str, int] = {}
            for line in lines:
                if line["orderItemId"] not in items:
                    raise ApiError(400, "InvalidInput", f"Order item {line['orderItemId']} is not in this order.")
                wanted[line["orderItemId"]] = wanted.get(line["orderItemId"], 0) + line["quantity"]
            for item_id, qty in wanted.items():
                item = items[item_id]
                left = (item.get("fulfillment") or {}).get("quantityUnfulfilled", item["quantityOrdered"])
                if qty > left:
                    raise ApiError(400, "InvalidInput", f"Quantity {qty} of order item {item_id} is more than the"
                                                        f" {left} still unshipped.")
            seller.shipments.append({"orderId": order_id, **data})
            market.ship_package(seller_id, order_id, package)
        return "", 204

    @app.post("/_sandbox/sellers/<seller_id>/roles")
    def restricted_roles(seller_id):
        """``{"restricted": false}``: the app loses the restricted roles (no buyer, no street
        address); ``{"orders": false}``: it loses the orders role (orders answer 403)."""
        seller = market.sellers.get(seller_id)
        if seller is None:
            raise ApiError(404, "NotFound", "no such seller")
        data = body()
        seller.restricted_roles = bool(data.get("restricted", seller.restricted_roles))
        seller.orders_role = bool(data.get("orders", seller.orders_role))
        return jsonify({"restricted": seller.restricted_roles, "orders": seller.orders_role})

    @app.post("/_sandbox/sellers/<seller_id>/orders/bulk")
    def add_orders(seller_id):
        """``{"count": n, "order": {...}}``: a backlog of n orders shaped like ``order``."""
        if seller_id not in market.sellers:
            raise ApiError(404, "NotFound", "no such seller")
        data = body()
        made = [market.add_order(seller_id, dict(data.get("order") or {}))["orderId"]
                for _ in range(int(data.get("count", 1)))]
        return jsonify({"orderIds": made})

    @app.get("/_sandbox/sellers/<seller_id>/orders/<order_id>")
    def read_order(seller_id, order_id):
        """The whole order as the sandbox holds it (every dataset, shipped quantities, packages)."""
        with market.lock:
            order = market.sellers[seller_id].orders.get(order_id) if seller_id in market.sellers else None
            if order is None:
                raise ApiError(404, "NotFound", "no such order")
            return jsonify(order)
