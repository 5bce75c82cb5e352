"""The bridge-to-worker contract: queue names, job ids and enqueue functions.

Jobs are enqueued by name (``"worker.jobs.sync_account"``) so the bridge never imports
``worker``; job arguments are ids only, never secrets. Progress lives in ``job.meta``
as ``{"step", "done", "total"}``.
"""

from __future__ import annotations

from rq import Queue
from rq.job import Job
from rq.exceptions import NoSuchJobError

QUEUE = "channel"
SYNC_JOB = "worker.jobs.sync_account"
ACTION_JOB = "worker.jobs.listing_action"
ORDERS_JOB = "worker.jobs.sync_orders"
#: An orders run (import, shipments) is short; RQ kills it past this.
ORDERS_TIMEOUT = 900
ACTIONS = ("publish", "end", "relist", "rematch", "sync")
#: A cycle of a very large catalog may take long; RQ kills jobs past this.
SYNC_TIMEOUT = 3600


def queue(redis) -> Queue:
    return Queue(QUEUE, connection=redis)


def sync_job_id(account_id: int) -> str:
    return f"sync-account-{int(account_id)}"


def _enqueue_once(redis, func: str, job_id: str, account_id: int, reason: str, timeout: int,
                  at_front: bool = False) -> str:
    """Enqueue ``func`` for the account under ``job_id`` unless that job is already queued or running."""
    try:
        existing = Job.fetch(job_id, connection=redis)
        if existing.get_status(refresh=True) in ("queued", "started", "deferred", "scheduled"):
            return job_id
    except NoSuchJobError:
        pass
    queue(redis).enqueue(func, int(account_id), reason, job_id=job_id, job_timeout=timeout, result_ttl=3600,
                         failure_ttl=86400, meta={"step": "queued", "done": 0, "total": 0}, at_front=at_front)
    return job_id


def enqueue_sync(redis, account_id: int, reason: str = "schedule") -> str:
    """Enqueue a sync cycle unless one is already queued or running for the account."""
    return _enqueue_once(redis, SYNC_JOB, sync_job_id(account_id), account_id, reason, SYNC_TIMEOUT)


def orders_job_id(account_id: int) -> str:
    return f"sync-orders-{int(account_id)}"


def enqueue_orders(redis, account_id: int, reason: str = "schedule") -> str:
    """Enqueue an account's orders run unless one is already queued or running for it; at the
    front, since an orders run is short and must not wait behind queued listing cycles."""
    return _enqueue_once(redis, ORDERS_JOB, orders_job_id(account_id), account_id, reason, ORDERS_TIMEOUT,
                         at_front=True)


def enqueue_listing_action(redis, account_id: int, action: str, listing_ids: list[int]) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown listing action {action!r}")
    job = queue(redis).enqueue(ACTION_JOB, int(account_id), action, [int(i) for i in listing_ids],
                               job_timeout=600, result_ttl=3600, failure_ttl=86400,
                               meta={"step": "queued", "done": 0, "total": len(listing_ids)})
    return job.id


def progress(redis, job_id: str) -> dict | None:
    """Status and progress of a job, for the admin's progress bar."""
    try:
        job = Job.fetch(job_id, connection=redis)
    except (NoSuchJobError, ValueError):  # ValueError: not a valid job id at all
        return None
    meta = job.get_meta(refresh=True) or {}
    status = job.get_status(refresh=True)
    out = {"job_id": job_id, "status": str(status.value if hasattr(status, "value") else status),
           "step": meta.get("step"), "done": meta.get("done", 0), "total": meta.get("total", 0),
           "enqueued_at": job.enqueued_at.isoformat() if job.enqueued_at else None,
           "ended_at": job.ended_at.isoformat() if job.ended_at else None}
    if out["status"] == "finished":
        try:
            result = job.return_value()
        except Exception:  # noqa: BLE001 - a result that cannot be read is not shown
            result = None
        out["result"] = result if isinstance(result, dict) else None
    if out["status"] == "failed":
        out["error"] = (meta.get("error") or "the job failed; see the communication log")[:500]
    return out


LOOKUP_JOB = "worker.product_lookup.fetch_listing"
CATALOG_SEARCH_JOB = "worker.product_lookup.search_catalog"


def enqueue_lookup(redis, func: str, account_id: int, argument: str) -> str:
    """A short read from Amazon for the admin (a listing as Amazon holds it, a catalog
    search), at the front of the queue so the merchant waits seconds, not a cycle."""
    if func not in (LOOKUP_JOB, CATALOG_SEARCH_JOB):
        raise ValueError(f"unknown lookup {func!r}")
    job = queue(redis).enqueue(func, int(account_id), str(argument), job_timeout=120, result_ttl=600,
                               failure_ttl=3600, meta={"step": "queued", "done": 0, "total": 1}, at_front=True)
    return job.id


ASIN_SEARCH_JOB = "worker.asin_search.find_asins"
#: Listings one bulk ASIN search takes: at searchCatalogItems' 2 calls a second, a search
#: by name for each of them ends within a minute.
MAX_ASIN_SEARCH = 100


def enqueue_asin_search(redis, account_id: int, listing_ids: list[int]) -> str:
    """Search Amazon's catalog for the candidate ASINs of these listings (at most
    ``MAX_ASIN_SEARCH``), at the front of the queue: the merchant waits for the answer."""
    ids = [int(i) for i in listing_ids]
    if not 1 <= len(ids) <= MAX_ASIN_SEARCH:
        raise ValueError(f"an ASIN search takes 1 to {MAX_ASIN_SEARCH} listings, not {len(ids)}")
    job = queue(redis).enqueue(ASIN_SEARCH_JOB, int(account_id), ids, job_timeout=600, result_ttl=3600,
                               failure_ttl=86400, meta={"step": "queued", "done": 0, "total": len(ids)},
                               at_front=True)
    return job.id
