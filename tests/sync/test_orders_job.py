"""The orders job: its own RQ job, lock, schedule and outcome; never held back by listings;
a backlog cleared page by page within searchOrders' rate limit."""

import logging
import time

import pytest
from rq import SimpleWorker
from sqlalchemy import text

from channel import jobs
from sandbox.testing import running_sandbox
from sandbox_fixtures import SELLER, seller_seed
from sync.conftest import row_held_past_innodb_wait
from worker import runtime
from worker.amazon.errors import Retryable
from worker.locks import AccountLock, LockBusy
from worker.sync.cycle import CycleOptions, Synchronizer
from worker.sync.orders_job import RETRY_DELAY, OrdersLock, OrdersOptions, OrdersSynchronizer

FAST = {"backoff_base": 0.01, "backoff_cap": 0.05}


@pytest.fixture
def run_orders(channel_db, redis_client, settings, sync_account):
    def run(scale=100, settings=settings, **options):
        opts = OrdersOptions(rate_scale=scale, client_kwargs=dict(FAST), **options)
        return OrdersSynchronizer(channel_db.engine, redis_client, settings, sync_account, opts).run()
    return run


def place(market, sku="MG-0000001", qty=1, **kw):
    return market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": [{"sku": sku, "quantity": qty,
                                                                              "price": "19.99"}], **kw})


def outcome(channel_db):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT orders_status, orders_message, orders_last_run_at, orders_next_run_at,"
                                 " last_sync_status FROM channel_amazon_account")).mappings().one()


def stored(channel_db):
    with channel_db.engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT amazon_order_id FROM channel_amazon_order ORDER BY order_id"))]


@pytest.fixture
def listing_cycle(channel_db, redis_client, settings, sync_account):
    """The listing cycle alone (the ``cycle`` fixture runs a round of both jobs)."""
    def run():
        opts = CycleOptions(poll=0.02, rate_scale=100, feed_wait=10, resubmit_after=0, client_kwargs=dict(FAST))
        return Synchronizer(channel_db.engine, redis_client, settings, sync_account, opts).run()
    return run


def test_orders_are_imported_every_run_while_the_listings_report_fails(listing_cycle, run_orders, channel_db,
                                                                       market):
    market.fault(report_options={"fatal": True})  # the listings report ends FATAL, every time
    first = place(market)
    listing_cycle()
    summary = run_orders()
    assert stored(channel_db) == [first["orderId"]]
    assert summary["orders"]["new"] == 1
    second = place(market, sku="MG-0000002")
    listing_cycle()
    summary = run_orders()
    assert stored(channel_db) == [first["orderId"], second["orderId"]]
    assert summary["orders"]["new"] == 1  # the first order is seen again (overlap), not counted again
    assert summary["orders"]["updated"] >= 1
    result = outcome(channel_db)
    assert result["orders_status"] == "ok" and result["orders_message"].startswith("1 new")
    assert result["last_sync_status"] != "ok"  # the listing side failed both times
    assert result["orders_next_run_at"] > result["orders_last_run_at"]


def test_a_stored_order_is_not_counted_as_new_again(run_orders, market):
    place(market)
    assert run_orders()["orders"]["new"] == 1
    again = run_orders()["orders"]
    assert again["new"] == 0 and again["updated"] == 1


def test_orders_have_their_own_lock_apart_from_the_listing_cycle(run_orders, redis_client, sync_account, market):
    place(market)
    listing_lock = AccountLock(redis_client, sync_account, ttl=30).acquire()
    try:
        assert run_orders()["orders"]["new"] == 1  # a running listing cycle does not hold orders back
    finally:
        listing_lock.release()
    orders_lock = OrdersLock(redis_client, sync_account, ttl=30).acquire()
    try:
        assert orders_lock.key != listing_lock.key
        with pytest.raises(LockBusy):
            run_orders()  # never two orders runs at once for one account
    finally:
        orders_lock.release()


def test_orders_tick_queues_the_orders_job_once_on_its_own_interval(worker_env, redis_client, sync_account,
                                                                    channel_db, market):
    from worker.schedule import orders_tick, tick

    order = place(market)
    assert tick() == [f"sync-account-{sync_account}"]  # the listing cycle is a job of its own
    assert orders_tick() == [f"sync-orders-{sync_account}"]
    assert orders_tick() == [f"sync-orders-{sync_account}"]  # same job id: not queued twice
    # orders go first: a short run that never waits behind queued listing cycles
    assert jobs.queue(redis_client).job_ids == [f"sync-orders-{sync_account}", f"sync-account-{sync_account}"]
    SimpleWorker([jobs.QUEUE], connection=redis_client).work(burst=True)
    assert jobs.progress(redis_client, f"sync-orders-{sync_account}")["status"] == "finished"
    assert stored(channel_db) == [order["orderId"]]
    result = outcome(channel_db)
    assert result["orders_status"] == "ok"
    gap = (result["orders_next_run_at"] - result["orders_last_run_at"]).total_seconds()
    assert gap == runtime.settings().orders_interval == 120
    assert orders_tick() == []  # not due again until its interval passed


def test_a_backlog_of_2050_orders_clears_within_searchOrders_rate_limit(channel_db, redis_client, settings,
                                                                        sync_account):
    """searchOrders allows a burst of 20 pages, then one page per ~180 s. The run that
    hits the limit keeps the pages it read; the next run (the tick, RETRY_DELAY later)
    goes on from the saved page token instead of starting over."""
    scale = 10  # sandbox clock and client throttle 10x faster than Amazon
    with running_sandbox(seller_seed(), time_scale=scale) as sandbox:
        sandbox.admin("POST", f"/sellers/{SELLER}/orders/bulk",
                      json={"count": 2050, "order": {"items": [{"sku": "BACKLOG-1", "quantity": 1}]}})
        local = settings.replace(spapi_endpoint=sandbox.url, lwa_endpoint=sandbox.lwa_url)
        opts = OrdersOptions(rate_scale=scale, client_kwargs={**FAST, "max_throttle_wait": 60 / scale})
        runs, retries = 0, 0
        while runs < 12:
            runs += 1
            sync = OrdersSynchronizer(channel_db.engine, redis_client, local, sync_account, opts)
            try:
                sync.run()
                break
            except Retryable:
                retries += 1
                time.sleep(RETRY_DELAY / scale)  # the tick runs the job again after the retry delay
        calls = sandbox.admin("GET", "/calls")
    with channel_db.engine.connect() as conn:
        count, distinct = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT amazon_order_id)"
                                            " FROM channel_amazon_order")).one()
        throttled = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_log WHERE operation = 'searchOrders'"
                                      " AND http_status = 429")).scalar()
        token = conn.execute(text("SELECT order_search_token FROM channel_amazon_account")).scalar()
    assert count == distinct == 2050
    assert runs <= 6, f"the backlog took {runs} runs"
    # 21 pages of 100, none read twice; the client keeps to the limit on its own clock, so
    # Amazon refuses at most a page at the edge of the bucket (retried, not lost)
    assert throttled <= 2
    assert calls["searchOrders"] <= 21 + throttled
    assert token is None  # the search was read to its end; the cursor moved


def credential_message(redis_client, sync_account, channel_db):
    jobs.queue(redis_client).enqueue("worker.jobs.check_credentials", sync_account)
    SimpleWorker([jobs.QUEUE], connection=redis_client).work(burst=True)
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT credential_status, credential_message FROM channel_amazon_account")).one()


def test_credential_check_says_which_order_roles_are_missing(worker_env, redis_client, sync_account, channel_db,
                                                              market):
    status, message = credential_message(redis_client, sync_account, channel_db)
    assert status == "ok" and "no recent merchant-fulfilled order" in message
    order = place(market)
    status, message = credential_message(redis_client, sync_account, channel_db)
    assert status == "ok" and "buyer and address data are readable" in message and order["orderId"] in message
    market.admin("POST", f"/sellers/{SELLER}/roles", json={"restricted": False})
    status, message = credential_message(redis_client, sync_account, channel_db)
    assert status == "ok"
    assert "cannot read street addresses (role Direct-to-Consumer Delivery)" in message
    assert "buyer names" in message
    market.admin("POST", f"/sellers/{SELLER}/roles", json={"orders": False})
    status, message = credential_message(redis_client, sync_account, channel_db)
    assert status == "ok" and "needs the role Inventory and Order Tracking" in message


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


def test_worker_killed_between_pages_resumes_without_duplicates(run_orders, channel_db, market, settings,
                                                                sync_account):
    import os
    import signal
    import subprocess
    import sys

    market.admin("POST", f"/sellers/{SELLER}/orders/bulk",
                 json={"count": 250, "order": {"items": [{"sku": "MG-0000001", "quantity": 1}]}})
    child = subprocess.Popen([sys.executable, "-c", CHILD, channel_db.url, settings.redis_url,
                              str(settings.encryption_key), channel_db.prefix, market.url, str(sync_account)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while market.market.calls.get("searchOrders", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        # the next page hangs, as a stuck network would; the worker is killed there
        market.fault(operation="searchOrders", kind="timeout", seconds=5, count=1)
        while market.market.calls.get("searchOrders", 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    with channel_db.engine.connect() as conn:
        first = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order")).scalar()
        token = conn.execute(text("SELECT order_search_token FROM channel_amazon_account")).scalar()
    assert first == 100 and token  # the first page and where to go on from it
    time.sleep(2.2)  # the killed worker's lock expires
    summary = run_orders()
    assert summary["orders"]["new"] == 150 and summary["orders"]["pages"] == 2
    with channel_db.engine.connect() as conn:
        count, distinct = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT amazon_order_id)"
                                            " FROM channel_amazon_order")).one()
        reserved = conn.execute(text(f"SELECT SUM(quantity) FROM `{channel_db.prefix}inventory_reservation`"
                                     f" WHERE sku = 'MG-0000001'")).scalar()
    assert count == distinct == 250
    assert float(reserved) == -250.0  # stock reserved once per order


def test_a_page_token_amazon_no_longer_takes_means_searching_again_from_the_cursor(run_orders, channel_db, market):
    order = place(market)
    with channel_db.engine.begin() as conn:  # a run stopped mid-search long ago; Amazon forgot its token
        conn.execute(text("UPDATE channel_amazon_account SET order_search_after = '2026-01-01T00:00:00Z',"
                          " order_search_token = 'expired', order_search_saved_at = UTC_TIMESTAMP()"))
    summary = run_orders()
    assert summary["orders"]["new"] == 1 and stored(channel_db) == [order["orderId"]]
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT order_search_token FROM channel_amazon_account")).scalar() is None


def test_an_order_import_that_loses_a_lock_conflict_runs_again_without_an_alert(run_orders, channel_db, market,
                                                                                sync_account, caplog):
    """An admin's save holds the account's row longer than InnoDB waits: the import's
    transaction times out, is rolled back and runs again once the row is free; the order is
    stored once, the run is OK, and no alert is raised for a blip."""
    first = place(market)
    with row_held_past_innodb_wait(channel_db.engine, "channel_amazon_account", "account_id = :a",
                                   {"a": sync_account}), caplog.at_level(logging.INFO, logger="channel.db"):
        summary = run_orders()
    assert any("Lost a lock conflict" in r.getMessage() and "1205" in r.getMessage() for r in caplog.records)
    assert summary["orders"]["new"] == 1 and stored(channel_db) == [first["orderId"]]
    assert outcome(channel_db)["orders_status"] == "ok"
    with channel_db.engine.connect() as conn:
        assert not conn.execute(text("SELECT code FROM channel_amazon_alert WHERE account_id = :a"
                                     " AND code = 'orders_failing'"), {"a": sync_account}).all()
