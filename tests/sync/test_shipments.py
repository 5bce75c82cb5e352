"""Magento shipments of Amazon orders reach Amazon as Amazon accepts them: one package per
shipment with its items and quantities, a numeric package id, Amazon's carrier code (or
Other with the carrier's name), an ISO 8601 ship date; a timeout is checked, not resent."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from channel.magento.schema import MagentoSchema
from channel.crypto import Vault
from channel.orders import offered_orders as offered_with
from channel.orders import record_magento_result
from sandbox_fixtures import SELLER
from worker.sync.carriers import amazon_carrier
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer


def offered_orders(conn):
    """The module's offered orders, buyer data decrypted with the suite's key."""
    from sync.conftest import KEY

    return offered_with(conn, Vault(KEY))

FAST = {"backoff_base": 0.01, "backoff_cap": 0.05}
SHIPMENT_ITEM = """CREATE TABLE IF NOT EXISTS `{p}sales_shipment_item` (
  `entity_id` int UNSIGNED NOT NULL AUTO_INCREMENT, `parent_id` int UNSIGNED NOT NULL,
  `row_total` decimal(20,4) NULL, `price` decimal(20,4) NULL, `weight` decimal(12,4) NULL,
  `qty` decimal(12,4) NULL, `product_id` int NULL, `order_item_id` int NULL, `additional_data` text NULL,
  `description` text NULL, `name` varchar(255) NULL, `sku` varchar(255) NULL,
  PRIMARY KEY (`entity_id`), KEY `SALES_SHIPMENT_ITEM_PARENT_ID` (`parent_id`))"""


@pytest.fixture
def run_orders(channel_db, redis_client, settings, sync_account):
    def run(**client_kwargs):
        opts = OrdersOptions(rate_scale=100, client_kwargs={**FAST, **client_kwargs})
        return OrdersSynchronizer(channel_db.engine, redis_client, settings, sync_account, opts).run()
    return run


@pytest.fixture
def magento_order(run_orders, channel_db, market):
    """An Amazon order (2 x MG-0000001, 1 x MG-0000002) that Magento created as order 501."""
    amazon = market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": [
        {"sku": "MG-0000001", "quantity": 2, "price": "19.99"}, {"sku": "MG-0000002", "quantity": 1, "price": "5"}]})
    run_orders()
    p = channel_db.prefix
    with channel_db.raw() as raw:
        cur = raw.cursor()
        cur.execute(SHIPMENT_ITEM.format(p=p))
        cur.execute(f"INSERT INTO `{p}sales_order` (entity_id, increment_id, state, status, store_id)"
                    f" VALUES (501, '000000501', 'processing', 'processing', 1)")
        raw.commit()
    with channel_db.engine.begin() as conn:
        schema = MagentoSchema.detect(conn, p)
        record_magento_result(conn, schema, offered_orders(conn)[0]["order_id"], True, increment_id="000000501",
                              magento_order_id=501)
    return amazon


def ship(channel_db, shipment_id, lines, track_number, carrier_code, title, created_at="2026-03-02 10:30:00"):
    p = channel_db.prefix
    with channel_db.raw() as raw:
        cur = raw.cursor()
        cur.execute(f"INSERT INTO `{p}sales_shipment` (entity_id, order_id, store_id, increment_id, created_at)"
                    f" VALUES (%s, 501, 1, %s, %s)", (shipment_id, f"0000000{shipment_id}", created_at))
        for sku, qty in lines:
            cur.execute(f"INSERT INTO `{p}sales_shipment_item` (parent_id, sku, qty) VALUES (%s, %s, %s)",
                        (shipment_id, sku, qty))
        cur.execute(f"INSERT INTO `{p}sales_shipment_track` (parent_id, order_id, track_number, carrier_code, title)"
                    f" VALUES (%s, 501, %s, %s, %s)", (shipment_id, track_number, carrier_code, title))
        raw.commit()


def wait_until_amazon_has(market, count, timeout=20):
    """Until the sandbox has processed ``count`` confirmations (a hung call finishes late)."""
    deadline = time.monotonic() + timeout
    while len(market.admin("GET", f"/sellers/{SELLER}/shipments")) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def packages(channel_db):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT package_reference_id, status, attempts, message FROM channel_amazon_shipment"
                                 " ORDER BY shipment_id")).mappings().all()


def test_split_shipments_are_confirmed_per_package_with_their_items(run_orders, channel_db, market, magento_order):
    items = {i["product"]["sellerSku"]: i["orderItemId"] for i in magento_order["orderItems"]}
    ship(channel_db, 7, [("MG-0000001", 1)], "01234567890123", "dpd", "DPD Classic")
    run_orders()
    ship(channel_db, 8, [("MG-0000001", 1), ("MG-0000002", 1)], "NP-99-1", "custom", "Nova Post")
    run_orders()
    sent = market.admin("GET", f"/sellers/{SELLER}/shipments")
    assert len(sent) == 2
    first, second = (s["packageDetail"] for s in sent)
    assert first["packageReferenceId"].isdigit() and second["packageReferenceId"].isdigit()
    assert first["packageReferenceId"] != second["packageReferenceId"]
    assert (first["carrierCode"], first["trackingNumber"]) == ("DPD", "01234567890123")
    assert first["orderItems"] == [{"orderItemId": items["MG-0000001"], "quantity": 1}]
    assert first["shipDate"] == "2026-03-02T10:30:00Z"
    assert (second["carrierCode"], second["carrierName"]) == ("Other", "Nova Post")
    assert sorted((i["orderItemId"], i["quantity"]) for i in second["orderItems"]) == sorted(
        [(items["MG-0000001"], 1), (items["MG-0000002"], 1)])
    order = market.admin("GET", f"/sellers/{SELLER}/orders/{magento_order['orderId']}")
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [p["status"] for p in packages(channel_db)] == ["confirmed", "confirmed"]
    with channel_db.engine.connect() as conn:
        status = conn.execute(text("SELECT shipment_status FROM channel_amazon_order")).scalar()
    assert status == "confirmed"


def test_partial_shipment_leaves_the_order_partially_shipped(run_orders, channel_db, market, magento_order):
    ship(channel_db, 7, [("MG-0000001", 1)], "1Z999AA10123456784", "ups", "United Parcel Service")
    run_orders()
    run_orders()  # nothing is sent twice
    sent = market.admin("GET", f"/sellers/{SELLER}/shipments")
    assert len(sent) == 1 and sent[0]["packageDetail"]["carrierCode"] == "UPS"
    assert "carrierName" not in sent[0]["packageDetail"]
    order = market.admin("GET", f"/sellers/{SELLER}/orders/{magento_order['orderId']}")
    assert order["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"


def test_a_confirmation_that_timed_out_is_checked_on_amazon_not_sent_again(run_orders, channel_db, market,
                                                                          magento_order):
    ship(channel_db, 7, [("MG-0000001", 2), ("MG-0000002", 1)], "1Z999AA10123456784", "ups", "UPS")
    market.fault(operation="confirmShipment", kind="timeout", seconds=5, count=1)
    run_orders(timeout=(5.0, 0.5))  # Amazon takes the confirmation; its answer never arrives
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("unknown", 1)]
    run_orders()  # Amazon does not show it yet (still processing): not sent again
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("unknown", 1)]
    wait_until_amazon_has(market, 1)
    run_orders()  # now Amazon shows the package: confirmed without a second confirmation
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("confirmed", 1)]
    assert len(market.admin("GET", f"/sellers/{SELLER}/shipments")) == 1
    with channel_db.engine.connect() as conn:
        failed = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order WHERE shipment_status = 'failed'"
                                   )).scalar()
    assert failed == 0


def test_shipped_quantities_tell_a_timed_out_confirmation_went_through(run_orders, channel_db, market,
                                                                      magento_order, monkeypatch):
    from worker.amazon import orders as api

    monkeypatch.setattr(api, "shipped_packages", lambda order: {})  # Amazon lists no packages yet
    ship(channel_db, 7, [("MG-0000001", 1)], "1Z999AA10123456784", "ups", "UPS")
    run_orders()
    ship(channel_db, 8, [("MG-0000001", 1)], "1Z999AA10123456785", "ups", "UPS")
    market.fault(operation="confirmShipment", kind="timeout", seconds=1.5, count=1)
    run_orders(timeout=(5.0, 0.5))
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("confirmed", 1), ("unknown", 1)]
    wait_until_amazon_has(market, 2)
    run_orders()  # 2 of MG-0000001 shipped on Amazon: the first package and this one
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("confirmed", 1), ("confirmed", 1)]
    assert len(market.admin("GET", f"/sellers/{SELLER}/shipments")) == 2


def test_a_confirmation_amazon_never_shows_is_sent_again_after_a_while(run_orders, channel_db, market,
                                                                      magento_order, monkeypatch):
    from worker.sync import shipments

    ship(channel_db, 7, [("MG-0000001", 2)], "1Z999AA10123456784", "ups", "UPS")
    market.fault(operation="confirmShipment", status=503, count=1)  # refused before Amazon processed it
    run_orders()
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("unknown", 1)]
    run_orders()  # not shown, but not long enough ago: wait
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("unknown", 1)]
    monkeypatch.setattr(shipments, "RESEND_AFTER", timedelta(0))
    run_orders()  # still not shown after RESEND_AFTER: sent again, once
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("confirmed", 2)]
    assert len(market.admin("GET", f"/sellers/{SELLER}/shipments")) == 1


def test_shipments_go_out_while_the_order_import_is_throttled(run_orders, channel_db, market, magento_order):
    from worker.amazon.errors import Retryable

    ship(channel_db, 7, [("MG-0000001", 2), ("MG-0000002", 1)], "1Z999AA10123456784", "ups", "UPS")
    market.fault(operation="searchOrders", status=429, count=20)  # a backlog keeps searchOrders at its limit
    with pytest.raises(Retryable):
        run_orders()
    assert [p["status"] for p in packages(channel_db)] == ["confirmed"]
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT orders_status FROM channel_amazon_account")).scalar() == "retry"


@pytest.mark.parametrize("code, title, expected", [
    ("ups", "United Parcel Service", ("UPS", None)), ("fedex", "Federal Express", ("FedEx", None)),
    ("dhl", "DHL", ("DHL", None)), ("royalmail", "Royal Mail Tracked 48", ("Royal Mail", None)),
    ("custom", "DHL Paket", ("DHL", None)), ("custom", "Hermes", ("Hermes", None)),
    ("custom", "Poste Italiane", ("Poste Italiane", None)), ("colissimo", "", ("Colissimo", None)),
    ("custom", "Nova Post", ("Other", "Nova Post")), ("zz_local", "", ("Other", "zz_local")),
    ("", None, ("Other", "Other carrier")),
])
def test_magento_carriers_map_to_amazon_carrier_codes_with_a_name_for_other(code, title, expected):
    assert amazon_carrier(code, title) == expected


CHILD = """
import sys
import redis
from channel.db import make_engine
from channel.settings import Settings
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer
s = Settings(database_url=sys.argv[1], redis_url=sys.argv[2], encryption_key=sys.argv[3], table_prefix=sys.argv[4],
             spapi_endpoint=sys.argv[5], lwa_endpoint=sys.argv[5] + "/auth/o2/token")
opts = OrdersOptions(rate_scale=100, lock_ttl=2)
OrdersSynchronizer(make_engine(s.database_url, s.table_prefix), redis.Redis.from_url(s.redis_url), s, int(sys.argv[6]), opts).run()
"""


def test_worker_killed_while_confirming_leaves_the_package_to_be_checked(run_orders, channel_db, market, settings,
                                                                         sync_account, magento_order):
    import os
    import signal
    import subprocess
    import sys

    ship(channel_db, 7, [("MG-0000001", 2), ("MG-0000002", 1)], "1Z999AA10123456784", "ups", "UPS")
    market.fault(operation="confirmShipment", kind="timeout", seconds=3, count=1)  # Amazon is slow to answer
    child = subprocess.Popen([sys.executable, "-c", CHILD, channel_db.url, settings.redis_url,
                              str(settings.encryption_key), channel_db.prefix, market.url, str(sync_account)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while market.market.calls.get("confirmShipment", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("unknown", 1)]
    wait_until_amazon_has(market, 1)  # Amazon processes the confirmation
    time.sleep(2.2)  # the killed worker's lock expires
    run_orders()
    assert [(p["status"], p["attempts"]) for p in packages(channel_db)] == [("confirmed", 1)]
    assert len(market.admin("GET", f"/sellers/{SELLER}/shipments")) == 1
