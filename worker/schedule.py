"""The tick: enqueue every active account whose next cycle or orders run is due.

``tick`` and ``orders_tick`` run once a minute by ``rq cron`` (``worker/cron_config.py``),
exactly one instance. The listing cycle and the orders job are due on their own intervals
(``Settings.sync_interval``, ``Settings.orders_interval``) and have one job id each per
account, so a tick never queues either twice, and one never waits for the other.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import text

from channel import jobs as contract
from worker import runtime

logger = logging.getLogger(__name__)


def due_accounts(conn, now: datetime) -> list[int]:
    rows = conn.execute(text(
        "SELECT account_id FROM channel_amazon_account WHERE status = 'active'"
        " AND (next_sync_at IS NULL OR next_sync_at <= :now) ORDER BY next_sync_at"), {"now": now})
    return [r[0] for r in rows]


def due_orders(conn, now: datetime) -> list[int]:
    rows = conn.execute(text(
        "SELECT account_id FROM channel_amazon_account WHERE status = 'active'"
        " AND (orders_next_run_at IS NULL OR orders_next_run_at <= :now) ORDER BY orders_next_run_at"), {"now": now})
    return [r[0] for r in rows]


def _enqueue_due(due, enqueue, what: str, now: datetime | None) -> list[str]:
    now = now or datetime.utcnow()
    with runtime.engine().connect() as conn:
        accounts = due(conn, now)
    redis = runtime.redis_conn()
    jobs = [enqueue(redis, account_id, "schedule") for account_id in accounts]
    if jobs:
        logger.info("Tick enqueued %d %s", len(jobs), what)
    return jobs


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue the listing cycle of every active account whose cycle is due."""
    return _enqueue_due(due_accounts, contract.enqueue_sync, "account cycle(s)", now)


def orders_tick(now: datetime | None = None) -> list[str]:
    """Enqueue the orders job of every active account whose orders run is due."""
    return _enqueue_due(due_orders, contract.enqueue_orders, "orders run(s)", now)


def main() -> None:
    """``python -m worker.schedule``: the tick loop without rq cron (demo, single host)."""
    import time

    logging.basicConfig(level=logging.INFO, format="%(asctime)s cron %(levelname)s %(message)s")
    from worker.repricing import reprice_tick

    while True:
        for run in (tick, orders_tick, reprice_tick):  # one failing never holds the others back
            try:
                run()
            except Exception:  # noqa: BLE001 - the next tick tries again
                logger.exception("%s failed", run.__name__)
        time.sleep(60)


if __name__ == "__main__":
    main()
