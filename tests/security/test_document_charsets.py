"""Documents keep every name whatever their bytes say about themselves: a UTF-8
byte-order mark (with a UTF-8 label, a CP-1252 label or none), a document labelled
ISO-8859-1 or Windows-1252 (the ``Content-Type`` charset of the report document, as
the SP-API reports model has it) carrying CP-1252's euro sign and quotes, and CP-1252
bytes inside a document labelled UTF-8. Read through ``document_text``, the path the
listings report import takes, and once through the sandbox into the listing table."""

import gzip

import pytest
from sqlalchemy import text

from sandbox.testing import running_sandbox
from sandbox_fixtures import seller_seed
from sync.conftest import catalog_seed, cycle, settings, sync_account  # noqa: F401 - fixtures
from worker.amazon import reports

NAMES = ["Café crème 250 g", "Señor “Deluxe” – 5 €", "Straße Ölkanne", "Ærø œuvre ™", "Plain name"]


def _tsv(names=NAMES) -> str:
    return "seller-sku\titem-name\tprice\tquantity\tasin1\tstatus\n" + "".join(
        f"SKU-{i}\t{name}\t{i + 1}.00\t{i}\tB0{i:08d}\tActive\n" for i, name in enumerate(names))


@pytest.fixture
def market():
    """Amazon with listings of the merchant's own, not in Magento, named with accents and symbols."""
    listings = [{"sku": f"OTHER-{i}", "asin": f"B0OTHER{i:03d}", "title": name, "price": 5.0, "quantity": 1}
                for i, name in enumerate(NAMES)]
    with running_sandbox(seller_seed(listings=listings, catalog=catalog_seed(5)), time_scale=100) as sb:
        yield sb


class Download:
    """The document's bytes as the download answers them, a few bytes at a time."""

    def __init__(self, data: bytes, content_type: str, chunk: int = 5):
        self.data, self.chunk = data, chunk
        self.headers = {"Content-Type": content_type}

    def iter_content(self, size):
        for i in range(0, len(self.data), self.chunk):
            yield self.data[i:i + self.chunk]

    def close(self):
        pass


class Client:
    """What ``document_text`` asks of the SP-API client: getReportDocument, then the download."""

    def __init__(self, download: Download, compressed: bool = False):
        self.download_ = download
        self.compressed = compressed

    def quote(self, value):
        return value

    def call(self, operation, method, path):
        ref = {"reportDocumentId": "doc-1", "url": "https://tortuga-prod-na.s3.amazonaws.com/doc-1"}
        if self.compressed:
            ref["compressionAlgorithm"] = "GZIP"
        return ref, {}

    def download(self, url, operation):
        return self.download_


def _names(data: bytes, content_type: str, compressed: bool = False) -> list[str]:
    if compressed:
        data = gzip.compress(data)
    stream = reports.document_text(Client(Download(data, content_type), compressed), "doc-1", strict=False)
    summary = reports.ReportSummary()
    rows = list(reports.parse_listings(stream, summary))
    assert summary.bad_rows == 0 and summary.rows == len(rows)
    return [r.item_name for r in rows]


@pytest.mark.parametrize("label", ["text/tab-separated-values; charset=UTF-8", "text/tab-separated-values",
                                   "text/tab-separated-values; charset=Cp1252",
                                   "text/tab-separated-values; charset=ISO-8859-1"])
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_a_utf8_byte_order_mark_keeps_every_name_whatever_the_label(label, compressed):
    assert _names(b"\xef\xbb\xbf" + _tsv().encode("utf-8"), label, compressed) == NAMES


@pytest.mark.parametrize("label", ["ISO-8859-1", "iso-8859-1", "Windows-1252", "Cp1252", "latin1", "US-ASCII"])
def test_a_windows_1252_document_keeps_its_euro_signs_and_quotes_under_any_western_label(label):
    assert _names(_tsv().encode("cp1252"), f"text/tab-separated-values; charset={label}") == NAMES


def test_cp1252_bytes_in_a_document_labelled_utf8_are_read_not_replaced():
    mixed = _tsv(NAMES[:2]).encode("utf-8") + "SKU-9\tNaïve “quoted” 9 €\t1.00\t1\tB000000009\tActive\n".encode(
        "cp1252")
    names = _names(mixed, "text/tab-separated-values; charset=UTF-8")
    assert names == NAMES[:2] + ["Naïve “quoted” 9 €"] and not any("\ufffd" in n for n in names)


def test_a_utf16_document_with_its_byte_order_mark_is_read():
    assert _names(_tsv().encode("utf-16"), "text/tab-separated-values; charset=UTF-8") == NAMES


def test_japanese_windows_31j_is_still_read_as_such():
    names = ["緑茶 ティーバッグ", "抹茶"]
    assert _names(_tsv(names).encode("cp932"), "text/tab-separated-values; charset=Windows-31J") == names


def test_cp1252_listings_report_keeps_names_through_the_import(market, cycle, channel_db):  # noqa: F811
    """The sandbox sends the listings report in CP-1252 (labelled so); the import stores
    the names of the merchant's other Amazon listings as Amazon wrote them."""
    market.admin("POST", "/faults", json={"report_options": {"encoding": "cp1252"}})
    cycle()
    with channel_db.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT seller_sku, product_name FROM channel_amazon_listing"
                                        " WHERE seller_sku LIKE 'OTHER-%'")).all())
    assert [stored.get(f"OTHER-{i}") for i in range(len(NAMES))] == NAMES
