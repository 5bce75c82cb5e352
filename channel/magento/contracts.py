"""The only writes into Magento-native tables, each on a contract Magento itself defines.

Stock for Amazon orders. With MSI, a row in ``inventory_reservation`` exactly as
Magento writes one (negative quantity for an order, JSON metadata with ``event_type``,
``object_type``, ``object_id``, ``object_increment_id``), under our own object type
``amazon_order`` so Magento's cleanup cron nets our reservation only against our own
compensation. Without MSI (legacy CatalogInventory, where Magento decrements
``cataloginventory_stock_item.qty`` when an order is placed) the same is done on the
stock item's quantity. Every write is recorded in our ledger in the same transaction,
keyed by (order item, kind): a repeat or a retry after a crash writes nothing twice.

Kinds: ``reserve`` when the Amazon order arrives; ``release_cancel`` when Amazon
cancels it; ``release_created`` when the Magento order is created, because Magento
then holds the stock itself.
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from channel.magento.schema import MagentoSchema

OBJECT_TYPE = "amazon_order"
EVENTS = {"reserve": "order_placed", "release_cancel": "order_canceled", "release_created": "magento_order_created"}
SIGN = {"reserve": -1, "release_cancel": 1, "release_created": 1}


def metadata(kind: str, amazon_order_id: str) -> str:
    data = json.dumps({"event_type": EVENTS[kind], "object_type": OBJECT_TYPE, "object_id": amazon_order_id,
                       "object_increment_id": amazon_order_id}, separators=(",", ":"))
    if len(data) > 255:
        raise ValueError("reservation metadata must fit Magento's varchar(255)")
    return data


def write_stock_event(conn: Connection, schema: MagentoSchema, *, item_id: int, kind: str, sku: str, qty,
                      amazon_order_id: str, msi_stock_id: int | None, product_id: int | None) -> bool:
    """Write one reservation (or its release) once; True when written now.

    Must run inside the caller's transaction, which it shares with the ledger row."""
    if kind not in SIGN:
        raise ValueError(f"unknown stock event {kind!r}")
    if kind != "reserve":
        held = conn.execute(text("SELECT stock_model, stock_id FROM channel_amazon_reservation"
                                 " WHERE item_id = :i AND kind = 'reserve'"), {"i": item_id}).first()
        released = conn.execute(text("SELECT 1 FROM channel_amazon_reservation WHERE item_id = :i"
                                     " AND kind <> 'reserve'"), {"i": item_id}).first()
        if held is None or released is not None:
            return False  # nothing held, or already given back once
        model, stock_id = held.stock_model, held.stock_id
    else:
        model = "msi" if msi_stock_id else "legacy"
        stock_id = msi_stock_id or 1
    quantity = SIGN[kind] * float(qty)
    try:
        with conn.begin_nested():
            conn.execute(text(
                "INSERT INTO channel_amazon_reservation (item_id, kind, stock_model, stock_id, sku, quantity)"
                " VALUES (:i, :k, :m, :s, :sku, :q)"),
                {"i": item_id, "k": kind, "m": model, "s": stock_id, "sku": sku, "q": quantity})
    except IntegrityError:
        return False  # written before: the ledger says so
    if model == "msi":
        conn.execute(text(f"INSERT INTO {schema.t('inventory_reservation')} (stock_id, sku, quantity, metadata)"
                          f" VALUES (:s, :sku, :q, :m)"),
                     {"s": stock_id, "sku": sku, "q": quantity, "m": metadata(kind, amazon_order_id)})
    elif product_id is not None:
        conn.execute(text(f"UPDATE {schema.t('cataloginventory_stock_item')} SET qty = qty + :q"
                          f" WHERE product_id = :p AND stock_id = 1"), {"q": quantity, "p": product_id})
    return True


def reserved_quantity(conn: Connection, schema: MagentoSchema, sku: str, stock_id: int) -> float:
    return float(conn.execute(text(f"SELECT COALESCE(SUM(quantity), 0) FROM {schema.t('inventory_reservation')}"
                                   f" WHERE sku = :s AND stock_id = :st"), {"s": sku, "st": stock_id}).scalar_one())
