"""Orders 2026-01-01 searchOrders/getOrder with pagination, and v0 confirmShipment."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from flask import jsonify, request

STATUSES = ("PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED",
            "UNFULFILLABLE")


def _parse(value: str, name: str, ApiError) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "InvalidInput", f"'{name}' must be an ISO 8601 date-time.") from None


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    @app.get("/orders/2026-01-01/orders")
    def search_orders():
        seller_id = guard("searchOrders")
        args = request.args
        token = args.get("paginationToken")
        offset = 0
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()))
                offset = int(state["offset"])
            except (ValueError, KeyError, TypeError):
                raise ApiError(400, "InvalidInput", "Invalid 'paginationToken'.") from None
        created, updated = args.get("createdAfter"), args.get("lastUpdatedAfter")
        if bool(created) == bool(updated):
            raise ApiError(400, "InvalidInput", "Exactly one of 'createdAfter' or 'lastUpdatedAfter' is required.")
        marketplace_ids(seller_id, required=False)
        since = _parse(created or updated, "createdAfter" if created else "lastUpdatedAfter", ApiError)
        field = "createdTime" if created else "lastUpdatedTime"
        statuses = set((args.get("fulfillmentStatuses") or "").split(",")) - {""}
        if statuses - set(STATUSES):
            raise ApiError(400, "InvalidInput", "Invalid 'fulfillmentStatuses'.")
        try:
            size = int(args.get("maxResultsPerPage", 100))
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            raise ApiError(400, "InvalidInput", "'maxResultsPerPage' must be between 1 and 100.")
        with market.lock:
            orders = sorted((o for o in market.sellers[seller_id].orders.values()
                             if _parse(o[field], field, ApiError) >= since
                             and (not statuses or o["fulfillment"]["fulfillmentStatus"] in statuses)),
                            key=lambda o: (o[field], o["orderId"]))
            page = orders[offset:offset + size]
            out = {"orders": json.loads(json.dumps(page)), "lastUpdatedBefore": iso(market.clock.now())}
        if offset + size < len(orders):
            out["pagination"] = {"nextToken": base64.urlsafe_b64encode(
                json.dumps({"offset": offset + size}).encode()).decode()}
        return jsonify(out)

    @app.get("/orders/2026-01-01/orders/<order_id>")
    def get_order(order_id):
        seller_id = guard("getOrder")
        with market.lock:
            order = market.sellers[seller_id].orders.get(order_id)
            if order is None:
                raise ApiError(404, "NotFound", f"Order {order_id} not found.")
            return jsonify({"order": json.loads(json.dumps(order))})

    @app.post("/orders/v0/orders/<order_id>/shipmentConfirmation")
    def confirm_shipment(order_id):
        seller_id = guard("confirmShipment")
        data = body()
        package = data.get("packageDetail") or {}
        if not data.get("marketplaceId") or not package.get("packageReferenceId") or not package.get("carrierCode") \
                or not package.get("trackingNumber") or not package.get("orderItems"):
            raise ApiError(400, "InvalidInput", "marketplaceId and packageDetail with packageReferenceId, "
                                                "carrierCode, trackingNumber and orderItems are required.")
        with market.lock:
            seller = market.sellers[seller_id]
            order = seller.orders.get(order_id)
            if order is None:
                raise ApiError(404, "NotFound", f"Order {order_id} not found.")
            if order["fulfillment"]["fulfillmentStatus"] == "CANCELLED":
                raise ApiError(400, "InvalidInput", "The order is cancelled.")
            seller.shipments.append({"orderId": order_id, **data})
            market.update_order(seller_id, order_id, "SHIPPED")
        return "", 204
