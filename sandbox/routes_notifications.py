"""Notifications v1: destinations (grantless) and subscriptions (per seller), and the
admin side that makes Amazon's events happen.

Destinations and ``getSubscriptionById``/``deleteSubscriptionById`` are grantless: they
take an access token from Login with Amazon's ``client_credentials`` grant with the
scope ``sellingpartnerapi::notifications`` (``grantless_token``), not a seller's.
``createSubscription`` and ``getSubscription`` act for the seller whose token is sent.
Requests are checked as ``notificationsV1.json`` defines them; answers have its shapes.
"""

from __future__ import annotations

import re

from flask import jsonify, request

from sandbox.notifications import TYPES

SCOPE = "sellingpartnerapi::notifications"
_ARN = re.compile(r"^arn:aws:sqs:\S+:\S+:\S+")
#: The prefix of a grantless token's owner in ``Marketplace.tokens``.
APP = "app:"


def grantless_token(market, form) -> tuple[dict, int]:
    """Login with Amazon's ``client_credentials`` grant: a token for the application itself."""
    if form.get("scope") != SCOPE:
        return {"error": "invalid_scope", "error_description": "The scope is not valid for grantless operations"}, 400
    for seller in market.sellers.values():
        if (form.get("client_id"), form.get("client_secret")) == (seller.client_id, seller.client_secret):
            token, lifetime = market.issue_token(APP + seller.client_id)
            return {"access_token": token, "token_type": "bearer", "expires_in": lifetime, "scope": SCOPE}, 200
    return {"error": "invalid_client", "error_description": "Client authentication failed"}, 401


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    hub = market.notifications

    def grantless(operation: str) -> str:
        """The caller's application; seller tokens are refused, as Amazon refuses them."""
        owner = guard(operation, grantless=True)
        if not owner.startswith(APP):
            raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                           f"{operation} is a grantless operation: call it with a client_credentials token.")
        return owner

    def seller_call(operation: str) -> str:
        seller_id = guard(operation)
        return seller_id

    def notification_type(value: str) -> str:
        if value not in TYPES:
            raise ApiError(400, "InvalidInput", f"Invalid notificationType: {value}.")
        return value

    def destination(dest_id: str) -> dict:
        dest = hub.destinations.get(dest_id)
        if dest is None:
            raise ApiError(404, "NotFound", f"Destination {dest_id} not found.")
        return {"destinationId": dest_id, "name": dest["name"], "resource": {"sqs": {"arn": dest["arn"]}}}

    @app.post("/notifications/v1/destinations")
    def create_destination():
        grantless("createDestination")
        data = body()
        spec = data.get("resourceSpecification")
        name = data.get("name")
        if not isinstance(name, str) or not name or not isinstance(spec, dict):
            raise ApiError(400, "InvalidInput", "'name' and 'resourceSpecification' are required.")
        arn = (spec.get("sqs") or {}).get("arn") if isinstance(spec.get("sqs"), dict) else None
        if not isinstance(arn, str) or not _ARN.match(arn) or len(arn) > 1000:
            raise ApiError(400, "InvalidInput", "'resourceSpecification.sqs.arn' must be an SQS queue ARN.")
        if hub.sqs_endpoint is None:
            raise ApiError(400, "InvalidInput", "This marketplace delivers no notifications (no SQS endpoint).")
        try:  # Amazon checks it can write to the queue before it accepts the destination
            hub.destinations["_probe"] = {"name": name, "arn": arn}
            hub.queue_url("_probe")
        except Exception:  # noqa: BLE001 - any SQS refusal: the queue is not usable
            raise ApiError(400, "InvalidInput", f"Amazon cannot send to the queue {arn}: it does not exist or"
                                                f" does not grant Amazon sqs:SendMessage.") from None
        finally:
            hub.destinations.pop("_probe", None)
            hub._urls.pop("_probe", None)
        return jsonify({"payload": hub.create_destination(name, arn)})

    @app.get("/notifications/v1/destinations")
    def get_destinations():
        grantless("getDestinations")
        return jsonify({"payload": [destination(d) for d in list(hub.destinations)]})

    @app.get("/notifications/v1/destinations/<dest_id>")
    def get_destination(dest_id):
        grantless("getDestination")
        return jsonify({"payload": destination(dest_id)})

    @app.delete("/notifications/v1/destinations/<dest_id>")
    def delete_destination(dest_id):
        grantless("deleteDestination")
        if not hub.delete_destination(dest_id):
            raise ApiError(404, "NotFound", f"Destination {dest_id} not found.")
        return jsonify({})

    @app.post("/notifications/v1/subscriptions/<kind>")
    def create_subscription(kind):
        seller_id = seller_call("createSubscription")
        kind = notification_type(kind)
        data = body()
        dest_id, version = data.get("destinationId"), data.get("payloadVersion")
        if not isinstance(dest_id, str) or not isinstance(version, str):
            raise ApiError(400, "InvalidInput", "'destinationId' and 'payloadVersion' are required.")
        if dest_id not in hub.destinations:
            raise ApiError(400, "InvalidInput", f"Destination {dest_id} does not exist.")
        if version != TYPES[kind]:
            raise ApiError(400, "InvalidInput", f"payloadVersion {version} is not offered for {kind}.")
        existing = hub.subscription(seller_id, kind)
        if existing is not None:
            raise ApiError(409, "Conflict", "A subscription for this notification type already exists.",
                           existing["subscriptionId"])
        return jsonify({"payload": hub.subscribe(seller_id, kind, dest_id, version)})

    @app.get("/notifications/v1/subscriptions/<kind>")
    def get_subscription(kind):
        seller_id = seller_call("getSubscription")
        kind = notification_type(kind)
        sub = hub.subscription(seller_id, kind)
        if sub is None:
            raise ApiError(404, "NotFound", f"No subscription for {kind}.")
        return jsonify({"payload": sub})

    @app.get("/notifications/v1/subscriptions/<kind>/<sub_id>")
    def get_subscription_by_id(kind, sub_id):
        grantless("getSubscriptionById")
        kind = notification_type(kind)
        for (_, k), sub in list(hub.subscriptions.items()):
            if k == kind and sub["subscriptionId"] == sub_id:
                return jsonify({"payload": dict(sub)})
        raise ApiError(404, "NotFound", f"Subscription {sub_id} not found.")

    @app.delete("/notifications/v1/subscriptions/<kind>/<sub_id>")
    def delete_subscription(kind, sub_id):
        grantless("deleteSubscriptionById")
        kind = notification_type(kind)
        if not hub.unsubscribe(kind, sub_id):
            raise ApiError(404, "NotFound", f"Subscription {sub_id} not found.")
        return jsonify({})

    # --- the admin side: Amazon's events on demand ---------------------------------------
    @app.get("/_sandbox/notifications")
    def admin_notifications():
        return jsonify({"destinations": hub.destinations, "published": hub.published, "failed": hub.failed,
                        "subscriptions": [{"seller_id": s, "notification_type": k, **sub}
                                          for (s, k), sub in hub.subscriptions.items()]})

    @app.post("/_sandbox/notifications/listing")
    def admin_listing_status():
        """Amazon changes a listing: ``{"seller_id", "sku", "status": "BUYABLE"|""|"DELETED",
        "issues": [...]}``; its notifications are published."""
        data = request.get_json(force=True)
        with market.lock:
            seller = market.sellers[data["seller_id"]]
            listing = seller.listings[data["sku"]]
            if "status" in data:
                listing.status = data["status"]
                listing.buyable_at = None
            if "issues" in data:
                listing.issues = list(data["issues"])
            listing.updated = market.clock.now()
            hub.listing_changed(listing, seller.seller_id)
            if listing.status == "DELETED":
                seller.listings.pop(listing.sku, None)
        return jsonify({"ok": True})

    @app.post("/_sandbox/notifications/unsubscribe_all")
    def admin_unsubscribe_all():
        """Amazon drops every subscription of a seller (an app's authorisation revoked)."""
        seller_id = request.get_json(force=True)["seller_id"]
        with hub._lock:
            for key in [k for k in hub.subscriptions if k[0] == seller_id]:
                del hub.subscriptions[key]
        return jsonify({"ok": True})
