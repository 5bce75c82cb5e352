"""OrderImporter: Amazon orders into our tables, once, with stock reserved at once.

Incremental by the account's last-updated cursor (with a small overlap, never before
the account was connected). searchOrders allows one call per three minutes after a
burst of 20, so a backlog takes several runs: after every page the page token is saved
with the orders of that page, and the next run continues from it (or, when Amazon no
longer takes the token, searches again from the cursor). The cursor moves only when a
search is read to its end, to the upper bound Amazon gives for it.

Orders and items are upserted by Amazon's ids, so a repeat or a worker killed
mid-import never makes a duplicate, and only orders not stored before count as new.
Items and money are updated whenever Amazon sends them (a Pending order has no prices
yet). An order is offered to Magento only once it has its prices and, when the
merchant ships it, a street address; a merchant-fulfilled order without one waits
with the reason ``address_missing`` and is read again on later runs. Merchant-fulfilled items reserve their stock
once; a cancellation gives it back once.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel import pii
from channel.errors import ConfigurationError
from channel.magento.contracts import write_stock_event
from channel.orders import may_become_magento_order, order_settings
from worker.amazon import orders as api
from worker.amazon.errors import InvalidInput

logger = logging.getLogger(__name__)

#: Re-read orders updated this long before the cursor: Amazon's clock and ours differ.
OVERLAP = timedelta(minutes=10)
#: A saved page token older than this is not used (Amazon keeps them 24 hours).
TOKEN_MAX_AGE = timedelta(hours=20)
#: Orders per searchOrders page (Amazon's maximum).
PAGE_SIZE = 100
#: Orders waiting for an address read again per run (getOrder: 0.5 per second, burst 30).
RECHECK_LIMIT = 10
#: Why a merchant-fulfilled order is not offered to Magento without an address.
ADDRESS_MISSING = ("Amazon sent no street address for this order. The app needs the restricted role"
                   " Direct-to-Consumer Delivery (Seller Central > Apps > your app's roles) to read it.")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


@dataclasses.dataclass
class OrderStats:
    seen: int = 0
    new: int = 0
    updated: int = 0
    pages: int = 0
    reserved: int = 0
    released: int = 0
    address_missing: int = 0


class OrderImporter:
    def __init__(self, conn: Connection, client, account, reader, page_size: int = PAGE_SIZE, vault=None):
        if vault is None:
            raise ConfigurationError("orders carry buyer data, stored only encrypted: the importer needs the vault")
        self.vault = vault
        self.conn = conn
        self.client = client
        self.account = account
        self.reader = reader
        self.schema = reader.schema
        self.settings = order_settings(account)
        self.page_size = page_size
        self.stats = OrderStats()

    def since(self) -> datetime:
        connected = self.account.connected_at
        cursor = self.conn.execute(text("SELECT order_cursor FROM channel_amazon_account WHERE account_id = :a"),
                                   {"a": self.account.account_id}).scalar()
        start = (cursor - OVERLAP) if cursor else connected
        return max(start, connected) if connected else start

    def _saved_search(self, now: datetime) -> tuple[str, str] | None:
        row = self.conn.execute(text(
            "SELECT order_search_after, order_search_token, order_search_saved_at FROM channel_amazon_account"
            " WHERE account_id = :a"), {"a": self.account.account_id}).first()
        if row is None or not row.order_search_token or not row.order_search_after:
            return None
        if row.order_search_saved_at is None or now - row.order_search_saved_at > TOKEN_MAX_AGE:
            return None
        return row.order_search_after, row.order_search_token

    def _save_search(self, after: str | None, token: str | None, now: datetime) -> None:
        self.conn.execute(text(
            "UPDATE channel_amazon_account SET order_search_after = :s, order_search_token = :t,"
            " order_search_saved_at = :n WHERE account_id = :a"),
            {"s": after, "t": token, "n": now if token else None, "a": self.account.account_id})

    def run(self, now: datetime | None = None) -> dict:
        if not self.settings["import"]:
            return {"skipped": "order import is off"}
        now = now or datetime.utcnow()
        website = self.reader.website(self.account.website_id)
        self.stock_id = website.stock_id if self.reader.stock.msi else None
        saved = self._saved_search(datetime.utcnow())
        after, token = saved if saved else (api.iso(self.since()), None)
        newest = None
        while True:
            try:
                page = api.search_page(self.client, after, token, self.page_size)
            except InvalidInput:
                if not token:
                    raise
                logger.info("Account %s: the saved order page token was refused; searching again from the"
                            " cursor", self.account.account_id)
                self._save_search(None, None, now)
                self.conn.commit()
                after, token = api.iso(self.since()), None
                continue
            self.stats.pages += 1
            for order in page.orders:
                if not order.get("orderItems"):
                    order = api.get_order(self.client, order["orderId"])
                self.store(order)
                updated = _time(order["lastUpdatedTime"])
                newest = max(newest or updated, updated)
                self.stats.seen += 1
            if page.next_token:
                token = page.next_token
                self._save_search(after, token, datetime.utcnow())
                self.conn.commit()  # the page and where to go on from it, together
                continue
            end = _time(page.updated_before) if page.updated_before else newest
            self._save_search(None, None, now)
            if end is not None:
                self.conn.execute(text("UPDATE channel_amazon_account SET order_cursor ="
                                       " GREATEST(COALESCE(order_cursor, :n), :n) WHERE account_id = :a"),
                                  {"n": end, "a": self.account.account_id})
            self.conn.commit()
            self.recheck_addresses()
            return dataclasses.asdict(self.stats)

    def recheck_addresses(self, limit: int = RECHECK_LIMIT) -> None:
        """Read again the orders that waited for a street address: once the merchant grants
        the role, they reach Magento without waiting for Amazon to change them."""
        rows = self.conn.execute(text(
            "SELECT amazon_order_id FROM channel_amazon_order WHERE account_id = :a AND magento_status = 'failed'"
            " AND magento_failure_reason = 'address_missing' AND amazon_status IN ('UNSHIPPED', 'PARTIALLY_SHIPPED')"
            " ORDER BY purchase_date LIMIT :l"), {"a": self.account.account_id, "l": limit}).scalars().all()
        for amazon_order_id in rows:
            self.store(api.get_order(self.client, amazon_order_id))
            self.conn.commit()

    # --- one order -------------------------------------------------------------------
    def _magento_status(self, current, status: str, fulfilled_by: str, priced: bool,
                        has_street: bool) -> tuple[str, str | None]:
        """(magento_status, failure reason written by us) for an order as Amazon now shows it."""
        if current is not None and current.magento_status in ("created", "creating", "skipped"):
            return current.magento_status, None  # Magento has it, is placing it, or it was settled
        mine = current is not None and current.magento_failure_reason == "address_missing"
        if status == "CANCELLED":
            if current is None or current.magento_status in ("pending", "offered") or mine:
                return "skipped", None
            return current.magento_status, None
        if current is not None and current.magento_status in ("offered", "failed") and not mine:
            return current.magento_status, None  # the module's turn, or the merchant's retry
        if not may_become_magento_order(status, fulfilled_by, self.settings["import_fba"]) or not priced:
            return "pending", None
        if fulfilled_by == "MERCHANT" and not has_street:
            return "failed", "address_missing"
        return "offered", None

    def store(self, order: dict) -> None:
        fulfillment = order.get("fulfillment") or {}
        status = fulfillment.get("fulfillmentStatus", "PENDING")
        fulfilled_by = fulfillment.get("fulfilledBy", "MERCHANT")
        if fulfilled_by == "AMAZON" and not self.settings["import_fba"]:
            return
        total = (order.get("proceeds") or {}).get("grandTotal") or {}
        buyer = order.get("buyer") or {}
        address = (order.get("recipient") or {}).get("deliveryAddress") or None
        key = {"a": self.account.account_id, "id": order["orderId"]}
        current = self.conn.execute(text(
            "SELECT order_id, magento_status, magento_failure_reason, shipping_address FROM channel_amazon_order"
            " WHERE account_id = :a AND amazon_order_id = :id"), key).first()
        if current is not None and current.shipping_address and address and not address.get("addressLine1"):
            stored = pii.open_address(self.vault, current.shipping_address) or {}
            if stored.get("addressLine1"):
                address = stored  # a later read without the restricted data keeps the full address
        raw_items = order.get("orderItems", [])
        priced = all(((i.get("product") or {}).get("price") or {}).get("unitPrice") for i in raw_items)
        has_street = bool(address and address.get("addressLine1"))
        magento_status, reason = self._magento_status(current, status, fulfilled_by, priced, has_street)
        updated = _time(order["lastUpdatedTime"])
        closed = updated if status in pii.CLOSED else None
        keep = not pii.expired(status, closed, datetime.utcnow())  # never store what must already be gone
        params = {**key, "st": status, "fb": fulfilled_by, "pd": _time(order["createdTime"]),
                  "lu": updated, "cur": total.get("currencyCode"), "tot": total.get("amount"),
                  "bn": pii.seal(self.vault, buyer.get("buyerName")) if keep else None,
                  "be": pii.seal(self.vault, buyer.get("buyerEmail")) if keep else None,
                  "addr": pii.seal_address(self.vault, address) if keep else None, "ms": magento_status,
                  "fr": reason, "fm": ADDRESS_MISSING if reason == "address_missing" else None, "ca": closed}
        self.conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, fulfilled_by, purchase_date,"
            " last_update_date, currency, order_total, buyer_name, buyer_email, shipping_address, magento_status,"
            " magento_failure_reason, magento_failure_message, closed_at)"
            " VALUES (:a, :id, :st, :fb, :pd, :lu, :cur, :tot, :bn, :be, :addr, :ms, :fr, :fm, :ca)"
            " ON DUPLICATE KEY UPDATE"  # status first: MySQL assigns left to right, later terms see new values
            " magento_status = CASE WHEN magento_status IN ('created', 'creating') OR (magento_status = 'failed'"
            "   AND COALESCE(magento_failure_reason, '') <> 'address_missing' AND VALUES(magento_status) <> 'skipped')"
            "   THEN magento_status ELSE VALUES(magento_status) END,"
            " amazon_status = VALUES(amazon_status), last_update_date = VALUES(last_update_date),"
            " currency = COALESCE(VALUES(currency), currency), order_total = COALESCE(VALUES(order_total), order_total),"
            " buyer_name = COALESCE(VALUES(buyer_name), buyer_name),"
            " buyer_email = COALESCE(VALUES(buyer_email), buyer_email),"
            " shipping_address = COALESCE(VALUES(shipping_address), shipping_address),"
            " closed_at = COALESCE(closed_at, VALUES(closed_at)),"
            " magento_failure_reason = CASE WHEN VALUES(magento_failure_reason) IS NOT NULL"
            "   THEN VALUES(magento_failure_reason) WHEN magento_failure_reason = 'address_missing' THEN NULL"
            "   ELSE magento_failure_reason END,"
            " magento_failure_message = CASE WHEN VALUES(magento_failure_reason) IS NOT NULL"
            "   THEN VALUES(magento_failure_message) WHEN magento_failure_reason = 'address_missing' THEN NULL"
            "   ELSE magento_failure_message END"), params)
        if current is None:
            self.stats.new += 1
        else:
            self.stats.updated += 1
        if reason == "address_missing" and (current is None or current.magento_failure_reason != reason):
            self.stats.address_missing += 1
            logger.warning("Amazon order %s has no street address; not offered to Magento", order["orderId"])
        order_id = current.order_id if current is not None else self.conn.execute(text(
            "SELECT order_id FROM channel_amazon_order WHERE account_id = :a AND amazon_order_id = :id"), key).scalar()
        items = self._items(order_id, raw_items)
        if fulfilled_by != "MERCHANT":
            return
        for item in items:
            if not item["magento_sku"]:
                continue
            if status == "CANCELLED":
                self.stats.released += write_stock_event(
                    self.conn, self.schema, item_id=item["item_id"], kind="release_cancel", sku=item["magento_sku"],
                    qty=item["qty"], amazon_order_id=order["orderId"], msi_stock_id=self.stock_id,
                    product_id=item["product_id"])
            elif status != "PENDING" or self.settings["reserve_pending"]:
                self.stats.reserved += write_stock_event(
                    self.conn, self.schema, item_id=item["item_id"], kind="reserve", sku=item["magento_sku"],
                    qty=item["qty"], amazon_order_id=order["orderId"], msi_stock_id=self.stock_id,
                    product_id=item["product_id"])

    def _items(self, order_id: int, raw_items: list[dict]) -> list[dict]:
        skus = [i["product"]["sellerSku"] for i in raw_items if (i.get("product") or {}).get("sellerSku")]
        products = {}
        if skus:
            stmt = text("SELECT seller_sku, product_id, magento_sku FROM channel_amazon_listing WHERE account_id = :a"
                        " AND seller_sku IN :s AND product_id IS NOT NULL").bindparams(bindparam("s", expanding=True))
            products = {r.seller_sku.lower(): (r.product_id, r.magento_sku)
                        for r in self.conn.execute(stmt, {"a": self.account.account_id, "s": skus})}
            missing = [s for s in skus if s.lower() not in products]
            if missing:  # not listed through us: the seller SKU may still be a Magento SKU
                products.update(self.reader.product_ids(missing))
        out = []
        for raw in raw_items:
            product = raw.get("product") or {}
            sku = product.get("sellerSku", "")
            pid, msku = products.get(sku.lower(), (None, None))
            price = ((product.get("price") or {}).get("unitPrice") or {}).get("amount")
            self.conn.execute(text(
                "INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku, asin, product_id,"
                " magento_sku, title, qty_ordered, price) VALUES (:o, :i, :s, :asin, :p, :m, :t, :q, :pr)"
                " ON DUPLICATE KEY UPDATE product_id = COALESCE(product_id, VALUES(product_id)),"
                " magento_sku = COALESCE(magento_sku, VALUES(magento_sku)), price = COALESCE(VALUES(price), price),"
                " asin = COALESCE(VALUES(asin), asin), title = COALESCE(NULLIF(VALUES(title), ''), title)"),
                {"o": order_id, "i": raw["orderItemId"], "s": sku, "asin": product.get("asin"), "p": pid, "m": msku,
                 "t": (product.get("title") or "")[:500], "q": int(raw.get("quantityOrdered", 1)), "pr": price})
            item_id = self.conn.execute(text("SELECT item_id, product_id, magento_sku, qty_ordered FROM"
                                             " channel_amazon_order_item WHERE order_id = :o AND amazon_order_item_id = :i"),
                                        {"o": order_id, "i": raw["orderItemId"]}).first()
            out.append({"item_id": item_id.item_id, "product_id": item_id.product_id,
                        "magento_sku": item_id.magento_sku, "qty": item_id.qty_ordered})
        return out
