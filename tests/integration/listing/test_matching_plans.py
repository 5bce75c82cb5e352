"""Matching by an identifier reads the attribute's values once and looks each up in an
index of the listings: never each listing among all the values (Magento has no index on
an EAV value), a plan whose cost grows with the square of the catalog.

The statements matching runs are captured and explained on an account whose listing
table looks as it does after a first import: many listings, most of them matched, fresh
statistics. (At 100k listings such statistics once led the optimizer to scan every
listing for each block of values, 12.8 s instead of 0.3 s; the benchmark's second run
shows it at that size.)"""

from sqlalchemy import event, text

from channel.magento.catalog import CatalogReader
from channel.matching import ASIN_INDEX, match_account

from .conftest import add_amazon_listing

LISTINGS = 20_000


def _imported_many(conn, account) -> None:
    """``LISTINGS`` listings of the account, all but the last hundred matched, each with an
    ASIN and a UPC, and the table's statistics taken afresh."""
    conn.execute(text(
        "INSERT INTO channel_amazon_listing (account_id, seller_sku, asin, external_id, external_id_type,"
        " product_id, match_status, tab, reason)"
        " SELECT :a, CONCAT('BULK-', seq), IF(seq % 50 = 0, CONCAT('B', LPAD(seq, 9, '0')), NULL), LPAD(seq, 12, '7'), 'upc',"
        " IF(seq > :unmatched, NULL, 1 + seq % 100), IF(seq > :unmatched, 'third_party', 'matched'),"
        " 'new_third_party', 'third_party_unmatched' FROM seq_1_to_" + str(LISTINGS)),
        {"a": account.account_id, "unmatched": LISTINGS - 100})
    conn.execute(text("ANALYZE TABLE channel_amazon_listing"))


def _explained(conn, statement: str, parameters) -> dict[str, tuple]:
    """The plan of ``statement``, by table alias: (access type, key)."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute("EXPLAIN " + statement, parameters)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, r)) for r in cursor.fetchall()]
    finally:
        cursor.close()
    return {r["table"]: (r["type"], r["key"]) for r in rows}


def _match_plans(channel_db, account) -> dict[str, dict[str, tuple]]:
    """The plans of matching's statements that read an identifier attribute's values, by the
    table its listings side is read from."""
    plans: dict[str, dict[str, tuple]] = {}
    with channel_db.engine.connect() as conn:
        _imported_many(conn, account)
        add_amazon_listing(conn, account, "AMZ-ASIN", asin="B000000013")
        add_amazon_listing(conn, account, "AMZ-UPC", asin="B0UPC00001", external_id="700000000003",
                           external_id_type="upc")

        def explain(c, cursor, statement, parameters, context, executemany):
            if statement.startswith("INSERT INTO tmp_channel_match") and "STRAIGHT_JOIN" in statement:
                side = "identifier" if "STRAIGHT_JOIN tmp_channel_identifier" in statement else "listing"
                plans[side] = _explained(conn, statement[len("INSERT INTO tmp_channel_match "):], parameters)

        event.listen(channel_db.engine, "before_cursor_execute", explain)
        try:
            stats = match_account(conn, CatalogReader.connect(conn, channel_db.prefix), account)
        finally:
            event.remove(channel_db.engine, "before_cursor_execute", explain)
        matched = dict(conn.execute(text(
            "SELECT seller_sku, product_id FROM channel_amazon_listing WHERE seller_sku LIKE 'AMZ-%'")).all())
        conn.rollback()
    assert matched == {"AMZ-ASIN": 13, "AMZ-UPC": 3}
    assert stats.matched >= 2
    return plans


def test_asin_values_are_looked_up_in_the_listings_asin_index(channel_db, account):
    plans = _match_plans(channel_db, account)
    assert plans["listing"]["l"] == ("ref", ASIN_INDEX)


def test_barcode_values_are_looked_up_in_the_staged_identifiers_index(channel_db, account):
    plans = _match_plans(channel_db, account)
    assert plans["identifier"]["i"] == ("ref", "value")
