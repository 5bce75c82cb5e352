"""Classification reads only the products Magento's changelog names, when it can vouch
for them (the channel's indexer in Update by Schedule mode), and everything else
otherwise; a partial read leaves every listing exactly as a whole read would."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from channel.classification import classify_account
from channel.magento import changes
from channel.magento.catalog import CatalogReader
from channel.matching import match_account
from sandbox import catalog, mview

from .conftest import add_amazon_listing

NOW = datetime(2026, 11, 24, 12, 0)


def classify(db, account, now=NOW, **kwargs):
    with db.engine.begin() as conn:
        return classify_account(conn, CatalogReader.connect(conn, db.prefix), account, now, batch_size=25, **kwargs)


def listings(db, account):
    with db.engine.connect() as conn:
        return {r.seller_sku: tuple(r) for r in conn.execute(text(
            "SELECT seller_sku, tab, reason, calc_price, calc_qty, in_website, enabled, product_name"
            " FROM channel_amazon_listing WHERE account_id = :a"), {"a": account.account_id})}


def first_run(db, account, schedule=True):
    if schedule:
        with db.raw() as raw:
            mview.schedule(raw, db.schema)
    with db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000001")
        add_amazon_listing(conn, account, "MG-0000002")
        match_account(conn, CatalogReader.connect(conn, db.prefix), account)
    return classify(db, account)


def assert_whole_read_changes_nothing(db, account, now=NOW):
    before = listings(db, account)
    whole = classify(db, account, now, changed_only=False)
    assert (whole.written, whole.changed) == (0, 0)
    assert listings(db, account) == before


def test_without_schedule_mode_every_product_is_read_every_run(channel_db, account):
    first = first_run(channel_db, account, schedule=False)
    again = classify(channel_db, account)
    assert first.whole and again.whole and again.products == first.products > 80
    assert "Update by Schedule" in again.why and "all read" in again.summary()


def test_nothing_changed_reads_nothing_and_writes_nothing(channel_db, account):
    first = first_run(channel_db, account)
    assert first.whole and first.why == "first read of the website"
    again = classify(channel_db, account)
    assert (again.whole, again.products, again.written, again.changed) == (False, 0, 0, 0)
    assert again.summary() == "0 changed products classified"


def test_changed_products_alone_are_read_and_leave_what_a_whole_read_would(channel_db, account):
    db, s = channel_db, channel_db.schema
    first_run(db, account)
    before = listings(db, account)
    with db.raw() as raw:
        cur = raw.cursor()
        catalog.set_attribute_value(raw, s, "price", 1, 77.0)                       # price
        catalog.set_attribute_value(raw, s, "status", 3, 2)                          # disabled
        cur.execute(f"UPDATE {s.t('cataloginventory_stock_item')} SET qty = 0, is_in_stock = 0"
                    f" WHERE product_id = 2")
        cur.execute(f"UPDATE {s.t('inventory_source_item')} SET quantity = 0, status = 0 WHERE sku = 'MG-0000002'")
        cur.execute(f"DELETE FROM {s.t('catalog_product_website')} WHERE product_id = 4 AND website_id = 1")
        cur.execute(f"INSERT INTO {s.t('inventory_reservation')} (stock_id, sku, quantity, metadata)"
                    f" VALUES (1, 'MG-0000006', -1, '{{}}')")
        raw.commit()
        assert mview.cron(raw, s) > 0   # handed on to the feed by Magento's cron ...
        catalog.set_attribute_value(raw, s, "name", 8, "Renamed by the merchant")  # ... or not yet
    run = classify(db, account)
    after = listings(db, account)
    assert not run.whole and run.products == 5  # 1, 2, 3, 6, 8 read; 4 left the website
    assert after["MG-0000001"][3] == 77 and before["MG-0000001"][3] != 77
    assert after["MG-0000002"][1:3] == ("ineligible", "below_stock_threshold")
    assert after["MG-0000008"][7] == "Renamed by the merchant"
    assert "MG-0000004" not in after or after["MG-0000004"][5] == 0
    assert_whole_read_changes_nothing(db, account)


def test_a_product_read_once_is_not_read_again_once_its_feed_rows_settle(channel_db, account, monkeypatch):
    db = channel_db
    first_run(db, account)
    with db.raw() as raw:
        catalog.set_attribute_value(raw, db.schema, "price", 1, 55.0)
        mview.cron(raw, db.schema)
    assert classify(db, account).products == 1
    assert classify(db, account).products == 1  # rows younger than the grace period are read again
    monkeypatch.setattr(changes, "GRACE_SECONDS", -60)  # settled
    assert classify(db, account).products == 1
    assert classify(db, account).products == 0
    with db.engine.connect() as conn:  # read by every account: dropped
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_product_feed")).scalar() == 0


@pytest.mark.parametrize("event", ["settings", "reindex", "day", "stock option"])
def test_what_no_changelog_row_says_makes_a_whole_read(channel_db, account, event):
    db, now = channel_db, NOW
    first_run(db, account)
    if event == "settings":
        account.settings = {"stock": {"out_of_stock_threshold": 3}}
    elif event == "reindex":
        with db.raw() as raw:
            mview.reindex(raw, db.schema)
    elif event == "day":
        now = NOW + changes.FULL_EVERY
    else:
        with db.raw() as raw:
            catalog.set_config(raw, db.schema, "cataloginventory/item_options/min_qty", "2")
    run = classify(db, account, now)
    assert run.whole and run.products > 80 and run.why
    assert not classify(db, account, now).whole


def test_a_special_price_whose_date_arrives_is_read_without_any_change(channel_db, account):
    db, s = channel_db, channel_db.schema
    tomorrow = NOW + timedelta(days=1)
    with db.raw() as raw:
        catalog.set_attribute_value(raw, s, "special_price", 1, 5.0)
        catalog.set_attribute_value(raw, s, "special_from_date", 1, f"{tomorrow:%Y-%m-%d} 00:00:00")
        catalog.set_attribute_value(raw, s, "special_to_date", 1, f"{tomorrow + timedelta(days=5):%Y-%m-%d} 00:00:00")
    first_run(db, account)
    with db.engine.begin() as conn:  # the feed has the writes above: read once, settled
        conn.execute(text("DELETE FROM channel_amazon_product_feed"))
        conn.execute(text(f"UPDATE {s.t('mview_state')} SET version_id ="
                          f" (SELECT COALESCE(MAX(version_id), 0) FROM channel_amazon_product_cl)"))
    assert listings(db, account)["MG-0000001"][3] != 5
    later = tomorrow.replace(hour=1)
    run = classify(db, account, later)
    assert not run.whole and run.products >= 1
    assert listings(db, account)["MG-0000001"][3] == 5
    assert_whole_read_changes_nothing(db, account, later)


def test_listings_linked_since_the_last_read_have_their_products_read(channel_db, account):
    """A new Amazon listing matched to a product nobody changed, and a merchant's manual
    link: their products are read on the next run, though the changelog names neither."""
    from channel import listing_state

    db = channel_db
    first_run(db, account)
    with db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000033")  # out of stock: no listing of ours
        match_account(conn, CatalogReader.connect(conn, db.prefix), account)
        legacy = add_amazon_listing(conn, account, "LEGACY-1", asin="B0LEGACY01")
        listing_state.assigned(conn, account.account_id, legacy, 34, "MG-0000034")  # disabled
    assert listings(db, account)["MG-0000033"][1] == "active"  # Amazon's word until its facts are read
    run = classify(db, account)
    assert not run.whole and run.products == 2
    rows = listings(db, account)
    assert rows["MG-0000033"][1:3] == ("ineligible", "below_stock_threshold")
    assert rows["LEGACY-1"][1:3] == ("ineligible", "disabled_in_magento")
    assert_whole_read_changes_nothing(db, account)


def test_the_feed_keeps_only_what_some_account_has_not_read(channel_db, account):
    db = channel_db
    with db.engine.begin() as conn:  # no account has read anything: only rows past two full-read periods go
        conn.execute(text("INSERT INTO channel_amazon_product_feed (product_id, logged_at) VALUES"
                          " (1, NOW() - INTERVAL 3 DAY), (2, NOW() - INTERVAL 1 HOUR), (3, NOW())"))
        assert changes.trim(conn) == 1
    first_run(db, account)  # reads everything: what settled is dropped, what is in its grace period stays
    with db.engine.begin() as conn:
        assert [r[0] for r in conn.execute(text("SELECT product_id FROM channel_amazon_product_feed"))] == [3]
        conn.execute(text("UPDATE channel_amazon_feed_cursor SET feed_seq ="
                          " (SELECT MAX(seq) FROM channel_amazon_product_feed)"))
        assert changes.trim(conn) == 1
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_product_feed")).scalar() == 0


def test_the_sample_catalog_command_can_put_its_store_in_update_by_schedule(mariadb, make_database, monkeypatch):
    name = make_database("cli")
    monkeypatch.setenv("CHANNEL_DATABASE_URL", mariadb.url(name))
    monkeypatch.delenv("CHANNEL_MAGENTO_ROOT", raising=False)
    assert catalog.main(["-n", "5", "--schedule"]) == 0
    raw = mariadb.connect(name)
    try:
        cur = raw.cursor()
        cur.execute("SELECT mode FROM mview_state WHERE view_id = 'channel_amazon_product'")
        assert cur.fetchone() == ("enabled",)
        cur.execute("UPDATE catalog_product_entity_decimal SET value = value + 1 WHERE entity_id = 2")
        cur.execute("DELETE FROM inventory_source_item WHERE sku = 'MG-0000003'")
        raw.commit()
        cur.execute("SELECT DISTINCT entity_id FROM channel_amazon_product_cl ORDER BY entity_id")
        assert [r[0] for r in cur.fetchall()] == [2, 3]
    finally:
        raw.close()
