"""Repricing on its own schedule against the sandbox: the tick queues each due account once, a
run keeps its outcome, three failed runs in a row open an alert the next success clears; the
groups' rules decide their products; the competition read with getCompetitiveSummary; applied
notification ids purged past the redelivery window."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from rq.job import Job
from sqlalchemy import text

from channel import alerts, repricing
from sandbox_fixtures import SELLER
from worker import runtime
from worker.amazon.errors import AmazonUnavailable
from worker.jobs import NOTIFICATION_RETENTION_DAYS, purge_notifications
from worker.repricing import job_id, reprice_account, reprice_tick

RULE = {"strategy": "match_buybox", "beat_by": {"type": "amount", "value": "0.01"},
        "floor": {"type": "percent", "value": "50"}}


def live_rows(channel_db, n=2):
    with channel_db.engine.connect() as conn:
        return conn.execute(text(
            "SELECT listing_id, seller_sku, asin, calc_price FROM channel_amazon_listing WHERE tab = 'active'"
            " AND product_id IS NOT NULL AND asin IS NOT NULL ORDER BY listing_id LIMIT :n"), {"n": n}).mappings().all()


@pytest.fixture
def live(cycle, channel_db, worker_env):
    rows = []
    for _ in range(30):
        cycle()
        rows = live_rows(channel_db)
        if len(rows) == 2:
            break
    assert len(rows) == 2
    return rows


def fast_client(channel_db, settings, redis_client, account_id):
    """The run's client with short retry pauses (the default backs off for seconds)."""
    from sqlalchemy.orm import Session

    from channel.models import Account
    from worker.amazon.factory import client_for

    with Session(channel_db.engine) as session:
        account = session.get(Account, account_id)
    return client_for(account, settings, redis_client, rate_scale=100, backoff_base=0.01, backoff_cap=0.05)


def save(channel_db, account_id, data):
    with channel_db.engine.begin() as conn:
        return repricing.save_rules(conn, account_id, data)


def test_the_tick_queues_a_due_account_once_and_a_run_keeps_its_outcome(live, market, channel_db, sync_account,
                                                                        redis_client):
    save(channel_db, sync_account, {"rule": RULE})
    assert reprice_tick() == [job_id(sync_account)]
    assert reprice_tick() == []  # queued already: not twice
    job = Job.fetch(job_id(sync_account), connection=redis_client)
    assert job.func_name == "worker.repricing.reprice_account" and job.args == (sync_account, "schedule")
    market.market.competition[live[0]["asin"]] = [{"seller_id": "A1RIVAL", "price": 7.77, "fba": True,
                                                   "buybox": True}]
    summary = job.perform()
    assert summary["asins"] >= 2 and summary["decisions"] >= 2
    with channel_db.engine.connect() as conn:
        run = repricing.last_run(conn, sync_account)
        assert run["status"] == "ok" and run["failures"] == 0 and "ASINs read" in run["message"]
        assert repricing.due_accounts(conn, datetime.utcnow()) == []  # next run in 15 minutes
        assert repricing.due_accounts(conn, datetime.utcnow() + timedelta(minutes=16)) == [sync_account]
        decision = repricing.last_decision(conn, live[0]["listing_id"])
    assert decision["trace"].startswith("Buy Box 7.77 by a FBA seller")
    # Right after, every ASIN's competition is fresh: a run reads nothing and still decides.
    calls = sum(market.market.calls.get(op, 0) for op in ("getItemOffersBatch", "getCompetitiveSummary"))
    again = reprice_account(sync_account)
    assert again["asins"] == 0 and again["decisions"] == summary["decisions"]
    assert sum(market.market.calls.get(op, 0) for op in ("getItemOffersBatch", "getCompetitiveSummary")) == calls


def test_failing_runs_open_an_alert_and_stop_nothing_else(live, market, channel_db, sync_account, cycle, settings,
                                                           redis_client):
    client = fast_client(channel_db, settings, redis_client, sync_account)
    save(channel_db, sync_account, {"rule": RULE})
    market.fault(operation="getItemOffersBatch", status=503, count=100)
    market.fault(operation="getCompetitiveSummary", status=503, count=100)
    for n in range(1, 4):
        summary = reprice_account(sync_account, client=client)
        assert summary["failures"] == n and summary["error"]
        with channel_db.engine.connect() as conn:
            open_codes = [a["code"] for a in alerts.active_alerts(conn, sync_account)]
        assert (repricing.ALERT in open_codes) == (n >= repricing.FAILING_AFTER)
    with channel_db.engine.connect() as conn:
        alert = next(a for a in alerts.active_alerts(conn, sync_account) if a["code"] == repricing.ALERT)
        logged = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_log WHERE account_id = :a"
                                   " AND operation = 'repricing'"), {"a": sync_account}).scalar()
    assert "failed 3 times in a row" in alert["message"] and logged == 3
    assert cycle()["steps"]["price_stock"]["status"] == "ok"  # the cycle runs on, repricing aside
    market.market.faults.clear()
    assert "error" not in reprice_account(sync_account, client=client)
    with channel_db.engine.connect() as conn:
        assert repricing.ALERT not in [a["code"] for a in alerts.active_alerts(conn, sync_account)]
        assert repricing.last_run(conn, sync_account)["failures"] == 0


def test_a_group_rule_decides_its_products_and_the_account_rule_the_rest(live, market, channel_db, sync_account):
    grouped, other = live
    group = {"name": "Clearance", "condition": {"type": "combine", "aggregator": "all", "value": True, "conditions": [
        {"type": "attribute", "attribute": "sku", "operator": "==", "value": grouped["seller_sku"]}]},
        "rule": {"strategy": "beat_lowest", "beat_by": {"type": "amount", "value": "1.00"}}}
    save(channel_db, sync_account, {"rule": RULE, "groups": [group], "competition_source": "competitive_summary"})
    for row in live:
        market.market.competition[row["asin"]] = [
            {"seller_id": "A1RIVAL", "price": 8.00, "fba": True, "buybox": True},
            {"seller_id": "A2RIVAL", "price": 6.50, "fba": False}]
    calls_before = dict(market.market.calls)
    reprice_account(sync_account)
    assert market.market.calls.get("getCompetitiveSummary", 0) > calls_before.get("getCompetitiveSummary", 0)
    assert market.market.calls.get("getItemOffersBatch", 0) == calls_before.get("getItemOffersBatch", 0)
    with channel_db.engine.connect() as conn:
        mine = repricing.last_decision(conn, grouped["listing_id"])
        rest = repricing.last_decision(conn, other["listing_id"])
    assert mine["strategy"] == "beat_lowest" and Decimal(mine["price"]) == Decimal("5.50")
    assert mine["trace"].startswith("group 'Clearance': lowest offer 6.50 by a merchant-fulfilled seller")
    # The account's rule keeps its floor (half the price rule's price); the group's rule has none.
    assert rest["strategy"] == "match_buybox" and rest["floor_price"] is not None
    assert Decimal(rest["price"]) == max(Decimal("7.99"), Decimal(rest["floor_price"]).quantize(Decimal("0.01")))
    assert rest["trace"].startswith("Buy Box 8.00 by a FBA seller")
    assert market.market.sellers[SELLER]  # the sandbox seller stays


def test_applied_notification_ids_are_purged_past_the_redelivery_window(channel_db, worker_env, sync_account):
    now = datetime(2026, 6, 1, 12, 0)
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_notification (notification_id, account_id, notification_type, event_time,"
            " outcome, applied_at) VALUES (:id, :a, 'ANY_OFFER_CHANGED', :t, 'applied', :t)"),
            [{"id": f"n-{days}", "a": sync_account, "t": now - timedelta(days=days)} for days in (1, 14, 16, 40)])
    assert NOTIFICATION_RETENTION_DAYS > 14  # SQS keeps a message 14 days at most
    assert purge_notifications(now)["purged"] == 2
    with runtime.engine().connect() as conn:
        kept = sorted(r[0] for r in conn.execute(text("SELECT notification_id FROM channel_amazon_notification")))
    assert kept == ["n-1", "n-14"]


def test_rq_cron_runs_the_purge_daily_and_the_repricing_tick_every_minute(redis_client):
    from pathlib import Path

    from rq.cron import CronScheduler

    cron = CronScheduler(connection=redis_client)
    cron.load_config_from_file(str(Path(__file__).resolve().parents[2] / "worker" / "cron_config.py"))
    jobs = {job.func_name: job for job in cron.get_jobs()}
    assert jobs["worker.jobs.purge_notifications"].interval == 24 * 3600
    assert jobs["worker.jobs.purge_product_feed"].interval == 24 * 3600
    assert jobs["worker.repricing.reprice_tick"].interval == 60


def test_a_broken_client_is_a_failed_run_not_a_crash(live, channel_db, sync_account):
    save(channel_db, sync_account, {"rule": RULE})

    class Down:
        marketplace_id = "ATVPDKIKX0DER"

        def call(self, *a, **kw):
            raise AmazonUnavailable("Amazon is down", operation="getItemOffersBatch")

    assert reprice_account(sync_account, client=Down())["failures"] == 1
