"""What classification computes from Magento data the reader interprets: special prices in
the store's time zone, an install without the optional date attributes, backorders."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import text

from channel.classification import classify_account
from channel.magento.catalog import CatalogReader
from sandbox.catalog import set_attribute_value, set_config
from channel.matching import match_account

from .conftest import add_amazon_listing

#: 12:00 UTC on 24 November: 02:00 on 25 November in Kiritimati (UTC+14).
NOW = datetime(2026, 11, 24, 12, 0)


def classify(conn, db, account):
    reader = CatalogReader.connect(conn, db.prefix)
    match_account(conn, reader, account)
    return classify_account(conn, reader, account, NOW, batch_size=25)


def offer(conn, account, sku):
    return conn.execute(text("SELECT tab, calc_price, calc_qty FROM channel_amazon_listing"
                             " WHERE account_id = :a AND seller_sku = :s"), {"a": account.account_id, "s": sku}).one()


def catalog_prices(conn, db, entity_id):
    p = next(CatalogReader.connect(conn, db.prefix).products(1, entity_ids=[entity_id]))
    return (Decimal(str(p.get("price"))).quantize(Decimal("0.01")),
            Decimal(str(p.get("special_price"))).quantize(Decimal("0.01")))


def test_special_price_ends_and_starts_on_the_store_s_local_date(channel_db, account):
    with channel_db.raw() as raw:
        set_attribute_value(raw, channel_db.schema, "special_to_date", 7, "2026-11-24 00:00:00")
        set_attribute_value(raw, channel_db.schema, "special_from_date", 21, "2026-11-25 00:00:00")
    with channel_db.engine.begin() as conn:
        classify(conn, channel_db, account)
        price7, special7 = catalog_prices(conn, channel_db, 7)
        price21, special21 = catalog_prices(conn, channel_db, 21)
        # Store in UTC: still 24 November.
        assert offer(conn, account, "MG-0000007").calc_price == special7
        assert offer(conn, account, "MG-0000021").calc_price == price21
    with channel_db.raw() as raw:
        set_config(raw, channel_db.schema, "general/locale/timezone", "Pacific/Kiritimati", "websites", 1)
    with channel_db.engine.begin() as conn:
        classify(conn, channel_db, account)
        # Store in Kiritimati: already 25 November; 7's special price is over, 21's has begun.
        assert offer(conn, account, "MG-0000007").calc_price == price7
        assert offer(conn, account, "MG-0000021").calc_price == special21


def test_classification_runs_without_the_optional_date_attributes(channel_db, account):
    with channel_db.raw() as raw:
        raw.cursor().execute(f"DELETE FROM `{channel_db.prefix}eav_attribute` WHERE attribute_code IN"
                             " ('news_from_date', 'news_to_date', 'special_from_date')")
        raw.commit()
    with channel_db.engine.begin() as conn:
        stats = classify(conn, channel_db, account)
        assert stats.products == sum(1 for i in range(1, 121) if i % 5)
        # Product 14's special price ended on 23 November; its to-date still counts.
        price14, _ = catalog_prices(conn, channel_db, 14)
        assert offer(conn, account, "MG-0000014").calc_price == price14


def test_backordered_product_is_offered_no_quantity_by_default(channel_db, account):
    with channel_db.raw() as raw:
        cur = raw.cursor()
        cur.execute(f"UPDATE `{channel_db.prefix}cataloginventory_stock_item` SET qty = 0, is_in_stock = 1,"
                    " backorders = 1, use_config_backorders = 0 WHERE product_id = 1")
        cur.execute(f"UPDATE `{channel_db.prefix}inventory_source_item` SET quantity = 0 WHERE sku = 'MG-0000001'")
        raw.commit()
    with channel_db.engine.begin() as conn:
        add_amazon_listing(conn, account, "MG-0000001")
        classify(conn, channel_db, account)
        row = offer(conn, account, "MG-0000001")
        product = next(CatalogReader.connect(conn, channel_db.prefix).products(1, entity_ids=[1]))
    assert product.backorders_allowed and product.backorder_qty is None and product.salable_qty == 0
    assert row.calc_qty == 0 and row.tab == "ineligible"
