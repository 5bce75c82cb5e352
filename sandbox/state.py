"""The sandbox marketplace's state: sellers, catalog, listings, reports, feeds, orders.

Everything lives in memory behind one lock. Time runs on a ``Clock`` that can be sped
up (``--time-scale``) so approvals, report processing and order arrival that take
minutes on Amazon take seconds in tests; token buckets run on the same clock, so
rate limits scale with it.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from sandbox.notifications import NotificationHub

#: Amazon's default (rate per second, burst) per operation, from the models.
RATES = {
    "getMarketplaceParticipations": (0.016, 15), "createReport": (0.0167, 15), "getReport": (2, 15),
    "getReportDocument": (0.0167, 15), "createFeedDocument": (0.5, 15), "createFeed": (0.0083, 15),
    "getFeed": (2, 15), "getFeeds": (0.0222, 10), "getFeedDocument": (0.0222, 10), "getListingsItem": (5, 10),
    "putListingsItem": (5, 10), "patchListingsItem": (5, 5), "deleteListingsItem": (5, 5),
    "searchCatalogItems": (2, 2), "searchOrders": (0.0056, 20), "getOrder": (0.5, 30),
    "confirmShipment": (2, 10), "searchDefinitionsProductTypes": (5, 10), "getDefinitionsProductType": (5, 10),
    "getListingsRestrictions": (5, 10),
    "createDestination": (1, 5), "getDestinations": (1, 5), "getDestination": (1, 5), "deleteDestination": (1, 5),
    "createSubscription": (1, 5), "getSubscription": (1, 5), "getSubscriptionById": (1, 5),
    "deleteSubscriptionById": (1, 5), "getItemOffersBatch": (0.1, 1), "getCompetitiveSummary": (0.033, 1),
    # Not an operation: JSON_LISTINGS_FEED's own limit, 5 submissions per 5 minutes per region.
    "JSON_LISTINGS_FEED": (5 / 300, 5),
}
#: Seconds (sandbox time) before a new offer becomes buyable, and report/feed steps.
APPROVAL_DELAY = 120
PROCESSING_STEP = 30
#: Seconds (sandbox time) a new SKU stays unreadable (404) after an accepted put.
VISIBILITY_DELAY = 60


class Clock:
    """The marketplace's time: real time sped up by ``scale``, plus ``offset()`` seconds.

    ``offset`` is a clock shared with the worker (``worker.amazon.clock.SharedClock``):
    the seconds the worker let pass by waiting instead of sleeping, read on every tick,
    so both sides see one Amazon clock."""

    def __init__(self, scale: float = 1.0, start: datetime | None = None, offset=None):
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale
        self.offset = offset or (lambda: 0.0)
        self._real0 = time.monotonic()
        self._t0 = start or datetime.now(timezone.utc)

    def now(self) -> datetime:
        return self._t0 + timedelta(seconds=self.seconds())

    def seconds(self) -> float:
        return (time.monotonic() - self._real0) * self.scale + self.offset()


class Buckets:
    """Token buckets per (seller, operation) on the sandbox clock."""

    def __init__(self, clock: Clock, enabled: bool = True):
        self.clock = clock
        self.enabled = enabled
        self._state: dict[tuple, tuple[float, float]] = {}
        self.overrides: dict[str, tuple[float, int]] = {}  # usage plans raised or lowered for this seller

    def plan(self, operation: str) -> tuple[float, int] | None:
        """(rate, burst) applied to the operation, as ``x-amzn-RateLimit-Limit`` reports the rate."""
        return self.overrides.get(operation) or RATES.get(operation)

    def take(self, key: str, operation: str) -> bool:
        plan = self.plan(operation) if self.enabled else None
        if plan is None:
            return True
        rate, burst = plan
        now = self.clock.seconds()
        tokens, last = self._state.get((key, operation), (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens < 1:
            self._state[(key, operation)] = (tokens, now)
            return False
        self._state[(key, operation)] = (tokens - 1, now)
        return True


@dataclasses.dataclass
class Listing:
    sku: str
    asin: str | None
    price: float | None = None
    quantity: int | None = None
    condition: str = "new_new"
    product_type: str = "PRODUCT"
    status: str = "BUYABLE"  # BUYABLE, DISCOVERABLE or "" (inactive)
    fulfillment_channel: str = "DEFAULT"
    title: str = ""
    issues: list = dataclasses.field(default_factory=list)
    created: datetime = dataclasses.field(default_factory=lambda: datetime.now(timezone.utc))
    updated: datetime = dataclasses.field(default_factory=lambda: datetime.now(timezone.utc))
    buyable_at: datetime | None = None  # pending approval until then
    reject_with: dict | None = None  # an issue Amazon raises instead of approving
    attributes: dict = dataclasses.field(default_factory=dict)
    visible_at: datetime | None = None  # getListingsItem answers 404 until then
    asin_at: datetime | None = None  # a new product gets its ASIN then (sandbox.product_types)


@dataclasses.dataclass
class Seller:
    seller_id: str
    marketplaces: list
    client_id: str
    client_secret: str
    refresh_token: str
    listings: dict = dataclasses.field(default_factory=dict)
    orders: dict = dataclasses.field(default_factory=dict)
    shipments: list = dataclasses.field(default_factory=list)
    #: The app holds the restricted roles (Direct-to-Consumer Delivery, Tax Invoicing):
    #: without them getOrder/searchOrders return no buyer and no street address.
    restricted_roles: bool = True
    #: The app holds the Inventory and Order Tracking role: without it orders answer 403.
    orders_role: bool = True


class Marketplace:
    """All sellers and what Amazon knows of them."""

    def __init__(self, clock: Clock | None = None, throttle: bool = True):
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.buckets = Buckets(self.clock, throttle)
        self.sellers: dict[str, Seller] = {}
        self.catalog: dict[str, dict] = {}  # asin -> {"title", "identifiers": {"UPC": ...}, "parent": bool}
        self.tokens: dict[str, tuple[str, datetime]] = {}  # access token -> (seller_id, expires)
        self.reports: dict[str, dict] = {}
        self.feeds: dict[str, dict] = {}
        self.documents: dict[str, dict] = {}  # id -> {"content": bytes, "content_type", "compression"}
        self.faults: list[dict] = []  # {"operation": name or "*", "status": int, "count": n, "kind": ...}
        self.calls: dict[str, int] = {}
        self.throttled: dict[str, int] = {}  # 429 answers per operation
        #: When Amazon applied the last offer change (a patch answered, a feed processed).
        self.last_applied: datetime | None = None
        self.report_options = {"gzip": False, "encoding": "utf-8"}
        self.report_snapshots: dict[str, list] = {}  # seller -> rows a stale report is built from
        self.feed_report: str | None = None  # "empty", "malformed" or "missing_messages": damaged reports
        self.reject_skus: set[str] = set()  # every put/patch of these SKUs is INVALID
        self.revoked = False  # LWA refuses every refresh token (the seller revoked the app)
        self.submissions: dict[str, int] = {}  # offers created or relisted, per SKU
        self.visibility_delay = VISIBILITY_DELAY
        self.stranded: dict[str, int] = {}  # FBA units left at Amazon without a listing, per SKU
        self._ids = itertools.count(50000)
        #: Notifications API: destinations, subscriptions and the events they publish to SQS.
        self.notifications = NotificationHub(self)
        #: Other sellers' offers per ASIN (the pricing APIs and ANY_OFFER_CHANGED read them).
        self.competition: dict[str, list[dict]] = {}

    def applied(self, when: datetime) -> None:
        with self.lock:
            self.last_applied = when if self.last_applied is None else max(self.last_applied, when)

    def next_id(self) -> str:
        return str(next(self._ids))

    # --- seeding -----------------------------------------------------------------------
    def load(self, seed: dict) -> None:
        with self.lock:
            self._identifier_index = None  # searchCatalogItems' index, built again on the next search
            for item in seed.get("catalog", []):
                self.catalog[item["asin"]] = item
            for s in seed.get("sellers", []):
                seller = Seller(s["seller_id"], list(s.get("marketplaces", ["ATVPDKIKX0DER"])), s["client_id"],
                                s["client_secret"], s["refresh_token"])
                self.sellers[seller.seller_id] = seller
                for item in s.get("catalog", []):
                    self.catalog[item["asin"]] = item
                for li in s.get("listings", []):
                    seller.listings[li["sku"]] = Listing(
                        sku=li["sku"], asin=li.get("asin"), price=li.get("price"), quantity=li.get("quantity"),
                        status=li.get("status", "BUYABLE"), title=li.get("title", ""),
                        fulfillment_channel=li.get("fulfillment_channel", "DEFAULT"), issues=li.get("issues", []),
                        attributes=li.get("attributes", {}),
                        created=self.clock.now(), updated=self.clock.now())
                for o in s.get("orders", []):
                    self.add_order(seller.seller_id, o)
            if "report_options" in seed:
                self.report_options.update(seed["report_options"])
            # Other sellers' offers per ASIN, as ``/_sandbox/competition`` sets them (no notification).
            self.competition.update(seed.get("competition") or {})

    def add_order(self, seller_id: str, order: dict) -> dict:
        """Orders as Orders API 2026-01-01 holds them, every dataset filled; what a caller
        sees of them (``includedData``, restricted data, prices while Pending) is decided
        by ``sandbox.routes_orders.order_view``. Missing fields get defaults."""
        with self.lock:
            now = self.clock.now()
            stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
            seller = self.sellers[seller_id]
            order_id = order.get("orderId") or f"{111 + len(seller.orders):03d}-{next(self._ids):07d}-0000001"
            currency = order.get("currency", "USD")
            items = [{"orderItemId": it.get("orderItemId") or f"{order_id[-7:]}{n:04d}",
                      "quantityOrdered": it.get("quantity", 1),
                      "product": {"asin": it.get("asin", "B000000000"), "sellerSku": it["sku"],
                                  "title": it.get("title", it["sku"]),
                                  "price": {"unitPrice": {"amount": str(it.get("price", "10.00")),
                                                          "currencyCode": currency}}},
                      "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": it.get("quantity", 1)}}
                     for n, it in enumerate(order.get("items", []), start=1)]
            total = sum(float(i["product"]["price"]["unitPrice"]["amount"]) * i["quantityOrdered"] for i in items)
            for item in items:
                amount = float(item["product"]["price"]["unitPrice"]["amount"]) * item["quantityOrdered"]
                item["proceeds"] = {"proceedsTotal": {"amount": f"{amount:.2f}", "currencyCode": currency}}
            record = {
                "orderId": order_id, "createdTime": stamp, "lastUpdatedTime": stamp,
                "salesChannel": {"channelName": "AMAZON", "marketplaceId": seller.marketplaces[0],
                                 "marketplaceName": "Amazon.com"},
                "fulfillment": {"fulfillmentStatus": order.get("status", "UNSHIPPED"),
                                "fulfilledBy": order.get("fulfilled_by", "MERCHANT")},
                "buyer": {"buyerName": order.get("buyer_name", "Jane Buyer"),
                          "buyerEmail": order.get("buyer_email", "buyer@marketplace.amazon.com")},
                "recipient": {"deliveryAddress": order.get("address") or {
                    "name": "Jane Buyer", "addressLine1": "1 Main Street", "city": "Seattle",
                    "stateOrRegion": "WA", "postalCode": "98101", "countryCode": "US"}},
                "proceeds": {"grandTotal": {"amount": f"{total:.2f}", "currencyCode": currency}},
                "orderItems": items,
                "packages": [],
            }
            seller.orders[order_id] = record
            self.notifications.order_changed(seller_id, record)
            return record

    def update_order(self, seller_id: str, order_id: str, status: str) -> dict:
        with self.lock:
            order = self.sellers[seller_id].orders[order_id]
            order["fulfillment"]["fulfillmentStatus"] = status
            order["lastUpdatedTime"] = self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
            self.notifications.order_changed(seller_id, order)
            return order

    def ship_package(self, seller_id: str, order_id: str, package: dict) -> dict:
        """A confirmed package: item quantities move from unshipped to shipped, the
        order becomes Partially shipped or Shipped, the package shows in ``packages``."""
        with self.lock:
            order = self.sellers[seller_id].orders[order_id]
            by_id = {i["orderItemId"]: i for i in order["orderItems"]}
            for line in package["orderItems"]:
                done = by_id[line["orderItemId"]].setdefault(
                    "fulfillment", {"quantityFulfilled": 0, "quantityUnfulfilled": 0})
                done["quantityFulfilled"] += int(line["quantity"])
                done["quantityUnfulfilled"] -= int(line["quantity"])
            stamp = self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
            order.setdefault("packages", []).append({
                "packageReferenceId": package["packageReferenceId"], "createdTime": stamp,
                "packageStatus": {"status": "SHIPPED"},
                "carrier": package.get("carrierName") or package["carrierCode"],
                "shipTime": package["shipDate"], "trackingNumber": package["trackingNumber"],
                **({"shippingService": package["shippingMethod"]} if package.get("shippingMethod") else {}),
                "packageItems": [{"orderItemId": i["orderItemId"], "quantity": int(i["quantity"])}
                                 for i in package["orderItems"]]})
            left = sum(i["fulfillment"]["quantityUnfulfilled"] for i in order["orderItems"])
            return self.update_order(seller_id, order_id, "SHIPPED" if left <= 0 else "PARTIALLY_SHIPPED")

    # --- faults --------------------------------------------------------------------------
    def take_fault(self, operation: str) -> dict | None:
        with self.lock:
            for fault in self.faults:
                if fault["operation"] in (operation, "*") and fault["count"] > 0:
                    fault["count"] -= 1
                    return fault
            return None

    # --- auth ----------------------------------------------------------------------------
    def issue_token(self, seller_id: str, lifetime: int = 3600) -> tuple[str, int]:
        token = "Atza|" + uuid.uuid4().hex
        self.tokens[token] = (seller_id, self.clock.now() + timedelta(seconds=lifetime))
        return token, lifetime

    def seller_for_token(self, token: str | None) -> tuple[str | None, str]:
        """(seller_id, "") when valid, else (None, why)."""
        if not token or token not in self.tokens:
            return None, "The access token you provided is revoked, malformed or invalid."
        seller_id, expires = self.tokens[token]
        if self.clock.now() >= expires:
            return None, "The access token you provided has expired."
        return seller_id, ""

    def expire_tokens(self) -> None:
        with self.lock:
            for token, (seller, _) in list(self.tokens.items()):
                self.tokens[token] = (seller, self.clock.now() - timedelta(seconds=1))

    # --- listings ------------------------------------------------------------------------
    def refresh_listing(self, listing: Listing) -> None:
        """Pending offers become buyable after the approval delay, or get Amazon's issue;
        a new product gets its ASIN after its own delay."""
        if listing.asin_at is not None and self.clock.now() >= listing.asin_at:
            from sandbox.product_types import assign_asin

            assign_asin(self, listing)
        if listing.buyable_at is not None and self.clock.now() >= listing.buyable_at:
            listing.buyable_at = None
            if listing.reject_with:
                listing.status = ""
                listing.issues = [listing.reject_with]
            else:
                listing.status = "BUYABLE"
                listing.issues = []
            listing.updated = self.clock.now()
            self.notifications.listing_changed(listing)

    def submit_offer(self, seller: Seller, sku: str, asin: str | None, price, quantity, condition: str,
                     product_type: str = "PRODUCT") -> Listing:
        """A new or relisted offer: not buyable at once. SKUs containing 'REJECT' or
        ASINs unknown to the catalog are refused with an issue after the delay."""
        existing = seller.listings.get(sku)
        self.submissions[sku] = self.submissions.get(sku, 0) + 1
        listing = existing or Listing(sku=sku, asin=asin, created=self.clock.now())
        listing.asin = asin or listing.asin
        listing.price = price if price is not None else listing.price
        listing.quantity = quantity if quantity is not None else listing.quantity
        listing.condition = condition or listing.condition
        listing.product_type = product_type
        if existing is None or existing.status != "BUYABLE":
            listing.status = ""
            listing.buyable_at = self.clock.now() + timedelta(seconds=APPROVAL_DELAY)
            listing.reject_with = None
            if "REJECT" in sku.upper() or (listing.asin and listing.asin not in self.catalog):
                listing.reject_with = {
                    "code": "8541", "severity": "ERROR", "categories": ["QUALIFICATION_REQUIRED"],
                    "message": "You need approval to list in this brand; apply in Seller Central."}
        listing.updated = self.clock.now()
        if existing is None:
            listing.visible_at = self.clock.now() + timedelta(seconds=self.visibility_delay)
        seller.listings[sku] = listing
        return listing

    def strand(self, seller: Seller, listing: Listing) -> None:
        """A deleted FBA listing leaves its units in Amazon's warehouse with no offer."""
        if listing.fulfillment_channel != "DEFAULT" and (listing.quantity or 0) > 0:
            self.stranded[listing.sku] = self.stranded.get(listing.sku, 0) + int(listing.quantity or 0)

    def take_listings_feed(self, seller_id: str) -> bool:
        """JSON_LISTINGS_FEED's own limit, on top of createFeed's: a bucket of 5, one more
        every minute (5 per 5 minutes), per seller and region."""
        with self.lock:
            return self.buckets.take(seller_id, "JSON_LISTINGS_FEED")
