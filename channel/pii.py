"""Buyer data, as Amazon's Data Protection Policy requires it to be handled.

The buyer's name, email and delivery address of an Amazon order are restricted data:
stored only encrypted with the vault (``seal``), opened only for the Magento module's
offered orders (``open_value``), and deleted 30 days after Amazon reported the order
shipped or cancelled (``purge``). ``seal_clear_rows`` encrypts what an older version
stored in clear, a batch at a time.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel.crypto import SCRYPT_PREFIX, Vault

logger = logging.getLogger(__name__)

#: Buyer data is deleted this long after the order shipped or was cancelled.
RETENTION = timedelta(days=30)
#: Amazon statuses after which the buyer data is only kept for the retention period.
CLOSED = ("SHIPPED", "CANCELLED")
#: The columns of ``channel_amazon_order`` that hold buyer data.
COLUMNS = ("buyer_name", "buyer_email", "shipping_address")
#: Rows sealed per call of ``seal_clear_rows``.
SEAL_BATCH = 500


def seal(vault: Vault, value: str | None) -> str | None:
    return None if value is None or value == "" else vault.encrypt(value)


def seal_address(vault: Vault, address: dict | None) -> str | None:
    return seal(vault, json.dumps(address)) if address else None


def open_value(vault: Vault, stored: str | None) -> str | None:
    """The clear value; a value stored in clear before encryption is returned as it is."""
    if stored is None:
        return None
    return vault.decrypt(stored) if vault.is_encrypted(stored) else stored


def open_address(vault: Vault, stored: str | None) -> dict | None:
    value = open_value(vault, stored)
    return json.loads(value) if value else None


def expired(status: str, closed_at: datetime | None, now: datetime) -> bool:
    """Whether buyer data of an order in this state must not be kept (any more)."""
    return status in CLOSED and closed_at is not None and closed_at <= now - RETENTION


def purge(conn: Connection, now: datetime, retention: timedelta = RETENTION) -> int:
    """Delete the buyer data of orders closed more than ``retention`` ago; returns the orders purged."""
    done = conn.execute(text(
        "UPDATE channel_amazon_order SET buyer_name = NULL, buyer_email = NULL, shipping_address = NULL,"
        " buyer_data_purged_at = :now WHERE closed_at IS NOT NULL AND closed_at <= :cutoff"
        " AND (buyer_name IS NOT NULL OR buyer_email IS NOT NULL OR shipping_address IS NOT NULL)"),
        {"now": now, "cutoff": now - retention}).rowcount
    if done:
        logger.info("Deleted the buyer data of %d order(s) closed before %s", done, now - retention)
    return int(done or 0)


def _clear(column: str) -> str:
    return (f"({column} IS NOT NULL AND {column} NOT LIKE 'gAAAAA%' AND {column} NOT LIKE '{SCRYPT_PREFIX}:%')")


def seal_clear_rows(conn: Connection, vault: Vault, limit: int = SEAL_BATCH) -> int:
    """Encrypt buyer data left in clear by an older version; returns the rows sealed."""
    rows = conn.execute(text(
        f"SELECT order_id, {', '.join(COLUMNS)} FROM channel_amazon_order WHERE "
        + " OR ".join(_clear(c) for c in COLUMNS) + " ORDER BY order_id LIMIT :l"), {"l": limit}).mappings().all()
    for row in rows:
        values = {c: (row[c] if row[c] is None or vault.is_encrypted(row[c]) else vault.encrypt(row[c]))
                  for c in COLUMNS}
        conn.execute(text("UPDATE channel_amazon_order SET buyer_name = :buyer_name, buyer_email = :buyer_email,"
                          " shipping_address = :shipping_address WHERE order_id = :o"), {**values, "o": row["order_id"]})
    if rows:
        logger.info("Encrypted the buyer data of %d order(s) stored in clear", len(rows))
    return len(rows)
