"""The ``repricing`` benchmark: one account's scheduled run over N live listings.

Two phases against the sandbox in its own process, sharing a clock with the worker
(``worker.amazon.clock.SharedClock``), and the channel's database over a generated
Magento catalog of N products:

1. **read**: the competition of the N ASINs read as a scheduled run reads it
   (``worker.repricing.read_competition``, both pricing operations shared by their rates):
   calls per operation, throttled calls, and the time on Amazon's clock against the least
   the documented limits allow for those calls (getItemOffersBatch 0.1/s, getCompetitiveSummary
   0.033/s, burst 1 each);
2. **decide**: every listing repriced (``channel.repricing.reprice``: the catalog read, the price
   rule, the rule of its group or the account, the decision recorded, changed prices through
   the listing owner) in one transaction: ``decisions_per_second`` is N over its real time.
"""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.scenarios import MARKET, SELLER, Stack, _fill_listings, _seller
from channel import repricing as model
from channel.magento.catalog import CatalogReader
from channel.models import Account
from channel.pricing import AccountSettings

RULE = {"strategy": "match_buybox", "beat_by": {"type": "amount", "value": "0.01"},
        "floor": {"type": "percent", "value": "90"}, "ceiling": {"type": "percent", "value": "150"}}
#: Products with little stock follow the lowest offer instead: one group, evaluated per product.
GROUPS = [{"name": "Low stock", "condition": {"type": "combine", "aggregator": "all", "value": True, "conditions": [
    {"type": "qty", "operator": "<", "value": 5}]}, "rule": {"strategy": "beat_lowest"}}]


def _competition(prices: dict[int, float]) -> dict[str, list[dict]]:
    """Three rivals per ASIN around the product's price rule price (from 85 % to 115 %), one
    holding the Buy Box: most decisions follow the competition, some meet the floor or ceiling."""
    out = {}
    for i, price in prices.items():
        out[f"B0{i:08d}"] = [
            {"seller_id": "A1RIVAL", "price": round(price * (0.85 + (i % 7) * 0.05), 2), "fba": True, "buybox": True},
            {"seller_id": "A2RIVAL", "price": round(price * 0.95, 2), "shipping": 1.5, "fba": False},
            {"seller_id": "A3RIVAL", "price": round(price * 1.1, 2), "fba": True}]
    return out


def _prices(stack: Stack, n: int) -> dict[int, float]:
    """Each product's price as the price rule computes it (default settings), by entity id."""
    from datetime import datetime

    from channel.pricing import compute_price
    from channel.settings import Settings

    settings = AccountSettings.from_json({})
    with stack.engine.connect() as conn:
        reader = CatalogReader.from_settings(conn, Settings(database_url=stack.url))
        out, now = {}, datetime.utcnow()
        for product in reader.products(1, attributes=settings.attribute_codes()):
            price = compute_price(product, settings, now)
            if price is not None and product.entity_id <= n:
                out[product.entity_id] = float(price)
    return out


def repricing(n: int) -> dict:
    import redis

    from sandbox.state import RATES as AMAZON_RATES
    from sandbox.testing import sandbox_process
    from worker.amazon.clock import SharedClock
    from worker.amazon.factory import client_for
    from worker.repricing import plan, read_competition

    stack = Stack()
    try:
        stack.catalog(n)
        seed = _seller([{"sku": f"MG-{i:07d}", "asin": f"B0{i:08d}", "price": float(10 + i % 90), "quantity": 5}
                        for i in range(1, n + 1)])
        seed["competition"] = _competition(_prices(stack, n))
        r = redis.Redis.from_url(stack.redis.url)
        with sandbox_process(seed, shared_clock=stack.redis.url) as sb:
            del seed
            account_id, settings = stack.account(sb.url)
            _fill_listings(stack, account_id, n)
            with stack.engine.begin() as conn:
                model.save_rules(conn, account_id, {"rule": RULE, "groups": GROUPS})
                asins = [row[0] for row in conn.execute(text(
                    "SELECT DISTINCT asin FROM channel_amazon_listing WHERE account_id = :a ORDER BY asin"),
                    {"a": account_id})]
            with Session(stack.engine) as session:
                account = session.get(Account, account_id)
                assert account is not None
                session.expunge(account)
            client = client_for(account, settings, r, clock=SharedClock(r), max_throttle_wait=24 * 3600)
            began, real = sb.stats()["now"], time.perf_counter()
            seen = read_competition(stack.engine, client, account, asins, "both")
            read_real = time.perf_counter() - real
            after = sb.stats()
        amazon = after["now"] - began
        calls = {op: v for op, v in after["calls"].items() if op != "lwa_token"}
        throttled = sum(after["throttled"].values())
        planned: dict[str, int] = {}
        for op, _ in plan(asins, "both"):
            planned[op] = planned.get(op, 0) + 1
        least = max(max(0, c - AMAZON_RATES[op][1]) / AMAZON_RATES[op][0] for op, c in planned.items())

        with stack.engine.begin() as conn:
            reader = CatalogReader.from_settings(conn, settings)
            started = time.perf_counter()
            decisions = model.reprice(conn, account_id, 1, reader, AccountSettings.from_json(account.settings))
            seconds = time.perf_counter() - started
        outcomes: dict[str, int] = {}
        for _, d in decisions:
            outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
        with stack.engine.connect() as conn:
            grouped = conn.execute(text(
                "SELECT COUNT(*) FROM channel_amazon_repricing_decision WHERE account_id = :a"
                " AND trace LIKE 'group %'"), {"a": account_id}).scalar()
        return {"listings": n, "asins_read": seen, "decisions": len(decisions), "seconds": round(seconds, 2),
                "decisions_per_second": round(len(decisions) / seconds) if seconds else None,
                "changed": sum(1 for _, d in decisions if d.price is not None), "outcomes": outcomes,
                "group_decisions": int(grouped or 0),
                "calls": calls, "sp_api_calls": sum(calls.values()), "throttled_calls": throttled,
                "read_seconds_amazon_time": round(amazon, 1), "read_seconds_real": round(read_real, 2),
                "least_seconds_rate_limits": round(least, 1),
                "ratio_to_least": round(amazon / least, 3) if least else None,
                "asins_per_second_amazon_time": round(seen / amazon, 2) if amazon else None,
                "seller": SELLER, "marketplace": MARKET}
    finally:
        stack.stop()
