"""Repricing in the worker: the competition read from Amazon, and decisions made.

``reprice_tick`` (``rq cron``, every minute) queues ``reprice_account`` for each active
account with a repricing rule whose run is due (``channel.repricing.INTERVAL``), one job id
per account, apart from the listing cycle: a failed run stops nothing else, and its outcome
is kept on the account's rule (an alert opens after three failed runs in a row).
``reprice_account`` reads the competition of the account's live ASINs within the pricing
APIs' rate limits (those not seen within the interval, stalest first, at most
``MAX_ASINS_PER_RUN``), keeps it and reprices every live listing. ``offers_changed`` is the
notifications worker's answer to ANY_OFFER_CHANGED: the ASIN's listings are repriced at once
from the event's offers, no call to Amazon needed.

Where the competition comes from (the rule set's ``competition_source``):

- ``item_offers``: v0 ``getItemOffersBatch``, 20 ASINs a call at 0.1 call per second (2 ASINs
  per second): every offer with Amazon's own ``IsBuyBoxWinner`` flag;
- ``competitive_summary``: 2022-05-01 ``getCompetitiveSummary``, 20 ASINs a call at 0.033 call
  per second (0.67 ASIN per second): the featured offer per customer segment with its share of
  glance views (the Buy Box most shoppers see, when Prime and other shoppers see different
  ones) and the 20 lowest-priced offers with their fulfilment type;
- ``both`` (the default): the two operations have separate rate limits, so a run splits its
  ASINs between them in proportion to their rates, three calls of the first to one of the
  second, and reads 2.67 ASINs per second instead of 2.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from channel import repricing
from channel.magento.catalog import CatalogReader
from channel.models import Account
from channel.models.log import write_log
from channel.notifications import parse_time
from channel.pricing import AccountSettings
from worker.amazon import pricing as api

logger = logging.getLogger(__name__)


def _account(conn: Connection, account_id: int) -> Account | None:
    with Session(bind=conn) as session:
        return session.get(Account, account_id)


def offers_changed(conn: Connection, settings, account_id: int, body: dict) -> int:
    """ANY_OFFER_CHANGED for the account: keep the competition, reprice that ASIN's listings."""
    account = _account(conn, account_id)
    if account is None:
        return 0
    asin = repricing.offers_notified(conn, account_id, account.seller_id, body)
    if asin is None:
        return 0
    reader = CatalogReader.from_settings(conn, settings)
    return len(repricing.reprice(conn, account_id, account.website_id, reader,
                                 AccountSettings.from_json(account.settings), [asin]))


#: Chunks of 20 ASINs per four calls that go to getCompetitiveSummary under ``both`` (rates 0.1 : 0.033).
SUMMARY_SHARE = (3,)
PLAN_CYCLE = 4
REPRICE_JOB = "worker.repricing.reprice_account"
#: ASINs one run reads at most: 12,000 take 75 minutes at Amazon's default rates (2.67 a second).
MAX_ASINS_PER_RUN = 12_000
#: RQ kills a run past this.
REPRICE_TIMEOUT = 2 * 3600


def job_id(account_id: int) -> str:
    return f"reprice-account-{int(account_id)}"


def plan(asins: list[str], source: str) -> list[tuple[str, list[str]]]:
    """The calls of one run: (operation, up to 20 ASINs), in the order they are made."""
    calls = []
    for n, start in enumerate(range(0, len(asins), api.BATCH)):
        chunk = asins[start:start + api.BATCH]
        summary = source == "competitive_summary" or (source == "both" and n % PLAN_CYCLE in SUMMARY_SHARE)
        calls.append(("getCompetitiveSummary" if summary else "getItemOffersBatch", chunk))
    return calls


def read_competition(engine, client, account: Account, asins: list[str], source: str) -> int:
    """Read and keep the competition of ``asins``, each call's answers in a transaction of
    their own; returns the ASINs Amazon answered for."""
    seen = 0
    for operation, chunk in plan(asins, source):
        kept: list[tuple[str, repricing.Competition, datetime]] = []
        if operation == "getItemOffersBatch":
            for asin, payload in api.item_offers(client, chunk):
                when = parse_time((payload.get("Summary") or {}).get("OffersAvailableTime")) or datetime.utcnow()
                kept.append((asin, repricing.Competition.of_offers(payload.get("Offers") or [], account.seller_id),
                             when))
        else:
            for asin, body in api.competitive_summary(client, chunk):
                kept.append((asin, repricing.Competition.of_summary(body, account.seller_id), datetime.utcnow()))
        with engine.begin() as conn:
            for asin, comp, when in kept:
                repricing.competition_seen(conn, account.account_id, asin, comp, operation, when)
        seen += len(kept)
    return seen


def stale_asins(conn: Connection, account_id: int, now: datetime, limit: int = MAX_ASINS_PER_RUN) -> list[str]:
    """The live ASINs whose competition is unknown or older than a run's interval, stalest
    first, at most ``limit``: what ANY_OFFER_CHANGED reported since is not read again, and a
    catalog larger than one run reads its oldest part each run."""
    return [r[0] for r in conn.execute(text(
        "SELECT l.asin FROM channel_amazon_listing l LEFT JOIN channel_amazon_competition c"
        " ON c.account_id = l.account_id AND c.asin = l.asin"
        " WHERE l.account_id = :a AND l.asin IS NOT NULL AND l.amazon_status IS NOT NULL AND l.product_id IS NOT NULL"
        " AND (c.observed_at IS NULL OR c.observed_at < :stale)"
        " GROUP BY l.asin ORDER BY MIN(c.observed_at) IS NOT NULL, MIN(c.observed_at), l.asin LIMIT :n"),
        {"a": account_id, "stale": now - timedelta(seconds=repricing.INTERVAL), "n": limit})]


def reprice_account(account_id: int, reason: str = "schedule", client=None) -> dict:
    """RQ job: read the competition of the account's live ASINs, then reprice them all. Its
    outcome is kept on the account's rule, and a failure written to the communication log."""
    from worker import runtime
    from worker.amazon.errors import AmazonError
    from worker.amazon.factory import client_for

    engine, settings = runtime.engine(), runtime.settings()
    with engine.begin() as conn:
        account = _account(conn, int(account_id))
        rule_set = repricing.rules_of(conn, int(account_id)) if account is not None else None
        if account is None or rule_set is None:
            return {"repriced": 0}
        asins = stale_asins(conn, account.account_id, datetime.utcnow())
    try:
        if not rule_set.enabled:
            summary = {"asins": 0, "decisions": 0, "changed": 0}
        else:
            client = client or client_for(account, settings, runtime.redis_conn(),
                                          rate_scale=settings.sandbox_time_scale)
            seen = read_competition(engine, client, account, asins, rule_set.competition_source)
            with engine.begin() as conn:
                decisions = repricing.reprice(conn, account.account_id, account.website_id,
                                              CatalogReader.from_settings(conn, settings),
                                              AccountSettings.from_json(account.settings))
            summary = {"asins": seen, "decisions": len(decisions),
                       "changed": sum(1 for _, d in decisions if d.price is not None)}
    except Exception as exc:  # noqa: BLE001 - every failure is the run's outcome; the next run tries again
        message = f"{type(exc).__name__}: {exc}"
        with engine.begin() as conn:
            write_log(conn, account_id=account.account_id, operation="repricing", message=message[:1000])
            failures = repricing.run_finished(conn, account.account_id, False, message)
        logger.warning("Repricing of account %s failed (%d in a row): %s", account_id, failures, message)
        if isinstance(exc, AmazonError):
            return {"error": message, "failures": failures}
        raise
    message = (f"{summary['asins']} of {len(asins)} stale ASINs read, {summary['decisions']} decisions,"
               f" {summary['changed']} prices set" if rule_set.enabled else "repricing is off for every product")
    with engine.begin() as conn:
        repricing.run_finished(conn, account.account_id, True, message)
    return summary


def reprice_tick(now: datetime | None = None) -> list[str]:
    """``rq cron``: queue the run of every account whose repricing is due (once per account)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from channel import jobs as contract
    from worker import runtime

    now = now or datetime.utcnow()
    with runtime.engine().connect() as conn:
        due = repricing.due_accounts(conn, now)
    redis = runtime.redis_conn()
    queued = []
    for account_id in due:
        try:
            if Job.fetch(job_id(account_id), connection=redis).get_status(refresh=True) in (
                    "queued", "started", "deferred", "scheduled"):
                continue
        except NoSuchJobError:
            pass
        contract.queue(redis).enqueue(REPRICE_JOB, account_id, "schedule", job_id=job_id(account_id),
                                      job_timeout=REPRICE_TIMEOUT, result_ttl=3600, failure_ttl=86400)
        queued.append(job_id(account_id))
    if queued:
        logger.info("Repricing tick queued %d account(s)", len(queued))
    return queued
