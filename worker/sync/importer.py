"""ListingsReportImporter: Amazon's view of the seller's listings into our table.

The merchant listings report is judged before it changes anything. It is streamed
into a staging table (constant memory, ``LOAD DATA LOCAL INFILE``), and only when the
document looks whole is it applied, in a few set-based statements: upsert from
staging, then the listings that were on Amazon and are not in the report are marked
gone.

Amazon builds this report from a cache that can be hours old. Its data is as old as
the report's ``dataEndTime`` says (``processingStartTime`` or ``createdTime`` when
absent), and that moment, not the start of the cycle, is the cut-off: a listing is
gone only when nothing newer than the report's data speaks for it (it was not seen in
a fresher report, not submitted and not changed state since). A stale report does not
overwrite the status or issues of a listing that changed state after its data was
taken.

A report without a ``status`` column (Amazon drops it for some sellers) keeps the
statuses we know, pending submissions and Amazon's issue texts included; a listing
we had no status for is read as buyable only when it has a price and stock (or is
fulfilled by Amazon).

A document is held instead when it ends inside a row, has rows with fewer fields
than its header, is empty or holds markedly fewer rows than the listings we know to
be live (``report_hold_threshold`` percent fewer, per account). A held report
changes nothing: no listing is marked gone and so no offer is re-published. The
merchant sees an alert and may accept the report; the next cycle then applies that
same document. A later report that passes the checks makes a held one moot.

A CANCELLED report has no data (Amazon cancels a report with nothing to return):
it is judged as an empty document. A FATAL one fails the step.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel import alerts, listing_state
from channel.db import load_lines, tsv_line
from channel.models.log import write_log
from worker.amazon import reports
from worker.amazon.errors import AmazonError
from worker.amazon.reports import BadRow, ListingFields, ReportSummary

logger = logging.getLogger(__name__)

CHUNK = 2000
LISTING = "channel_amazon_listing"
HELD = "channel_amazon_held_report"
STAGE = "tmp_channel_report"
STAGE_COLUMNS = ("seller_sku", "asin", "external_id", "external_id_type", "product_name", "amazon_status",
                 "amazon_price", "amazon_qty", "fulfillment_channel", "bad")
#: Report status -> what classify() reads as Amazon's status.
STATUSES = {"active": "BUYABLE", "inactive": "INACTIVE", "incomplete": "INCOMPLETE"}
#: NULL in ``LOAD DATA``'s text format.
NULL = "\\N"
#: Bad rows written to the communication log one by one; the rest are counted.
LOGGED_BAD_ROWS = 50


@dataclasses.dataclass
class ImportStats:
    rows: int = 0
    bad_rows: int = 0
    gone: int = 0
    #: New SKUs that came in matched to their product by seller SKU.
    matched: int = 0
    #: Why the report was held, in words; empty when it was applied.
    held: str = ""


@dataclasses.dataclass(frozen=True)
class Document:
    report_id: str
    document_id: str | None
    accepted_hold: int | None = None  # held_report_id the merchant accepted
    #: When the report's data was taken, on our clock; None when unknown.
    taken_at: datetime | None = None


class ListingsReportImporter:
    def __init__(self, conn: Connection, client, account_id: int, poll: float = 15.0, progress=None,
                 hold_threshold: int = 20,
                 prematch: Callable[[Connection, str, str | None], str | None] | None = None,
                 name_matches: Callable[[Connection, str | None], None] | None = None,
                 facts: Callable[[Connection], tuple[str, datetime] | None] | None = None,
                 ahead: Callable[[Connection], None] | None = None):
        """``prematch`` (``matching.prematch_new_skus`` bound to the account) names the
        products the report's new SKUs (``listing_state.new_skus``) are matched to before
        their rows are written, and
        ``name_matches`` (``matching.name_prematched``) their names when no facts hold them;
        without them, or when one fails, the match step links them. ``facts``
        (``CycleClassification.read``) stages the Magento facts of the account's products once
        the report is judged and its new SKUs are matched (a read ahead finishes meanwhile),
        and names the table and when they were read (None when they could not be): matched new
        rows come in with them, so that each row is written once. ``ahead`` (``CycleClassification.start``)
        is called as the import starts, so that the facts can be read while Amazon builds the
        report."""
        if (prematch is None) != (name_matches is None):
            raise ValueError("prematch and name_matches go together")
        if not 0 <= hold_threshold <= 100:
            raise ValueError("hold_threshold is a percentage from 0 to 100")
        self.conn = conn
        self.client = client
        self.account_id = account_id
        self.poll = poll
        self.progress = progress or (lambda done: None)
        self.hold_threshold = hold_threshold
        self.prematch = prematch
        self.name_matches = name_matches
        self.facts = facts
        self.ahead = ahead

    # --- the document -------------------------------------------------------------------
    def _document(self) -> Document:
        accepted = self.conn.execute(text(
            f"SELECT held_report_id, report_id, document_id, held_at FROM {HELD} WHERE account_id = :a"
            f" AND accepted_at IS NOT NULL AND applied_at IS NULL AND superseded_at IS NULL"
            f" ORDER BY held_report_id DESC LIMIT 1"), {"a": self.account_id}).first()
        if accepted is not None:
            return Document(accepted.report_id, accepted.document_id or None, accepted.held_report_id,
                            self._held_taken_at(accepted.report_id, accepted.held_at))
        requested = datetime.utcnow().replace(microsecond=0)
        report_id = reports.create_report(self.client)
        report = reports.wait_report(self.client, report_id, self.poll, allow_cancelled=True)
        taken_at = reports.data_cutoff(report, requested)
        if report.get("processingStatus") == "CANCELLED":
            return Document(report_id, None, taken_at=taken_at)
        return Document(report_id, report["reportDocumentId"], taken_at=taken_at)

    def _held_taken_at(self, report_id: str, held_at: datetime | None) -> datetime | None:
        """A held report's data time: it was held (``held_at``) right after Amazon made it."""
        if held_at is None:
            return None
        try:
            report, _ = self.client.call("getReport", "GET", f"/reports/2021-06-30/reports/{self.client.quote(report_id)}")
        except AmazonError:  # gone from Amazon (kept 90 days): no older than when it was held
            return held_at
        return reports.data_cutoff(report, held_at)

    def run(self, started: datetime) -> ImportStats:
        stats = ImportStats()
        if self.ahead is not None:
            self.ahead(self.conn)
        doc = self._document()
        summary = ReportSummary()
        self._stage_reset()
        if doc.document_id:
            text_stream = reports.document_text(self.client, doc.document_id, strict=False)
            self._stage(reports.listing_fields(text_stream, summary), stats)
        stats.rows = summary.rows
        held = None if doc.accepted_hold else self._judge(summary)
        if held is not None:
            reason, message = held
            stats.held = message
            self._hold(doc, reason, message, summary)
            self.conn.commit()
            logger.warning("Listings report %s of account %s held: %s", doc.report_id, self.account_id, message)
            return stats
        # The report's data is never newer than this cycle (whatever the clocks say).
        # Whole seconds, as the table keeps them: a listing seen at 12:00:00 was seen at 12:00:00.5.
        taken_at = min(doc.taken_at or started, started).replace(microsecond=0)
        if taken_at < started:
            logger.info("Listings report %s of account %s holds data from %s (cycle started %s)", doc.report_id,
                        self.account_id, taken_at, started)
        stats.matched = self._apply(taken_at, summary.has_status)
        stats.gone = listing_state.gone(self.conn, self.account_id, STAGE, taken_at)
        self._settle_held(doc)
        logger.info("Imported %d listings for account %s (%d bad rows, %d gone)", stats.rows,
                    self.account_id, stats.bad_rows, stats.gone)
        return stats

    def live_listings(self) -> int:
        return self.conn.execute(text(
            f"SELECT COUNT(*) FROM {LISTING} WHERE account_id = :a AND amazon_status IS NOT NULL"),
            {"a": self.account_id}).scalar() or 0

    def _judge(self, summary: ReportSummary) -> tuple[str, str] | None:
        """(reason, message) when the document must be held, None when it may be applied."""
        if summary.truncated:
            return "truncated", (f"The listings report ends in the middle of a row after {summary.rows} rows;"
                                 " it was cut off on its way.")
        if summary.short_rows:
            return "short_row", (f"{summary.short_rows} rows of the listings report have fewer fields than its"
                                 " header; their values cannot be trusted.")
        live = self.live_listings()
        found = summary.rows + summary.bad_rows
        if live and found == 0:
            return "empty", f"The listings report is empty, while {live} listings are live on Amazon."
        if live and found < live * (100 - self.hold_threshold) / 100:
            return "too_few_rows", (f"The listings report holds {found} rows, while {live} listings are live on"
                                    f" Amazon ({self.hold_threshold} % fewer is the most this account accepts).")
        return None

    def _hold(self, doc: Document, reason: str, message: str, summary: ReportSummary) -> None:
        self.conn.execute(text(
            f"UPDATE {HELD} SET superseded_at = NOW() WHERE account_id = :a AND accepted_at IS NULL"
            f" AND superseded_at IS NULL"), {"a": self.account_id})
        self.conn.execute(text(
            f"INSERT INTO {HELD} (account_id, report_id, document_id, reason, message, rows_read, rows_expected,"
            f" held_at) VALUES (:a, :r, :d, :why, :m, :n, :live, UTC_TIMESTAMP())"),
            {"a": self.account_id, "r": doc.report_id, "d": doc.document_id or "", "why": reason, "m": message,
             "n": summary.rows, "live": self.live_listings()})
        held_id = self.conn.execute(text("SELECT LAST_INSERT_ID()")).scalar()
        alerts.raise_alert(self.conn, self.account_id, "report_held",
                           message + " Nothing was changed: no listing was marked gone or published again.",
                           details={"held_report_id": held_id, "report_id": doc.report_id, "reason": reason,
                                    "rows": summary.rows})

    def _settle_held(self, doc: Document) -> None:
        if doc.accepted_hold:
            self.conn.execute(text(f"UPDATE {HELD} SET applied_at = NOW() WHERE held_report_id = :h"),
                              {"h": doc.accepted_hold})
        self.conn.execute(text(
            f"UPDATE {HELD} SET superseded_at = NOW() WHERE account_id = :a AND applied_at IS NULL"
            f" AND superseded_at IS NULL"), {"a": self.account_id})
        alerts.clear_alert(self.conn, self.account_id, "report_held")

    # --- staging ------------------------------------------------------------------------
    def _stage_reset(self) -> None:
        # A new table rather than its rows deleted one by one (a temporary table's drop commits nothing).
        self.conn.execute(text(f"DROP TEMPORARY TABLE IF EXISTS {STAGE}"))
        self.conn.execute(text(
            f"CREATE TEMPORARY TABLE {STAGE} (seller_sku varchar(255) NOT NULL PRIMARY KEY,"
            f" asin varchar(16) NULL, external_id varchar(64) NULL, external_id_type varchar(16) NULL,"
            f" product_name varchar(500) NULL, amazon_status varchar(32) NULL, amazon_price decimal(20,4) NULL,"
            f" amazon_qty int NULL, fulfillment_channel varchar(16) NULL, bad tinyint NOT NULL DEFAULT 0)"
            f" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"))

    def _stage(self, rows: Iterable[ListingFields | BadRow], stats: ImportStats) -> None:
        skipped: list[str] = []
        load_lines(self.conn, STAGE, STAGE_COLUMNS, self._staged(rows, stats, skipped))
        for message in skipped:  # the connection is the load's until it is done
            write_log(self.conn, account_id=self.account_id, operation="listings_report", level="warning",
                      message=message)
        if stats.bad_rows > LOGGED_BAD_ROWS:
            write_log(self.conn, account_id=self.account_id, operation="listings_report", level="warning",
                      message=f"{stats.bad_rows - LOGGED_BAD_ROWS} more report lines skipped")

    def _staged(self, rows: Iterable[ListingFields | BadRow], stats: ImportStats,
                skipped: list[str]) -> Iterator[str]:
        """The report's rows as staging rows (``STAGE_COLUMNS``) in ``LOAD DATA``'s text format;
        the messages of the first ``LOGGED_BAD_ROWS`` bad rows into ``skipped``. A row is written
        straight from its fields (a million rows are read per import): only a backslash, the one
        character of the format a field of the report can hold, needs escaping, and a row with
        one is written value by value."""
        statuses = STATUSES
        done = 0
        for row in rows:
            done += 1
            if done % CHUNK == 0:
                self.progress(done)
            if isinstance(row, BadRow):
                bad = row
                stats.bad_rows += 1
                if stats.bad_rows <= LOGGED_BAD_ROWS:
                    skipped.append(f"Report line {bad.line} skipped: {bad.reason}")
                if bad.seller_sku:  # in the report, values unknown: seen, not updated
                    yield tsv_line((bad.seller_sku, None, None, None, None, None, None, None, None, 1))
                continue
            sku, asin, pid, kind, name, price, qty, status, channel, _ = row
            state = statuses.get(status.lower()) if status else _status_without_column(price, qty, channel)
            if not pid or kind == "asin":
                kind = None
            if qty and not (qty.isdigit() and qty.isascii() and qty[0] != "0"):
                qty = str(int(qty))  # as the number it is
            channel = (channel or "DEFAULT")[:16]
            if "\\" in sku or "\\" in asin or "\\" in name or "\\" in channel or (kind and "\\" in pid):
                yield tsv_line((sku, asin[:16] or None, pid[:64] if kind else None, kind, name[:500] or None, state,
                                price or None, qty or None, channel, 0))
                continue
            yield (f"{sku}\t{asin[:16] or NULL}\t{pid[:64] if kind else NULL}\t{kind or NULL}\t{name[:500] or NULL}"
                   f"\t{state or NULL}\t{price or NULL}\t{qty or NULL}\t{channel}\t0\n")

    def _apply(self, taken_at: datetime, has_status: bool) -> int:
        """The staged rows, applied by the listing table's owner (``listing_state.imported``);
        a bad row only keeps its listing from being taken as gone. Returns how many new SKUs
        came in matched."""
        matches = None
        new = listing_state.new_skus(self.conn, self.account_id, STAGE)  # looked up once, for both
        if self.prematch is not None:
            try:  # first: a read ahead of the facts goes on meanwhile
                matches = self.prematch(self.conn, STAGE, new)
            except Exception:  # the match step links them, and reports what stops it
                logger.warning("New SKUs of account %s not matched on import", self.account_id, exc_info=True)
        facts = self.facts(self.conn) if self.facts is not None else None
        if matches is not None and self.name_matches is not None:
            try:  # the names no staged facts hold
                self.name_matches(self.conn, facts[0] if facts else None)
            except Exception:
                logger.warning("New SKUs of account %s not matched on import", self.account_id, exc_info=True)
                matches = None
        return listing_state.imported(self.conn, self.account_id, STAGE, taken_at, has_status, matches, facts, new)


def _status_without_column(price: str, quantity: str, channel: str) -> str:
    """What a row says of its status when the report has no status column: Amazon lists
    an offer without a price, or a merchant-fulfilled one without stock, as Inactive."""
    fba = channel not in ("", "DEFAULT")
    sellable = bool(price) and (fba or (int(quantity) if quantity else 0) > 0)
    return "BUYABLE" if sellable else "INACTIVE"
