"""Amazon's Notifications API as the sandbox plays it: destinations, subscriptions, and
the events a subscribed seller's changes publish to an SQS queue.

A destination is an SQS queue ARN (the application's, as on Amazon: destinations belong
to the application, subscriptions to a seller and a notification type). Once a seller
is subscribed to a type, the marketplace's changes publish that type's notification to
the destination's queue, in the payload shapes of Amazon's notification schemas
(``../shared/sp-api/schemas/notifications``): a listing approved or refused, its issues
changed, a competitor's offer changed, an order created or changed, a report or a feed
processed. Messages are sent by a publisher thread in batches of ten, so a change under
the marketplace's lock never waits on the queue.

The queue is real SQS wire protocol (moto in server mode locally): ``sqs_endpoint`` says
where. Events are published at most once, as Amazon does; redelivery, duplicates and
reordering are the queue's and the tests' business (``/_sandbox/notifications/...``).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from datetime import datetime
from typing import Any

logger = logging.getLogger(__name__)

#: The notification types the sandbox publishes, with their payload version.
TYPES = {
    "LISTINGS_ITEM_STATUS_CHANGE": "1.0",
    "LISTINGS_ITEM_ISSUES_CHANGE": "1.0",
    "ANY_OFFER_CHANGED": "1.0",
    "ORDER_CHANGE": "1.0",
    "REPORT_PROCESSING_FINISHED": "2020-09-04",
    "FEED_PROCESSING_FINISHED": "2020-09-04",
}
APPLICATION_ID = "amzn1.sellerapps.app.sandbox-channel"
#: The fulfillment type Amazon's order schema names per fulfilledBy.
_FULFILMENT = {"MERCHANT": "MFN", "AMAZON": "AFN"}
_ORDER_STATUS = {"PENDING": "Pending", "UNSHIPPED": "Unshipped", "PARTIALLY_SHIPPED": "PartiallyShipped",
                 "SHIPPED": "Shipped", "CANCELLED": "Canceled", "CANCELED": "Canceled",
                 "UNFULFILLABLE": "Unfulfillable"}


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def queue_name(arn: str) -> tuple[str, str]:
    """(account, queue name) of an SQS queue ARN ``arn:aws:sqs:region:account:name``."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"] or not parts[4] or not parts[5]:
        raise ValueError(f"not an SQS queue ARN: {arn!r}")
    return parts[4], parts[5]


class NotificationHub:
    """Destinations, subscriptions and the publisher of one marketplace."""

    def __init__(self, market: Any, sqs_endpoint: str | None = None):
        self.market = market
        self.sqs_endpoint = sqs_endpoint
        self.destinations: dict[str, dict] = {}  # destinationId -> {"name", "arn"}
        self.subscriptions: dict[tuple[str, str], dict] = {}  # (seller, type) -> {"subscriptionId", "destinationId"}
        self.published: dict[str, int] = {}  # per notification type
        self.failed = 0  # messages the queue refused or never got
        self._outbox: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._sqs: Any = None
        self._urls: dict[str, str] = {}  # destinationId -> queue URL
        self._notified: set[str] = set()  # report and feed ids whose end was published
        self._lock = threading.Lock()
        self._sweeper: threading.Event | None = None

    # --- the API's state --------------------------------------------------------------
    def sqs(self):
        if self._sqs is None:
            import boto3

            self._sqs = boto3.client("sqs", endpoint_url=self.sqs_endpoint, region_name="us-east-1",
                                     aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
        return self._sqs

    def queue_url(self, destination_id: str) -> str:
        url = self._urls.get(destination_id)
        if url is None:
            account, name = queue_name(self.destinations[destination_id]["arn"])
            url = self.sqs().get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
            self._urls[destination_id] = url
        return url

    def create_destination(self, name: str, arn: str) -> dict:
        with self._lock:
            for dest_id, dest in self.destinations.items():
                if dest["arn"] == arn:
                    return {"destinationId": dest_id, "name": dest["name"], "resource": {"sqs": {"arn": arn}}}
            dest_id = str(uuid.uuid4())
            self.destinations[dest_id] = {"name": name, "arn": arn}
        return {"destinationId": dest_id, "name": name, "resource": {"sqs": {"arn": arn}}}

    def delete_destination(self, destination_id: str) -> bool:
        with self._lock:
            if self.destinations.pop(destination_id, None) is None:
                return False
            self._urls.pop(destination_id, None)
            for key in [k for k, s in self.subscriptions.items() if s["destinationId"] == destination_id]:
                del self.subscriptions[key]
            return True

    def subscribe(self, seller_id: str, notification_type: str, destination_id: str, payload_version: str) -> dict:
        with self._lock:
            sub = {"subscriptionId": str(uuid.uuid4()), "payloadVersion": payload_version,
                   "destinationId": destination_id}
            self.subscriptions[(seller_id, notification_type)] = sub
            if self._sweeper is None:
                self._sweeper = self.start_sweeper()
            return dict(sub)

    def subscription(self, seller_id: str, notification_type: str) -> dict | None:
        sub = self.subscriptions.get((seller_id, notification_type))
        return dict(sub) if sub else None

    def unsubscribe(self, notification_type: str, subscription_id: str) -> bool:
        with self._lock:
            for key, sub in list(self.subscriptions.items()):
                if key[1] == notification_type and sub["subscriptionId"] == subscription_id:
                    del self.subscriptions[key]
                    return True
            return False

    # --- publishing -------------------------------------------------------------------
    def _envelope(self, notification_type: str, sub: dict, payload: dict, event_time: datetime) -> dict:
        now = self.market.clock.now()
        meta = {"ApplicationId": APPLICATION_ID, "SubscriptionId": sub["subscriptionId"],
                "PublishTime": _stamp(now), "NotificationId": str(uuid.uuid4())}
        if notification_type in ("REPORT_PROCESSING_FINISHED", "FEED_PROCESSING_FINISHED"):
            # These two are written in camelCase by Amazon.
            return {"notificationVersion": "2020-09-04", "notificationType": notification_type,
                    "payloadVersion": sub["payloadVersion"], "eventTime": _stamp(event_time), "payload": payload,
                    "notificationMetadata": {k[0].lower() + k[1:]: v for k, v in meta.items()}}
        return {"NotificationVersion": "1.0", "NotificationType": notification_type,
                "PayloadVersion": sub["payloadVersion"], "EventTime": _stamp(event_time), "Payload": payload,
                "NotificationMetadata": meta}

    def publish(self, seller_id: str, notification_type: str, payload: dict, event_time: datetime | None = None) -> bool:
        """Queue the notification for the seller's subscription to its type; False when not subscribed."""
        sub = self.subscriptions.get((seller_id, notification_type))
        if sub is None or sub["destinationId"] not in self.destinations:
            return False
        message = self._envelope(notification_type, sub, payload, event_time or self.market.clock.now())
        self._outbox.put((sub["destinationId"], json.dumps(message)))
        self.published[notification_type] = self.published.get(notification_type, 0) + 1
        self._start()
        return True

    def subscribed(self, seller_id: str, notification_type: str) -> bool:
        return (seller_id, notification_type) in self.subscriptions

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="sandbox-notifications", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._outbox.get()
            batch = [first]
            while len(batch) < 10:
                try:
                    batch.append(self._outbox.get_nowait())
                except queue.Empty:
                    break
            by_dest: dict[str, list[str]] = {}
            for dest, body in batch:
                by_dest.setdefault(dest, []).append(body)
            for dest, bodies in by_dest.items():
                try:
                    entries = [{"Id": str(n), "MessageBody": b} for n, b in enumerate(bodies)]
                    answer = self.sqs().send_message_batch(QueueUrl=self.queue_url(dest), Entries=entries)
                    self.failed += len(answer.get("Failed") or [])
                except Exception:  # noqa: BLE001 - a queue gone or unreachable loses the events, as on AWS
                    logger.warning("publishing %d notification(s) failed", len(bodies), exc_info=True)
                    self.failed += len(bodies)
            for _ in batch:
                self._outbox.task_done()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued notification was handed to SQS (tests)."""
        import time

        deadline = time.monotonic() + timeout
        while self._outbox.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    # --- what the marketplace's changes publish ---------------------------------------------
    def seller_of(self, listing: Any) -> str | None:
        for seller in self.market.sellers.values():
            if seller.listings.get(listing.sku) is listing:
                return seller.seller_id
        return None

    def listing_changed(self, listing: Any, seller_id: str | None = None) -> None:
        """A listing's status or issues changed: LISTINGS_ITEM_STATUS_CHANGE and
        LISTINGS_ITEM_ISSUES_CHANGE, to whoever subscribed."""
        seller_id = seller_id or self.seller_of(listing)
        if seller_id is None:
            return
        seller = self.market.sellers[seller_id]
        now = self.market.clock.now()
        if self.subscribed(seller_id, "LISTINGS_ITEM_STATUS_CHANGE"):
            status = []
            if listing.status == "BUYABLE":
                sellable = listing.price is not None and (listing.fulfillment_channel != "DEFAULT"
                                                          or (listing.quantity or 0) > 0)
                status = ["BUYABLE", "DISCOVERABLE"] if sellable else ["DISCOVERABLE"]
            elif listing.status == "DELETED":
                status = ["DELETED"]
            payload = {"SellerId": seller_id, "MarketplaceId": seller.marketplaces[0], "Sku": listing.sku,
                       "CreatedDate": _stamp(listing.created), "Status": status}
            if listing.asin:
                payload["Asin"] = listing.asin
            self.publish(seller_id, "LISTINGS_ITEM_STATUS_CHANGE", payload, now)
        if self.subscribed(seller_id, "LISTINGS_ITEM_ISSUES_CHANGE"):
            severities = sorted({str(i.get("severity") or "ERROR") for i in listing.issues}) or ["NONE"]
            payload = {"SellerId": seller_id, "MarketplaceId": seller.marketplaces[0], "Sku": listing.sku,
                       "Severities": severities, "EnforcementActions": [
                           "SEARCH_SUPPRESSED" for i in listing.issues if "SUPPRESS" in str(i.get("categories"))][:1]}
            if listing.asin:
                payload["Asin"] = listing.asin
            self.publish(seller_id, "LISTINGS_ITEM_ISSUES_CHANGE", payload, now)

    def order_changed(self, seller_id: str, order: dict) -> None:
        """ORDER_CHANGE for a new order or a new status."""
        if not self.subscribed(seller_id, "ORDER_CHANGE"):
            return
        now = self.market.clock.now()
        fulfilment = order["fulfillment"]
        address = (order.get("recipient") or {}).get("deliveryAddress") or {}
        payload = {"OrderChangeNotification": {
            "NotificationLevel": "OrderLevel", "SellerId": seller_id, "AmazonOrderId": order["orderId"],
            "OrderChangeType": "OrderStatusChange",
            "OrderChangeTrigger": {"TimeOfOrderChange": order["lastUpdatedTime"], "ChangeReason": "OrderStatusChange"},
            "Summary": {
                "MarketplaceId": order["salesChannel"]["marketplaceId"],
                "OrderStatus": _ORDER_STATUS.get(str(fulfilment["fulfillmentStatus"]).upper(), "Unshipped"),
                "PurchaseDate": order["createdTime"], "DestinationPostalCode": address.get("postalCode"),
                "FulfillmentType": _FULFILMENT.get(str(fulfilment.get("fulfilledBy")).upper(), "MFN"),
                "OrderType": "StandardOrder",
                "OrderItems": [{"OrderItemId": i["orderItemId"], "SellerSKU": i["product"]["sellerSku"],
                                "SupplySourceId": "", "Quantity": int(i["quantityOrdered"])}
                               for i in order["orderItems"]]}}}
        self.publish(seller_id, "ORDER_CHANGE", payload, now)

    def offers_changed(self, seller_id: str, asin: str, offers: list[dict], condition: str = "new") -> None:
        """ANY_OFFER_CHANGED: the top offers on the ASIN (``offers``: the shape of
        ``Marketplace.offers`` entries: seller_id, price, shipping, fba, buybox)."""
        if not self.subscribed(seller_id, "ANY_OFFER_CHANGED"):
            return
        seller = self.market.sellers[seller_id]
        now = self.market.clock.now()
        from sandbox.routes_pricing import summary_of

        summary, top = summary_of(offers, seller.marketplaces[0], condition)
        payload = {"AnyOfferChangedNotification": {
            "SellerId": seller_id,
            "OfferChangeTrigger": {"MarketplaceId": seller.marketplaces[0], "ASIN": asin, "ItemCondition": condition,
                                   "TimeOfOfferChange": _stamp(now), "OfferChangeType": "External"},
            "Summary": summary, "Offers": top}}
        self.publish(seller_id, "ANY_OFFER_CHANGED", payload, now)

    def documents_finished(self) -> None:
        """REPORT_PROCESSING_FINISHED and FEED_PROCESSING_FINISHED for reports and feeds whose
        processing ended since the last look (the sweep calls it)."""
        from sandbox.app import processing_status

        now = self.market.clock.now()
        for kind, items, key in (("REPORT_PROCESSING_FINISHED", self.market.reports, "report"),
                                 ("FEED_PROCESSING_FINISHED", self.market.feeds, "feed")):
            for doc_id, doc in list(items.items()):
                if doc_id in self._notified or not self.subscribed(doc["seller"], kind):
                    continue
                status = processing_status(doc["created"], now, bool(doc.get("fatal")))
                if status not in ("DONE", "FATAL"):
                    continue
                self._notified.add(doc_id)
                body = {"sellerId": doc["seller"], "accountId": doc["seller"], f"{key}Id": doc_id,
                        f"{key}Type": doc[f"{key}Type"], "processingStatus": status}
                self.publish(doc["seller"], kind, {f"{key}ProcessingFinishedNotification": body}, now)

    def sweep(self) -> None:
        """What happens on Amazon's side with nobody asking: approvals coming due and
        documents finishing publish their notifications."""
        market = self.market
        if not self.subscriptions:
            return
        with market.lock:
            for seller in market.sellers.values():
                if not self.subscribed(seller.seller_id, "LISTINGS_ITEM_STATUS_CHANGE") and \
                        not self.subscribed(seller.seller_id, "LISTINGS_ITEM_ISSUES_CHANGE"):
                    continue
                for listing in list(seller.listings.values()):
                    if listing.buyable_at is not None:
                        market.refresh_listing(listing)  # publishes through listing_changed when due
            self.documents_finished()

    def close(self) -> None:
        """Stop the sweeper (the sandbox is shutting down)."""
        if self._sweeper is not None:
            self._sweeper.set()
            self._sweeper = None

    def start_sweeper(self, every: float = 0.1) -> threading.Event:
        """Run ``sweep`` every ``every`` real seconds in a daemon thread; set the returned event to stop."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(every):
                try:
                    self.sweep()
                except Exception:  # noqa: BLE001 - the next sweep tries again
                    logger.warning("notification sweep failed", exc_info=True)

        threading.Thread(target=run, name="sandbox-notification-sweep", daemon=True).start()
        return stop
