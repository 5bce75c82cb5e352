"""A sync cycle reads the website's catalog once the listings report is judged, before its
new rows are written: a new SKU matched to its product comes in with the product's facts
and in the tab classification gives it, written once. The listings end exactly as an
import followed by a separate classification leaves them; a read that fails or facts
lost with a rolled-back import are read again by the classify step."""

import datetime as dt

import pytest
from sqlalchemy import text

from channel import listing_state
from channel.classification import CycleClassification, classify_account
from channel.magento import changes
from channel.magento.catalog import CatalogReader
from channel.matching import match_account, match_new_by_sku, name_prematched, prematch_new_skus
from sandbox import catalog, mview
from worker.sync.importer import STAGE, STAGE_COLUMNS, ListingsReportImporter

NOW = dt.datetime(2026, 11, 24, 12, 0)
TAKEN = NOW - dt.timedelta(minutes=5)
REPORT = [  # seller_sku, asin, external_id, external_id_type, status, quantity
    ("MG-0000001", "B0ZZZZZZZZ", None, None, "BUYABLE", 1),
    ("MG-0000002", None, None, None, "BUYABLE", 1),      # disabled in Magento: ineligible
    ("MG-0000003", None, None, None, "INACTIVE", 0),
    ("AMZ-UPC", None, "700000000006", "upc", "BUYABLE", 1),  # matched by the match step (product 6)
    ("NOWHERE", None, None, None, "BUYABLE", 1),
]
COLUMNS = ("seller_sku", "product_id", "magento_sku", "product_name", "asin", "match_status", "matched_by", "tab",
           "reason", "reason_detail", "in_website", "enabled", "passes_rules", "has_identifier", "is_parent",
           "calc_price", "calc_qty", "calc_condition", "calc_business", "facts_at")


def stage(conn, account, report=REPORT):
    ListingsReportImporter(conn, None, account.account_id)._stage_reset()
    for sku, asin, ext, kind, status, qty in report:
        conn.execute(text(f"INSERT INTO {STAGE} ({', '.join(STAGE_COLUMNS)}) VALUES"
                          f" (:s, :asin, :e, :k, 'Amazon name', :st, 9.99, :q, 'DEFAULT', 0)"),
                     {"s": sku, "asin": asin, "e": ext, "k": kind, "st": status, "q": qty})


def separately(conn, db, account):
    """Import (matched by seller SKU, facts unread), match, then classify on its own."""
    reader = CatalogReader.connect(conn, db.prefix)
    stage(conn, account)
    listing_state.imported(conn, account.account_id, STAGE, TAKEN, True, match_new_by_sku(conn, reader, account, STAGE))
    match_account(conn, reader, account)
    return classify_account(conn, reader, account, NOW, batch_size=25)


def in_one_cycle(conn, db, account, between=None, report=REPORT):
    """As the cycle does it: the catalog read before the new rows are written."""
    reader = CatalogReader.connect(conn, db.prefix)
    classification = CycleClassification(reader, account, NOW)
    stage(conn, account, report)
    matches = prematch_new_skus(conn, reader, account, STAGE)  # as the importer: while the facts are read
    facts = classification.read(conn)
    name_prematched(conn, reader, account, facts[0] if facts else None)
    imported = listing_state.imported(conn, account.account_id, STAGE, TAKEN, True, matches, facts)
    if between:
        between(conn)
    match_account(conn, reader, account)
    return facts, imported, classification.classify(conn)


def rows(conn, account):
    return {r[0]: tuple(r[1:]) for r in conn.execute(text(
        f"SELECT {', '.join(COLUMNS)} FROM channel_amazon_listing WHERE account_id = :a"), {"a": account.account_id})}


def history(conn, account, sku):
    return [tuple(r) for r in conn.execute(text(
        "SELECT c.from_tab, c.to_tab, c.to_reason FROM channel_amazon_listing_change c JOIN channel_amazon_listing l"
        " ON l.listing_id = c.listing_id WHERE l.account_id = :a AND l.seller_sku = :s ORDER BY c.change_id"),
        {"a": account.account_id, "s": sku})]


def disable_product_2(db):
    with db.raw() as raw:
        catalog.set_attribute_value(raw, db.schema, "status", 2, 2)
        raw.commit()


def test_new_skus_come_in_with_their_facts_written_once_and_end_as_a_separate_classification(
        channel_db, account, twin):
    disable_product_2(channel_db)
    with channel_db.engine.begin() as conn:
        alone = separately(conn, channel_db, account)
        facts, imported, cycle = in_one_cycle(conn, channel_db, twin)
        assert facts is not None and imported == 3
        assert rows(conn, twin) == rows(conn, account)
        got = rows(conn, twin)
        assert got["MG-0000002"][6:8] == ("ineligible", "disabled_in_magento")
        assert got["MG-0000001"][6:8] == ("active", "listed_buyable") and got["MG-0000001"][3] == "B0ZZZZZZZZ"
        assert got["AMZ-UPC"][0] == 6 and got["AMZ-UPC"][18] is not None  # linked by the match step, then read
        # Written in its tab once: one change row, where the separate run moved it a second time.
        assert history(conn, twin, "MG-0000002") == [(None, "ineligible", "disabled_in_magento")]
        assert history(conn, account, "MG-0000002") == [(None, "active", "listed_buyable"),
                                                        ("active", "ineligible", "disabled_in_magento")]
        # Classification read every product once and wrote none of the three matched on import.
        assert cycle.whole and cycle.products == alone.products
        assert cycle.written == alone.written - 3


def test_a_listing_an_earlier_cycle_wrote_in_the_same_second_is_compared_again(channel_db, account):
    """The import's own rows are not compared with the facts they came in with; a listing
    an earlier cycle wrote with facts read in the same second is: its product changed since."""
    with channel_db.engine.begin() as conn:
        in_one_cycle(conn, channel_db, account, report=REPORT[:3])
        before = rows(conn, account)["MG-0000001"][14]
    with channel_db.raw() as raw:
        catalog.set_attribute_value(raw, channel_db.schema, "price", 1, before + 40)
    with channel_db.engine.begin() as conn:
        facts, imported, cycle = in_one_cycle(conn, channel_db, account)  # the same NOW, to the second
        got = rows(conn, account)
        assert facts is not None and imported == 0
        assert got["MG-0000001"][14] > before and got["MG-0000001"][18] == NOW
        # The cycle left every listing as a whole classification of the website leaves it.
        whole = classify_account(conn, CatalogReader.connect(conn, channel_db.prefix), account, NOW,
                                 changed_only=False)
        assert (whole.written, whole.changed) == (0, 0)


def test_facts_lost_with_a_rolled_back_import_are_read_again(channel_db, account, twin):
    disable_product_2(channel_db)
    with channel_db.engine.begin() as conn:
        separately(conn, channel_db, account)
    with channel_db.engine.connect() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        classification = CycleClassification(reader, twin, NOW)
        stage(conn, twin)
        assert classification.read(conn) is not None
        staged = listing_state.facts_staged(conn)
        assert staged > 80
        conn.rollback()  # the import failed after the read
        assert listing_state.facts_staged(conn) == 0
        stage(conn, twin)  # the next import, without a read: unmatched, facts unread
        listing_state.imported(conn, twin.account_id, STAGE, TAKEN, True)
        match_account(conn, reader, twin)
        stats = classification.classify(conn)
        conn.commit()
        assert stats.whole and stats.products == staged
        ours, theirs = rows(conn, twin), rows(conn, account)
        # Matched by the match step rather than on import: the same listings otherwise.
        assert {k: v[:5] + v[6:] for k, v in ours.items()} == {k: v[:5] + v[6:] for k, v in theirs.items()}


def test_a_read_that_fails_leaves_the_import_whole_and_fails_the_classify_step(channel_db, account, monkeypatch):
    import channel.classification as classification

    def broken(ctx, product, now, tiers):
        raise ValueError(f"cannot read product {product.entity_id}")

    monkeypatch.setattr(classification, "_fact_row", broken)
    with channel_db.engine.connect() as conn:
        with pytest.raises(ValueError, match="cannot read product"):
            in_one_cycle(conn, channel_db, account)
        got = rows(conn, account)  # the import's rows are there, linked, facts unread
        assert got["MG-0000001"][:1] == (1,) and got["MG-0000001"][18] is None
        assert got["NOWHERE"][6] == "new_third_party"
        conn.rollback()


def test_facts_the_classify_step_did_not_apply_are_dropped(channel_db, account):
    with channel_db.engine.connect() as conn:
        classification = CycleClassification(CatalogReader.connect(conn, channel_db.prefix), account, NOW)
        assert classification.read(conn) is not None and listing_state.facts_staged(conn) > 80
        classification.discard(conn)  # the match step failed: no classify step in this cycle
        assert listing_state.facts_staged(conn) == -1 and classification.staged is None


@pytest.mark.parametrize("many", [False, True], ids=["few", "many"])
def test_a_listing_linked_after_a_partial_read_has_its_product_read(channel_db, account, monkeypatch, many):
    """Read after the import, one by one; or, when that makes more than a partial read may
    hold, by a whole read."""
    with channel_db.raw() as raw:
        mview.schedule(raw, channel_db.schema)
    with channel_db.engine.begin() as conn:
        first = in_one_cycle(conn, channel_db, account, report=REPORT[:3])[2]
        assert first.whole
    with channel_db.engine.begin() as conn:
        def link_by_hand(c):  # the merchant links NOWHERE to product 9 while the cycle runs
            listing_id = c.execute(text("SELECT listing_id FROM channel_amazon_listing WHERE account_id = :a"
                                        " AND seller_sku = 'NOWHERE'"), {"a": account.account_id}).scalar()
            listing_state.assigned(c, account.account_id, listing_id, 9, "MG-0000009")

        if many:
            monkeypatch.setattr(changes, "MANY", 1)
        _, imported, again = in_one_cycle(conn, channel_db, account, between=link_by_hand)
        got = rows(conn, account)
    assert imported == 0
    if many:
        assert again.whole and again.products > 80 and "more than 1 products changed" in again.why
    else:  # product 6 (matched by UPC) and product 9 (linked), read after the import
        assert not again.whole and again.products == 2
    assert got["AMZ-UPC"][18] is not None and got["NOWHERE"][18] is not None
    with channel_db.engine.begin() as conn:
        whole = classify_account(conn, CatalogReader.connect(conn, channel_db.prefix), account, NOW,
                                 changed_only=False)
        assert (whole.written, whole.changed) == (0, 0)


def new_in(conn, table):
    return sorted(r[0] for r in conn.execute(text(f"SELECT seller_sku FROM {table}")))


def test_a_later_report_looks_its_new_skus_up_once_for_the_prematch_and_the_insert(channel_db, account, twin):
    """The importer finds the new SKUs once and hands them to both; found by each, as the
    functions do when called alone, the listings end the same."""
    later = [("mg-0000001", "B0ZZZZZZZZ", None, None, "BUYABLE", 1),  # known: SKUs compare as Magento's
             *REPORT[1:3], ("MG-0000004", None, None, None, "BUYABLE", 2), ("LATER-THIRD", None, None, None, "BUYABLE", 1)]
    ends = {}
    with channel_db.engine.begin() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        for acc, once in ((account, False), (twin, True)):
            in_one_cycle(conn, channel_db, acc, report=REPORT[:3])
            # Product 4 as if created in Magento since: no row for it yet (classification gives
            # each product of the website one).
            conn.execute(text("DELETE FROM channel_amazon_listing WHERE account_id = :a AND seller_sku = 'MG-0000004'"),
                         {"a": acc.account_id})
            stage(conn, acc, later)
            conn.execute(text(f"INSERT INTO {STAGE} ({', '.join(STAGE_COLUMNS)}) VALUES"  # unreadable: never new
                              f" ('MG-0000008', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1)"))
            if once:
                new = listing_state.new_skus(conn, acc.account_id, STAGE)
                assert new is not None and new_in(conn, new) == ["LATER-THIRD", "MG-0000004"]
                matches = prematch_new_skus(conn, reader, acc, STAGE, new)
                assert matches is not None and new_in(conn, matches) == ["MG-0000004"]
                name_prematched(conn, reader, acc)
                came = listing_state.imported(conn, acc.account_id, STAGE, TAKEN, True, matches, None, new)
            else:
                came = listing_state.imported(conn, acc.account_id, STAGE, TAKEN, True,
                                              match_new_by_sku(conn, reader, acc, STAGE))
            assert came == 1
            ends[once] = rows(conn, acc)
    assert ends[True] == ends[False]
    assert "LATER-THIRD" in ends[True] and "mg-0000001" not in ends[True]
    assert ends[True]["MG-0000004"][:2] == (4, "MG-0000004") and ends[True]["MG-0000004"][4:6] == ("matched", "seller_sku")
    assert ends[True]["LATER-THIRD"][0] is None and ends[True]["LATER-THIRD"][4] == "third_party"


def test_no_listing_for_a_new_sku_comes_in_between_its_lookup_and_its_insert(channel_db, account):
    with channel_db.engine.begin() as conn:
        in_one_cycle(conn, channel_db, account, report=REPORT[:3])
    with channel_db.engine.connect() as conn:
        stage(conn, account)
        assert listing_state.new_skus(conn, account.account_id, STAGE) is not None
        other = channel_db.engine.connect()
        try:
            other.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
            with pytest.raises(Exception, match="1205"):  # waits for the import's transaction
                other.execute(text(
                    "INSERT INTO channel_amazon_listing (account_id, seller_sku, tab, reason)"
                    " VALUES (:a, 'NOWHERE', 'new_third_party', 'third_party_unmatched')"), {"a": account.account_id})
            other.rollback()
        finally:
            other.invalidate()  # its 1 s lock wait goes with it, not back to the pool
            other.close()
        assert listing_state.imported(conn, account.account_id, STAGE, TAKEN, True, None, None,
                                      listing_state.NEW) == 0
        assert rows(conn, account)["NOWHERE"][4] == "third_party"
        conn.commit()
