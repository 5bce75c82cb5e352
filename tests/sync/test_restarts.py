"""``make soak``: Redis and MariaDB restart while a cycle runs; the next cycle restores a
state with nothing duplicated and nothing lost."""

import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from sandbox_fixtures import SELLER

from .test_kill_recovery import CHILD, wait_calls

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("service", ["redis", "mariadb"])
def test_service_restart_mid_cycle(service, cycle, channel_db, market, settings, sync_account, mariadb, redis_server):
    cycle()
    market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": [{"sku": "MG-0000001", "quantity": 2}]})
    market.admin("POST", "/clock", json={"seconds": 600})
    before = market.market.calls.get("searchOrders", 0)
    market.fault(operation="searchOrders", kind="timeout", seconds=4, count=1)
    child = subprocess.Popen([sys.executable, "-c", CHILD, channel_db.url, settings.redis_url,
                              str(settings.encryption_key), channel_db.prefix, market.url, str(sync_account)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_calls(market, "searchOrders", before + 1)
    target = redis_server if service == "redis" else mariadb
    target.stop()
    time.sleep(1)
    target.start()
    try:
        child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    time.sleep(2.2)  # the child's lock expires (it may have died holding it)
    channel_db.engine.dispose()
    cycle()
    cycle()
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order")).scalar() == 1
        reserved = conn.execute(text(f"SELECT SUM(quantity) FROM `{channel_db.prefix}inventory_reservation`"
                                     f" WHERE sku = 'MG-0000001'")).scalar()
    assert float(reserved) == -2.0
    assert max(market.admin("GET", "/submissions").values()) == 1
    print(f"{service} restarted mid-cycle: recovered")
