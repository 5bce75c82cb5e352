"""Buyer data kept as Amazon's Data Protection Policy requires, as a step of the worker.

Run daily on its own (``worker.jobs.purge_buyer_data``, registered in
``worker/cron_config.py``) and by the sync cycle's ``record`` step
(``worker.sync.cycle``): buyer data an older version stored in clear is encrypted, and
the buyer data of every order closed (shipped or cancelled) longer ago than its
account keeps it (30 days by default) is removed or reduced, for all accounts at once;
the communication log says how many orders per account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from channel import pii
from channel.crypto import Vault


def protect_buyer_data(conn: Connection, vault: Vault, now: datetime) -> dict:
    """Seal what is in clear, purge what is past its retention; returns the counts."""
    sealed = pii.seal_clear_rows(conn, vault)
    purged = pii.purge(conn, vault, now)
    return {"sealed": sealed, "purged": sum(purged.values()), "by_account": purged}
