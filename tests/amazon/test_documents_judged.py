"""Reports and feed processing reports are judged before anything is changed."""

import io

from worker.amazon import feeds, reports

HEADER = "item-name\tseller-sku\tprice\tquantity\tasin1\tstatus\n"


def parse(text):
    summary = reports.ReportSummary()
    rows = list(reports.parse_listings(io.StringIO(text), summary))
    return rows, summary


def test_a_row_cut_mid_line_is_never_imported_with_wrong_values():
    rows, summary = parse(HEADER + "A\tSKU-1\t5.00\t3\tB01\tActive\nB\tSKU-2\t6.00\t4\tB02\tAct")
    assert [type(r).__name__ for r in rows] == ["ListingRow", "BadRow"]
    assert summary.truncated and summary.rows == 1
    assert rows[1].seller_sku is None  # a cut row names nothing


def test_a_short_row_inside_the_document_is_skipped_and_counted():
    rows, summary = parse(HEADER + "A\tSKU-1\t5.00\n" + "B\tSKU-2\t6.00\t4\tB02\tActive\n")
    assert [type(r).__name__ for r in rows] == ["BadRow", "ListingRow"]
    assert summary.short_rows == 1 and not summary.truncated
    assert rows[0].seller_sku == "SKU-1"


def test_an_empty_document_has_no_rows_and_no_header():
    rows, summary = parse("")
    assert rows == [] and summary.columns == 0


def test_a_report_without_status_column_reads_no_status():
    rows, summary = parse("seller-sku\tprice\tquantity\nSKU-1\t5.00\t1\n")
    assert not summary.has_status and rows[0].status == ""


def test_unknown_status_is_a_bad_row():
    rows, _ = parse(HEADER + "A\tSKU-1\t5.00\t3\tB01\tWeird\n")
    assert type(rows[0]).__name__ == "BadRow" and "status" in rows[0].reason


def test_feed_report_must_account_for_every_message():
    sent = {1, 2, 3, 4}
    full = {"summary": {"messagesProcessed": 4, "messagesAccepted": 3, "messagesInvalid": 1},
            "issues": [{"messageId": 2, "severity": "ERROR", "code": "1", "message": "bad"}]}
    assert feeds.account_for(full, sent) == ({2}, set())
    half = {"summary": {"messagesProcessed": 2, "messagesAccepted": 2, "messagesInvalid": 0}, "issues": []}
    assert feeds.account_for(half, sent) == (set(), sent)
    assert feeds.account_for({}, sent) == (set(), sent)
    feed_level = {"summary": {"messagesProcessed": 4, "messagesAccepted": 4, "messagesInvalid": 0},
                  "issues": [{"severity": "ERROR", "code": "4000003", "message": "whole feed"}]}
    assert feeds.account_for(feed_level, sent) == (set(), sent)
