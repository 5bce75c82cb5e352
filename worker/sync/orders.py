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

A page is written as a whole, in one transaction with its page token and a constant
number of statements: one read of the orders stored before, one of the product ids of
all its SKUs, then multi-row upserts of the orders and their items and multi-row
writes of the reservations (``write_stock_events``).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel import pii
from channel.errors import ConfigurationError
from channel.magento.contracts import SIGN, metadata
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
            orders = [order if order.get("orderItems") else api.get_order(self.client, order["orderId"])
                      for order in page.orders]
            self.store_page(orders)
            for order in orders:
                updated = _time(order["lastUpdatedTime"])
                newest = max(newest or updated, updated)
            self.stats.seen += len(orders)
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
        if rows:
            self.store_page([api.get_order(self.client, amazon_order_id) for amazon_order_id in rows])
            self.conn.commit()

    # --- one order's state ----------------------------------------------------------
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

    # --- one page of orders ----------------------------------------------------------
    def store(self, order: dict) -> None:
        """One order, as a page of one (a re-read of an order waiting for its address)."""
        self.store_page([order])

    def store_page(self, orders: list[dict]) -> None:
        """A page of orders in a constant number of statements, whatever its size: the orders
        Amazon already sent us, the product ids of all its SKUs, the orders, their items and
        the reservations each written by one multi-row statement. The caller commits the page
        with its page token: one transaction per page, so a worker killed mid-page repeats
        the page and nothing in it twice."""
        by_id: dict[str, dict] = {}
        for order in orders:
            if (order.get("fulfillment") or {}).get("fulfilledBy", "MERCHANT") == "AMAZON" \
                    and not self.settings["import_fba"]:
                continue
            by_id[order["orderId"]] = order  # a page names an order once; a repeat keeps the last
        if not by_id:
            return
        account_id = self.account.account_id
        current = {r.amazon_order_id: r for r in self.conn.execute(text(
            "SELECT order_id, amazon_order_id, magento_status, magento_failure_reason, shipping_address"
            " FROM channel_amazon_order WHERE account_id = :a AND amazon_order_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)), {"a": account_id, "ids": list(by_id)})}
        rows, statuses = [], {}
        clock_now = datetime.utcnow()
        for amazon_id, order in by_id.items():
            row, status, fulfilled_by = self._order_row(order, current.get(amazon_id), clock_now)
            rows.append(row)
            statuses[amazon_id] = (status, fulfilled_by)
        self.conn.execute(text(ORDER_UPSERT), rows)
        order_ids: dict[str, int] = dict(self.conn.execute(text(
            "SELECT amazon_order_id, order_id FROM channel_amazon_order WHERE account_id = :a"
            " AND amazon_order_id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"a": account_id, "ids": list(by_id)}).all())
        items = self._items({order_ids[k]: o.get("orderItems", []) for k, o in by_id.items()})
        events = []
        for amazon_id, (status, fulfilled_by) in statuses.items():
            if fulfilled_by != "MERCHANT":
                continue
            if status == "CANCELLED":
                kind = "release_cancel"
            elif status != "PENDING" or self.settings["reserve_pending"]:
                kind = "reserve"
            else:
                continue
            events += [(item, kind, amazon_id) for item in items.get(order_ids[amazon_id], ())
                       if item["magento_sku"]]
        written = write_stock_events(self.conn, self.schema, events, self.stock_id)
        self.stats.reserved += written.get("reserve", 0)
        self.stats.released += written.get("release_cancel", 0)

    def _order_row(self, order: dict, current, now: datetime) -> tuple[dict, str, str]:
        """The order's row for ORDER_UPSERT, its fulfilment status and who fulfils it."""
        fulfillment = order.get("fulfillment") or {}
        status = fulfillment.get("fulfillmentStatus", "PENDING")
        fulfilled_by = fulfillment.get("fulfilledBy", "MERCHANT")
        total = (order.get("proceeds") or {}).get("grandTotal") or {}
        buyer = order.get("buyer") or {}
        address = (order.get("recipient") or {}).get("deliveryAddress") or None
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
        keep = not pii.expired(status, closed, now)  # never store what must already be gone
        if current is None:
            self.stats.new += 1
        else:
            self.stats.updated += 1
        if reason == "address_missing" and (current is None or current.magento_failure_reason != reason):
            self.stats.address_missing += 1
            logger.warning("Amazon order %s has no street address; not offered to Magento", order["orderId"])
        row = {"a": self.account.account_id, "id": order["orderId"], "st": status, "fb": fulfilled_by,
               "pd": _time(order["createdTime"]), "lu": updated, "cur": total.get("currencyCode"),
               "tot": total.get("amount"),
               "bn": pii.seal(self.vault, buyer.get("buyerName")) if keep else None,
               "be": pii.seal(self.vault, buyer.get("buyerEmail")) if keep else None,
               "addr": pii.seal_address(self.vault, address) if keep else None, "ms": magento_status,
               "fr": reason, "fm": ADDRESS_MISSING if reason == "address_missing" else None, "ca": closed}
        return row, status, fulfilled_by

    def _products(self, skus: set[str]) -> dict[str, tuple[int, str]]:
        """(product id, Magento SKU) by lower-cased seller SKU: the listings we hold first, then
        Magento's catalog for seller SKUs not listed through us. One read each, per page."""
        if not skus:
            return {}
        stmt = text("SELECT seller_sku, product_id, magento_sku FROM channel_amazon_listing WHERE account_id = :a"
                    " AND seller_sku IN :s AND product_id IS NOT NULL").bindparams(bindparam("s", expanding=True))
        products = {r.seller_sku.lower(): (r.product_id, r.magento_sku)
                    for r in self.conn.execute(stmt, {"a": self.account.account_id, "s": sorted(skus)})}
        missing = sorted(s for s in skus if s.lower() not in products)
        if missing:  # not listed through us: the seller SKU may still be a Magento SKU
            products.update(self.reader.product_ids(missing))
        return products

    def _items(self, raw_by_order: dict[int, list[dict]]) -> dict[int, list[dict]]:
        """Upsert the items of the page's orders; their rows as stored, by order id."""
        skus = {(i.get("product") or {}).get("sellerSku") for raws in raw_by_order.values() for i in raws}
        products = self._products({s for s in skus if s})
        rows = []
        for order_id, raws in raw_by_order.items():
            for raw in raws:
                product = raw.get("product") or {}
                sku = product.get("sellerSku", "")
                pid, msku = products.get(sku.lower(), (None, None))
                price = ((product.get("price") or {}).get("unitPrice") or {}).get("amount")
                rows.append({"o": order_id, "i": raw["orderItemId"], "s": sku, "asin": product.get("asin"),
                             "p": pid, "m": msku, "t": (product.get("title") or "")[:500],
                             "q": int(raw.get("quantityOrdered", 1)), "pr": price})
        if not rows:
            return {}
        self.conn.execute(text(ITEM_UPSERT), rows)
        out: dict[int, list[dict]] = {}
        for r in self.conn.execute(text(
                "SELECT item_id, order_id, product_id, magento_sku, qty_ordered FROM channel_amazon_order_item"
                " WHERE order_id IN :o ORDER BY item_id").bindparams(bindparam("o", expanding=True)),
                {"o": list(raw_by_order)}):
            out.setdefault(r.order_id, []).append({"item_id": r.item_id, "product_id": r.product_id,
                                                   "magento_sku": r.magento_sku, "qty": r.qty_ordered})
        return out


ORDER_UPSERT = (
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
    "   ELSE magento_failure_message END")

ITEM_UPSERT = (
    "INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku, asin, product_id,"
    " magento_sku, title, qty_ordered, price) VALUES (:o, :i, :s, :asin, :p, :m, :t, :q, :pr)"
    " ON DUPLICATE KEY UPDATE product_id = COALESCE(product_id, VALUES(product_id)),"
    " magento_sku = COALESCE(magento_sku, VALUES(magento_sku)), price = COALESCE(VALUES(price), price),"
    " asin = COALESCE(VALUES(asin), asin), title = COALESCE(NULLIF(VALUES(title), ''), title)")


def write_stock_events(conn: Connection, schema, events: list[tuple[dict, str, str]],
                       msi_stock_id: int | None) -> dict[str, int]:
    """Reservations and their releases for many order items at once, each written once.

    ``events``: (item, kind, Amazon order id) with kind ``reserve`` or ``release_cancel``.
    The ledger rows of the items are read with a locking read; a reservation is written
    when the ledger has none for its item, a release when the item holds a reservation
    that was never given back. The ledger rows and the stock writes (MSI reservations,
    or the legacy stock quantities) go in the caller's transaction, one multi-row
    statement each: the ledger's unique (item, kind) makes a write that raced another
    fail the whole page, never count twice. Returns how many were written, by kind."""
    if not events:
        return {}
    held: dict[int, tuple[str, int]] = {}
    released: set[int] = set()
    for r in conn.execute(text(
            "SELECT item_id, kind, stock_model, stock_id FROM channel_amazon_reservation WHERE item_id IN :i"
            " FOR UPDATE").bindparams(bindparam("i", expanding=True)),
            {"i": sorted({item["item_id"] for item, _, _ in events})}):
        if r.kind == "reserve":
            held[r.item_id] = (r.stock_model, r.stock_id)
        else:
            released.add(r.item_id)
    ledger: list[dict] = []
    msi: list[dict] = []
    legacy: dict[int, float] = {}
    written: dict[str, int] = {}
    for item, kind, amazon_order_id in events:
        if kind not in SIGN:
            raise ValueError(f"unknown stock event {kind!r}")
        if kind == "reserve":
            if item["item_id"] in held:
                continue
            model, stock_id = ("msi", msi_stock_id) if msi_stock_id else ("legacy", 1)
            held[item["item_id"]] = (model, stock_id)
        else:
            if item["item_id"] not in held or item["item_id"] in released:
                continue  # nothing held, or already given back once
            model, stock_id = held[item["item_id"]]
            released.add(item["item_id"])
        quantity = SIGN[kind] * float(item["qty"])
        ledger.append({"i": item["item_id"], "k": kind, "m": model, "s": stock_id, "sku": item["magento_sku"],
                       "q": quantity})
        if model == "msi":
            msi.append({"s": stock_id, "sku": item["magento_sku"], "q": quantity,
                        "m": metadata(kind, amazon_order_id)})
        elif item["product_id"] is not None:
            legacy[item["product_id"]] = legacy.get(item["product_id"], 0.0) + quantity
        written[kind] = written.get(kind, 0) + 1
    if not ledger:
        return written
    conn.execute(text("INSERT INTO channel_amazon_reservation (item_id, kind, stock_model, stock_id, sku, quantity)"
                      " VALUES (:i, :k, :m, :s, :sku, :q)"), ledger)
    if msi:
        conn.execute(text(f"INSERT INTO {schema.t('inventory_reservation')} (stock_id, sku, quantity, metadata)"
                          f" VALUES (:s, :sku, :q, :m)"), msi)
    if legacy:
        ids = sorted(legacy)
        cases = " ".join(f"WHEN {int(p)} THEN :q{n}" for n, p in enumerate(ids))
        conn.execute(text(f"UPDATE {schema.t('cataloginventory_stock_item')} SET qty = qty + CASE product_id {cases}"
                          f" END WHERE product_id IN :p AND stock_id = 1").bindparams(bindparam("p", expanding=True)),
                     {"p": ids, **{f"q{n}": legacy[p] for n, p in enumerate(ids)}})
    return written
