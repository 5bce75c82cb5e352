"""Buyer data retention on its own schedule: ``rq cron`` runs the retention job daily
(``worker/cron_config.py``) and, per account, the buyer data of orders shipped or
cancelled longer ago than the account keeps it is removed, or reduced to the place of
supply tax records keep; the raw tables prove it, and the communication log says how
many orders, never whose."""

from datetime import datetime, timedelta
from pathlib import Path

from rq import SimpleWorker
from rq.cron import CronScheduler
from sqlalchemy import text
from sqlalchemy.orm import Session

from channel import jobs, pii
from channel.crypto import Vault
from channel.models import Account
from sync.conftest import KEY, market, settings, sync_account, worker_env  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = {"name": "Jane Buyer", "addressLine1": "1 Main Street", "addressLine2": "Apt 4", "city": "Seattle",
           "stateOrRegion": "WA", "postalCode": "98101", "countryCode": "US", "phone": "+1 206 555 0100"}
CLEAR = ("Jane Buyer", "jane@example.com", "1 Main Street", "Apt 4", "555 0100")


def _second_account(channel_db, buyer_data: dict) -> int:
    with Session(channel_db.engine) as session:
        acc = Account(name="UK", region="eu", marketplace_id="A1F83G8C2ARO7P", seller_id="A2SELLER",
                      lwa_client_id="amzn1.application-oa2-client.uk", website_id=1, lwa_client_secret_enc="",
                      refresh_token_enc="")
        acc.settings = {"buyer_data": buyer_data}
        session.add(acc)
        session.commit()
        return acc.account_id


def _order(conn, account_id: int, amazon_order_id: str, closed_days_ago: float | None, now: datetime) -> None:
    vault = Vault(KEY)
    conn.execute(text(
        "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date, last_update_date,"
        " buyer_name, buyer_email, shipping_address, closed_at) VALUES (:a, :id, :st, :t, :t, :n, :e, :addr, :c)"),
        {"a": account_id, "id": amazon_order_id, "st": "UNSHIPPED" if closed_days_ago is None else "SHIPPED",
         "t": now - timedelta(days=60), "n": pii.seal(vault, "Jane Buyer"), "e": pii.seal(vault, "jane@example.com"),
         "addr": pii.seal_address(vault, ADDRESS),
         "c": None if closed_days_ago is None else now - timedelta(days=closed_days_ago)})


def _raw(channel_db) -> dict[str, dict]:
    with channel_db.engine.connect() as conn:
        return {r["amazon_order_id"]: dict(r) for r in conn.execute(text("SELECT * FROM channel_amazon_order")).mappings()}


def _retention_log(channel_db) -> list[dict]:
    with channel_db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(
            "SELECT account_id, level, message FROM channel_amazon_log WHERE operation = 'buyer_data_retention'"
            " ORDER BY account_id")).mappings()]


def _retention_cron_job(redis_client):
    """The retention entry of ``rq cron worker/cron_config.py``."""
    cron = CronScheduler(connection=redis_client)
    cron.load_config_from_file(str(ROOT / "worker" / "cron_config.py"))
    daily = [job for job in cron.get_jobs() if job.func_name == "worker.jobs.purge_buyer_data"]
    assert len(daily) == 1
    return daily[0]


def _run_cron_once(redis_client) -> None:
    """The retention job as rq cron enqueues it (due at start), run by a real worker."""
    job = _retention_cron_job(redis_client)
    assert job.should_run()
    job.enqueue(redis_client)
    SimpleWorker([jobs.QUEUE], connection=redis_client).work(burst=True)


def test_cron_runs_the_retention_daily_on_its_own(redis_client):
    job = _retention_cron_job(redis_client)
    assert job.interval == 24 * 3600 and job.queue_name == jobs.QUEUE and job.cron is None


def test_retention_job_removes_or_reduces_per_account_and_logs_counts(  # noqa: F811
        worker_env, channel_db, redis_client, sync_account):  # noqa: F811
    now = datetime.utcnow()
    with Session(channel_db.engine) as session:  # the US account keeps buyer data 10 days, then removes it
        session.get(Account, sync_account).settings = {"buyer_data": {"retention_days": 10, "after": "remove"}}
        session.commit()
    uk = _second_account(channel_db, {"after": "reduce"})  # default 30 days, then what tax law keeps
    with channel_db.engine.begin() as conn:
        _order(conn, sync_account, "US-OLD", 10.5, now)
        _order(conn, sync_account, "US-RECENT", 9.5, now)
        _order(conn, sync_account, "US-OPEN", None, now)
        _order(conn, uk, "UK-OLD", 31, now)
        _order(conn, uk, "UK-OLDER", 45, now)
        _order(conn, uk, "UK-RECENT", 29, now)

    _run_cron_once(redis_client)

    rows = _raw(channel_db)
    vault = Vault(KEY)
    assert (rows["US-OLD"]["buyer_name"], rows["US-OLD"]["buyer_email"], rows["US-OLD"]["shipping_address"]) == (
        None, None, None)
    assert rows["US-OLD"]["buyer_data_purged_at"] is not None
    for kept in ("US-RECENT", "US-OPEN", "UK-RECENT"):
        assert rows[kept]["buyer_data_purged_at"] is None
        assert pii.open_value(vault, rows[kept]["buyer_name"]) == "Jane Buyer"
        assert pii.open_address(vault, rows[kept]["shipping_address"]) == ADDRESS
    for reduced in ("UK-OLD", "UK-OLDER"):
        row = rows[reduced]
        assert row["buyer_name"] is None and row["buyer_email"] is None and row["buyer_data_purged_at"] is not None
        assert pii.open_address(vault, row["shipping_address"]) == {
            "city": "Seattle", "stateOrRegion": "WA", "postalCode": "98101", "countryCode": "US"}
    gone = repr({k: v for k, v in rows.items() if k in ("US-OLD", "UK-OLD", "UK-OLDER")})
    assert not any(value in gone for value in CLEAR)

    log = _retention_log(channel_db)
    assert [(e["account_id"], e["level"]) for e in log] == [(sync_account, "info"), (uk, "info")]
    assert "1 order(s)" in log[0]["message"] and "10 day(s)" in log[0]["message"] and "deleted" in log[0]["message"]
    assert "2 order(s)" in log[1]["message"] and "30 day(s)" in log[1]["message"] and "tax" in log[1]["message"]
    assert not any(value in repr(log) for value in CLEAR + ("Seattle", "98101"))

    # The next day's run finds nothing new: no row changes, no log line.
    _run_cron_once(redis_client)
    assert _raw(channel_db) == rows and len(_retention_log(channel_db)) == 2


def test_switching_from_reduce_to_remove_removes_what_was_kept(channel_db, sync_account):  # noqa: F811
    now = datetime.utcnow()
    vault = Vault(KEY)
    with Session(channel_db.engine) as session:
        session.get(Account, sync_account).settings = {"buyer_data": {"retention_days": 0, "after": "reduce"}}
        session.commit()
    with channel_db.engine.begin() as conn:
        _order(conn, sync_account, "US-SHIPPED", 0.01, now)
        assert pii.purge(conn, vault, now) == {sync_account: 1}
    assert pii.open_address(vault, _raw(channel_db)["US-SHIPPED"]["shipping_address"])["postalCode"] == "98101"
    with channel_db.engine.begin() as conn:
        assert pii.purge(conn, vault, now) == {}  # reduced once is done
        conn.execute(text("UPDATE channel_amazon_account SET settings = :s"),
                     {"s": '{"buyer_data": {"retention_days": 0, "after": "remove"}}'})
        assert pii.purge(conn, vault, now) == {sync_account: 1}
    assert _raw(channel_db)["US-SHIPPED"]["shipping_address"] is None
