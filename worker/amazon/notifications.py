"""Notifications v1: an SQS destination and the account's subscriptions.

Destinations belong to the application and are grantless (a ``client_credentials``
token, ``grantless_client``); subscriptions belong to the seller and use the account's
own token. Creating what already exists is answered by reading it back (Amazon answers
409 to a second subscription of the same type).
"""

from __future__ import annotations

from worker.amazon.auth import GrantlessTokenProvider
from worker.amazon.client import SpApiClient
from worker.amazon.errors import AmazonError, NotFound

SCOPE = "sellingpartnerapi::notifications"
BASE = "/notifications/v1"


def grantless_client(client: SpApiClient, client_secret: str) -> SpApiClient:
    """A client like ``client`` whose calls carry the application's grantless token."""
    tokens = GrantlessTokenProvider(client.tokens.redis, client.tokens.endpoint, client.tokens.client_id,
                                    client_secret, SCOPE, vault=client.tokens._vault)
    return SpApiClient(client.base_url, client.seller_id, client.region, client.marketplace_id, tokens,
                       client.throttle, on_failure=client.on_failure, max_attempts=client.max_attempts,
                       backoff_base=client.backoff_base, backoff_cap=client.backoff_cap, timeout=client.timeout,
                       session=client.session, clock=client.clock)


def destinations(grantless: SpApiClient) -> list[dict]:
    data, _ = grantless.call("getDestinations", "GET", f"{BASE}/destinations")
    return list(data.get("payload") or [])


def create_destination(grantless: SpApiClient, name: str, queue_arn: str) -> str:
    """The destination id of the SQS queue ``queue_arn``, created unless it exists."""
    for dest in destinations(grantless):
        if ((dest.get("resource") or {}).get("sqs") or {}).get("arn") == queue_arn:
            return str(dest["destinationId"])
    data, _ = grantless.call("createDestination", "POST", f"{BASE}/destinations",
                             json={"name": name[:256], "resourceSpecification": {"sqs": {"arn": queue_arn}}})
    return str(data["payload"]["destinationId"])


def get_subscription(client: SpApiClient, notification_type: str, payload_version: str) -> dict | None:
    """The seller's subscription to the type, or None when Amazon holds none."""
    try:
        data, _ = client.call("getSubscription", "GET", f"{BASE}/subscriptions/{notification_type}",
                              params={"payloadVersion": payload_version}, expected=(404,))
    except NotFound:
        return None
    return data.get("payload") or None


def subscribe(client: SpApiClient, notification_type: str, destination_id: str, payload_version: str) -> str:
    """The subscription id of the seller's subscription to the type on ``destination_id``."""
    try:
        data, _ = client.call("createSubscription", "POST", f"{BASE}/subscriptions/{notification_type}",
                              json={"payloadVersion": payload_version, "destinationId": destination_id},
                              expected=(409,))
        return str(data["payload"]["subscriptionId"])
    except AmazonError as exc:
        if exc.status != 409:
            raise
    existing = get_subscription(client, notification_type, payload_version)
    if existing is None:
        raise NotFound(f"{notification_type}: Amazon reports a subscription it then cannot find",
                       operation="getSubscription", status=404)
    return str(existing["subscriptionId"])


def unsubscribe(grantless: SpApiClient, notification_type: str, subscription_id: str) -> None:
    """Delete the subscription; one Amazon no longer holds is gone already."""
    try:
        grantless.call("deleteSubscriptionById", "DELETE",
                       f"{BASE}/subscriptions/{notification_type}/{SpApiClient.quote(subscription_id)}", expected=(404,))
    except NotFound:
        pass
