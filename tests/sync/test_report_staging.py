"""The listings report's rows as the importer stages them: each readable row written once,
straight from its fields, in LOAD DATA's text format, with the values the typed row gives."""

import io

import pytest

from channel import db
from worker.amazon import reports
from worker.sync import importer

HEADER = ("seller-sku\titem-name\tprice\tquantity\tasin1\tproduct-id\tproduct-id-type\tfulfillment-channel"
          "\tstatus\n")


@pytest.fixture
def staged():
    def run(text):
        summary = reports.ReportSummary()
        stats = importer.ImportStats()
        logged: list[str] = []
        rows = reports.listing_fields(io.StringIO(text, newline=""), summary)
        lines = list(importer.ListingsReportImporter(None, None, 1)._staged(rows, stats, logged))
        return [db._tsv_row(line) for line in lines], summary, stats, logged
    return run


def test_values_are_staged_as_the_typed_row_reads_them(staged):
    rows, summary, stats, _ = staged(
        HEADER
        + "SKU-1\tGreen tea\t12.50\t007\tB000000001\t0123456789012\t3\tAMAZON_NA_EXTRA_LONG\tActive\n"
        + "SKU\\2\tBack\\slash \\N name\t\t-0\t\tB000000002\t1\t\tinactive\r\n"
        + "SKU-3\t\t5\t\t\t\t9\tDEFAULT\tIncomplete\n")
    assert summary.rows == 3 and stats.bad_rows == 0
    # STAGE_COLUMNS: sku, asin, external id and its type, name, status, price, quantity, channel, bad
    assert rows == [
        ("SKU-1", "B000000001", "0123456789012", "upc", "Green tea", "BUYABLE", "12.50", "7", "AMAZON_NA_EXTRA_", "0"),
        ("SKU\\2", None, None, None, "Back\\slash \\N name", "INACTIVE", None, "0", "DEFAULT", "0"),
        ("SKU-3", None, None, None, None, "INCOMPLETE", "5", None, "DEFAULT", "0"),
    ]


def test_without_status_column_the_status_is_read_from_price_and_stock(staged):
    rows, summary, _, _ = staged("seller-sku\tprice\tquantity\tfulfillment-channel\n"
                                 "A\t5.00\t2\tDEFAULT\nB\t5.00\t0\tDEFAULT\nC\t5.00\t\tAMAZON_NA\nD\t\t3\tDEFAULT\n")
    assert not summary.has_status
    assert [(r[0], r[5]) for r in rows] == [("A", "BUYABLE"), ("B", "INACTIVE"), ("C", "BUYABLE"), ("D", "INACTIVE")]


def test_a_bad_row_is_logged_and_staged_as_seen_without_values(staged):
    rows, summary, stats, logged = staged(HEADER + "SKU-1\tTea\tfree\t1\t\t\t\t\tActive\n"
                                          + "SKU-2\tTea\t1.00\t1\t\t\t\t\tActive\n")
    assert stats.bad_rows == 1 and summary.rows == 1
    assert rows[0] == ("SKU-1", None, None, None, None, None, None, None, None, "1")
    assert logged == ["Report line 2 skipped: price 'free' is not a number"]
