"""What the importer makes of orders as Amazon really returns them: money only when asked
for (PROCEEDS) and not while Pending, no restricted data for Pending or Amazon-fulfilled
orders or without the restricted role."""

import json

import pytest
from sqlalchemy import text

from channel import pii
from channel.crypto import Vault
from channel.orders import offered_orders as offered_with
from sandbox_fixtures import SELLER
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer


def offered_orders(conn):
    """The module's offered orders, buyer data decrypted with the suite's key."""
    from sync.conftest import KEY

    return offered_with(conn, Vault(KEY))

FAST = {"backoff_base": 0.01, "backoff_cap": 0.05}


@pytest.fixture
def run_orders(channel_db, redis_client, settings, sync_account):
    def run():
        opts = OrdersOptions(rate_scale=100, client_kwargs=dict(FAST))
        return OrdersSynchronizer(channel_db.engine, redis_client, settings, sync_account, opts).run()
    return run


def place(market, items=None, **kw):
    items = items or [{"sku": "MG-0000001", "quantity": 2, "price": "19.99"}]
    return market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": items, **kw})


def set_status(market, order_id, status):
    market.admin("POST", f"/sellers/{SELLER}/orders/{order_id}/status", json={"status": status})


def row(channel_db, amazon_order_id):
    with channel_db.engine.connect() as conn:
        order = conn.execute(text(
            "SELECT order_id, amazon_status, magento_status, currency, order_total, buyer_name, shipping_address,"
            " magento_failure_reason, magento_failure_message FROM channel_amazon_order"
            " WHERE amazon_order_id = :id"), {"id": amazon_order_id}).mappings().one()
        items = conn.execute(text("SELECT amazon_order_item_id, price FROM channel_amazon_order_item"
                                  " WHERE order_id = :o ORDER BY item_id"), {"o": order["order_id"]}).all()
    from sync.conftest import KEY

    order = dict(order)  # buyer data is stored encrypted
    order.update({c: pii.open_value(Vault(KEY), order[c]) for c in ("buyer_name", "shipping_address")})
    return order, [(i[0], None if i[1] is None else float(i[1])) for i in items]


def test_totals_and_currency_are_stored_because_proceeds_are_asked_for(run_orders, channel_db, market):
    amazon = place(market, items=[{"sku": "MG-0000001", "quantity": 2, "price": "19.99"},
                                  {"sku": "MG-0000002", "quantity": 1, "price": "5.00"}])
    run_orders()
    order, items = row(channel_db, amazon["orderId"])
    assert (order["currency"], float(order["order_total"])) == ("USD", 44.98)
    assert [p for _, p in items] == [19.99, 5.00]
    assert order["magento_status"] == "offered"


def test_pending_order_gets_its_prices_when_unshipped_and_is_offered_with_them(run_orders, channel_db, market):
    amazon = place(market, status="PENDING")
    run_orders()
    order, items = row(channel_db, amazon["orderId"])
    assert order["magento_status"] == "pending"
    assert order["order_total"] is None and items[0][1] is None  # Amazon gives no prices while Pending
    assert order["buyer_name"] is None and order["shipping_address"] is None  # nor restricted data
    set_status(market, amazon["orderId"], "UNSHIPPED")
    run_orders()
    order, items = row(channel_db, amazon["orderId"])
    assert order["magento_status"] == "offered"
    assert float(order["order_total"]) == 39.98 and items[0][1] == 19.99
    assert order["buyer_name"] == "Jane Buyer" and json.loads(order["shipping_address"])["addressLine1"]
    with channel_db.engine.connect() as conn:
        offer = offered_orders(conn)[0]
    assert offer["items"][0]["price"] == 19.99 and offer["order_total"] == 39.98


def test_amazon_fulfilled_order_without_a_street_is_imported_and_offered(run_orders, channel_db, market):
    amazon = place(market, fulfilled_by="AMAZON", status="SHIPPED")
    run_orders()
    order, _ = row(channel_db, amazon["orderId"])
    address = json.loads(order["shipping_address"])
    assert "addressLine1" not in address and "name" not in address
    assert address["postalCode"] == "98101" and address["countryCode"] == "US"
    assert order["buyer_name"] is None
    assert order["magento_status"] == "offered" and float(order["order_total"]) == 39.98


def test_merchant_order_without_the_restricted_role_waits_with_a_clear_reason(run_orders, channel_db, market):
    market.admin("POST", f"/sellers/{SELLER}/roles", json={"restricted": False})
    amazon = place(market)
    run_orders()
    order, _ = row(channel_db, amazon["orderId"])
    assert order["magento_status"] == "failed"
    assert order["magento_failure_reason"] == "address_missing"
    assert "Direct-to-Consumer Delivery" in order["magento_failure_message"]
    with channel_db.engine.connect() as conn:
        assert offered_orders(conn) == []
    market.admin("POST", f"/sellers/{SELLER}/roles", json={"restricted": True})
    set_status(market, amazon["orderId"], "UNSHIPPED")  # any change brings the order back with its address
    run_orders()
    order, _ = row(channel_db, amazon["orderId"])
    assert order["magento_status"] == "offered" and order["magento_failure_reason"] is None
    assert json.loads(order["shipping_address"])["addressLine1"] == "1 Main Street"


def test_order_that_waited_for_its_address_is_offered_once_the_role_is_granted(run_orders, channel_db, market):
    market.admin("POST", f"/sellers/{SELLER}/roles", json={"restricted": False})
    amazon = place(market)
    run_orders()
    assert row(channel_db, amazon["orderId"])[0]["magento_failure_reason"] == "address_missing"
    market.admin("POST", f"/sellers/{SELLER}/roles", json={"restricted": True})  # Amazon's order is unchanged
    run_orders()
    order, _ = row(channel_db, amazon["orderId"])
    assert order["magento_status"] == "offered" and json.loads(order["shipping_address"])["addressLine1"]


def test_cancelled_order_that_waited_for_its_address_is_skipped(run_orders, channel_db, market):
    market.admin("POST", f"/sellers/{SELLER}/roles", json={"restricted": False})
    amazon = place(market)
    run_orders()
    set_status(market, amazon["orderId"], "CANCELLED")
    run_orders()
    order, _ = row(channel_db, amazon["orderId"])
    assert order["magento_status"] == "skipped"


def test_an_order_magento_is_placing_is_left_to_it_when_amazon_updates_it(run_orders, channel_db, market):
    from channel.magento.schema import MagentoSchema
    from channel.orders import claim_order

    amazon = place(market)
    run_orders()
    order, _ = row(channel_db, amazon["orderId"])
    with channel_db.engine.begin() as conn:
        claim_order(conn, MagentoSchema.detect(conn, channel_db.prefix), order["order_id"])
    set_status(market, amazon["orderId"], "UNSHIPPED")  # Amazon touches the order meanwhile
    run_orders()
    assert row(channel_db, amazon["orderId"])[0]["magento_status"] == "creating"
