"""ListingsReportImporter: Amazon's view of the seller's listings into our table.

Streams the merchant listings report and upserts it in chunks (constant memory,
one multi-row statement per chunk). A bad row is written to the communication log
and skipped; the rest goes in. Listings that were on Amazon and are no longer in the
report are marked gone, except the ones submitted after the report was requested.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel.models.log import write_log
from worker.amazon import reports
from worker.amazon.reports import BadRow

logger = logging.getLogger(__name__)

CHUNK = 2000
LISTING = "channel_amazon_listing"
#: Report status -> what classify() reads as Amazon's status.
STATUSES = {"active": "BUYABLE", "inactive": "INACTIVE", "incomplete": "INCOMPLETE"}


@dataclasses.dataclass
class ImportStats:
    rows: int = 0
    bad_rows: int = 0
    gone: int = 0


class ListingsReportImporter:
    def __init__(self, conn: Connection, client, account_id: int, poll: float = 15.0, progress=None):
        self.conn = conn
        self.client = client
        self.account_id = account_id
        self.poll = poll
        self.progress = progress or (lambda done: None)

    def run(self, started: datetime) -> ImportStats:
        stats = ImportStats()
        rows = reports.merchant_listings(self.client, poll=self.poll)
        self.import_rows(rows, started, stats)
        stats.gone = self.conn.execute(text(
            f"UPDATE {LISTING} SET amazon_status = NULL, amazon_issues = NULL WHERE account_id = :a"
            f" AND amazon_status IS NOT NULL AND (seen_in_report_at IS NULL OR seen_in_report_at < :t)"
            f" AND (submitted_at IS NULL OR submitted_at < :t)"),
            {"a": self.account_id, "t": started}).rowcount
        logger.info("Imported %d listings for account %s (%d bad rows, %d gone)", stats.rows,
                    self.account_id, stats.bad_rows, stats.gone)
        return stats

    def import_rows(self, rows, seen_at: datetime, stats: ImportStats) -> None:
        chunk: list[tuple] = []
        for row in rows:
            if isinstance(row, BadRow):
                stats.bad_rows += 1
                write_log(self.conn, account_id=self.account_id, operation="listings_report", level="warning",
                          message=f"Report line {row.line} skipped: {row.reason}")
                continue
            status = STATUSES.get(row.status.lower(), "INACTIVE")
            kind = row.product_id_type if row.product_id and row.product_id_type != "asin" else None
            chunk.append((self.account_id, row.seller_sku, row.asin, row.product_id if kind else None, kind,
                          row.item_name[:500] or None, status, row.price, row.quantity,
                          row.fulfillment_channel[:16], seen_at))
            if len(chunk) >= CHUNK:
                self._upsert(chunk)
                stats.rows += len(chunk)
                self.progress(stats.rows)
                chunk = []
        if chunk:
            self._upsert(chunk)
            stats.rows += len(chunk)
            self.progress(stats.rows)

    def _upsert(self, chunk: list[tuple]) -> None:
        cur = self.conn.connection.dbapi_connection.cursor()
        try:
            cur.executemany(
                f"INSERT INTO {LISTING} (account_id, seller_sku, asin, external_id, external_id_type, product_name,"
                f" amazon_status, amazon_price, amazon_qty, fulfillment_channel, seen_in_report_at, match_status,"
                f" tab, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'third_party',"
                f" 'new_third_party', 'third_party_unmatched')"
                f" ON DUPLICATE KEY UPDATE asin = COALESCE(VALUES(asin), asin),"
                f" external_id = VALUES(external_id), external_id_type = VALUES(external_id_type),"
                f" product_name = IF(product_id IS NULL, VALUES(product_name), product_name),"
                f" amazon_status = IF(submitted_at IS NOT NULL AND VALUES(amazon_status) <> 'BUYABLE',"
                f" amazon_status, VALUES(amazon_status)),"
                f" submitted_at = IF(VALUES(amazon_status) = 'BUYABLE', NULL, submitted_at),"
                f" amazon_issues = IF(VALUES(amazon_status) = 'BUYABLE', NULL, amazon_issues),"
                f" amazon_price = VALUES(amazon_price), amazon_qty = VALUES(amazon_qty),"
                f" fulfillment_channel = VALUES(fulfillment_channel), seen_in_report_at = VALUES(seen_in_report_at)",
                chunk)
        finally:
            cur.close()
