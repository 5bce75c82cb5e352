"""``make soak``: the long reliability runs. SIGKILL at random moments over many trials;
after each, one more cycle restores a state with nothing duplicated and nothing lost."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from sandbox_fixtures import SELLER

from .test_kill_recovery import CHILD

pytestmark = pytest.mark.slow
TRIALS = 20


def test_random_sigkills_over_many_trials(cycle, channel_db, market, settings, sync_account):
    rnd = random.Random(20261124)
    survived = 0
    cycle()
    for trial in range(TRIALS):
        market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": [{"sku": "MG-0000002", "quantity": 1}]})
        market.admin("POST", "/clock", json={"seconds": 300})
        if trial % 3 == 0:
            market.fault(operation="*", status=rnd.choice([429, 500, 503]), count=rnd.randint(1, 3))
        child = subprocess.Popen([sys.executable, "-c", CHILD, channel_db.url, settings.redis_url,
                                  str(settings.encryption_key), channel_db.prefix, market.url, str(sync_account)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.05, 1.5))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        time.sleep(2.2)  # the killed worker's lock expires
        cycle()
        survived += 1
    cycle()
    submissions = market.admin("GET", "/submissions")
    with channel_db.engine.connect() as conn:
        orders = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT amazon_order_id) FROM channel_amazon_order")).one()
        reserved = conn.execute(text(f"SELECT -SUM(quantity) FROM `{channel_db.prefix}inventory_reservation`"
                                     f" WHERE sku = 'MG-0000002'")).scalar()
    print(f"soak: {TRIALS} SIGKILL trials, {survived} recovered")
    assert max(submissions.values()) == 1
    assert orders[0] == orders[1] == TRIALS
    assert float(reserved) == TRIALS
