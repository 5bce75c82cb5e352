from datetime import datetime

from sqlalchemy import text

from channel import listing_state
from channel.classification import classify_account
from channel.magento.catalog import CatalogReader
from channel.matching import match_account

from .conftest import add_amazon_listing

NOW = datetime(2026, 11, 24, 12, 0)


def tabs_by_sku(conn, account):
    rows = conn.execute(text("SELECT seller_sku, tab, reason, reason_detail, calc_qty, calc_price"
                             " FROM channel_amazon_listing WHERE account_id = :a"), {"a": account.account_id})
    return {r.seller_sku: r for r in rows}


def run(conn, db, account):
    reader = CatalogReader.connect(conn, db.prefix)
    match_account(conn, reader, account)
    return classify_account(conn, reader, account, NOW, batch_size=25)


def test_generated_catalog_is_sorted_into_tabs_with_reasons(channel_db, account):
    with channel_db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000001")  # on Amazon, buyable
        add_amazon_listing(conn, account, "MG-0000017")  # on Amazon, but disabled in Magento
        refused = add_amazon_listing(conn, account, "MG-0000002", status="DISCOVERABLE")
        listing_state.rejected(conn, account.account_id, refused,
                               [{"code": "8541", "message": "Brand not approved", "severity": "ERROR"}])
        add_amazon_listing(conn, account, "LEGACY-9", asin="B0LEGACY99")
        stats = run(conn, channel_db, account)
        rows = tabs_by_sku(conn, account)
    assert (rows["MG-0000001"].tab, rows["MG-0000001"].reason) == ("active", "listed_buyable")
    assert (rows["MG-0000017"].tab, rows["MG-0000017"].reason) == ("ineligible", "disabled_in_magento")
    assert (rows["MG-0000002"].tab, rows["MG-0000002"].reason_detail) == ("inactive", "Brand not approved")
    assert rows["LEGACY-9"].tab == "new_third_party"
    assert (rows["MG-0000003"].tab, rows["MG-0000003"].reason) == ("ready_to_list", "ready")  # ASIN known
    assert (rows["MG-0000004"].tab, rows["MG-0000004"].reason) == ("incomplete", "asin_lookup_pending")
    assert (rows["MG-0000046"].tab, rows["MG-0000046"].reason) == ("incomplete", "missing_identifier")
    # never listed and disabled (34) or out of stock (33): in no tab
    assert "MG-0000034" not in rows and "MG-0000033" not in rows
    # UK-only products are not part of the US account's website
    assert "MG-0000005" not in rows
    assert rows["MG-0000001"].calc_qty > 0 and rows["MG-0000001"].calc_price > 0
    assert stats.products == sum(1 for i in range(1, 121) if i % 5)


def test_a_second_run_writes_nothing_and_history_records_changes(channel_db, account):
    with channel_db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000001")
        run(conn, channel_db, account)
    with channel_db.engine.begin() as conn:
        again = run(conn, channel_db, account)
    assert again.written == 0 and again.changed == 0
    with channel_db.raw() as raw:
        raw.cursor().execute(
            f"UPDATE `{channel_db.prefix}cataloginventory_stock_item` SET qty = 0, is_in_stock = 0"
            f" WHERE product_id = 1")
        raw.cursor().execute(f"DELETE FROM `{channel_db.prefix}inventory_source_item` WHERE sku = 'MG-0000001'")
        raw.commit()
    with channel_db.engine.begin() as conn:
        run(conn, channel_db, account)
        row = tabs_by_sku(conn, account)["MG-0000001"]
        history = conn.execute(text(
            "SELECT from_tab, to_tab, to_reason FROM channel_amazon_listing_change c JOIN channel_amazon_listing l"
            " ON l.listing_id = c.listing_id WHERE l.seller_sku = 'MG-0000001' ORDER BY change_id")).all()
    assert (row.tab, row.reason, row.calc_qty) == ("ineligible", "below_stock_threshold", 0)
    assert [tuple(h) for h in history] == [("new_third_party", "active", "listed_buyable"),
                                          ("active", "ineligible", "below_stock_threshold")]


def test_rule_change_makes_listed_products_ineligible_and_hides_unlisted(channel_db, account):
    account.listing_rule = {"type": "combine", "aggregator": "all", "value": True, "conditions": [
        {"type": "attribute", "attribute": "manufacturer", "operator": "!=", "value": "Globex"}]}
    with channel_db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000001")  # manufacturer index 1 = Globex
        run(conn, channel_db, account)
        rows = tabs_by_sku(conn, account)
    assert (rows["MG-0000001"].tab, rows["MG-0000001"].reason) == ("ineligible", "excluded_by_rule")
    assert "MG-0000006" not in rows  # Globex too, never listed: no tab
    assert rows["MG-0000003"].tab == "ready_to_list"


def test_a_rule_on_categories_reads_them(channel_db, account):
    """The facts read categories only for a rule that looks at them; this one does."""
    account.listing_rule = {"type": "combine", "aggregator": "all", "value": True, "conditions": [
        {"type": "category", "operator": "()", "value": [4, 6]}]}  # product N is in category (3..7)[N % 5]
    with channel_db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000001")  # category 4
        add_amazon_listing(conn, account, "MG-0000002")  # category 5
        run(conn, channel_db, account)
        rows = tabs_by_sku(conn, account)
    assert (rows["MG-0000001"].tab, rows["MG-0000001"].reason) == ("active", "listed_buyable")
    assert (rows["MG-0000002"].tab, rows["MG-0000002"].reason) == ("ineligible", "excluded_by_rule")
    assert rows["MG-0000003"].tab == "ready_to_list"  # category 6
    assert "MG-0000007" not in rows  # category 5, never listed: no tab


def test_ended_listing_stays_ended_and_product_leaving_website_is_ineligible(channel_db, account):
    with channel_db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000001")
        add_amazon_listing(conn, account, "MG-0000002")
        conn.execute(text("UPDATE channel_amazon_listing SET ended_by_merchant = 1, amazon_status = NULL"
                          " WHERE seller_sku = 'MG-0000001'"))
        run(conn, channel_db, account)
        assert tabs_by_sku(conn, account)["MG-0000002"].tab == "active"
    with channel_db.raw() as raw:
        raw.cursor().execute(f"DELETE FROM `{channel_db.prefix}catalog_product_website` WHERE product_id = 2")
        raw.commit()
    with channel_db.engine.begin() as conn:
        run(conn, channel_db, account)
        rows = tabs_by_sku(conn, account)
    assert (rows["MG-0000001"].tab, rows["MG-0000001"].reason) == ("ended", "ended_by_merchant")
    # still on Amazon, its product left the website: quantity 0, not ended
    assert (rows["MG-0000002"].tab, rows["MG-0000002"].reason) == ("ineligible", "not_in_website")


def test_auto_publish_shows_list_in_progress(channel_db, account):
    account.settings = {"auto_publish": True}
    with channel_db.engine.begin() as conn:
        run(conn, channel_db, account)
        assert tabs_by_sku(conn, account)["MG-0000003"].tab == "list_in_progress"


def test_rule_preview_counts_buckets_before_saving(channel_db, account):
    from channel.preview import preview_rule

    draft = {"conditions": [{"type": "attribute", "attribute": "color", "operator": "==", "value": "White"}]}
    with channel_db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000005")  # UK only: not part of the website
        reader = CatalogReader.connect(conn, channel_db.prefix)
        everything = preview_rule(conn, reader, account, None, "ineligible", limit=500)
        white = preview_rule(conn, reader, account, draft, "eligible", limit=3)
        assert account.listing_rule is None  # nothing saved
    total = sum(1 for i in range(1, 121) if i % 5)
    assert everything.counts["eligible"] + everything.counts["ineligible"] == total
    assert all(r["reason"] in ("disabled_in_magento", "below_stock_threshold") for r in everything.rows)
    assert white.counts["eligible"] < everything.counts["eligible"]
    assert len(white.rows) == 3 and white.counts["new"] == white.counts["eligible"]


LISTING_COLUMNS = ("product_id, seller_sku, magento_sku, product_name, asin, tab, reason, reason_detail, calc_price,"
                   " calc_qty, calc_condition, calc_business, in_website, enabled, passes_rules, has_identifier,"
                   " is_parent, facts_at")


def _classify_fresh(channel_db, account, **kwargs):
    with channel_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM channel_amazon_listing WHERE account_id = :a"), {"a": account.account_id})
        add_amazon_listing(conn, account, "MG-0000001")
        add_amazon_listing(conn, account, "MG-0000017")
    with channel_db.engine.begin() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        match_account(conn, reader, account)
        stats = classify_account(conn, reader, account, NOW, batch_size=7, **kwargs)
        rows = [tuple(r) for r in conn.execute(text(
            f"SELECT {LISTING_COLUMNS} FROM channel_amazon_listing WHERE account_id = :a ORDER BY seller_sku"),
            {"a": account.account_id})]
    return stats, rows


def test_forked_workers_give_every_product_what_one_process_gives(channel_db, account, monkeypatch):
    """A big website's products are split between forked processes: same facts, offers and
    tabs as computed in one process, in both Magento shapes."""
    import channel.classification as classification

    account.settings = {"price": {"adjustment_type": "percent", "adjustment": "7.5", "rounding": "x99"},
                        "stock": {"out_of_stock_threshold": 2, "max_quantity": 40}}
    account.listing_rule = {"type": "combine", "aggregator": "any", "value": True, "conditions": [
        {"type": "qty", "operator": ">", "value": 30},
        {"type": "attribute", "attribute": "manufacturer", "operator": "!=", "value": "Globex"}]}
    here, here_rows = _classify_fresh(channel_db, account, read_ahead=False)
    monkeypatch.setattr(classification, "FORK_FROM", 20)  # the sample website: ~100 products
    forked, forked_rows = _classify_fresh(channel_db, account, workers=3)
    assert here.workers == 0 and forked.workers == 3 and forked.worker_peak_rss_mb > 0
    assert forked.products == here.products == sum(1 for i in range(1, 121) if i % 5)
    assert len(here_rows) > 40 and forked_rows == here_rows
    assert {r[5] for r in here_rows} >= {"active", "ineligible", "incomplete"}


def test_a_failing_worker_fails_the_run_and_writes_nothing(channel_db, account, monkeypatch):
    import pytest

    import channel.classification as classification
    from channel.forked import ForkedTaskFailed

    _classify_fresh(channel_db, account, read_ahead=False)
    with channel_db.engine.connect() as conn:
        before = conn.execute(text(f"SELECT {LISTING_COLUMNS} FROM channel_amazon_listing ORDER BY seller_sku")).all()
    real = classification._fact_row

    def broken(ctx, product, now, tiers):
        if product.entity_id == 101:
            raise ValueError("cannot read product 101")
        return real(ctx, product, now, tiers)

    monkeypatch.setattr(classification, "FORK_FROM", 20)
    monkeypatch.setattr(classification, "_fact_row", broken)
    account.settings = {"stock": {"out_of_stock_threshold": 50}}  # would change every listing
    with pytest.raises(ForkedTaskFailed, match="ValueError: cannot read product 101"):
        with channel_db.engine.begin() as conn:
            classify_account(conn, CatalogReader.connect(conn, channel_db.prefix), account, NOW, workers=2)
    with channel_db.engine.connect() as conn:
        assert conn.execute(text(
            f"SELECT {LISTING_COLUMNS} FROM channel_amazon_listing ORDER BY seller_sku")).all() == before


def test_a_linked_listing_shows_amazons_word_until_classification_reads_its_product(channel_db, account):
    """Linked to its product, facts unread: Amazon's word decides (nothing known excludes it);
    classification then moves only what its product's facts exclude."""
    with channel_db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000001")  # buyable, product enabled and in stock
        add_amazon_listing(conn, account, "MG-0000017")  # buyable, product disabled in Magento
        add_amazon_listing(conn, account, "MG-0000003", status="DISCOVERABLE")
        reader = CatalogReader.connect(conn, channel_db.prefix)
        match_account(conn, reader, account)
        linked = {r.seller_sku: (r.tab, r.reason) for r in tabs_by_sku(conn, account).values()}
        assert linked == {"MG-0000001": ("active", "listed_buyable"), "MG-0000017": ("active", "listed_buyable"),
                          "MG-0000003": ("inactive", "amazon_not_buyable")}
        classify_account(conn, reader, account, NOW, batch_size=25)
        rows = tabs_by_sku(conn, account)
        moves = conn.execute(text(
            "SELECT l.seller_sku, c.from_tab, c.to_tab FROM channel_amazon_listing_change c"
            " JOIN channel_amazon_listing l ON l.listing_id = c.listing_id WHERE l.seller_sku LIKE 'MG-000000%'"
            " OR l.seller_sku = 'MG-0000017' ORDER BY c.change_id")).all()
    assert (rows["MG-0000001"].tab, rows["MG-0000017"].tab) == ("active", "ineligible")
    assert (rows["MG-0000017"].reason, rows["MG-0000003"].tab) == ("disabled_in_magento", "inactive")
    assert [tuple(m) for m in moves if m[0] in ("MG-0000001", "MG-0000017", "MG-0000003")] == [
        ("MG-0000001", "new_third_party", "active"), ("MG-0000017", "new_third_party", "active"),
        ("MG-0000003", "new_third_party", "inactive"), ("MG-0000017", "active", "ineligible")]
