"""Planted secrets appear nowhere: not in the database in clear, not in a log line, not in job arguments."""

import logging

from sqlalchemy import text

from channel import jobs
from sandbox_fixtures import CLIENT_SECRET, REFRESH_TOKEN


def test_no_secret_in_logs_tables_or_jobs(cycle, channel_db, market, redis_client, sync_account, caplog):
    caplog.set_level(logging.DEBUG)
    market.fault(operation="getListingsItem", status=429, count=2)
    market.admin("POST", "/clock", json={"seconds": 5})
    cycle()
    access_tokens = list(market.market.tokens)
    planted = [CLIENT_SECRET, REFRESH_TOKEN, *access_tokens]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged  # the cycle did log
    for secret in planted:
        assert secret not in logged
    with channel_db.engine.connect() as conn:
        dump = " ".join(str(v) for table in ("channel_amazon_account", "channel_amazon_log")
                        for row in conn.execute(text(f"SELECT * FROM {table}")) for v in row)
    for secret in planted:
        assert secret not in dump
    job_id = jobs.enqueue_sync(redis_client, sync_account)
    raw = b"".join(v for k in redis_client.keys(f"rq:job:{job_id}*") for v in redis_client.hgetall(k).values())
    for secret in planted:
        assert secret.encode() not in raw
