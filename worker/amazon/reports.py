"""Reports: createReport, poll getReport, getReportDocument, download, decode, parse.

The merchant listings report is parsed by header name (Amazon adds, drops and
reorders columns, and writes Japanese column names for amazon.co.jp), decoded as the
document says (UTF-8, CP-1252, or Windows-31J for Japan; a byte-order mark overrules
the label, ISO-8859-1 and ASCII labels are read as CP-1252 as browsers do, and bytes
that are not UTF-8 in a UTF-8 document are read as CP-1252, so no name loses a
letter), gunzipped when compressed
(checked by magic bytes, not only by the label), and streamed: the download is read
in chunks, gunzipped and decoded incrementally, row by row, so memory stays flat
whatever the size of the catalogue. A gzip stream or a download that ends early is a
truncated document. A row that cannot be read is reported with its line number and
skipped.

Document URLs are pre-signed for five minutes; one that has expired by the time it is
fetched is asked for again with a fresh getReportDocument (a bounded number of times).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import logging
import time
import zlib
import operator
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import NamedTuple

import requests
from urllib3.exceptions import HTTPError as Urllib3Error

from worker.amazon.errors import DocumentError, ProcessingFailed, Unauthorized

logger = logging.getLogger(__name__)

LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
PRODUCT_ID_TYPES = {"1": "asin", "2": "isbn", "3": "upc", "4": "ean"}
#: Column headers in English where Amazon honours it (``reportOptions``, documented for
#: the listings reports); Japanese headers are still read through ``HEADER_ALIASES``.
REPORT_OPTIONS = {"preferredReportDocumentLocale": "en_US"}
#: Charset labels Amazon sends that Python's codecs do not know by that name.
CHARSET_ALIASES = {"windows-31j": "cp932", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932",
                   "x-sjis": "cp932", "ms932": "cp932",
                   # Amazon's EU documents say ISO-8859-1 and carry CP-1252's euro sign and quotes.
                   "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "iso_8859-1": "cp1252", "latin1": "cp1252",
                   "latin-1": "cp1252", "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
#: Byte-order marks, longest first: they name the encoding whatever the label says.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Decoding error handler: bytes that are not the document's encoding read as CP-1252.
FALLBACK = "channel-cp1252-fallback"
#: The listings report's column names in amazon.co.jp reports, to the English ones.
HEADER_ALIASES = {
    "出品者SKU": "seller-sku", "商品名": "item-name", "商品の説明": "item-description", "出品ID": "listing-id",
    "価格": "price", "数量": "quantity", "出品日": "open-date", "商品IDタイプ": "product-id-type",
    "コンディション説明": "item-note", "コンディション": "item-condition", "国外へ配送可": "will-ship-internationally",
    "迅速な配送": "expedited-shipping", "商品ID": "product-id", "在庫数": "pending-quantity",
    "フルフィルメント・チャンネル": "fulfillment-channel", "ASIN 1": "asin1", "ASIN 2": "asin2", "ASIN 3": "asin3",
    "ステータス": "status", "法人価格": "Business Price", "ポイント": "standard-price-point",
    "商品税コード": "ProductTaxCode", "出品価格の下限": "minimum-seller-allowed-price",
    "出品価格の上限": "maximum-seller-allowed-price",
}
#: Bytes read from the download at a time.
CHUNK_BYTES = 64 * 1024
#: getReportDocument calls for one document when its pre-signed URL has expired.
URL_ATTEMPTS = 3


def create_report(client, report_type: str = LISTINGS_REPORT) -> str:
    data, _ = client.call("createReport", "POST", "/reports/2021-06-30/reports",
                          json={"reportType": report_type, "marketplaceIds": [client.marketplace_id],
                                "reportOptions": dict(REPORT_OPTIONS)})
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
                  path: str = "/reports/2021-06-30/documents/", strict: bool = True) -> "DocumentText":
    """The document as a text stream, gunzipped and decoded as it is read.

    ``strict``: a document that ends early raises ``DocumentError`` when read to its end;
    otherwise the stream's ``truncated`` says so (the listings report is judged by it)."""
    for attempt in range(1, URL_ATTEMPTS + 1):
        ref, _ = client.call(operation, "GET", path + client.quote(document_id))
        try:
            resp = client.download(ref["url"], operation)
            break
        except Unauthorized as exc:
            # A pre-signed URL lives five minutes: ask for a fresh one rather than fail.
            if exc.status != 403 or attempt == URL_ATTEMPTS:
                raise
            logger.info("Document %s: its URL was refused (expired); asking for a new one", document_id)
    body = DocumentBody(resp, document_id, operation, strict)
    if ref.get("compressionAlgorithm") == "GZIP" and not body.gzipped:
        logger.warning("Document %s is labelled GZIP but is not compressed", document_id)
    charset = _charset(resp.headers.get("Content-Type", ""))
    return DocumentText(body, charset)


class DocumentBody(io.RawIOBase):
    """The downloaded bytes, read chunk by chunk and gunzipped on the fly when they start
    with gzip's magic bytes. ``truncated``: the download or the gzip stream ended early."""

    def __init__(self, resp: requests.Response, document_id: str, operation: str, strict: bool = True):
        super().__init__()
        self.resp = resp
        self.document_id = document_id
        self.operation = operation
        self.strict = strict
        self.truncated = False
        self._chunks = resp.iter_content(CHUNK_BYTES)
        self._buf = b""
        self._pos = 0
        self._ended = False
        self._inflate: "zlib._Decompress | None" = None
        self._pending = b""
        head = self._next_chunk()
        while head is not None and len(head) < 2:  # the magic may straddle two chunks
            more = self._next_chunk()
            if more is None:
                break
            head += more
        head = head or b""
        self.gzipped = head[:2] == b"\x1f\x8b"
        if self.gzipped:
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._pending = head
        else:
            self._buf = head

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes | None:
        if self._ended:
            return None
        try:
            while True:
                chunk = next(self._chunks)
                if chunk:
                    return chunk
        except StopIteration:
            pass
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
                requests.exceptions.ContentDecodingError, Urllib3Error) as exc:
            # Fewer bytes than announced, or a Content-Encoding: gzip body that stops: cut on its way.
            logger.warning("Document %s ended early: %s", self.document_id, type(exc).__name__)
            self.truncated = True
        self._ended = True
        self.resp.close()
        return None

    def _fill(self) -> bool:
        """More bytes into the buffer; False at the end of the document."""
        if self._inflate is None:
            chunk = self._next_chunk()
            if chunk is None:
                return False
            self._buf, self._pos = chunk, 0
            return True
        while True:
            if not self._pending:
                if self._inflate.eof and self._inflate.unused_data:  # a further gzip member
                    self._pending = self._inflate.unused_data
                    self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                else:
                    self._pending = self._inflate.unconsumed_tail or self._next_chunk() or b""
            if not self._pending:
                if not self._inflate.eof:  # the compressed stream stops before its end
                    self.truncated = True
                return False
            data, self._pending = self._pending, b""
            try:
                out = self._inflate.decompress(data, CHUNK_BYTES * 4)
            except zlib.error as exc:
                raise DocumentError(f"document {self.document_id} is a broken gzip file: {exc}",
                                    operation=self.operation) from None
            if self._inflate.unconsumed_tail:
                self._pending = self._inflate.unconsumed_tail
            if out:
                self._buf, self._pos = out, 0
                return True

    def readinto(self, b) -> int:
        while self._pos >= len(self._buf):
            if not self._fill():
                if self.truncated and self.strict:
                    raise DocumentError(f"document {self.document_id} ends before its end (cut off on its way)",
                                        operation=self.operation)
                return 0
        n = min(len(b), len(self._buf) - self._pos)
        b[:n] = self._buf[self._pos:self._pos + n]
        self._pos += n
        return n


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Bytes a decoder refused, read as CP-1252 (Latin-1 for the five it leaves undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), exc.end


codecs.register_error(FALLBACK, _cp1252_fallback)


def _bom_encoding(head: bytes) -> str | None:
    return next((name for bom, name in BOMS if head.startswith(bom)), None)


class DocumentText(io.TextIOWrapper):
    """A document's text, decoded incrementally; knows whether its bytes were cut.

    A byte-order mark at the start names the encoding (and is not part of the text);
    bytes a UTF-8 or CP-1252 document cannot hold are read as CP-1252."""

    def __init__(self, body: DocumentBody, charset: str):
        buffered = io.BufferedReader(body, CHUNK_BYTES)
        encoding = _bom_encoding(buffered.peek(4)[:4]) or charset
        family = codecs.lookup(encoding).name
        errors = FALLBACK if family in ("utf-8", "utf-8-sig", "cp1252") else "replace"
        super().__init__(buffered, encoding=encoding, errors=errors, newline="")
        self.body = body
        self.charset = encoding

    @property
    def truncated(self) -> bool:
        return self.body.truncated


def _charset(content_type: str) -> str:
    for part in content_type.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            label = value.strip().strip('"')
            label = CHARSET_ALIASES.get(label.lower(), label)
            try:
                return codecs.lookup(label).name
            except LookupError:
                logger.warning("Unknown document charset %r; read as cp1252", label)
                return "cp1252"
    return "utf-8"


def data_cutoff(report: dict, requested: datetime) -> datetime:
    """When the report's data was taken, on our clock (naive UTC).

    Amazon builds the listings report from a cache that can be hours old and says how
    old in ``dataEndTime`` (``processingStartTime`` or ``createdTime`` when absent). The
    age is measured on Amazon's clock, against the report's ``createdTime``, and taken
    off ``requested`` (our clock when createReport was sent), so a skew between the
    clocks does not move the cut-off."""
    created = _timestamp(report.get("createdTime"))
    taken = (_timestamp(report.get("dataEndTime")) or _timestamp(report.get("processingStartTime"))
             or created)
    if created is None or taken is None:
        return requested
    return requested + (taken - created)


def _timestamp(value) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp


class ListingRow(NamedTuple):
    """A readable row of the listings report (a tuple: a million of them are made per import)."""

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


#: A readable row of the listings report as its stripped fields, before they are typed
#: (``listing_fields``), in ``ListingRow`` order: seller-sku (cut to 255 characters), asin1,
#: product-id, product-id-type as ``PRODUCT_ID_TYPES`` reads it (None for a code it does not
#: define), item-name, price, quantity (checked, still a string), status (empty when the report
#: has none), fulfillment-channel, open-date; an empty string where the report has nothing.
#: A plain tuple: a million of them are made per import.
ListingFields = tuple[str, str, str, str | None, str, str, str, str, str, str]


def parse_listings(stream: io.TextIOBase, summary: ReportSummary | None = None) -> Iterator[ListingRow | BadRow]:
    """Rows of GET_MERCHANT_LISTINGS_ALL_DATA by header name; bad rows as BadRow.

    A row with fewer fields than the header is never read with shifted or missing
    values: it is a BadRow, counted in ``summary.short_rows``; when it is the last,
    unterminated line, the document was cut (``summary.truncated``). An empty
    document yields nothing and leaves ``summary.columns`` at 0."""
    for row in listing_fields(stream, summary):
        if isinstance(row, BadRow):
            yield row
            continue
        sku, asin, pid, pid_type, name, price, qty_raw, status, channel, opened = row
        yield ListingRow(sku, asin or None, pid or None, pid_type, name, price or None,
                         int(qty_raw) if qty_raw else None, status, channel or "DEFAULT", opened or None)


def listing_fields(stream: io.TextIOBase, summary: ReportSummary | None = None
                   ) -> Iterator[ListingFields | BadRow]:
    """The rows ``parse_listings`` reads, judged the same, as their stripped fields
    (``ListingFields``): the cheapest form of a readable row."""
    summary = summary if summary is not None else ReportSummary()
    lines = iter(stream)  # line by line, as readline() reads them
    line = next(lines, None)
    if line is None:
        summary.truncated = bool(getattr(stream, "truncated", False))
        return
    header = [h.strip().lstrip("\ufeff").strip() for h in _split(line)]
    header = [HEADER_ALIASES.get(h, h) for h in header]
    if "seller-sku" not in header:
        raise DocumentError("listings report has no 'seller-sku' column", operation="getReportDocument")
    summary.columns = columns = len(header)
    summary.has_status = has_status = "status" in header
    at = {h: i for i, h in enumerate(header)}  # the last column of a name, as a dict of the row would keep
    i_sku = at["seller-sku"]

    def value(fields: list[str], name: str) -> str:
        i = at.get(name)
        return fields[i].strip() if i is not None else ""

    # The columns read, picked by position fixed once; a column the header lacks reads as
    # the empty field appended to a row of the header's width.
    pick = operator.itemgetter(*[at.get(name, columns) for name in _READ])
    statuses = KNOWN_STATUSES if has_status else None
    id_types = PRODUCT_ID_TYPES
    split = _split
    # A row is one line, split on tabs: unquoted, as the csv module reads it. A line the csv
    # module reads otherwise (a line end inside it, or a field longer than it reads) goes to it.
    limit = csv.field_size_limit()
    line_num = 1
    for line in lines:
        line_num += 1
        body = line.rstrip("\r\n")
        if len(line) <= limit and "\r" not in body and "\n" not in body:
            fields = body.split("\t")
        else:
            fields = split(line)
        if len(fields) == columns:
            fields.append("")
            asin, pid, pid_type, name, price, qty_raw, status, channel, opened = pick(fields)
            # One by one: a tenth of the row's time less than a comprehension.
            sku, asin, pid, pid_type = fields[i_sku].strip(), asin.strip(), pid.strip(), pid_type.strip()
            name, price, qty_raw, status = name.strip(), price.strip(), qty_raw.strip(), status.strip()
            channel, opened = channel.strip(), opened.strip()
            # The usual row, checked inline; any doubt goes to _check_values.
            if sku and (not qty_raw or qty_raw.isdigit()) and (statuses is None or status.lower() in statuses):
                bad = None
                if price:
                    try:
                        float(price)
                    except ValueError:
                        bad = f"price {price!r} is not a number"
            else:
                bad = _check_values(sku, qty_raw, price, status, statuses)
            if bad is None:
                summary.rows += 1
                yield sku[:255], asin, pid, id_types.get(pid_type), name, price, qty_raw, status, channel, opened
                continue
            del fields[-1]
        if not "".join(fields).strip():
            continue
        row_sku = (fields[i_sku].strip() if i_sku < len(fields) else "") or None
        reason = _check_fields(fields, columns, row_sku, value, has_status) or "unreadable"
        summary.bad_rows += 1
        unterminated = not line.endswith(("\n", "\r"))  # only the last line of a document can be
        if len(fields) < columns and not unterminated:
            summary.short_rows += 1
        if unterminated:
            summary.truncated = True
            reason = "the document ends inside this row"
            row_sku = None
        yield BadRow(line_num, reason, row_sku[:255] if row_sku else None)
    if getattr(stream, "truncated", False):  # the bytes were cut on a line end
        summary.truncated = True


def _split(line: str) -> list[str]:
    """One line's fields as the csv module reads an unquoted tab-separated line."""
    return next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE), [])


#: The columns a listing row is read from, in ``ListingRow`` order after the SKU.
_READ = ("asin1", "product-id", "product-id-type", "item-name", "price", "quantity", "status",
         "fulfillment-channel", "open-date")


def _check_values(sku: str, qty_raw: str, price: str, status: str, statuses: tuple[str, ...] | None) -> str | None:
    """Why a row of the header's width cannot be imported, or None."""
    if not sku:
        return "missing seller-sku"
    if qty_raw and not qty_raw.lstrip("-").isdigit():
        return f"quantity {qty_raw!r} is not a number"
    if price:
        try:
            float(price)
        except ValueError:
            return f"price {price!r} is not a number"
    if statuses is not None and status.lower() not in statuses:
        return f"status {status!r} is not one Amazon reports"
    return None


def _check_fields(fields: list[str], columns: int, sku: str | None, value, has_status: bool) -> str | None:
    """Why the row cannot be imported, or None."""
    if len(fields) < columns:
        return f"{len(fields)} fields where the header has {columns}"
    if len(fields) > columns:
        return "more fields than the header"
    return _check_values(sku or "", value(fields, "quantity"), value(fields, "price"), value(fields, "status"),
                         KNOWN_STATUSES if has_status else None)


def merchant_listings(client, poll: float = 15.0, timeout: float = 1800.0, sleep=time.sleep):
    """Request the listings report and stream its rows."""
    report_id = create_report(client)
    report = wait_report(client, report_id, poll, timeout, sleep)
    return parse_listings(document_text(client, report["reportDocumentId"], strict=False))
