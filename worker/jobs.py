"""RQ entry points. Arguments are ids; everything else is read inside the job.

``sync_account`` runs one cycle under the account's lock; a busy lock or a retryable
Amazon error re-queues the job later instead of holding the worker. Progress is kept
in ``job.meta`` (step, done, total) for the admin's progress bar.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from rq import get_current_job

from channel import jobs as contract
from channel.db import retry_on_lock_conflict
from worker import runtime
from worker.amazon.errors import Retryable
from worker.locks import LockBusy
from worker.sync.cycle import CycleOptions, Synchronizer

logger = logging.getLogger(__name__)

#: Seconds before a re-queued cycle runs again.
RETRY_DELAY = 120


def _progress_writer():
    job = get_current_job()

    def write(step: str, done: int = 0, total: int = 0) -> None:
        if job is None:
            return
        job.meta.update({"step": step, "done": done, "total": total})
        job.save_meta()

    return write


def _in_transaction(fn, *args, **kwargs):
    """``fn(conn, *args, **kwargs)`` in a transaction of its own, run again when it loses a
    lock conflict (a running cycle or orders run may hold some of the same rows)."""
    def once():
        with runtime.engine().begin() as conn:
            return fn(conn, *args, **kwargs)

    return retry_on_lock_conflict(once)


def cycle_options() -> CycleOptions:
    """Knobs for dry runs against the sandbox (``Settings.sandbox_time_scale`` speeds polling)."""
    scale = runtime.settings().sandbox_time_scale
    return CycleOptions(poll=15.0 / scale, rate_scale=scale, feed_wait=0.0)


def sync_account(account_id: int, reason: str = "schedule") -> dict:
    job = get_current_job()
    redis = runtime.redis_conn()
    sync = Synchronizer(runtime.engine(), redis, runtime.settings(), int(account_id), cycle_options(),
                        progress=_progress_writer(), job_id=job.id if job else None)
    try:
        summary = sync.run()
    except LockBusy:
        logger.info("Account %s is already syncing; this request is dropped", account_id)
        return {"skipped": "locked"}
    except Retryable as exc:
        delay = RETRY_DELAY + random.uniform(0, RETRY_DELAY)
        logger.warning("Account %s cycle hit %s; retrying in %.0fs", account_id, exc, delay)
        contract.queue(redis).enqueue_in(timedelta(seconds=delay), contract.SYNC_JOB, int(account_id), "retry")
        return {"retry_in": delay, "error": str(exc)}
    _progress_writer()("done", 1, 1)
    return summary


def listing_action(account_id: int, action: str, listing_ids: list[int]) -> dict:
    """The merchant's bulk actions: queue them on the listings, then sync the account."""
    progress = _progress_writer()
    ids = [int(i) for i in listing_ids]
    if action == "sync":
        return {"job_id": contract.enqueue_sync(runtime.redis_conn(), account_id, "merchant")}
    if action not in ("publish", "relist", "end", "rematch"):
        raise ValueError(f"unknown action {action!r}")

    def queue(conn) -> int:
        if action == "rematch":
            from channel.matching import reset_matches
            from channel.models import Account
            from sqlalchemy.orm import Session

            with Session(bind=conn) as session:
                return reset_matches(conn, session.get(Account, account_id), ids)
        from channel import listing_state

        return listing_state.action_requested(conn, account_id, ids, action)

    changed = _in_transaction(queue)  # a running cycle may hold some of these listings
    progress("queued", len(ids), len(ids))
    sync_job = contract.enqueue_sync(runtime.redis_conn(), account_id, f"merchant:{action}")
    return {"action": action, "queued": changed, "sync_job": sync_job}


def check_credentials(account_id: int) -> dict:
    """The credential check: LWA token exchange and getMarketplaceParticipations, outcome
    recorded on the account; a pending account becomes active only when Amazon accepted."""
    from sqlalchemy.orm import Session

    from channel import accounts as account_service
    from channel import alerts
    from channel.models import Account
    from worker.amazon import sellers
    from worker.amazon.errors import AmazonError
    from worker.amazon.factory import client_for

    settings = runtime.settings()
    with Session(runtime.engine()) as session:
        account = session.get(Account, int(account_id))
        if account is None:
            return {"error": "no such account"}
        try:
            client = client_for(account, settings, runtime.redis_conn(), max_attempts=2)
            client.tokens.refresh()  # a real token exchange: a cached token proves nothing of these credentials
            marketplaces = [p["marketplace"]["id"] for p in sellers.marketplace_participations(client)]
            ok = account.marketplace_id in marketplaces
            message = ("Connected; the seller participates in this marketplace." if ok else
                       f"Connected, but the seller does not sell on {account.marketplace_id}: {', '.join(marketplaces)}")
            if ok:  # the roles: does Amazon show this app orders, buyers and addresses?
                from worker.sync.orders_job import order_access_message

                message = f"{message} {order_access_message(client)}"
        except AmazonError as exc:
            if exc.retryable:
                raise  # throttled or Amazon down: no verdict on the credentials yet
            ok, message = False, exc.message
        account_service.credentials_checked(account, ok, message)
        account_service.check_install(session, account, settings.table_prefix, settings.magento_root)
        conn = session.connection()
        if ok:
            alerts.clear_alert(conn, account.account_id, "credentials_rejected")
        elif account.status != "pending":  # a live account lost its access: the merchant must act
            alerts.raise_alert(conn, account.account_id, "credentials_rejected",
                               f"Amazon refused this account's credentials: {message}")
        session.commit()
        return {"ok": ok, "message": message, "status": account.status}


def sync_orders(account_id: int, reason: str = "schedule") -> dict:
    """One account's orders run (import, Magento hand-off, shipments, cancellations),
    under its own lock and apart from the listing cycle; its outcome is on the account."""
    from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer

    job = get_current_job()
    options = OrdersOptions(rate_scale=cycle_options().rate_scale)
    sync = OrdersSynchronizer(runtime.engine(), runtime.redis_conn(), runtime.settings(), int(account_id), options,
                              job_id=job.id if job else None)
    try:
        summary = sync.run()
    except LockBusy:
        logger.info("Orders of account %s are already running; this request is dropped", account_id)
        return {"skipped": "locked"}
    except Retryable as exc:
        logger.warning("Orders of account %s hit %s; the tick runs them again later", account_id, exc)
        return {"retry": True, "error": str(exc)}
    _progress_writer()("done", 1, 1)
    return summary


def purge_buyer_data() -> dict:
    """Daily (``rq cron``): buyer data past each account's retention is removed or reduced,
    whether or not the account's listing cycle runs; counts go to the communication log."""
    from datetime import datetime

    from channel.crypto import Vault
    from worker.sync.pii import protect_buyer_data

    # An orders run may hold some of these orders.
    return _in_transaction(protect_buyer_data, Vault(runtime.settings().encryption_key), datetime.utcnow())


#: Days an applied notification id is kept. SQS keeps an undeleted message 14 days at most
#: (``MessageRetentionPeriod``), so no copy of a message can arrive later than that: a day
#: beyond it still finds every redelivery's id.
NOTIFICATION_RETENTION_DAYS = 15


def purge_notifications(now=None, retention_days: int = NOTIFICATION_RETENTION_DAYS) -> dict:
    """Daily (``rq cron``): forget applied notification ids older than the retention, in
    batches of their own transactions so the notifications worker is never held up."""
    from datetime import datetime

    from channel import notifications

    before = (now or datetime.utcnow()) - timedelta(days=retention_days)
    purged = 0
    while True:
        n = _in_transaction(notifications.purge_applied, before)
        purged += n
        if n < 10_000:
            return {"purged": purged, "before": before.isoformat()}


def purge_product_feed() -> dict:
    """Daily (``rq cron``): the changed-products feed the module's indexer appends to loses
    the rows no account needs, even when no account's cycle runs to drop them."""
    from channel.magento import changes

    purged = 0
    while True:
        n = _in_transaction(changes.trim, limit=10_000)
        purged += n
        if n < 10_000:
            return {"purged": purged}


def delete_account(account_id: int, end_listings: bool) -> dict:
    """Delete an account (``channel.account_removal``); with ``end_listings``, its listings
    on Amazon are ended first, as a merchant's "end" action is sent. Under the account's
    lock, so no cycle runs meanwhile; a retryable Amazon error re-queues the job."""
    from sqlalchemy.orm import Session

    from channel import account_removal, listing_state
    from channel.models import Account
    from channel.pricing import AccountSettings
    from worker.amazon.factory import client_for
    from worker.locks import AccountLock
    from worker.sync.publisher import OfferPublisher

    progress = _progress_writer()
    engine, redis = runtime.engine(), runtime.redis_conn()
    with Session(engine, expire_on_commit=False) as session:
        account = session.get(Account, int(account_id))
    if account is None or account.status == account_removal.DELETED:
        return {"deleted": False, "reason": "no such account"}
    try:
        lock = AccountLock(redis, account.account_id).acquire()
    except LockBusy:
        contract.queue(redis).enqueue_in(timedelta(seconds=30), "worker.jobs.delete_account", int(account_id),
                                         bool(end_listings), job_timeout=3600)
        return {"retry_in": 30, "reason": "a sync is running"}
    ended = 0
    try:
        if end_listings:
            with engine.begin() as conn:
                ids = account_removal.listings_on_amazon(conn, account.account_id)
                listing_state.action_requested(conn, account.account_id, ids, "end")
            client = client_for(account, runtime.settings(), redis, rate_scale=cycle_options().rate_scale)
            with engine.connect() as conn:
                publisher = OfferPublisher(conn, client, account, AccountSettings.from_json(account.settings), progress)
                try:
                    while True:
                        before = publisher.stats.ended
                        publisher.end()
                        if publisher.stats.ended == before:
                            break
                except Retryable as exc:
                    delay = RETRY_DELAY + random.uniform(0, RETRY_DELAY)
                    logger.warning("Ending account %s's listings hit %s; retrying in %.0fs", account_id, exc, delay)
                    contract.queue(redis).enqueue_in(timedelta(seconds=delay), "worker.jobs.delete_account",
                                                     int(account_id), True, job_timeout=3600)
                    return {"ended": publisher.stats.ended, "retry_in": delay}
                ended = publisher.stats.ended
        with engine.connect() as conn:
            dropped = account_removal.retire(conn, account.account_id)
    finally:
        lock.release()
    progress("done", 1, 1)
    return {"deleted": True, "ended": ended, "listings_dropped": dropped}
