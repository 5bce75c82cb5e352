"""Amazon orders: imported once, stock reserved once, Magento orders offered, shipments sent back."""

import json

from sqlalchemy import text

from channel.magento.catalog import CatalogReader
from channel.magento.schema import MagentoSchema
from channel.crypto import Vault
from channel.orders import MAX_ATTEMPTS, record_magento_result, retry_order
from channel.orders import offered_orders as offered_with
from sandbox_fixtures import SELLER


def offered_orders(conn):
    """The module's offered orders, buyer data decrypted with the suite's key."""
    from sync.conftest import KEY

    return offered_with(conn, Vault(KEY))


def salable(channel_db, sku="MG-0000001"):
    with channel_db.engine.connect() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        return next(reader.products(1, skus=[sku])).salable_qty


def orders(channel_db):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT order_id, amazon_order_id, amazon_status, magento_status FROM"
                                 " channel_amazon_order ORDER BY order_id")).mappings().all()


def place(market, sku="MG-0000001", qty=2, **kw):
    return market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": [{"sku": sku, "quantity": qty,
                                                                              "price": "19.99"}], **kw})


def test_order_is_imported_once_and_reserves_stock_once(cycle, channel_db, market):
    cycle()
    before = salable(channel_db)
    amazon = place(market)
    cycle()
    cycle()  # a repeat finds the same order again (cursor overlap) and changes nothing
    rows = orders(channel_db)
    assert [r["amazon_order_id"] for r in rows] == [amazon["orderId"]]
    assert rows[0]["magento_status"] == "offered"
    assert salable(channel_db) == before - 2
    with channel_db.engine.connect() as conn:
        meta = conn.execute(text(f"SELECT metadata FROM `{channel_db.prefix}inventory_reservation`")).scalar()
    assert json.loads(meta) == {"event_type": "order_placed", "object_type": "amazon_order",
                                "object_id": amazon["orderId"], "object_increment_id": amazon["orderId"]}


def test_cancellation_restores_stock_and_is_never_offered(cycle, channel_db, market):
    cycle()
    before = salable(channel_db)
    amazon = place(market, status="PENDING")
    cycle()
    assert salable(channel_db) == before - 2  # pending orders reserve too (the default)
    assert orders(channel_db)[0]["magento_status"] == "pending"
    market.admin("POST", f"/sellers/{SELLER}/orders/{amazon['orderId']}/status", json={"status": "CANCELLED"})
    cycle()
    cycle()
    assert salable(channel_db) == before
    assert orders(channel_db)[0]["magento_status"] == "skipped"


def test_creation_failures_carry_a_reason_and_stop_after_the_bound(cycle, channel_db, market):
    cycle()
    place(market)
    cycle()
    with channel_db.engine.begin() as conn:
        schema = MagentoSchema.detect(conn, channel_db.prefix)
        offer = offered_orders(conn)[0]
        assert offer["items"][0]["magento_sku"] == "MG-0000001" and offer["shipping_address"]["city"]
        for _ in range(MAX_ATTEMPTS):
            record_magento_result(conn, schema, offer["order_id"], False, reason_code="out_of_stock",
                                  message="MG-0000001 is out of stock in Magento")
        assert offered_orders(conn) == []
        failed = conn.execute(text("SELECT magento_status, magento_failure_reason, magento_attempts FROM"
                                   " channel_amazon_order")).one()
        assert tuple(failed) == ("failed", "out_of_stock", MAX_ATTEMPTS)
        retry_order(conn, offer["order_id"])
        assert [o["order_id"] for o in offered_orders(conn)] == [offer["order_id"]]


def test_created_magento_order_releases_our_reservation_and_shipment_reaches_amazon(cycle, channel_db, market):
    cycle()
    before = salable(channel_db)
    amazon = place(market)
    cycle()
    p = channel_db.prefix
    with channel_db.raw() as raw:  # what Magento writes when the module places the order
        cur = raw.cursor()
        cur.execute(f"INSERT INTO `{p}sales_order` (entity_id, increment_id, state, status, store_id)"
                    f" VALUES (501, '000000501', 'processing', 'processing', 1)")
        cur.execute(f"INSERT INTO `{p}inventory_reservation` (stock_id, sku, quantity, metadata) VALUES"
                    f" (1, 'MG-0000001', -2, '{{\"event_type\":\"order_placed\",\"object_type\":\"order\","
                    f"\"object_id\":\"501\",\"object_increment_id\":\"000000501\"}}')")
        raw.commit()
    with channel_db.engine.begin() as conn:
        schema = MagentoSchema.detect(conn, p)
        order_id = offered_orders(conn)[0]["order_id"]
        record_magento_result(conn, schema, order_id, True, increment_id="000000501")
        record_magento_result(conn, schema, order_id, True, increment_id="000000501")  # repeated report
    assert salable(channel_db) == before - 2  # reserved once: Magento's reservation replaced ours
    with channel_db.raw() as raw:
        cur = raw.cursor()
        cur.execute(f"INSERT INTO `{p}sales_shipment` (entity_id, order_id, store_id, increment_id)"
                    f" VALUES (7, 501, 1, '000000007')")
        cur.execute(f"INSERT INTO `{p}sales_shipment_track` (parent_id, order_id, track_number, carrier_code, title)"
                    f" VALUES (7, 501, '1Z999AA10123456784', 'ups', 'United Parcel Service')")
        raw.commit()
    cycle()
    cycle()
    shipments = market.admin("GET", f"/sellers/{SELLER}/shipments")
    assert len(shipments) == 1
    assert shipments[0]["orderId"] == amazon["orderId"]
    assert shipments[0]["packageDetail"]["carrierCode"] == "UPS"
    assert shipments[0]["packageDetail"]["trackingNumber"] == "1Z999AA10123456784"


def test_amazon_fulfilled_orders_reserve_nothing_and_wait_until_shipped(cycle, channel_db, market):
    cycle()
    before = salable(channel_db)
    amazon = place(market, fulfilled_by="AMAZON", status="UNSHIPPED")
    cycle()
    assert salable(channel_db) == before
    assert orders(channel_db)[0]["magento_status"] == "pending"
    market.admin("POST", f"/sellers/{SELLER}/orders/{amazon['orderId']}/status", json={"status": "SHIPPED"})
    cycle()
    assert orders(channel_db)[0]["magento_status"] == "offered"
