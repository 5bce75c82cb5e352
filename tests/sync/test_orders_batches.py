"""Orders imported a page at a time: a constant number of statements per page, one
transaction per page, every reservation and release written once."""

import pytest
from sqlalchemy import event, text

from sandbox_fixtures import SELLER
from worker.sync import orders as orders_module
from worker.sync.orders import write_stock_events
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer

FAST = {"backoff_base": 0.01, "backoff_cap": 0.05}
SKUS = ("MG-0000001", "MG-0000002", "MG-0000005", "MG-0000007")


@pytest.fixture
def run_orders(channel_db, redis_client, settings, sync_account):
    def run(page_size=10):
        opts = OrdersOptions(rate_scale=100, page_size=page_size, client_kwargs=dict(FAST))
        return OrdersSynchronizer(channel_db.engine, redis_client, settings, sync_account, opts).run()
    return run


def place_many(market, count, status="UNSHIPPED"):
    """``count`` orders of two items each (quantities 1..3), over a few SKUs."""
    return [market.admin("POST", f"/sellers/{SELLER}/orders", json={"status": status, "items": [
        {"sku": SKUS[n % len(SKUS)], "quantity": 1 + n % 3, "price": "9.99"},
        {"sku": SKUS[(n + 1) % len(SKUS)], "quantity": 1, "price": "4.50"}]}) for n in range(count)]


def reserved(channel_db):
    """Signed quantity per SKU in Magento's reservations (MSI) and the ledger rows by kind."""
    with channel_db.engine.connect() as conn:
        msi = dict(conn.execute(text(f"SELECT sku, SUM(quantity) FROM `{channel_db.prefix}inventory_reservation`"
                                     f" GROUP BY sku")).all())
        ledger = dict(conn.execute(text("SELECT kind, COUNT(*) FROM channel_amazon_reservation GROUP BY kind")).all())
    return {k: float(v) for k, v in msi.items()}, ledger


def expected_reservations(placed):
    want: dict[str, float] = {}
    for order in placed:
        for item in order["orderItems"]:
            sku = item["product"]["sellerSku"]
            want[sku] = want.get(sku, 0.0) - item["quantityOrdered"]
    return want


def test_statements_per_page_do_not_grow_with_its_orders(run_orders, channel_db, market):
    run_orders()  # the account's first run: nothing yet
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    place_many(market, 5)
    event.listen(channel_db.engine, "before_cursor_execute", count)
    try:
        run_orders(page_size=100)
        few = len(statements)
        market.admin("POST", "/clock", json={"seconds": 600})
        place_many(market, 40)
        statements.clear()
        summary = run_orders(page_size=100)
    finally:
        event.remove(channel_db.engine, "before_cursor_execute", count)
    assert summary["orders"]["seen"] == 45  # the cursor's overlap reads the first five again
    assert summary["orders"]["new"] == 40 and summary["orders"]["reserved"] == 80
    assert len(statements) <= few + 2, statements  # 45 orders in one page cost what 5 did
    assert len(statements) / 45 < 3


def test_each_page_is_one_transaction_and_a_failed_page_leaves_nothing_half_written(
        run_orders, channel_db, market, monkeypatch):
    run_orders()
    placed = place_many(market, 25)
    real = orders_module.write_stock_events
    calls = []

    def fail_on_the_second_page(conn, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker dies while writing the second page's reservations")
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(orders_module, "write_stock_events", fail_on_the_second_page)
    with pytest.raises(RuntimeError):
        run_orders(page_size=10)
    with channel_db.engine.connect() as conn:
        stored = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order")).scalar()
        items = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order_item")).scalar()
        token = conn.execute(text("SELECT order_search_token FROM channel_amazon_account")).scalar()
    assert (stored, items) == (10, 20)  # the first page, whole; nothing of the second
    assert token  # and where to go on from it
    assert reserved(channel_db)[1] == {"reserve": 20}
    monkeypatch.setattr(orders_module, "write_stock_events", real)
    run_orders(page_size=10)
    run_orders(page_size=10)  # a repeat reads them all again and writes nothing twice
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order")).scalar() == 25
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order_item")).scalar() == 50
    msi, ledger = reserved(channel_db)
    assert ledger == {"reserve": 50}
    assert msi == expected_reservations(placed)


def test_cancellations_in_a_page_give_stock_back_once(run_orders, channel_db, market):
    run_orders()
    placed = place_many(market, 12)
    run_orders(page_size=5)
    market.admin("POST", "/clock", json={"seconds": 600})
    cancelled = placed[::3]
    for order in cancelled:
        market.admin("POST", f"/sellers/{SELLER}/orders/{order['orderId']}/status", json={"status": "CANCELLED"})
    summary = run_orders(page_size=5)
    assert summary["orders"]["released"] == 2 * len(cancelled)
    run_orders(page_size=5)
    msi, ledger = reserved(channel_db)
    assert ledger == {"reserve": 24, "release_cancel": 2 * len(cancelled)}
    kept = [o for o in placed if o not in cancelled]
    assert {k: v for k, v in msi.items() if v} == {k: v for k, v in expected_reservations(kept).items() if v}


def test_legacy_stock_is_decremented_once_per_item_by_one_statement(channel_db, sync_account):
    """Without MSI the stock item's quantity itself moves, summed per product, once."""
    p = channel_db.prefix
    with channel_db.engine.begin() as conn:
        conn.execute(text("INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status,"
                          " purchase_date, last_update_date) VALUES (:a, '111-LEGACY', 'UNSHIPPED', NOW(), NOW())"),
                     {"a": sync_account})
        order_id = conn.execute(text("SELECT order_id FROM channel_amazon_order")).scalar()
        products = dict(conn.execute(text(f"SELECT sku, entity_id FROM `{p}catalog_product_entity`"
                                          f" WHERE sku IN ('MG-0000001', 'MG-0000002')")).all())
        items = []
        for n, (sku, qty) in enumerate((("MG-0000001", 2), ("MG-0000001", 1), ("MG-0000002", 4))):
            conn.execute(text("INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku,"
                              " product_id, magento_sku, qty_ordered) VALUES (:o, :i, :s, :p, :s, :q)"),
                         {"o": order_id, "i": f"L{n}", "s": sku, "p": products[sku], "q": qty})
            items.append({"item_id": conn.execute(text("SELECT LAST_INSERT_ID()")).scalar(),
                          "product_id": products[sku], "magento_sku": sku, "qty": qty})
        before = _stock(conn, p, products)
    schema = _schema(channel_db)
    events = [(item, "reserve", "111-LEGACY") for item in items]
    with channel_db.engine.begin() as conn:
        assert write_stock_events(conn, schema, events, None) == {"reserve": 3}
    with channel_db.engine.begin() as conn:
        assert write_stock_events(conn, schema, events, None) == {}  # written before: the ledger says so
        after = _stock(conn, p, products)
    assert after["MG-0000001"] == before["MG-0000001"] - 3
    assert after["MG-0000002"] == before["MG-0000002"] - 4
    cancel = [(item, "release_cancel", "111-LEGACY") for item in items]
    with channel_db.engine.begin() as conn:
        assert write_stock_events(conn, schema, cancel, None) == {"release_cancel": 3}
        assert write_stock_events(conn, schema, cancel, None) == {}
        assert _stock(conn, p, products) == before


def _stock(conn, prefix, products):
    return {sku: float(conn.execute(text(f"SELECT qty FROM `{prefix}cataloginventory_stock_item`"
                                         f" WHERE stock_id = 1 AND product_id = :p"), {"p": pid}).scalar())
            for sku, pid in products.items()}


def _schema(channel_db):
    from channel.magento.catalog import CatalogReader

    with channel_db.engine.connect() as conn:
        return CatalogReader.connect(conn, channel_db.prefix).schema
