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


def wait_report(client, report_id: str, poll: float = 15.0, timeout: float = 1800.0, sleep=time.sleep) -> dict:
    """Poll until DONE; FATAL and CANCELLED raise ProcessingFailed."""
    deadline = time.monotonic() + timeout
    while True:
        report, _ = client.call("getReport", "GET", f"/reports/2021-06-30/reports/{client.quote(report_id)}")
        status = report.get("processingStatus")
        if status == "DONE":
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


def parse_listings(stream: io.TextIOBase) -> Iterator[ListingRow | BadRow]:
    """Rows of GET_MERCHANT_LISTINGS_ALL_DATA by header name; bad rows as BadRow."""
    reader = csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
    if not reader.fieldnames or "seller-sku" not in reader.fieldnames:
        raise DocumentError("listings report has no 'seller-sku' column", operation="getReportDocument")
    for row in reader:
        line = reader.line_num
        sku = (row.get("seller-sku") or "").strip()
        if not sku or None in row and row[None]:
            yield BadRow(line, "missing seller-sku" if not sku else "more fields than the header")
            continue
        qty_raw = (row.get("quantity") or "").strip()
        if qty_raw and not qty_raw.lstrip("-").isdigit():
            yield BadRow(line, f"quantity {qty_raw!r} is not a number")
            continue
        price = (row.get("price") or "").strip() or None
        if price is not None:
            try:
                float(price)
            except ValueError:
                yield BadRow(line, f"price {price!r} is not a number")
                continue
        asin = (row.get("asin1") or "").strip() or None
        pid = (row.get("product-id") or "").strip() or None
        yield ListingRow(
            seller_sku=sku[:255], asin=asin, product_id=pid,
            product_id_type=PRODUCT_ID_TYPES.get((row.get("product-id-type") or "").strip()),
            item_name=(row.get("item-name") or "").strip(), price=price,
            quantity=int(qty_raw) if qty_raw else None, status=(row.get("status") or "").strip() or "Active",
            fulfillment_channel=(row.get("fulfillment-channel") or "DEFAULT").strip() or "DEFAULT",
            open_date=(row.get("open-date") or "").strip() or None)


def merchant_listings(client, poll: float = 15.0, timeout: float = 1800.0, sleep=time.sleep):
    """Request the listings report and stream its rows."""
    report_id = create_report(client)
    report = wait_report(client, report_id, poll, timeout, sleep)
    return parse_listings(document_text(client, report["reportDocumentId"]))
