"""A finished feed's processing report, read as both feed kinds need it (price and stock,
publishing): a report that cannot be read is asked for again in later cycles, at most
``MAX_REPORT_ATTEMPTS`` times, then given up on with a line in the communication log, after
which the caller checks the feed's messages one by one on Amazon."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel.models.log import write_log
from worker.amazon import feeds
from worker.amazon.errors import DocumentError, ProcessingFailed

#: Cycles a feed processing report is fetched again when it cannot be read.
MAX_REPORT_ATTEMPTS = 3
RETRY, UNREAD = "retry", "unread"


def read_report(conn: Connection, client, account_id: int, feed: dict, feed_id: str, attempts: int,
                messages: int, what: str) -> dict | str:
    """The report, ``RETRY`` (counted and logged, committed: try again next cycle) or
    ``UNREAD`` (given up: the ``messages`` ``what`` are to be checked on Amazon)."""
    try:
        return feeds.processing_report(client, feed)
    except (ProcessingFailed, DocumentError) as exc:
        if attempts + 1 < MAX_REPORT_ATTEMPTS:
            conn.execute(text("UPDATE channel_amazon_feed SET report_attempts = report_attempts + 1"
                              " WHERE feed_id = :f"), {"f": feed_id})
            write_log(conn, account_id=account_id, operation="JSON_LISTINGS_FEED", level="warning",
                      message=f"feed {feed_id}: {exc.message}; read again next cycle")
            conn.commit()
            return RETRY
        write_log(conn, account_id=account_id, operation="JSON_LISTINGS_FEED",
                  message=f"feed {feed_id}: {exc.message}; its {messages} {what} are checked one by one on Amazon")
        return UNREAD
