"""The listings CSV export, streamed: constant memory, no row cap, nothing held open.

Rows are read in keyset pages along the index (account_id, tab, seller_sku): for each
state the tab shows, ``seller_sku > last ORDER BY seller_sku LIMIT n``, so every page
costs the same however deep into a million rows it is, and MariaDB never sorts a whole
tab. Each page runs on a connection taken from the pool and given back at once: an
export holds no transaction, no server-side cursor and no connection while the client
is slow to read. The file is therefore in seller SKU order within each state, whatever
the grid's sort (a spreadsheet sorts it again); the grid's tab and filters apply as on
screen.

The file is UTF-8 with a byte order mark: Excel, which most merchants open CSV files
with, reads a file without it in the Windows code page and garbles every name that is
not plain ASCII (umlauts on amazon.de, Japanese on amazon.co.jp). LibreOffice, Numbers,
Google Sheets and Python's ``utf-8-sig`` all skip the mark. Lines end in CRLF (RFC 4180).

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) get a leading ``'``, as OWASP's CSV injection page says:
product names and seller SKUs come from the catalog and from Amazon, not from the
merchant opening the file.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import bindparam, text

from bridge import grid
from bridge.reasons import describe

logger = logging.getLogger(__name__)

PAGE_ROWS = 2000
"""Rows per keyset page: one query and one chunk of about 300 KB sent to the client; larger
pages hold more memory for no more speed (measured: 2,000 and 5,000 rows stream alike)."""

BOM = "\ufeff"
"""Byte order mark first in the file, for Excel (see the module docstring)."""

HEADER = ("seller_sku", "magento_sku", "asin", "name", "tab", "reason", "what_to_do", "price", "qty")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_COLUMNS = "seller_sku, magento_sku, asin, product_name, tab, reason, calc_price, calc_qty"
_INDEX = "CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_SELLER_SKU"


def neutralise(value: str | None) -> str:
    """A text cell a spreadsheet shows as text, never evaluates (OWASP CSV injection)."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


def money(value: Decimal | None) -> str:
    """A stored decimal(20,4) as written by hand: ``12.5000`` is ``12.50``, ``3.1250`` stays."""
    if value is None:
        return ""
    whole, _, frac = f"{value:f}".partition(".")
    return f"{whole}.{frac.rstrip('0').ljust(2, '0')}"


def validate(args, account_id: int) -> tuple[str, dict]:
    """The grid's WHERE clause for the export; a bad tab, filter or sort is a 400 before any byte."""
    grid.order_by(args)
    return grid.listing_query(args, account_id)


def file_name(account_id: int, tab: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
    return f"amazon-listings-{account_id}-{tab}-{stamp}.csv"


def pages(connect: Callable[[], AbstractContextManager], where: str, params: dict,
          page_rows: int | None = None) -> Iterator[list]:
    """Keyset pages of rows, state by state in seller SKU order, each read on its own
    short-lived connection. ``where`` is the grid's, with ``tab IN :tabs``."""
    page_rows = page_rows or PAGE_ROWS
    # A name search reads the full-text index, which a forced index would rule out: those
    # pages sort the (usually few) rows found instead of walking the SKU index.
    hint = "" if "MATCH(" in where else f" FORCE INDEX ({_INDEX})"
    query = text(f"SELECT {_COLUMNS} FROM channel_amazon_listing{hint}"
                 f" WHERE {where} AND seller_sku > :after ORDER BY seller_sku LIMIT :limit"
                 ).bindparams(bindparam("tabs", expanding=True))
    for tab in params["tabs"]:
        after = ""
        while True:
            with connect() as conn:
                rows = conn.execute(query, {**params, "tabs": [tab], "after": after, "limit": page_rows}).all()
            if rows:
                yield rows
            if len(rows) < page_rows:
                break
            after = rows[-1][0]


def started(row_pages: Iterator[list]) -> Iterator[list]:
    """The pages with the first one read now: a query that fails does so while the answer can
    still be an error, not in the middle of a file the client takes for complete."""
    first = next(row_pages, None)
    return itertools.chain([] if first is None else [first], row_pages)


def logged(row_pages: Iterator[list], account_id: int, tab: str) -> Iterator[list]:
    """The pages as they are, with one log line for operators when the file ends or the client leaves."""
    start, count, finished = time.monotonic(), 0, False
    try:
        for rows in row_pages:
            count += len(rows)
            yield rows
        finished = True
    finally:
        logger.info("CSV export of account %s, tab %s: %d rows in %.1f s%s", account_id, tab, count,
                    time.monotonic() - start, "" if finished else ", stopped before the end")


def csv_chunks(row_pages: Iterator[list]) -> Iterator[bytes]:
    """The file as UTF-8 chunks: the BOM and header, then one chunk per page."""
    reasons: dict[str, tuple[str, str]] = {}
    out = io.StringIO()
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow(HEADER)
    yield out.getvalue().encode("utf-8")
    for rows in row_pages:
        out.seek(0)
        out.truncate()
        for seller_sku, magento_sku, asin, name, tab, reason, price, qty in rows:
            text_of = reasons.get(reason)
            if text_of is None:
                described = describe(reason)
                text_of = reasons[reason] = (neutralise(described["sentence"]), neutralise(described["action"]))
            writer.writerow((neutralise(seller_sku), neutralise(magento_sku), neutralise(asin), neutralise(name),
                             neutralise(tab), text_of[0], text_of[1], money(price),
                             "" if qty is None else qty))
        yield out.getvalue().encode("utf-8")
