import contextlib
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from channel.crypto import new_key, Vault
from channel.models import Account
from channel.settings import Settings
from sandbox.testing import running_sandbox
from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, MARKETPLACE, REFRESH_TOKEN, SELLER, seller_seed
from worker import runtime
from worker.sync.cycle import CycleOptions, Synchronizer
from worker.amazon.errors import AmazonError
from worker.locks import LockBusy
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer

KEY = new_key()


def catalog_seed(count=120, missing=(3,)):
    """Amazon's catalog knows most generated products by UPC and ASIN."""
    return [{"asin": f"B0{i:08d}", "title": f"Sample product {i}",
             "identifiers": {"UPC": f"{700000000000 + i:012d}", "EAN": f"{4000000000000 + i:013d}"}}
            for i in range(1, count + 1) if i not in missing]


@pytest.fixture
def market():
    seed = seller_seed(
        listings=[{"sku": "MG-0000001", "asin": "B000000001", "price": 5.0, "quantity": 1},
                  {"sku": "MG-0000002", "asin": "B000000002", "price": 5.0, "quantity": 1},
                  {"sku": "LEGACY-1", "asin": "B0LEGACY01", "price": 9.0, "quantity": 2}],
        catalog=catalog_seed())
    with running_sandbox(seed, time_scale=100) as sb:
        yield sb


@pytest.fixture
def settings(channel_db, market, redis_server):
    return Settings(database_url=channel_db.url, redis_url=redis_server.url, encryption_key=KEY,
                    table_prefix=channel_db.prefix, spapi_endpoint=market.url, lwa_endpoint=market.lwa_url)


@pytest.fixture
def sync_account(channel_db):
    with Session(channel_db.engine) as session:
        acc = Account(name="US", region="na", marketplace_id=MARKETPLACE, seller_id=SELLER, lwa_client_id=CLIENT_ID,
                      website_id=1, lwa_client_secret_enc="", refresh_token_enc="")
        acc.set_credentials(Vault(KEY), client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN)
        acc.identifier_mapping = {"seller_sku": "sku", "asin": "amazon_asin", "upc": "upc", "ean": "ean"}
        acc.settings = {"auto_publish": True}
        session.add(acc)
        session.commit()
        return acc.account_id


@pytest.fixture
def cycle(channel_db, redis_client, settings, sync_account):
    def run(**options):
        opts = CycleOptions(poll=0.02, rate_scale=100, feed_wait=10, resubmit_after=0,
                            client_kwargs={"backoff_base": 0.01, "backoff_cap": 0.05})
        for k, v in options.items():
            setattr(opts, k, v)
        summary = Synchronizer(channel_db.engine, redis_client, settings, sync_account, opts).run()
        # The tick runs the orders job beside the listing cycle; a round of both, as scheduled.
        try:
            orders = OrdersSynchronizer(channel_db.engine, redis_client, settings, sync_account, OrdersOptions(
                rate_scale=opts.rate_scale, client_kwargs=opts.client_kwargs)).run()
        except (AmazonError, LockBusy) as exc:  # recorded on the account; a failed job in RQ
            orders = {"error": str(exc)}
        return {**summary, "orders_job": orders}
    return run


@pytest.fixture
def worker_env(monkeypatch, settings, channel_db):
    """The worker's environment (``worker.runtime`` reads it) pointing at this test's services."""
    for name, value in (("DATABASE_URL", channel_db.url), ("REDIS_URL", settings.redis_url),
                        ("ENCRYPTION_KEY", str(settings.encryption_key)), ("SPAPI_ENDPOINT", settings.spapi_endpoint),
                        ("LWA_ENDPOINT", settings.lwa_endpoint), ("TABLE_PREFIX", channel_db.prefix),
                        ("SANDBOX_TIME_SCALE", "100")):
        monkeypatch.setenv("CHANNEL_" + name, value)
    runtime.reset()
    yield
    runtime.reset()


@contextlib.contextmanager
def row_held_past_innodb_wait(engine, table: str, where: str, params: dict, hold: float = 1.6):
    """Another transaction holds a row (``SELECT ... FOR UPDATE``) for ``hold`` seconds while
    connections made from here on wait 1 s for a lock (``innodb_lock_wait_timeout``): the first
    try of whoever needs the row times out (error 1205), a second try after ``hold`` gets it.
    The engine's pool is emptied so that its next connections take the short wait."""
    with engine.connect() as admin:
        default = admin.execute(text("SELECT @@GLOBAL.innodb_lock_wait_timeout")).scalar_one()
        admin.execute(text("SET GLOBAL innodb_lock_wait_timeout = 1"))
        admin.commit()
        release = None
        try:
            engine.dispose()
            held = admin.begin()
            admin.execute(text(f"SELECT 1 FROM {table} WHERE {where} FOR UPDATE"), params)
            release = threading.Timer(hold, held.rollback)
            release.start()
            yield
        finally:
            if release is not None:
                release.join()
            admin.execute(text(f"SET GLOBAL innodb_lock_wait_timeout = {int(default)}"))
            admin.commit()
