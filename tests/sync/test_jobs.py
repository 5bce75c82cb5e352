"""RQ entry points run in a real SimpleWorker against the private Redis."""

from datetime import datetime

import pytest
from rq import SimpleWorker
from sqlalchemy import bindparam, text

from channel import jobs
from sync.conftest import row_held_past_innodb_wait


def run_jobs(redis):
    SimpleWorker([jobs.QUEUE], connection=redis).work(burst=True)


def test_credential_check_records_its_outcome(worker_env, redis_client, sync_account, channel_db, market):
    job_id = jobs.queue(redis_client).enqueue("worker.jobs.check_credentials", sync_account).id
    run_jobs(redis_client)
    assert jobs.progress(redis_client, job_id)["status"] == "finished"
    with channel_db.engine.connect() as conn:
        status, message = conn.execute(text("SELECT credential_status, credential_message FROM channel_amazon_account"
                                            )).one()
    assert status == "ok" and "participates" in message


@pytest.mark.parametrize("secret_ok", [True, False])
def test_a_new_account_becomes_active_only_when_amazon_accepts_its_credentials(
        secret_ok, worker_env, redis_client, sync_account, channel_db, market, settings):
    from sqlalchemy.orm import Session

    from channel.crypto import Vault
    from channel.models import Account

    with Session(channel_db.engine) as session:
        acc = session.get(Account, sync_account)
        acc.status = "pending"
        if not secret_ok:
            acc.set_credentials(Vault(settings.encryption_key), client_secret="amzn1.oa2-cs.v1.BOGUS")
        session.commit()
    job_id = jobs.queue(redis_client).enqueue("worker.jobs.check_credentials", sync_account).id
    run_jobs(redis_client)
    result = jobs.progress(redis_client, job_id)["result"]
    with channel_db.engine.connect() as conn:
        row = conn.execute(text("SELECT status, credential_status, credential_message FROM channel_amazon_account"
                                )).one()
    if secret_ok:
        assert (row.status, row.credential_status, result["ok"]) == ("active", "ok", True)
    else:
        assert (row.status, row.credential_status, result["ok"]) == ("pending", "failed", False)
        assert "Client authentication failed" in row.credential_message  # Amazon's own words
        from worker.schedule import due_accounts

        with channel_db.engine.connect() as conn:
            assert sync_account not in due_accounts(conn, datetime.utcnow())


def test_tick_enqueues_due_accounts_once_and_sync_runs_with_progress(worker_env, redis_client, sync_account,
                                                                     channel_db):
    from worker.schedule import tick

    assert tick() == [f"sync-account-{sync_account}"]
    assert tick() == [f"sync-account-{sync_account}"]  # same job id: not queued twice
    assert jobs.queue(redis_client).count == 1
    run_jobs(redis_client)
    progress = jobs.progress(redis_client, f"sync-account-{sync_account}")
    assert progress["status"] == "finished" and progress["step"] == "done"
    with channel_db.engine.connect() as conn:
        next_sync = conn.execute(text("SELECT last_sync_status, next_sync_at > NOW() FROM channel_amazon_account")).one()
    assert tuple(next_sync) == ("ok", 1)
    assert tick() == []  # not due again until its interval passed


def test_a_cycle_never_runs_twice_at_once(redis_client, sync_account, cycle):
    from worker.locks import AccountLock, LockBusy

    held = AccountLock(redis_client, sync_account, ttl=30).acquire()
    with pytest.raises(LockBusy):
        cycle()
    held.release()
    assert cycle()["classified"] > 0


def test_a_bulk_action_that_loses_a_lock_conflict_to_a_cycle_is_queued_all_the_same(
        worker_env, redis_client, sync_account, channel_db, caplog):
    """A cycle holds one of the listings the merchant ends: the action's transaction times out
    once, runs again when the row is free, and every listing waits for its end."""
    import logging

    from worker.jobs import listing_action

    with channel_db.engine.begin() as conn:
        for sku in ("END-1", "END-2"):
            conn.execute(text("INSERT INTO channel_amazon_listing (account_id, seller_sku, asin, match_status, tab,"
                              " reason, amazon_status) VALUES (:a, :s, 'B0X', 'third_party', 'new_third_party',"
                              " 'third_party_unmatched', 'BUYABLE')"), {"a": sync_account, "s": sku})
        ids = conn.execute(text("SELECT listing_id FROM channel_amazon_listing WHERE seller_sku LIKE 'END-%'"
                                " ORDER BY listing_id")).scalars().all()
    with row_held_past_innodb_wait(channel_db.engine, "channel_amazon_listing", "listing_id = :l", {"l": ids[1]}), \
            caplog.at_level(logging.INFO, logger="channel.db"):
        outcome = listing_action(sync_account, "end", ids)
    assert any("Lost a lock conflict" in r.getMessage() and "1205" in r.getMessage() for r in caplog.records)
    assert outcome["queued"] == 2 and outcome["sync_job"]
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT pending_action FROM channel_amazon_listing WHERE listing_id IN :ids"
                                 ).bindparams(bindparam("ids", expanding=True)), {"ids": ids}).scalars().all() == \
            ["end", "end"]
