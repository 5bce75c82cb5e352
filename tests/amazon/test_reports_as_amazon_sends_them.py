"""The listings report as Amazon really sends it: Japanese headers in Windows-31J,
extra and reordered columns, expiring document URLs, streamed and possibly cut."""

import gzip
import io
import zlib

import pytest
import requests

from sandbox_fixtures import SELLER
from worker.amazon import reports
from worker.amazon.errors import DocumentError, Unauthorized

FAST = {"poll": 0.05, "sleep": lambda s: __import__("time").sleep(s)}
JP = "A1VC38T7YXB528"
JP_HEADER = ("出品者SKU\tASIN 1\t商品名\t商品の説明\t出品ID\t価格\t数量\t出品日\t商品IDタイプ\tコンディション説明\t"
             "コンディション\t国外へ配送可\t迅速な配送\t商品ID\t在庫数\tフルフィルメント・チャンネル\t法人価格\t"
             "merchant-shipping-group\tポイント\tステータス\n")


def seed(sandbox, listings, marketplace=None):
    from sandbox.state import Listing

    seller = sandbox.market.sellers[SELLER]
    if marketplace:
        seller.marketplaces = [marketplace]
    for li in listings:
        seller.listings[li["sku"]] = Listing(**li)


def jp_client(make_client):
    client = make_client()
    client.marketplace_id = JP
    return client


def test_japanese_headers_in_windows_31j_are_read_by_name():
    row = "緑茶-1\tB0JP000001\t静岡の緑茶 100g\t\tL1\t1980\t5\t2025/01/02 10:00:00 JST\t1\t\t11\t\t\tB0JP000001" \
          "\t0\tDEFAULT\t\t\t0\tActive\n"
    raw = (JP_HEADER + row).encode("cp932")
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding=reports._charset("text/plain; charset=Windows-31J"),
                              newline="")
    summary = reports.ReportSummary()
    rows = list(reports.parse_listings(stream, summary))
    assert summary.has_status and summary.rows == 1
    assert rows[0].seller_sku == "緑茶-1" and rows[0].item_name == "静岡の緑茶 100g"
    assert rows[0].asin == "B0JP000001" and rows[0].price == "1980" and rows[0].quantity == 5
    assert rows[0].status == "Active" and rows[0].product_id_type == "asin"


def test_shift_jis_family_charsets_decode_as_cp932_and_unknown_ones_as_cp1252():
    assert reports._charset("text/tab-separated-values; charset=Windows-31J") == "cp932"
    assert reports._charset("text/tab-separated-values;charset=Shift_JIS") == "cp932"
    assert reports._charset("text/plain; charset=x-unheard-of") == "cp1252"


def test_jp_report_with_japanese_headers_is_streamed_from_the_sandbox(make_client, sandbox):
    seed(sandbox, [{"sku": "緑茶-1", "asin": "B0JP000001", "price": 1980.0, "quantity": 5, "title": "静岡の緑茶"},
                   {"sku": "FBA-JP", "asin": "B0JP000002", "price": 500.0, "quantity": 9,
                    "fulfillment_channel": "AMAZON_JP"}], marketplace=JP)
    sandbox.fault(report_options={"ignore_locale": True, "gzip": True})  # Japanese headers whatever we ask
    rows = {r.seller_sku: r for r in reports.merchant_listings(jp_client(make_client), **FAST)}
    doc = next(iter(sandbox.market.documents.values()))
    assert "Windows-31J" in doc["content_type"] and "出品者SKU".encode("cp932") in gzip.decompress(doc["content"])
    assert rows["緑茶-1"].item_name == "静岡の緑茶" and rows["緑茶-1"].price == "1980.00"
    assert rows["緑茶-1"].status == "Active" and rows["FBA-JP"].fulfillment_channel == "AMAZON_JP"


def test_english_headers_are_asked_for_and_given_where_amazon_honours_it(make_client, sandbox):
    seed(sandbox, [{"sku": "JP-1", "asin": "B0JP000001", "price": 100.0, "quantity": 1, "title": "抹茶"}],
         marketplace=JP)
    rows = list(reports.merchant_listings(jp_client(make_client), **FAST))
    report = next(iter(sandbox.market.reports.values()))
    assert report["locale"] == "en_US"
    doc = next(iter(sandbox.market.documents.values()))
    assert doc["content"].startswith(b"item-name\t") and "Windows-31J" in doc["content_type"]
    assert rows[0].item_name == "抹茶"


def test_extra_and_reordered_columns_are_read_by_name(client, sandbox):
    seed(sandbox, [{"sku": "X-1", "asin": "B0X0000001", "price": 12.5, "quantity": 4, "title": "Extra"}])
    sandbox.fault(report_options={"extra_columns": True})
    rows = list(reports.merchant_listings(client, **FAST))
    doc = next(iter(sandbox.market.documents.values()))
    assert doc["content"].startswith(b"Business Price\tQuantity Price Type")
    assert rows[0].seller_sku == "X-1" and rows[0].price == "12.50" and rows[0].quantity == 4
    assert rows[0].asin == "B0X0000001" and rows[0].status == "Active"


def test_an_expired_document_url_is_asked_for_again(client, sandbox, failures):
    seed(sandbox, [{"sku": "E-1", "asin": "B0E0000001", "price": 3.0, "quantity": 1}])
    sandbox.fault(report_options={"expire_urls": 1})
    rows = list(reports.merchant_listings(client, **FAST))
    assert [r.seller_sku for r in rows] == ["E-1"]
    assert sandbox.market.calls["getReportDocument"] == 2


def test_a_document_url_that_keeps_expiring_fails_after_a_bounded_number_of_tries(client, sandbox):
    seed(sandbox, [{"sku": "E-1", "asin": "B0E0000001", "price": 3.0, "quantity": 1}])
    sandbox.fault(report_options={"expire_urls": 10})
    with pytest.raises(Unauthorized):
        list(reports.merchant_listings(client, **FAST))
    assert sandbox.market.calls["getReportDocument"] == reports.URL_ATTEMPTS


def test_the_sandbox_refuses_a_document_url_past_its_lifetime(client, sandbox):
    seed(sandbox, [{"sku": "E-1", "asin": "B0E0000001", "price": 3.0, "quantity": 1}])
    report = reports.wait_report(client, reports.create_report(client), **FAST)
    ref, _ = client.call("getReportDocument", "GET", f"/reports/2021-06-30/documents/{report['reportDocumentId']}")
    assert requests.get(ref["url"], timeout=5).status_code == 200
    sandbox.admin("POST", "/clock", json={"seconds": 301})
    expired = requests.get(ref["url"], timeout=5)
    assert expired.status_code == 403 and "Request has expired" in expired.text


class FakeResponse:
    """A download whose bytes come in small chunks, like a socket's."""

    def __init__(self, data: bytes, cut: bool = False, chunk: int = 7):
        self.data, self.cut, self.chunk = data, cut, chunk
        self.headers = {"Content-Type": "text/tab-separated-values; charset=UTF-8"}

    def iter_content(self, size):
        for i in range(0, len(self.data), self.chunk):
            yield self.data[i:i + self.chunk]
        if self.cut:
            raise requests.exceptions.ChunkedEncodingError("IncompleteRead")

    def close(self):
        pass


def stream_of(data: bytes, cut: bool = False, strict: bool = False):
    return reports.DocumentText(reports.DocumentBody(FakeResponse(data, cut), "doc-1", "getReportDocument", strict),
                                "utf-8")


TEXT = "item-name\tseller-sku\tprice\tquantity\tasin1\tstatus\n" + "".join(
    f"Caf\u00e9 {i}\tSKU-{i}\t{i}.00\t{i}\tB0{i:08d}\tActive\n" for i in range(300))


def test_a_gzip_document_is_inflated_while_it_is_read():
    stream = stream_of(gzip.compress(TEXT.encode()))
    summary = reports.ReportSummary()
    rows = list(reports.parse_listings(stream, summary))
    assert summary.rows == 300 and not summary.truncated and rows[7].item_name == "Café 7"


def test_a_gzip_document_that_ends_early_is_truncated_even_on_a_line_end():
    whole = TEXT.encode()
    packed = gzip.compress(whole)
    # Cut the compressed stream where the inflated text ends exactly after a row.
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    cut = next(n for n in range(len(packed) // 2, len(packed))
               if inflate.copy().decompress(packed[:n]).endswith(b"\n"))
    summary = reports.ReportSummary()
    rows = list(reports.parse_listings(stream_of(packed[:cut]), summary))
    assert summary.truncated and len(rows) <= 300  # all rows may be inflated before the missing trailer
    with pytest.raises(DocumentError, match="before its end"):
        stream_of(packed[:cut], strict=True).read()


def test_a_download_cut_short_is_truncated():
    data = TEXT.encode()
    summary = reports.ReportSummary()
    list(reports.parse_listings(stream_of(data[: data.index(b"\n", len(data) // 2) + 1], cut=True), summary))
    assert summary.truncated


def test_a_multibyte_character_split_between_chunks_is_decoded_whole():
    text = "seller-sku\titem-name\n" + "".join(f"S-{i}\t緑茶{i}\n" for i in range(50))
    body = reports.DocumentBody(FakeResponse(text.encode("cp932"), chunk=3), "doc-1", "getReportDocument")
    rows = list(reports.parse_listings(reports.DocumentText(body, "cp932")))
    assert [r.item_name for r in rows[:2]] == ["緑茶0", "緑茶1"]


def test_a_large_report_is_read_as_it_arrives_not_whole(client, sandbox):
    """20,000 rows (about 3.6 MB of text, 0.4 MB gzipped): when the first rows are read
    only the first chunks have been taken off the connection."""
    from sandbox.state import Listing

    listings = sandbox.market.sellers[SELLER].listings
    for i in range(20000):
        listings[f"SKU-{i:07d}"] = Listing(sku=f"SKU-{i:07d}", asin=f"B0{i:08d}", price=10.0, quantity=1,
                                            title=f"Sample product number {i} with a reasonably long title, size M")
    sandbox.fault(report_options={"gzip": True})
    report = reports.wait_report(client, reports.create_report(client), **FAST)
    packed = len(sandbox.market.documents[report["reportDocumentId"]]["content"])
    downloads = []
    download = client.download
    client.download = lambda url, op: downloads.append(download(url, op)) or downloads[-1]
    rows = reports.parse_listings(reports.document_text(client, report["reportDocumentId"]))
    first = [next(rows) for _ in range(100)]
    taken = downloads[0].raw.tell()  # bytes read off the connection so far
    assert first[99].seller_sku == "SKU-0000099"
    assert taken < packed / 4, f"{taken} of {packed} bytes read for the first 100 rows"
    assert 100 + sum(1 for _ in rows) == 20000
