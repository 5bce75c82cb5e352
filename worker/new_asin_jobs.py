"""RQ entry points of new ASINs: a run for an account under its lock, following itself while
products await Amazon, and the product type search of the mapping screen. Arguments are
ids (and the merchant's search words); everything else is read inside the job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from channel import jobs, new_asin, product_types
from channel.magento.catalog import CatalogReader
from channel.models import Account
from channel.models.log import write_log
from worker import runtime
from worker.amazon import definitions
from worker.amazon.factory import client_for
from worker.locks import AccountLock, LockBusy
from worker.sync.new_asin import FEED_ABOVE, NewAsinCreator, utcnow

#: Seconds (Amazon's clock) between runs while products await Amazon's answer.
TRACK_EVERY = 120
#: Definitions a product type search fetches for the mapping screen.
SEARCH_FETCH = 5


def run_account(engine, redis, settings, account_id: int, rate_scale: float = 1.0, client_kwargs: dict | None = None,
                feed_above: int = FEED_ABOVE) -> dict:
    """One run for the account under its lock (``worker.locks.AccountLock``)."""
    with Session(engine, expire_on_commit=False) as session:
        account = session.get(Account, account_id)
    if account is None or account.status != "active":
        return {"skipped": True}

    def log_failure(failure) -> None:
        with engine.begin() as conn:
            write_log(conn, account_id=account_id, operation=failure.operation, http_status=failure.status,
                      error_code=failure.code, message=failure.message, request_id=failure.request_id,
                      level="error" if failure.final else "warning")

    lock = AccountLock(redis, account_id, 900).acquire()
    try:
        client = client_for(account, settings, redis, on_failure=log_failure, rate_scale=rate_scale,
                            **(client_kwargs or {}))
        with engine.connect() as conn:
            reader = CatalogReader.from_settings(conn, settings)
            return NewAsinCreator(conn, client, account, reader, feed_above=feed_above).run()
    finally:
        lock.release()


def run_job(account_id: int) -> dict:
    """One run; while products await Amazon (submitted, tracked) the next run is scheduled
    ``TRACK_EVERY`` seconds later (Amazon's clock), once per account, and a busy account
    is tried again then."""
    redis = runtime.redis_conn()
    scale = runtime.settings().sandbox_time_scale
    try:
        summary = run_account(runtime.engine(), redis, runtime.settings(), int(account_id), rate_scale=scale)
        again = bool(summary.get("submitted_left"))
    except LockBusy:
        summary, again = {"skipped": "locked"}, True
    delay = max(1.0, TRACK_EVERY / scale)
    if again and redis.set(f"channel:new-asin-next:{int(account_id)}", 1, nx=True, ex=max(1, int(delay))):
        jobs.queue(redis).enqueue_in(timedelta(seconds=delay), new_asin.RUN_JOB, int(account_id), job_timeout=1800,
                                     result_ttl=3600, failure_ttl=86400)
    return summary


def search_job(account_id: int, keywords: str) -> dict:
    """Product types for the mapping screen (keywords, or an item name when it has spaces);
    the definitions of the first ``SEARCH_FETCH`` are fetched and cached for the screen."""

    engine = runtime.engine()
    with Session(engine, expire_on_commit=False) as session:
        account = session.get(Account, int(account_id))
    if account is None:
        return {"product_types": []}
    client = client_for(account, runtime.settings(), runtime.redis_conn(),
                        rate_scale=runtime.settings().sandbox_time_scale)
    words = keywords.strip()
    found = definitions.search(client, item_name=words) if " " in words else \
        definitions.search(client, keywords=[w.strip() for w in words.split(",") if w.strip()])
    for entry in found[:SEARCH_FETCH]:
        definition = definitions.definition(client, entry["name"])
        document = definitions.schema_document(client, definition)
        with engine.begin() as conn:
            product_types.store(conn, account.marketplace_id, definition, document, utcnow())
    return {"product_types": [{"name": p["name"], "display_name": p.get("displayName") or p["name"]}
                              for p in found]}
