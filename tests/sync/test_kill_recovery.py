"""A worker killed with SIGKILL in the middle of a cycle: the next cycle finishes the
work, nothing is submitted twice, no order is imported twice, no stock reserved twice."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from channel import listing_state
from channel.magento.catalog import CatalogReader
from sandbox_fixtures import SELLER

CHILD = """
import sys
from channel.settings import Settings
from channel.db import make_engine
import redis
from worker.sync.cycle import CycleOptions, Synchronizer
s = Settings(database_url=sys.argv[1], redis_url=sys.argv[2], encryption_key=sys.argv[3], table_prefix=sys.argv[4],
             spapi_endpoint=sys.argv[5], lwa_endpoint=sys.argv[5] + "/auth/o2/token")
opts = CycleOptions(poll=0.02, rate_scale=100, feed_wait=10, lock_ttl=2)
engine, r = make_engine(s.database_url, s.table_prefix), redis.Redis.from_url(s.redis_url)
Synchronizer(engine, r, s, int(sys.argv[6]), opts).run()
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer
OrdersSynchronizer(engine, r, s, int(sys.argv[6]), OrdersOptions(rate_scale=100, lock_ttl=2)).run()
"""


def wait_calls(market, operation, count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if market.market.calls.get(operation, 0) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{operation} was not called")


@pytest.mark.parametrize("operation", ["putListingsItem", "searchOrders", "patchListingsItem"])
def test_sigkill_mid_cycle_then_rerun_loses_and_repeats_nothing(operation, cycle, channel_db, market, settings,
                                                                sync_account):
    with channel_db.engine.begin() as conn:  # offers go out when the merchant asks, after the first cycle
        conn.execute(text("UPDATE channel_amazon_account SET settings = '{\"auto_publish\": false}'"
                          " WHERE account_id = :a"), {"a": sync_account})
    cycle()  # a first full cycle: listings imported, ASINs looked up
    with channel_db.engine.begin() as conn:  # the merchant publishes what is ready: offers to send
        ready = [i for (i,) in conn.execute(text("SELECT listing_id FROM channel_amazon_listing"
                                                 " WHERE tab = 'ready_to_list'"))]
        assert ready
        listing_state.action_requested(conn, sync_account, ready, "publish")
    order = market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": [{"sku": "MG-0000001", "quantity": 3}]})
    market.admin("POST", "/clock", json={"seconds": 600})
    with channel_db.raw() as raw:  # a price change, so the exporter has work
        raw.cursor().execute(f"UPDATE `{channel_db.prefix}inventory_source_item` SET quantity = quantity + 7"
                             f" WHERE source_code = 'default' AND sku IN ('MG-0000001', 'MG-0000002')")
        raw.commit()
    before = dict(market.market.calls)
    # The next call of this operation hangs, as a stuck network would; the worker is killed there.
    market.fault(operation=operation, kind="timeout", seconds=30, count=1)
    child = subprocess.Popen([sys.executable, "-c", CHILD, channel_db.url, settings.redis_url,
                              str(settings.encryption_key), channel_db.prefix, market.url, str(sync_account)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_calls(market, operation, before.get(operation, 0) + 1)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    time.sleep(2.2)  # the killed worker's lock expires
    cycle()
    cycle()
    submissions = market.admin("GET", "/submissions")
    assert max(submissions.values()) == 1, submissions  # no offer was sent twice
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order")).scalar() == 1
        assert conn.execute(text("SELECT amazon_order_id FROM channel_amazon_order")).scalar() == order["orderId"]
        reserved = conn.execute(text(f"SELECT SUM(quantity) FROM `{channel_db.prefix}inventory_reservation`"
                                     f" WHERE sku = 'MG-0000001'")).scalar()
        assert float(reserved) == -3.0
        stuck = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing WHERE reason = 'publish_queued'"
                                  " AND asin IS NOT NULL")).scalar()
        assert stuck == 0
        reader = CatalogReader.connect(conn, channel_db.prefix)
        wanted = int(next(reader.products(1, skus=["MG-0000002"])).salable_qty)
    assert market.listings(SELLER)["MG-0000002"]["quantity"] == wanted  # the price/stock push was not lost
