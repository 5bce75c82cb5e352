"""Buyer data as Amazon's Data Protection Policy requires: encrypted at rest (the raw
table holds no name, email or address), decrypted only for the module's offered orders,
deleted 30 days after the order shipped or was cancelled; LWA access tokens are
encrypted in Redis too."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from channel import pii
from channel.crypto import Vault
from channel.orders import list_orders, offered_orders
from sandbox_fixtures import SELLER
from sync.conftest import KEY, market, settings, sync_account  # noqa: F401 - fixtures
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer
from worker.sync.pii import protect_buyer_data

PLAIN = ("Jane Buyer", "buyer@marketplace.amazon.com", "1 Main Street", "Seattle")


@pytest.fixture
def imported(channel_db, redis_client, settings, sync_account, market):  # noqa: F811
    placed = market.admin("POST", f"/sellers/{SELLER}/orders",
                          json={"items": [{"sku": "MG-0000001", "quantity": 1, "price": "19.99"}]})
    opts = OrdersOptions(rate_scale=100, client_kwargs={"backoff_base": 0.01, "backoff_cap": 0.05})
    OrdersSynchronizer(channel_db.engine, redis_client, settings, sync_account, opts).run()
    return placed["orderId"]


def raw_rows(channel_db) -> list[dict]:
    with channel_db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text("SELECT * FROM channel_amazon_order")).mappings()]


def test_raw_order_table_holds_no_buyer_name_email_or_address(channel_db, imported):
    rows = raw_rows(channel_db)
    assert rows and rows[0]["buyer_name"] and rows[0]["shipping_address"]
    dump = repr(rows)
    for value in PLAIN:
        assert value not in dump
    with channel_db.engine.connect() as conn:
        offer = offered_orders(conn, Vault(KEY))[0]
        listed, _ = list_orders(conn)
    assert offer["buyer"] == {"name": "Jane Buyer", "email": "buyer@marketplace.amazon.com"}
    assert offer["shipping_address"]["addressLine1"] == "1 Main Street"
    assert not any(value in repr(listed) for value in PLAIN)  # the order list never carries buyer data


def test_offered_orders_cannot_be_read_with_another_key(channel_db, imported):
    from channel.crypto import new_key
    from channel.errors import InvalidInput

    with channel_db.engine.connect() as conn, pytest.raises(InvalidInput):
        offered_orders(conn, Vault(new_key()))


def test_lwa_access_token_is_encrypted_in_redis(redis_client, imported):
    keys = redis_client.keys("channel:lwa:*")
    assert keys
    for key in keys:
        stored = redis_client.get(key).decode()
        assert not stored.startswith("Atza|") and Vault(KEY).decrypt(stored).startswith("Atza|")


def _order(conn, account_id, amazon_order_id, status, closed_at, vault):
    conn.execute(text(
        "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date, last_update_date,"
        " buyer_name, buyer_email, shipping_address, closed_at) VALUES (:a, :id, :st, :t, :t, :n, :e, :addr, :c)"),
        {"a": account_id, "id": amazon_order_id, "st": status, "t": datetime(2026, 1, 1), "c": closed_at,
         "n": pii.seal(vault, "Jane Buyer"), "e": pii.seal(vault, "jane@example.com"),
         "addr": pii.seal_address(vault, {"addressLine1": "1 Main Street"})})


def _buyer(conn, amazon_order_id):
    return conn.execute(text("SELECT buyer_name, buyer_email, shipping_address, buyer_data_purged_at FROM"
                             " channel_amazon_order WHERE amazon_order_id = :id"), {"id": amazon_order_id}).one()


def test_buyer_data_is_deleted_30_days_after_shipment_or_cancellation(channel_db, sync_account):  # noqa: F811
    vault = Vault(KEY)
    shipped = datetime(2026, 3, 1, 12, 0)
    with channel_db.engine.begin() as conn:
        _order(conn, sync_account, "111-SHIPPED", "SHIPPED", shipped, vault)
        _order(conn, sync_account, "111-CANCELLED", "CANCELLED", shipped + timedelta(days=5), vault)
        _order(conn, sync_account, "111-OPEN", "UNSHIPPED", None, vault)
    with channel_db.engine.begin() as conn:
        assert protect_buyer_data(conn, vault, shipped + timedelta(days=29, hours=23))["purged"] == 0
        assert _buyer(conn, "111-SHIPPED").buyer_name is not None
    with channel_db.engine.begin() as conn:
        clock = shipped + timedelta(days=30, minutes=1)
        assert protect_buyer_data(conn, vault, clock)["purged"] == 1
        gone = _buyer(conn, "111-SHIPPED")
        assert (gone.buyer_name, gone.buyer_email, gone.shipping_address) == (None, None, None)
        assert gone.buyer_data_purged_at == clock.replace(microsecond=0)
        assert _buyer(conn, "111-CANCELLED").buyer_name is not None  # cancelled 5 days later: 25 days yet
    with channel_db.engine.begin() as conn:
        assert protect_buyer_data(conn, vault, shipped + timedelta(days=36))["purged"] == 1
        assert _buyer(conn, "111-CANCELLED").shipping_address is None
        assert protect_buyer_data(conn, vault, shipped + timedelta(days=400))["purged"] == 0
        assert pii.open_value(vault, _buyer(conn, "111-OPEN").buyer_name) == "Jane Buyer"  # not closed: kept


def test_buyer_data_stored_in_clear_before_is_encrypted_and_still_offered(channel_db, sync_account):  # noqa: F811
    vault = Vault(KEY)
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date,"
            " last_update_date, buyer_name, buyer_email, shipping_address, magento_status) VALUES (:a, '111-OLD',"
            " 'UNSHIPPED', NOW(), NOW(), 'Old Buyer', 'old@example.com', '{\"addressLine1\": \"2 Old Road\"}',"
            " 'offered')"), {"a": sync_account})
    with channel_db.engine.begin() as conn:
        assert offered_orders(conn, vault)[0]["buyer"]["name"] == "Old Buyer"  # readable before sealing
        assert protect_buyer_data(conn, vault, datetime.utcnow())["sealed"] == 1
        assert protect_buyer_data(conn, vault, datetime.utcnow())["sealed"] == 0
    rows = raw_rows(channel_db)
    assert "Old Buyer" not in repr(rows) and "2 Old Road" not in repr(rows)
    with channel_db.engine.connect() as conn:
        offer = offered_orders(conn, vault)[0]
    assert offer["buyer"]["email"] == "old@example.com" and offer["shipping_address"]["addressLine1"] == "2 Old Road"


def test_importer_refuses_to_run_without_the_vault():
    from channel.errors import ConfigurationError
    from worker.sync.orders import OrderImporter

    with pytest.raises(ConfigurationError, match="encrypted"):
        OrderImporter(None, None, type("A", (), {"settings": {}})(), type("R", (), {"schema": None})())
