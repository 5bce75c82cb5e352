"""The listings CSV export: past the old 100,000-row cap, with constant memory, formula cells
neutralised, and the bridge answering other requests while a file streams."""

import csv
import io
import threading
import time
import tracemalloc
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import text
from werkzeug.serving import make_server

from bridge import export
from bridge.auth import ALL_GRANTS
from bridge.signing import signed_headers

from .conftest import SECRET

ONE_SHAPE = pytest.mark.parametrize("magento", [("opensource", "")], indirect=True, ids=["opensource"])
FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR")


def fill(engine, account_id: int, rows: int, tab: str = "active") -> None:
    """N listing rows, set-based; every 1000th name is a formula."""
    names = ", ".join(f"'{f}'" for f in FORMULAS).replace("\t", "\\t").replace("\r", "\\r")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing (account_id, product_id, magento_sku, seller_sku, asin, product_name,"
            " tab, reason, calc_price, calc_qty, match_status)"
            " SELECT :a, seq, CONCAT('MG-', LPAD(seq, 7, '0')), CONCAT('EXP-', LPAD(seq, 7, '0')),"
            " CONCAT('B0', LPAD(seq, 8, '0')),"
            f" IF(seq % 1000 = 0, ELT(1 + (seq DIV 1000) % {len(FORMULAS)}, {names}), CONCAT('Produkt Größe ', seq)),"
            f" :tab, 'listed_buyable', 10 + seq % 90 + 0.5, seq % 40, 'matched' FROM seq_1_to_{int(rows)}"),
            {"a": account_id, "tab": tab})


def rows_of(chunks) -> tuple[list[str], int, list[list[str]], int]:
    """Header, row count, rows whose name was a formula, and bytes, reading chunk by chunk."""
    header, count, formulas, size = None, 0, [], 0
    for chunk in chunks:
        size += len(chunk)
        body = chunk.decode("utf-8")
        if header is None:
            assert body.startswith(export.BOM)
            body = body[1:]
        for row in csv.reader(io.StringIO(body, newline="")):
            if header is None:
                header = row
                continue
            count += 1
            if not row[3].startswith("Produkt"):
                formulas.append(row)
    return header, count, formulas, size


def streamed_export(api, account_id: int, query: str = ""):
    """Export the active tab under tracemalloc: (response, header, count, formula rows, bytes, peak)."""
    tracemalloc.start()
    try:
        resp = api.get(f"/api/v1/accounts/{account_id}/listings?tab=active&format=csv{query}", buffered=False)
        assert resp.status_code == 200 and resp.is_streamed
        header, count, formulas, size = rows_of(resp.response)
        resp.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return resp, header, count, formulas, size, peak


@ONE_SHAPE
def test_export_streams_past_the_old_cap_with_flat_memory_and_neutralised_formulas(api, account_id, channel_db):
    n = 120_000
    fill(channel_db.engine, account_id, n)
    *_, small_count, _, small_size, small_peak = streamed_export(api, account_id, "&sku=EXP-000")
    resp, header, count, formulas, size, peak = streamed_export(api, account_id)
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"].startswith(f'attachment; filename="amazon-listings-{account_id}-active-')
    assert header == list(export.HEADER)
    assert small_count == 9999 and count == n
    assert len(formulas) == n // 1000
    assert {r[3][0] for r in formulas} == {"'"}
    assert {r[3][1:] for r in formulas} == set(FORMULAS)
    # Twelve times the rows, the same peak: one page of rows is all that is ever held.
    assert peak < small_peak * 1.25 and peak < size / 3, (small_peak, peak, small_size, size)


@pytest.mark.slow
@ONE_SHAPE
def test_export_of_a_million_rows_is_complete_and_flat(api, account_id, channel_db):
    n = 1_000_000
    fill(channel_db.engine, account_id, n)
    *_, small_peak = streamed_export(api, account_id, "&sku=EXP-000")
    _, header, count, formulas, size, peak = streamed_export(api, account_id)
    assert header == list(export.HEADER) and count == n and len(formulas) == n // 1000
    assert peak < small_peak * 1.25 and peak < size / 20, (small_peak, peak, size)


@ONE_SHAPE
def test_export_keeps_the_tab_and_filters_and_formats_cells(api, account_id, channel_db):
    fill(channel_db.engine, account_id, 2000)
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET tab = 'ended', reason = 'ended_by_merchant',"
                          " calc_price = NULL, calc_qty = NULL WHERE seller_sku = 'EXP-0000007'"))
    resp = api.get(f"/api/v1/accounts/{account_id}/listings?tab=active&sku=EXP-00001&format=csv")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == [f"EXP-00001{i:02d}" for i in range(100)]
    assert rows[1][1:] == ["MG-0000100", "B000000100", "Produkt Größe 100", "active",
                           "Buyers can buy this offer on Amazon.", "Nothing to do; price and stock stay in sync.",
                           "20.50", "20"]
    ended = api.get(f"/api/v1/accounts/{account_id}/listings?tab=ended&format=csv").data.decode("utf-8-sig")
    ended_rows = list(csv.reader(io.StringIO(ended, newline="")))
    assert len(ended_rows) == 2 and ended_rows[1][0] == "EXP-0000007" and ended_rows[1][7:] == ["", ""]
    assert ended.endswith("\r\n")


@ONE_SHAPE
@pytest.mark.parametrize("query", ["tab=sold", "sort=password", "bogus=1"])
def test_bad_export_arguments_are_a_json_400_before_any_csv(api, account_id, query):
    resp = api.get(f"/api/v1/accounts/{account_id}/listings?format=csv&{query}")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"]


def test_neutralise_prefixes_every_formula_start_and_leaves_text_alone():
    for value in FORMULAS:
        assert export.neutralise(value) == "'" + value
    assert export.neutralise("Mug 12 cm") == "Mug 12 cm"
    assert export.neutralise(None) == "" and export.neutralise("") == ""
    assert [export.money(v) for v in (None,)] == [""]


def test_money_keeps_every_stored_digit_and_at_least_two():
    from decimal import Decimal

    assert export.money(Decimal("12.5000")) == "12.50"
    assert export.money(Decimal("3.1250")) == "3.125"
    assert export.money(Decimal("1000.0000")) == "1000.00"
    assert export.money(Decimal("-4.0000")) == "-4.00"


@ONE_SHAPE
def test_another_request_answers_within_a_second_while_an_export_streams(app, account_id, channel_db):
    fill(channel_db.engine, account_id, 120_000)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    def signed(path: str, query: list[tuple[str, str]]):
        headers = signed_headers(SECRET, "GET", path, query, b"", grants=ALL_GRANTS)
        return requests.get(f"{base}{path}?{urlencode(query)}", headers=headers, timeout=30, stream=True)

    try:
        listings = f"/api/v1/accounts/{account_id}/listings"
        download = signed(listings, [("tab", "active"), ("format", "csv")])
        chunks = download.iter_content(64 * 1024)
        first = next(chunks)
        assert first.startswith(export.BOM.encode())
        # A slow client: the export is mid-stream while the grid asks for a page and the counts.
        answers = []
        for path, query in ((listings, [("tab", "active"), ("per_page", "50")]), (listings + "/counts", [])):
            start = time.perf_counter()
            resp = signed(path, query)
            answers.append((resp.status_code, time.perf_counter() - start))
        time.sleep(0.5)
        rest = sum(chunk.count(b"\n") for chunk in chunks)
        assert [a[0] for a in answers] == [200, 200]
        assert max(a[1] for a in answers) < 1.0, answers
        assert first.count(b"\n") + rest == 120_001
    finally:
        server.shutdown()


@ONE_SHAPE
def test_each_export_leaves_one_log_line_with_its_rows(api, account_id, channel_db, caplog):
    fill(channel_db.engine, account_id, 2500)
    caplog.set_level("INFO", logger="bridge.export")
    resp = api.get(f"/api/v1/accounts/{account_id}/listings?tab=active&format=csv", buffered=False)
    chunks = iter(resp.response)
    assert next(chunks).startswith(export.BOM.encode()) and next(chunks).count(b"\n") == export.PAGE_ROWS
    resp.close()  # the client went away after the first page
    assert api.get(f"/api/v1/accounts/{account_id}/listings?tab=active&format=csv").data.count(b"\n") == 2501
    lines = [r.getMessage() for r in caplog.records if r.name == "bridge.export"]
    assert len(lines) == 2
    assert lines[0].endswith("stopped before the end") and f": {export.PAGE_ROWS} rows" in lines[0]
    assert f"account {account_id}, tab active: 2500 rows in" in lines[1] and "stopped" not in lines[1]


@ONE_SHAPE
@pytest.mark.parametrize("name, expected", [("Produkt", 1998), ("Größe 15", 111)])
def test_export_filters_by_name_as_the_grid_does(api, account_id, channel_db, name, expected):
    """A word search goes through the full-text index, a short word falls back to a substring."""
    fill(channel_db.engine, account_id, 2000)
    resp = api.get(f"/api/v1/accounts/{account_id}/listings?tab=active&format=csv&name={name}")
    assert resp.status_code == 200, resp.data[:300]
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"), newline="")))[1:]
    assert len(rows) == expected and all(name.split()[0] in r[3] for r in rows)


@ONE_SHAPE
def test_a_query_that_fails_is_a_json_500_not_a_cut_file(api, account_id, channel_db, monkeypatch):
    fill(channel_db.engine, account_id, 10)
    monkeypatch.setattr(export, "_COLUMNS", "seller_sku, no_such_column")
    resp = api.get(f"/api/v1/accounts/{account_id}/listings?tab=active&format=csv")
    assert resp.status_code == 500 and resp.get_json()["error"]["code"] == "internal_error"
