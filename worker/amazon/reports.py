"""Reports: createReport, poll getReport, getReportDocument, download, decode, parse.

The merchant listings report is parsed by header name (Amazon adds, drops and
reorders columns), decoded as the document says (UTF-8 or CP-1252), gunzipped when
compressed (checked by magic bytes, not only by the label), and streamed row by row.
A row that cannot be read is reported with its line number and skipped.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import io
import logging
import time
from collections.abc import Iterator

from worker.amazon.errors import DocumentError, ProcessingFailed

logger = logging.getLogger(__name__)

LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
PRODUCT_ID_TYPES = {"1": "asin", "2": "isbn", "3": "upc", "4": "ean"}


def create_report(client, report_type: str = LISTINGS_REPORT) -> str:
    data, _ = client.call("createReport", "POST", "/reports/2021-06-30/reports",
                          json={"reportType": report_type, "marketplaceIds": [client.marketplace_id]})
    return data["reportId"]


def wait_report(client, report_id: str, poll: float = 15.0, timeout: float = 1800.0, sleep=time.sleep,
                allow_cancelled: bool = False) -> dict:
    """Poll until DONE; FATAL raises ProcessingFailed, and so does CANCELLED unless
    ``allow_cancelled`` (Amazon cancels a report that has no data to return)."""
    deadline = time.monotonic() + timeout
    while True:
        report, _ = client.call("getReport", "GET", f"/reports/2021-06-30/reports/{client.quote(report_id)}")
        status = report.get("processingStatus")
        if status == "DONE":
            return report
        if status == "CANCELLED" and allow_cancelled:
            return report
        if status in ("FATAL", "CANCELLED"):
            raise ProcessingFailed(f"report {report_id} ended {status}", operation="getReport")
        if time.monotonic() > deadline:
            raise ProcessingFailed(f"report {report_id} still {status} after {timeout:.0f}s", operation="getReport")
        sleep(poll)


def document_text(client, document_id: str, operation: str = "getReportDocument",
                  path: str = "/reports/2021-06-30/documents/") -> io.TextIOBase:
    """The document as a text stream, gunzipped and decoded."""
    ref, _ = client.call(operation, "GET", path + client.quote(document_id))
    resp = client.download(ref["url"], operation)
    raw = resp.content
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DocumentError(f"document {document_id} is a broken gzip file: {exc}", operation=operation) from None
    elif ref.get("compressionAlgorithm") == "GZIP":
        logger.warning("Document %s is labelled GZIP but is not compressed", document_id)
    charset = _charset(resp.headers.get("Content-Type", ""))
    return io.TextIOWrapper(io.BytesIO(raw), encoding=charset, errors="replace", newline="")


def _charset(content_type: str) -> str:
    for part in content_type.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip().strip('"')).name
            except LookupError:
                return "cp1252"
    return "utf-8"


@dataclasses.dataclass(frozen=True)
class ListingRow:
    seller_sku: str
    asin: str | None
    product_id: str | None
    product_id_type: str | None
    item_name: str
    price: str | None
    quantity: int | None
    status: str
    fulfillment_channel: str
    open_date: str | None


@dataclasses.dataclass(frozen=True)
class BadRow:
    line: int
    reason: str
    #: The row's SKU when it could be read: the listing is in the report, its values are not.
    seller_sku: str | None = None


#: Listing statuses the merchant listings report uses (English headers).
KNOWN_STATUSES = ("active", "inactive", "incomplete")


@dataclasses.dataclass
class ReportSummary:
    """What a parse saw of the document as a whole, for judging it before use."""

    columns: int = 0
    rows: int = 0
    bad_rows: int = 0
    short_rows: int = 0
    #: The document ends inside a row (no line end and the row is incomplete or unreadable).
    truncated: bool = False
    has_status: bool = True


class _Lines:
    """Lines of a text stream; remembers whether the line just read had no line end
    (only the last line of a document can lack one)."""

    def __init__(self, stream: io.TextIOBase):
        self.stream = stream
        self.unterminated = False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self.stream.readline()
        if not line:
            raise StopIteration
        self.unterminated = not line.endswith(("\n", "\r"))
        return line


def parse_listings(stream: io.TextIOBase, summary: ReportSummary | None = None) -> Iterator[ListingRow | BadRow]:
    """Rows of GET_MERCHANT_LISTINGS_ALL_DATA by header name; bad rows as BadRow.

    A row with fewer fields than the header is never read with shifted or missing
    values: it is a BadRow, counted in ``summary.short_rows``; when it is the last,
    unterminated line, the document was cut (``summary.truncated``). An empty
    document yields nothing and leaves ``summary.columns`` at 0."""
    summary = summary if summary is not None else ReportSummary()
    lines = _Lines(stream)
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip() for h in header]
    if "seller-sku" not in header:
        raise DocumentError("listings report has no 'seller-sku' column", operation="getReportDocument")
    summary.columns = len(header)
    summary.has_status = "status" in header
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        row = dict(zip(header, fields))
        sku = (row.get("seller-sku") or "").strip() or None
        bad = _check_row(row, len(fields), len(header), summary.has_status)
        if bad:
            summary.bad_rows += 1
            if len(fields) < len(header) and not lines.unterminated:
                summary.short_rows += 1
            if lines.unterminated:
                summary.truncated = True
                bad = "the document ends inside this row"
                sku = None
            yield BadRow(line, bad, sku[:255] if sku else None)
            continue
        summary.rows += 1
        price = (row.get("price") or "").strip() or None
        qty_raw = (row.get("quantity") or "").strip()
        yield ListingRow(
            seller_sku=(sku or "")[:255], asin=(row.get("asin1") or "").strip() or None,
            product_id=(row.get("product-id") or "").strip() or None,
            product_id_type=PRODUCT_ID_TYPES.get((row.get("product-id-type") or "").strip()),
            item_name=(row.get("item-name") or "").strip(), price=price,
            quantity=int(qty_raw) if qty_raw else None,
            status=(row.get("status") or "").strip() if summary.has_status else "",
            fulfillment_channel=(row.get("fulfillment-channel") or "DEFAULT").strip() or "DEFAULT",
            open_date=(row.get("open-date") or "").strip() or None)


def _check_row(row: dict, fields: int, columns: int, has_status: bool) -> str | None:
    """Why the row cannot be imported, or None."""
    if fields < columns:
        return f"{fields} fields where the header has {columns}"
    if fields > columns:
        return "more fields than the header"
    if not (row.get("seller-sku") or "").strip():
        return "missing seller-sku"
    qty_raw = (row.get("quantity") or "").strip()
    if qty_raw and not qty_raw.lstrip("-").isdigit():
        return f"quantity {qty_raw!r} is not a number"
    price = (row.get("price") or "").strip()
    if price:
        try:
            float(price)
        except ValueError:
            return f"price {price!r} is not a number"
    status = (row.get("status") or "").strip()
    if has_status and status.lower() not in KNOWN_STATUSES:
        return f"status {status!r} is not one Amazon reports"
    return None


def merchant_listings(client, poll: float = 15.0, timeout: float = 1800.0, sleep=time.sleep):
    """Request the listings report and stream its rows."""
    report_id = create_report(client)
    report = wait_report(client, report_id, poll, timeout, sleep)
    return parse_listings(document_text(client, report["reportDocumentId"]))
