"""Deleting an account, with the merchant's choice about its listings on Amazon.

An account is never removed from the table: its orders (and their Magento orders,
timelines and reservations) refer to it and stay readable. Deleting it drops what only
syncing needed (its listing rows, in batches), wipes its credentials and marks it
``deleted``: no cycle, schedule or admin action touches it again, and the admin's account
lists leave it out; its seller id is suffixed with ``#<account id>`` so the same seller
can be connected again.

- ``leave``: nothing changes on Amazon; done at once.
- ``end``: the account is marked ``deleting`` (no sync runs), a worker job queues the
  merchant's "end" action on every listing of ours Amazon has and sends them as a
  merchant's end is sent (``OfferPublisher.end``), then deletes as above.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel import listing_state

DELETING = "deleting"
DELETED = "deleted"
#: Statuses of an account that is gone or going: hidden from lists, refused by actions.
GONE = (DELETING, DELETED)
CHOICES = ("end", "leave")
BATCH = 10_000
#: The listings an "end" deletion ends: ours that Amazon has (third-party ones and ended ones stay).
ON_AMAZON = "amazon_status IS NOT NULL AND tab NOT IN ('ended', 'new_third_party')"


def listings_on_amazon(conn: Connection, account_id: int) -> list[int]:
    return [r[0] for r in conn.execute(text(
        f"SELECT listing_id FROM channel_amazon_listing WHERE account_id = :a AND {ON_AMAZON}"), {"a": account_id})]


def mark_deleting(conn: Connection, account_id: int) -> None:
    conn.execute(text("UPDATE channel_amazon_account SET status = :s WHERE account_id = :a"),
                 {"s": DELETING, "a": account_id})


def retire(conn: Connection, account_id: int) -> int:
    """Drop the account's listing rows (in batches), wipe its credentials, mark it deleted;
    its orders stay. Returns the listing rows dropped. Commits between batches."""
    dropped = listing_state.account_listings_dropped(conn, account_id, BATCH)
    # The seller id gets the account id appended, so the same seller can be connected again.
    conn.execute(text("UPDATE channel_amazon_account SET status = :s, lwa_client_secret_enc = '',"
                      " refresh_token_enc = '', seller_id = CONCAT(LEFT(seller_id, 20), '#', account_id)"
                      " WHERE account_id = :a AND status <> :s"), {"s": DELETED, "a": account_id})
    conn.commit()
    return dropped
