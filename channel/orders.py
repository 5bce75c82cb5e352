"""Amazon orders as the bridge and the Magento module see them.

Which orders may become Magento orders (the anchors' matrix: merchant-fulfilled when
Unshipped, Partially shipped or Shipped; Amazon-fulfilled when Shipped; never Pending
or Cancelled), what the module is offered, how its result is recorded. The module claims
an order before placing it: the claim gives back our stock reservation and marks the
order ``creating``, so Magento's own reservation is the only one when it checks and
reserves; a created order keeps it so, a failure reserves again, carries a reason the
merchant can act on and is retried a bounded number of times, then waits for a manual
retry. Orders still ``creating`` are offered again, for the module to find the order
Magento made (by Amazon order id and store) or to place it.
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel.errors import Conflict, InvalidInput, NotFound

MAX_ATTEMPTS = 3
REASONS = ("product_missing", "product_disabled", "out_of_stock", "address_invalid", "store_invalid", "other")
MERCHANT_READY = ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")
DEFAULTS = {"import": True, "store_id": None, "customer": "guest", "number_source": "magento",
            "reserve_pending": True, "status": "pending", "import_fba": True}
ORDER_COLUMNS = ("order_id", "account_id", "amazon_order_id", "amazon_status", "fulfilled_by", "purchase_date",
                 "last_update_date", "currency", "order_total", "magento_status", "magento_increment_id",
                 "magento_failure_reason", "magento_failure_message", "magento_attempts", "shipment_status",
                 "shipment_message")


def order_settings(account) -> dict:
    """The account's order settings with defaults, validated."""
    raw = (account.settings or {}).get("orders") or {}
    if not isinstance(raw, dict):
        raise InvalidInput("order settings must be an object", {"path": "orders"})
    out = {**DEFAULTS, **raw}
    if out["customer"] not in ("guest", "customer"):
        raise InvalidInput("orders.customer must be guest or customer", {"path": "orders.customer"})
    if out["number_source"] not in ("magento", "amazon"):
        raise InvalidInput("orders.number_source must be magento or amazon", {"path": "orders.number_source"})
    return out


def check_order_settings(conn: Connection, schema, orders: dict, website_id: int) -> None:
    """Order settings checked against this Magento: the store view exists, is active and
    belongs to the account's website; the status exists and is assigned to the state
    Magento gives a new order (``new``) or to ``processing`` (invoiced orders)."""
    store_id = orders.get("store_id")
    if store_id is not None:
        if isinstance(store_id, bool) or not isinstance(store_id, int):
            raise InvalidInput("orders.store_id must be the id of a store view", {"path": "orders.store_id"})
        row = conn.execute(text(f"SELECT website_id, is_active FROM {schema.t('store')} WHERE store_id = :s"),
                           {"s": store_id}).first()
        if row is None or store_id == 0:
            raise InvalidInput(f"Magento has no store view {store_id}", {"path": "orders.store_id"})
        if not row.is_active:
            raise InvalidInput(f"store view {store_id} is disabled in Magento", {"path": "orders.store_id"})
        if row.website_id != website_id:
            raise InvalidInput(f"store view {store_id} belongs to another website than the account's",
                               {"path": "orders.store_id"})
    status = orders.get("status")
    if status is not None:
        states = [r[0] for r in conn.execute(text(
            f"SELECT state FROM {schema.t('sales_order_status_state')} WHERE status = :s"), {"s": status})]
        if not states:
            known = conn.execute(text(f"SELECT 1 FROM {schema.t('sales_order_status')} WHERE status = :s"),
                                 {"s": status}).first()
            raise InvalidInput(f"order status {status!r} " + ("is not assigned to any order state in Magento"
                               if known else "does not exist in Magento"), {"path": "orders.status"})
        if not {"new", "processing"} & set(states):
            raise InvalidInput(f"order status {status!r} belongs to {', '.join(states)}; a new order needs a"
                               " status of the new or processing state", {"path": "orders.status"})


def may_become_magento_order(status: str, fulfilled_by: str, import_fba: bool = True) -> bool:
    if fulfilled_by == "AMAZON":
        return import_fba and status == "SHIPPED"
    return status in MERCHANT_READY


def _plain(row) -> dict:
    out = {}
    for k, v in dict(row).items():
        out[k] = v.isoformat() if hasattr(v, "isoformat") else float(v) if k in ("order_total", "price") and \
            v is not None else v
    return out


def list_orders(conn: Connection, account_id: int | None = None, status: str | None = None, limit: int = 50,
                offset: int = 0) -> tuple[list[dict], int]:
    where: list[str] = ["1 = 1"]
    params: dict[str, object] = {}
    if account_id is not None:
        where.append("account_id = :a")
        params["a"] = account_id
    if status:
        where.append("magento_status = :s")
        params["s"] = status
    clause = " AND ".join(where)
    total = conn.execute(text(f"SELECT COUNT(*) FROM channel_amazon_order WHERE {clause}"), params).scalar_one()
    rows = conn.execute(text(f"SELECT {', '.join(ORDER_COLUMNS)} FROM channel_amazon_order WHERE {clause}"
                             f" ORDER BY purchase_date DESC, order_id DESC LIMIT :l OFFSET :o"),
                        {**params, "l": limit, "o": offset}).mappings().all()
    return [_plain(r) for r in rows], int(total)


def offered_orders(conn: Connection, vault, limit: int = 50) -> list[dict]:
    """Orders for the module to create, the only place buyer data is decrypted (``channel.pii``)."""
    from channel.pii import open_address, open_value

    rows = conn.execute(text(
        f"SELECT o.{', o.'.join(ORDER_COLUMNS)}, o.buyer_name, o.buyer_email, o.shipping_address, a.settings,"
        f" a.website_id FROM channel_amazon_order o JOIN channel_amazon_account a ON a.account_id = o.account_id"
        f" WHERE o.magento_status IN ('offered', 'creating') AND o.magento_attempts < :max"
        f" ORDER BY o.purchase_date LIMIT :l"),
        {"max": MAX_ATTEMPTS, "l": limit}).mappings().all()
    offers = []
    for r in rows:
        item_rows = conn.execute(text(
            "SELECT amazon_order_item_id, seller_sku, magento_sku, product_id, qty_ordered, price, title"
            " FROM channel_amazon_order_item WHERE order_id = :o ORDER BY item_id"), {"o": r["order_id"]}).mappings()
        settings = order_settings(type("A", (), {"settings": json.loads(r["settings"] or "{}")})())
        offer = _plain({k: r[k] for k in ORDER_COLUMNS})
        offer.update({
            "buyer": {"name": open_value(vault, r["buyer_name"]) or "Amazon customer",
                      "email": open_value(vault, r["buyer_email"]) or f"{r['amazon_order_id']}@marketplace.invalid"},
            "shipping_address": open_address(vault, r["shipping_address"]),
            "items": [_plain(i) for i in item_rows], "website_id": r["website_id"],
            "settings": {k: settings[k] for k in ("store_id", "customer", "number_source", "status", "import_fba")},
            "increment_id": r["amazon_order_id"] if settings["number_source"] == "amazon" else None,
        })
        offers.append(offer)
    return offers


def _order(conn: Connection, order_id: int):
    row = conn.execute(text("SELECT order_id, account_id, amazon_order_id, magento_status, magento_attempts"
                            " FROM channel_amazon_order WHERE order_id = :o"), {"o": order_id}).mappings().first()
    if row is None:
        raise NotFound(f"order {order_id} does not exist", {"order_id": order_id})
    return row


def claim_order(conn: Connection, schema, order_id: int) -> dict:
    """The module is about to place the Magento order: give our reservation back first.

    Magento checks the salable quantity again when it places the order and appends its own
    reservation, so ours must be gone by then or the last units could not be ordered and
    stock would be held twice. Releasing and marking the order ``creating`` happen in the
    caller's one transaction; a repeated claim releases nothing more (the ledger says so),
    and a failure reported afterwards reserves the stock again."""
    order = conn.execute(text("SELECT order_id, magento_status FROM channel_amazon_order WHERE order_id = :o"
                              " FOR UPDATE"), {"o": order_id}).mappings().first()
    if order is None:
        raise NotFound(f"order {order_id} does not exist", {"order_id": order_id})
    if order["magento_status"] not in ("offered", "creating"):
        raise Conflict(f"only offered orders can be claimed (this one is {order['magento_status']})",
                       {"order_id": order_id, "magento_status": order["magento_status"]})
    released = release_order_stock(conn, schema, order_id, "release_created")
    conn.execute(text("UPDATE channel_amazon_order SET magento_status = 'creating' WHERE order_id = :o"),
                 {"o": order_id})
    return {"order_id": order_id, "magento_status": "creating", "released": released}


def reserve_again(conn: Connection, schema, order_id: int) -> int:
    """Undo a claim: hold the stock of the order's items again, once.

    The ledger keeps one row per (item, kind); a claimed item has ``reserve`` and
    ``release_created``. Both go and a fresh ``reserve`` is written through the contract,
    so the item is held exactly once and a later cancellation releases it as usual."""
    from channel.magento.contracts import write_stock_event

    rows = conn.execute(text(
        "SELECT i.item_id, i.magento_sku, i.qty_ordered, i.product_id, o.amazon_order_id, r.stock_model, r.stock_id"
        " FROM channel_amazon_order_item i JOIN channel_amazon_order o ON o.order_id = i.order_id"
        " JOIN channel_amazon_reservation r ON r.item_id = i.item_id AND r.kind = 'reserve'"
        " WHERE i.order_id = :o AND i.magento_sku IS NOT NULL AND EXISTS (SELECT 1 FROM channel_amazon_reservation c"
        " WHERE c.item_id = i.item_id AND c.kind = 'release_created')"), {"o": order_id}).all()
    written = 0
    for r in rows:
        conn.execute(text("DELETE FROM channel_amazon_reservation WHERE item_id = :i"
                          " AND kind IN ('reserve', 'release_created')"), {"i": r.item_id})
        written += write_stock_event(conn, schema, item_id=r.item_id, kind="reserve", sku=r.magento_sku,
                                     qty=r.qty_ordered, amazon_order_id=r.amazon_order_id,
                                     msi_stock_id=r.stock_id if r.stock_model == "msi" else None,
                                     product_id=r.product_id)
    return written


def _magento_order_id(conn: Connection, schema, order_id: int, increment_id: str, store_id: int | None):
    """``sales_order.entity_id`` by increment id within its store (increment ids are unique per store only)."""
    if store_id is None:
        raw = conn.execute(text("SELECT a.settings FROM channel_amazon_account a JOIN channel_amazon_order o"
                                " ON o.account_id = a.account_id WHERE o.order_id = :o"), {"o": order_id}).scalar()
        store_id = order_settings(type("A", (), {"settings": json.loads(raw or "{}")})())["store_id"]
    if store_id is None:
        ids = conn.execute(text(f"SELECT entity_id FROM {schema.t('sales_order')} WHERE increment_id = :i LIMIT 2"),
                           {"i": increment_id}).scalars().all()
        return ids[0] if len(ids) == 1 else None  # the same number in two stores: do not guess
    return conn.execute(text(f"SELECT entity_id FROM {schema.t('sales_order')}"
                             f" WHERE increment_id = :i AND store_id = :s"), {"i": increment_id, "s": store_id}).scalar()


def record_magento_result(conn: Connection, schema, order_id: int, ok: bool, increment_id: str | None = None,
                          reason_code: str | None = None, message: str | None = None,
                          magento_order_id: int | None = None, store_id: int | None = None) -> dict:
    """The module's answer for one offered order."""
    order = _order(conn, order_id)
    if order["magento_status"] == "created":
        return {"order_id": order_id, "magento_status": "created"}  # a repeated report changes nothing
    if ok:
        if not increment_id or not isinstance(increment_id, str) or len(increment_id) > 50:
            raise InvalidInput("increment_id is required when ok is true", {"path": "increment_id"})
        if magento_order_id is None:
            magento_order_id = _magento_order_id(conn, schema, order_id, increment_id, store_id)
        conn.execute(text("UPDATE channel_amazon_order SET magento_status = 'created', magento_increment_id = :i,"
                          " magento_order_id = :m, magento_failure_reason = NULL, magento_failure_message = NULL"
                          " WHERE order_id = :o"), {"i": increment_id, "m": magento_order_id, "o": order_id})
        release_order_stock(conn, schema, order_id, "release_created")
        return {"order_id": order_id, "magento_status": "created"}
    if reason_code not in REASONS:
        raise InvalidInput(f"reason_code must be one of {', '.join(REASONS)}", {"path": "reason_code"})
    if order["magento_status"] == "creating":
        reserve_again(conn, schema, order_id)
    attempts = order["magento_attempts"] + 1
    status = "failed" if attempts >= MAX_ATTEMPTS else "offered"
    conn.execute(text("UPDATE channel_amazon_order SET magento_attempts = :n, magento_status = :s,"
                      " magento_failure_reason = :r, magento_failure_message = :m WHERE order_id = :o"),
                 {"n": attempts, "s": status, "r": reason_code, "m": (message or "")[:2000], "o": order_id})
    return {"order_id": order_id, "magento_status": status, "attempts": attempts}


def retry_order(conn: Connection, order_id: int) -> dict:
    order = _order(conn, order_id)
    if order["magento_status"] not in ("failed", "offered"):
        raise InvalidInput(f"only failed orders can be retried (this one is {order['magento_status']})",
                           {"path": "order_id"})
    conn.execute(text("UPDATE channel_amazon_order SET magento_status = 'offered', magento_attempts = 0"
                      " WHERE order_id = :o"), {"o": order_id})
    return {"order_id": order_id, "magento_status": "offered"}


def release_order_stock(conn: Connection, schema, order_id: int, kind: str) -> int:
    from channel.magento.contracts import write_stock_event

    items = conn.execute(text(
        "SELECT i.item_id, i.magento_sku, i.qty_ordered, i.product_id, o.amazon_order_id FROM channel_amazon_order_item i"
        " JOIN channel_amazon_order o ON o.order_id = i.order_id WHERE i.order_id = :o AND i.magento_sku IS NOT NULL"),
        {"o": order_id}).all()
    return sum(write_stock_event(conn, schema, item_id=i.item_id, kind=kind, sku=i.magento_sku, qty=i.qty_ordered,
                                 amazon_order_id=i.amazon_order_id, msi_stock_id=None, product_id=i.product_id)
               for i in items)
