"""Buyer data, as Amazon's Data Protection Policy requires it to be handled.

The buyer's name, email and delivery address of an Amazon order are restricted data:
stored only encrypted with the vault (``seal``), opened only for the Magento module's
offered orders (``open_value``), and removed a number of days after Amazon reported the
order shipped or cancelled (``purge``): 30 by default, fewer per account
(``BuyerDataSettings``, the account setting ``buyer_data``). An account may keep what
tax records need instead (``reduce``: the place of supply, no name, e-mail, street or
phone). ``seal_clear_rows`` encrypts what an older version stored in clear, a batch at
a time.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel.crypto import SCRYPT_PREFIX, Vault
from channel.errors import InvalidInput
from channel.models.log import write_log

logger = logging.getLogger(__name__)

#: Days buyer data is kept after the order shipped or was cancelled, unless the account
#: sets fewer; Amazon's Data Protection Policy allows no more than 30.
RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 30
RETENTION = timedelta(days=RETENTION_DAYS)
#: What happens to buyer data past its retention: removed, or reduced to what tax records keep.
AFTER_RETENTION = ("remove", "reduce")
#: Address fields ``reduce`` keeps: where the goods went, which sets the tax (place of supply).
TAX_ADDRESS_FIELDS = ("city", "county", "district", "stateOrRegion", "postalCode", "countryCode")
#: Amazon statuses after which the buyer data is only kept for the retention period.
CLOSED = ("SHIPPED", "CANCELLED")
#: The columns of ``channel_amazon_order`` that hold buyer data.
COLUMNS = ("buyer_name", "buyer_email", "shipping_address")
#: Rows sealed per call of ``seal_clear_rows``.
SEAL_BATCH = 500


@dataclasses.dataclass(frozen=True)
class BuyerDataSettings:
    """The account setting ``buyer_data``: how long, and what is left after."""

    retention_days: int = RETENTION_DAYS
    after: str = "remove"

    @classmethod
    def from_json(cls, raw) -> "BuyerDataSettings":
        if raw in (None, ""):
            return cls()
        if not isinstance(raw, dict):
            raise InvalidInput("settings: buyer_data must be an object", {"path": "buyer_data"})
        days = raw.get("retention_days", RETENTION_DAYS)
        if isinstance(days, bool) or not isinstance(days, (int, str)) or not str(days).isdigit() \
                or not 0 <= int(days) <= MAX_RETENTION_DAYS:
            raise InvalidInput(f"settings: buyer_data.retention_days must be a whole number from 0 to"
                               f" {MAX_RETENTION_DAYS}", {"path": "buyer_data.retention_days"})
        after = raw.get("after", "remove")
        if after not in AFTER_RETENTION:
            raise InvalidInput(f"settings: buyer_data.after must be one of {', '.join(AFTER_RETENTION)}",
                               {"path": "buyer_data.after"})
        return cls(retention_days=int(days), after=after)


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


def policies(conn: Connection) -> dict[int, BuyerDataSettings]:
    """Each account's buyer data setting; an account that cannot be read gets the default."""
    found = {}
    for account_id, raw in conn.execute(text("SELECT account_id, settings FROM channel_amazon_account")):
        try:
            found[int(account_id)] = BuyerDataSettings.from_json((json.loads(raw or "{}") or {}).get("buyer_data"))
        except (ValueError, AttributeError, InvalidInput):
            found[int(account_id)] = BuyerDataSettings()
    return found


def reduce_address(address: dict | None) -> dict | None:
    """What tax records keep of a delivery address: the place of supply, no street, name or phone."""
    kept = {k: v for k, v in (address or {}).items() if k in TAX_ADDRESS_FIELDS and v not in (None, "")}
    return kept or None


def purge(conn: Connection, vault: Vault, now: datetime) -> dict[int, int]:
    """Remove (or reduce) the buyer data of orders closed longer ago than their account
    keeps it; logs the number of orders per account (never the data) in the
    communication log and returns it."""
    accounts = policies(conn)
    with_orders = [r[0] for r in conn.execute(text(
        "SELECT DISTINCT account_id FROM channel_amazon_order WHERE closed_at IS NOT NULL"
        " AND (buyer_name IS NOT NULL OR buyer_email IS NOT NULL OR shipping_address IS NOT NULL)"))]
    done = {}
    for account_id in with_orders:
        policy = accounts.get(int(account_id), BuyerDataSettings())
        cutoff = now - timedelta(days=policy.retention_days)
        if policy.after == "reduce":
            count = _reduce(conn, vault, int(account_id), cutoff, now)
        else:
            count = int(conn.execute(text(
                "UPDATE channel_amazon_order SET buyer_name = NULL, buyer_email = NULL, shipping_address = NULL,"
                " buyer_data_purged_at = COALESCE(buyer_data_purged_at, :now) WHERE account_id = :a"
                " AND closed_at IS NOT NULL AND closed_at <= :cutoff"
                " AND (buyer_name IS NOT NULL OR buyer_email IS NOT NULL OR shipping_address IS NOT NULL)"),
                {"now": now, "cutoff": cutoff, "a": account_id}).rowcount or 0)
        if count:
            done[int(account_id)] = count
            what = ("reduced to the place of supply tax records keep" if policy.after == "reduce"
                    else "deleted")
            message = (f"Buyer data of {count} order(s) shipped or cancelled more than {policy.retention_days}"
                       f" day(s) ago {what}.")
            write_log(conn, account_id=int(account_id), operation="buyer_data_retention", level="info",
                      message=message)
            logger.info("Account %s: %s", account_id, message)
    return done


def _reduce(conn: Connection, vault: Vault, account_id: int, cutoff: datetime, now: datetime) -> int:
    rows = conn.execute(text(
        "SELECT order_id, shipping_address FROM channel_amazon_order WHERE account_id = :a"
        " AND closed_at IS NOT NULL AND closed_at <= :cutoff AND buyer_data_purged_at IS NULL"
        " AND (buyer_name IS NOT NULL OR buyer_email IS NOT NULL OR shipping_address IS NOT NULL)"),
        {"a": account_id, "cutoff": cutoff}).all()
    for order_id, stored in rows:
        try:
            kept = reduce_address(open_address(vault, stored))
        except (InvalidInput, ValueError):
            kept = None  # unreadable: nothing of it can be kept
        conn.execute(text("UPDATE channel_amazon_order SET buyer_name = NULL, buyer_email = NULL,"
                          " shipping_address = :addr, buyer_data_purged_at = :now WHERE order_id = :o"),
                     {"addr": seal_address(vault, kept), "now": now, "o": order_id})
    return len(rows)


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
