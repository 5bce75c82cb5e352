"""``python -m bench faults``: the fault matrix, written to bench/faults.json.

Each scenario gets its own database in one private MariaDB, a flushed private Redis
and its own sandbox marketplace. It settles a small catalog (listings published and
approved, one order imported), injects one fault, runs three scheduled rounds (the
listing cycle and the orders job, as the tick runs them) while a new order arrives,
measures what went wrong, removes the cause, runs one more round and checks that the
alert the merchant saw cleared itself.

Measured per scenario:
- ``listings_wrongly_changed``: live listings marked gone or sent back to a publish tab;
- ``offers_wrongly_sent``: offers created again (putListingsItem) and changes sent
  twice for a value Amazon already held;
- ``orders_lost`` / ``orders_duplicated`` / ``reservations_doubled``: against the
  sandbox's orders and Magento's ``inventory_reservation``;
- ``alert_raised`` (null where the merchant need not act), ``alert_cleared``,
  ``orders_kept_flowing`` (the order placed during the fault was imported during it;
  required of every listing-side fault, ``listing_side``: revoked credentials stop
  orders too, and say so with their alert).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from channel.crypto import Vault, new_key
from channel.db import make_engine
from sandbox.localservices import MariaDB, Redis
from sandbox import catalog as sample_catalog
from channel.migrations import upgrade
from channel.models import Account
from channel.orders import record_magento_result
from channel.magento.schema import MagentoSchema
from channel.settings import Secret, Settings
from sandbox.testing import running_sandbox
from worker.sync import exporter
from worker.sync.cycle import CycleOptions, Synchronizer
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer

FAULTS = Path(__file__).resolve().parent / "faults.json"
SELLER, MARKET = "A2FAULTSELLER", "ATVPDKIKX0DER"
CREDS = {"client_id": "amzn1.application-oa2-client.faults", "client_secret": "faults-secret",
         "refresh_token": "Atzr|faults"}
PRODUCTS = 60
PUBLISH_TABS = ("list_in_progress", "relist_in_progress", "ready_to_list")
USE_FEEDS = exporter.use_feeds
#: Changes a scenario itself makes in Magento, by operation: these calls are expected.
#: Operations that send offers or their changes to Amazon.
WRITES = ("putListingsItem", "patchListingsItem", "createFeed", "deleteListingsItem")
EXPECTED_CALLS = {"feed": {"createFeed": 1}, "reject": {"patchListingsItem": 1}}


def _seed() -> dict:
    catalog = [{"asin": f"B0{i:08d}", "title": f"Sample product {i}",
                "identifiers": {"UPC": f"{700000000000 + i:012d}", "EAN": f"{4000000000000 + i:013d}"}}
               for i in range(1, PRODUCTS + 1)]
    return {"sellers": [{"seller_id": SELLER, "marketplaces": [MARKET], **CREDS, "catalog": catalog,
                         "listings": [{"sku": "MG-0000001", "asin": "B000000001", "price": 5.0, "quantity": 1}],
                         "orders": []}]}


class World:
    """One scenario's database, Redis, sandbox and account."""

    def __init__(self, db: MariaDB, redis: Redis, sandbox, name: str):
        self.db, self.redis_server, self.sandbox = db, redis, sandbox
        db.create_database(name)
        conn = db.connect(name)
        sample_catalog.build(conn, PRODUCTS)
        conn.close()
        self.engine = make_engine(db.url(name))
        upgrade(self.engine)
        self.redis = redis.client()
        self.redis.flushdb()
        key = new_key()
        with Session(self.engine) as session:
            acc = Account(name="Faults", region="na", marketplace_id=MARKET, seller_id=SELLER,
                          lwa_client_id=CREDS["client_id"], website_id=1, lwa_client_secret_enc="",
                          refresh_token_enc="")
            acc.set_credentials(Vault(key), client_secret=CREDS["client_secret"],
                                refresh_token=CREDS["refresh_token"])
            acc.identifier_mapping = {"seller_sku": "sku", "asin": "amazon_asin", "upc": "upc", "ean": "ean"}
            acc.settings = {"auto_publish": True}
            session.add(acc)
            session.commit()
            self.account_id = acc.account_id
        self.settings = Settings(database_url=db.url(name), redis_url=redis.url, encryption_key=Secret(key),
                                 spapi_endpoint=sandbox.url, lwa_endpoint=sandbox.lwa_url)
        self.orders_placed: list[str] = []

    def round(self) -> dict:
        """One tick's work: the listing cycle and the orders job, each failing on its own."""
        opts = CycleOptions(poll=0.02, rate_scale=100, feed_wait=10, resubmit_after=0,
                            client_kwargs={"backoff_base": 0.01, "backoff_cap": 0.05, "max_attempts": 3})
        out: dict = {}
        for name, run in (("listings", lambda: Synchronizer(self.engine, self.redis, self.settings,
                                                             self.account_id, opts).run()),
                          ("orders", lambda: OrdersSynchronizer(self.engine, self.redis, self.settings,
                                                                self.account_id, OrdersOptions(
                                                                    rate_scale=100,
                                                                    client_kwargs=opts.client_kwargs)).run())):
            try:
                out[name] = run()
            except Exception as exc:  # noqa: BLE001 - a failed job, as RQ records it
                out[name] = {"error": f"{type(exc).__name__}: {exc}"}
                self.engine.dispose()
        return out

    def advance(self, seconds: int = 600) -> None:
        self.sandbox.admin("POST", "/clock", json={"seconds": seconds})

    def place_order(self, sku: str = "MG-0000002") -> str:
        order = self.sandbox.admin("POST", f"/sellers/{SELLER}/orders", json={
            "status": "UNSHIPPED", "items": [{"sku": sku, "quantity": 1, "price": 5.0}]})
        self.orders_placed.append(order["orderId"])
        return order["orderId"]

    def q(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def listings(self) -> dict:
        return {r.seller_sku: (r.amazon_status, r.tab) for r in self.q(
            "SELECT seller_sku, amazon_status, tab FROM channel_amazon_listing")}

    def open_alerts(self) -> set[str]:
        return {r.code for r in self.q("SELECT code FROM channel_amazon_alert WHERE cleared_at IS NULL")} | \
            ({"order_creation_failed"} if self.q("SELECT 1 FROM channel_amazon_order"
                                                  " WHERE magento_status = 'failed'") else set())

    def imported(self) -> set[str]:
        return {r.amazon_order_id for r in self.q("SELECT amazon_order_id FROM channel_amazon_order")}

    def reservations_doubled(self) -> int:
        rows = self.q("SELECT metadata FROM inventory_reservation WHERE metadata LIKE '%amazon_order%'")
        per_order: dict[tuple, int] = {}
        for (meta,) in rows:
            data = json.loads(meta)
            key = (data.get("object_id"), data.get("event_type"))
            per_order[key] = per_order.get(key, 0) + 1
        placed = {r.amazon_order_id: r.n for r in self.q(
            "SELECT o.amazon_order_id, COUNT(i.item_id) AS n FROM channel_amazon_order o"
            " LEFT JOIN channel_amazon_order_item i ON i.order_id = o.order_id GROUP BY o.order_id")}
        return sum(max(0, n - placed.get(oid, 1)) for (oid, _), n in per_order.items())


def _restart(service: Callable[[], object], world: World, fault_op: str) -> None:
    """Restart a service while a round waits on a slow Amazon call (mid-cycle)."""
    world.sandbox.fault(operation=fault_op, kind="timeout", seconds=2, count=1)
    worker = threading.Thread(target=world.round)
    worker.start()
    time.sleep(0.8)
    service()
    worker.join(timeout=120)
    time.sleep(1.0)
    world.engine.dispose()


def _bounce(service: MariaDB | Redis) -> None:
    service.stop()
    service.start()


def _order_creation_throws(world: World) -> None:
    """The module's cron offers orders one by one; the first throws (recorded for it), the rest go on."""
    with world.engine.begin() as conn:
        offered = conn.execute(text("SELECT order_id FROM channel_amazon_order WHERE magento_status = 'offered'"
                                    " ORDER BY order_id")).all()
        schema = MagentoSchema.detect(conn)
        for n, (order_id,) in enumerate(offered):
            if n == 0:
                record_magento_result(conn, schema, order_id, False, reason_code="other",
                                      message="Magento threw while creating the order")
            else:
                record_magento_result(conn, schema, order_id, True, increment_id=f"{100000 + order_id}",
                                      magento_order_id=order_id, store_id=1)


def scenarios(db: MariaDB, redis: Redis) -> list[tuple]:
    """(name, inject, remove, alert expected or None[, kind])."""
    def opts(**o):
        return lambda w: w.sandbox.fault(report_options=o)

    def clear(w):
        w.sandbox.fault(report_options=None)

    def feed(kind):
        def inject(w):
            exporter.use_feeds = lambda *a, **k: True
            w.sandbox.fault(feed_report=kind)
            for i in (1, 2, 3):  # price changes, so feeds go out during the fault
                fixture_price(w, f"MG-{i:07d}", 40 + i)
        return inject

    def feed_clear(w):
        exporter.use_feeds = USE_FEEDS
        w.sandbox.fault(feed_report=None)

    def reject(w):
        w.sandbox.fault(reject_skus=["MG-0000003"])
        fixture_price(w, "MG-0000003", 55)

    def accept_again(w):  # Amazon takes values again and the merchant corrects the refused one
        w.sandbox.fault(reject_skus=[])
        fixture_price(w, "MG-0000003", 56)

    def invalid_rule(w):
        with w.engine.begin() as conn:
            conn.execute(text("UPDATE channel_amazon_account SET listing_rule = :r"), {"r": json.dumps(
                {"type": "combine", "conditions": [{"type": "attribute", "attribute": "colour_typo",
                                                    "operator": "==", "value": "Red"}]})})

    def fix_rule(w):
        with w.engine.begin() as conn:
            conn.execute(text("UPDATE channel_amazon_account SET listing_rule = NULL"))

    def revoke(w):
        w.sandbox.fault(revoke_refresh_tokens=True)
        w.redis.flushdb()

    def restore(w):
        w.sandbox.fault(revoke_refresh_tokens=False)

    def order_throws(w):
        for _ in range(3):  # the module's cron tries a bounded number of times
            _order_creation_throws(w)

    def retry_order(w):
        with w.engine.begin() as conn:
            schema = MagentoSchema.detect(conn)
            for (order_id,) in conn.execute(text("SELECT order_id FROM channel_amazon_order"
                                                 " WHERE magento_status = 'failed'")).all():
                record_magento_result(conn, schema, order_id, True, increment_id=f"{200000 + order_id}",
                                      magento_order_id=order_id, store_id=1)

    nothing = lambda w: None  # noqa: E731
    return [
        ("report truncated mid-row", opts(truncate=True), clear, "report_held"),
        ("report truncated at a line boundary", opts(truncate="line"), clear, "report_held"),
        ("empty report", opts(empty=True), clear, "report_held"),
        ("report CANCELLED", opts(cancelled=True), clear, "report_held"),
        ("report FATAL", opts(fatal=True), clear, "step_failing:import"),
        ("half the rows missing", opts(drop_fraction=0.5), clear, "report_held"),
        ("feed processing report empty", feed("empty"), feed_clear, None, "feed"),
        ("feed processing report malformed", feed("malformed"), feed_clear, None, "feed"),
        ("feed processing report missing messages", feed("missing_messages"), feed_clear, None, "feed"),
        ("one listing rejected on every push", reject, accept_again, "value_rejected", "reject"),
        ("invalid rule stored in the table", invalid_rule, fix_rule, "rule_invalid"),
        ("credentials revoked mid-cycle", revoke, restore, "credentials_rejected", "amazon"),
        ("Redis restarted mid-cycle", lambda w: _restart(lambda: _bounce(redis), w, "getReport"), nothing, None),
        ("MariaDB restarted mid-cycle", lambda w: _restart(lambda: _bounce(db), w, "getReport"), nothing, None),
        ("one Magento order creation throws", order_throws, retry_order, "order_creation_failed"),
    ]


def fixture_price(w: World, sku: str, price: float) -> None:
    schema = MagentoSchema.detect(w.engine.connect())
    link = schema.link
    with w.engine.begin() as conn:
        conn.execute(text(
            f"UPDATE catalog_product_entity_decimal SET value = :p WHERE {link} = (SELECT {link} FROM"
            f" catalog_product_entity WHERE sku = :s LIMIT 1) AND store_id = 0 AND attribute_id ="
            f" (SELECT attribute_id FROM eav_attribute WHERE attribute_code = 'price' AND entity_type_id = 4)"),
            {"p": price, "s": sku})


def run_scenario(db: MariaDB, redis: Redis, index: int, name: str, inject, remove, expected,
                 kind: str = "") -> dict:
    with running_sandbox(_seed(), time_scale=100) as sandbox:
        w = World(db, redis, sandbox, f"faults_{index}")
        w.place_order("MG-0000001")
        for _ in range(6):  # settle: until a round sends nothing
            calls = dict(sandbox.market.calls)
            w.round()
            w.advance()
            sent = {k: sandbox.market.calls.get(k, 0) - calls.get(k, 0) for k in WRITES}
            if not any(sent.values()):
                break
        before = w.listings()
        live_before = {k for k, (status, _) in before.items() if status}
        calls = dict(sandbox.market.calls)
        inject(w)
        # An order for a SKU that is not in Magento: it must be imported, and moves no stock to push.
        during = w.place_order("NOT-IN-MAGENTO-1")
        for _ in range(3):  # a step failing three times in a row becomes an alert
            w.round()
        flowing = during in w.imported()
        after = w.listings()
        wrongly = sum(1 for k in live_before if not after.get(k, (None, None))[0]
                      or (after[k][1] in PUBLISH_TABS and before[k][1] not in PUBLISH_TABS))
        expected_calls = EXPECTED_CALLS.get(kind, {})
        resent = sum(max(0, sandbox.market.calls.get(op, 0) - calls.get(op, 0) - expected_calls.get(op, 0))
                     for op in WRITES)
        raised = expected in w.open_alerts() if expected else None
        remove(w)
        w.round()
        cleared = expected not in w.open_alerts() if expected else None
        imported = w.imported()
        counts = w.q("SELECT COUNT(*) AS n, COUNT(DISTINCT amazon_order_id) AS d FROM channel_amazon_order")[0]
        result = {"name": name, "injected": True, "listings_wrongly_changed": wrongly,
                  "offers_wrongly_sent": resent,
                  "orders_lost": sum(1 for o in w.orders_placed if o not in imported),
                  "orders_duplicated": counts.n - counts.d, "reservations_doubled": w.reservations_doubled(),
                  "alert_expected": expected, "alert_raised": raised, "alert_cleared": cleared,
                  "listing_side": kind != "amazon", "orders_kept_flowing": flowing}
        w.engine.dispose()
        return result


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="chn-faults-"))
    db = MariaDB(base / "db").start()
    redis = Redis(base / "redis").start()
    results = []
    try:
        for i, (name, inject, remove, expected, *kind) in enumerate(scenarios(db, redis)):
            print(f"fault: {name} ...", flush=True)
            try:
                results.append(run_scenario(db, redis, i, name, inject, remove, expected, *kind))
            except Exception as exc:  # noqa: BLE001 - a broken scenario is reported, not hidden
                results.append({"name": name, "injected": False, "error": f"{type(exc).__name__}: {exc}"})
            print("   ", json.dumps(results[-1]), flush=True)
    finally:
        redis.stop()
        db.stop()
        shutil.rmtree(base, ignore_errors=True)
    FAULTS.write_text(json.dumps({"scenarios": results}, indent=2) + "\n")
    bad = [r["name"] for r in results if r.get("error") or r["listings_wrongly_changed"] or r["offers_wrongly_sent"]
           or r["orders_lost"] or r["orders_duplicated"] or r["reservations_doubled"]
           or (r["listing_side"] and not r["orders_kept_flowing"])
           or r["alert_raised"] is False or r["alert_cleared"] is False]
    print(f"{len(results) - len(bad)} of {len(results)} scenarios clean; written to {FAULTS}")
    for name in bad:
        print(f"  not clean: {name}")
    return 0
