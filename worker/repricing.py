"""Repricing in the worker: the competition read from Amazon, and decisions made.

``reprice_account`` (an RQ job) reads the offers on the account's live ASINs with
``getItemOffersBatch`` within its rate limit, keeps them and reprices every live listing.
``offers_changed`` is the notifications worker's answer to ANY_OFFER_CHANGED: the ASIN's
listings are repriced at once from the event's offers, no call to Amazon needed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from channel import repricing
from channel.magento.catalog import CatalogReader
from channel.models import Account
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


def reprice_account(account_id: int) -> dict:
    """RQ job: read the competition of the account's live ASINs, then reprice them all."""
    from worker import runtime
    from worker.amazon.factory import client_for

    engine, settings = runtime.engine(), runtime.settings()
    with engine.begin() as conn:
        account = _account(conn, int(account_id))
        if account is None or repricing.rule_of(conn, account.account_id) is None:
            return {"repriced": 0}
        asins = [r[0] for r in conn.execute(text(
            "SELECT DISTINCT asin FROM channel_amazon_listing WHERE account_id = :a AND asin IS NOT NULL"
            " AND amazon_status IS NOT NULL AND product_id IS NOT NULL ORDER BY asin"), {"a": account.account_id})]
    client = client_for(account, settings, runtime.redis_conn(), rate_scale=settings.sandbox_time_scale)
    seen = 0
    for asin, payload in api.item_offers(client, asins):
        comp = repricing.Competition.of_offers(payload.get("Offers") or [], account.seller_id)
        when = parse_time((payload.get("Summary") or {}).get("OffersAvailableTime")) or datetime.utcnow()
        with engine.begin() as conn:
            repricing.competition_seen(conn, account.account_id, asin, comp, "getItemOffersBatch", when)
        seen += 1
    with engine.begin() as conn:
        decisions = repricing.reprice(conn, account.account_id, account.website_id,
                                      CatalogReader.from_settings(conn, settings),
                                      AccountSettings.from_json(account.settings))
    return {"asins": seen, "decisions": len(decisions),
            "changed": sum(1 for _, d in decisions if d.price is not None)}
