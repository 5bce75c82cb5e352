"""OrderImporter: Amazon orders into our tables, once, with stock reserved at once.

Incremental by the account's last-updated cursor (with a small overlap, never before
the account was connected), paginated, within searchOrders' rate limit. Orders and
items are upserted by Amazon's ids, so a repeat or a worker killed mid-import never
makes a duplicate; the cursor moves only after the orders it covers are stored.
Merchant-fulfilled items reserve their stock once; a cancellation gives it back once.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel.magento.contracts import write_stock_event
from channel.orders import may_become_magento_order, order_settings
from worker.amazon import orders as api

logger = logging.getLogger(__name__)

#: Re-read orders updated this long before the cursor: Amazon's clock and ours differ.
OVERLAP = timedelta(minutes=10)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


@dataclasses.dataclass
class OrderStats:
    seen: int = 0
    new: int = 0
    reserved: int = 0
    released: int = 0


class OrderImporter:
    def __init__(self, conn: Connection, client, account, reader):
        self.conn = conn
        self.client = client
        self.account = account
        self.reader = reader
        self.schema = reader.schema
        self.settings = order_settings(account)
        self.stats = OrderStats()

    def since(self) -> datetime:
        connected = self.account.connected_at
        cursor = self.conn.execute(text("SELECT order_cursor FROM channel_amazon_account WHERE account_id = :a"),
                                   {"a": self.account.account_id}).scalar()
        start = (cursor - OVERLAP) if cursor else connected
        return max(start, connected) if connected else start

    def run(self, now: datetime | None = None) -> dict:
        if not self.settings["import"]:
            return {"skipped": "order import is off"}
        website = self.reader.website(self.account.website_id)
        self.stock_id = website.stock_id if self.reader.stock.msi else None
        newest = None
        for order in api.search_orders(self.client, self.since()):
            if not order.get("orderItems"):
                order = api.get_order(self.client, order["orderId"])
            self.store(order)
            updated = _time(order["lastUpdatedTime"])
            newest = max(newest or updated, updated)
            self.stats.seen += 1
            if self.stats.seen % 100 == 0:
                self.conn.commit()  # a page at a time: a crash repeats at most a page, idempotently
        self.conn.commit()
        if newest is not None:
            self.conn.execute(text("UPDATE channel_amazon_account SET order_cursor = GREATEST(COALESCE(order_cursor,"
                                   " :n), :n) WHERE account_id = :a"), {"n": newest, "a": self.account.account_id})
            self.conn.commit()
        return dataclasses.asdict(self.stats)

    def store(self, order: dict) -> None:
        fulfillment = order.get("fulfillment") or {}
        status = fulfillment.get("fulfillmentStatus", "PENDING")
        fulfilled_by = fulfillment.get("fulfilledBy", "MERCHANT")
        if fulfilled_by == "AMAZON" and not self.settings["import_fba"]:
            return
        total = (order.get("proceeds") or {}).get("grandTotal") or {}
        buyer = order.get("buyer") or {}
        address = (order.get("recipient") or {}).get("deliveryAddress")
        eligible = may_become_magento_order(status, fulfilled_by, self.settings["import_fba"])
        params = {"a": self.account.account_id, "id": order["orderId"], "st": status, "fb": fulfilled_by,
                  "pd": _time(order["createdTime"]), "lu": _time(order["lastUpdatedTime"]),
                  "cur": total.get("currencyCode"), "tot": total.get("amount"), "bn": buyer.get("buyerName"),
                  "be": buyer.get("buyerEmail"), "addr": json.dumps(address) if address else None,
                  "ms": "offered" if eligible else ("skipped" if status == "CANCELLED" else "pending")}
        inserted = self.conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, fulfilled_by, purchase_date,"
            " last_update_date, currency, order_total, buyer_name, buyer_email, shipping_address, magento_status)"
            " VALUES (:a, :id, :st, :fb, :pd, :lu, :cur, :tot, :bn, :be, :addr, :ms)"
            " ON DUPLICATE KEY UPDATE amazon_status = VALUES(amazon_status), last_update_date = VALUES(last_update_date),"
            " order_total = VALUES(order_total), buyer_name = COALESCE(VALUES(buyer_name), buyer_name),"
            " buyer_email = COALESCE(VALUES(buyer_email), buyer_email),"
            " shipping_address = COALESCE(VALUES(shipping_address), shipping_address),"
            " magento_status = CASE WHEN magento_status = 'pending' AND VALUES(magento_status) = 'offered' THEN 'offered'"
            " WHEN magento_status IN ('pending', 'offered') AND VALUES(amazon_status) = 'CANCELLED' THEN 'skipped'"
            " ELSE magento_status END"), params).rowcount
        self.stats.new += inserted == 1
        order_id = self.conn.execute(text("SELECT order_id FROM channel_amazon_order WHERE account_id = :a"
                                          " AND amazon_order_id = :id"), params).scalar()
        items = self._items(order_id, order.get("orderItems", []))
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
                for p in self.reader.products(self.account.website_id, skus=missing, in_website_only=False):
                    products[p.sku.lower()] = (p.entity_id, p.sku)
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
                " magento_sku = COALESCE(magento_sku, VALUES(magento_sku))"),
                {"o": order_id, "i": raw["orderItemId"], "s": sku, "asin": product.get("asin"), "p": pid, "m": msku,
                 "t": (product.get("title") or "")[:500], "q": int(raw.get("quantityOrdered", 1)), "pr": price})
            item_id = self.conn.execute(text("SELECT item_id, product_id, magento_sku, qty_ordered FROM"
                                             " channel_amazon_order_item WHERE order_id = :o AND amazon_order_item_id = :i"),
                                        {"o": order_id, "i": raw["orderItemId"]}).first()
            out.append({"item_id": item_id.item_id, "product_id": item_id.product_id,
                        "magento_sku": item_id.magento_sku, "qty": item_id.qty_ordered})
        return out
