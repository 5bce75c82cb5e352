"""The benchmark scenarios. Each runs in a fresh interpreter (see harness.run_isolated)
with its own private MariaDB, Redis and sandbox, and returns a dict of figures."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from bench.harness import median_time, percentile
from channel.crypto import Vault, new_key
from channel.db import make_engine
from channel.localservices import MariaDB, Redis
from channel.magento import fixture
from channel.migrations import upgrade
from channel.models import Account
from channel.settings import Settings

SELLER, MARKET = "A2BENCHSELLER", "ATVPDKIKX0DER"
#: The bridge secret of the benchmarks' bridge (long enough for the bridge to accept it).
BENCH_SECRET = "bench-Kq7vR2xW9mTz4LpN8sYc3HdJ6fGb1Ae5"
CREDS = {"client_id": "amzn1.application-oa2-client.bench", "client_secret": "bench-secret",
         "refresh_token": "Atzr|bench"}


class Stack:
    """Private services for one scenario."""

    def __init__(self):
        base = Path(tempfile.mkdtemp(prefix="chn-bench-"))
        self.db = MariaDB(base / "db").start()
        self.redis = Redis(base / "redis").start()
        self.db.create_database("bench")
        self.url = self.db.url("bench")
        self.engine = make_engine(self.url)
        self.key = new_key()

    def catalog(self, n: int) -> float:
        conn = self.db.connect("bench")
        start = time.perf_counter()
        fixture.build(conn, n)
        conn.close()
        upgrade(self.engine)
        return time.perf_counter() - start

    def account(self, sandbox_url: str | None = None, **settings) -> tuple[int, Settings]:
        with Session(self.engine) as session:
            acc = Account(name="Bench", region="na", marketplace_id=MARKET, seller_id=SELLER,
                          lwa_client_id=CREDS["client_id"], website_id=1, lwa_client_secret_enc="",
                          refresh_token_enc="")
            acc.set_credentials(Vault(self.key), client_secret=CREDS["client_secret"],
                                refresh_token=CREDS["refresh_token"])
            acc.identifier_mapping = {"seller_sku": "sku", "asin": "amazon_asin", "upc": "upc"}
            acc.settings = settings
            session.add(acc)
            session.commit()
            account_id = acc.account_id
        return account_id, Settings(database_url=self.url, redis_url=self.redis.url, encryption_key=self.key,
                                    spapi_endpoint=sandbox_url,
                                    lwa_endpoint=sandbox_url + "/auth/o2/token" if sandbox_url else None)

    def raw_insert_rate(self, rows: int) -> float:
        """Baseline: rows per second of a plain multi-row insert of listing-shaped rows."""
        conn = self.db.connect("bench")
        cur = conn.cursor()
        cur.execute("CREATE TABLE IF NOT EXISTS bench_baseline (id int PRIMARY KEY AUTO_INCREMENT,"
                    " sku varchar(255), asin varchar(16), price decimal(20,4), qty int, status varchar(32),"
                    " UNIQUE KEY (sku)) ENGINE=InnoDB")
        data = [(f"MG-{i:07d}", f"B0{i:08d}", 19.99, i % 50, "BUYABLE") for i in range(rows)]
        start = time.perf_counter()
        for chunk in range(0, rows, 2000):
            cur.executemany("INSERT INTO bench_baseline (sku, asin, price, qty, status) VALUES (%s, %s, %s, %s, %s)",
                            data[chunk:chunk + 2000])
        conn.commit()
        elapsed = time.perf_counter() - start
        cur.execute("DROP TABLE bench_baseline")
        conn.close()
        return rows / elapsed

    def stop(self):
        self.engine.dispose()
        self.redis.stop()
        self.db.stop()


def _seller(listings=(), orders=(), catalog=()):
    return {"sellers": [{"seller_id": SELLER, "marketplaces": [MARKET], **CREDS, "listings": list(listings),
                         "orders": list(orders), "catalog": list(catalog)}]}


def import_match_classify(n: int) -> dict:
    """Listings report of N rows against a catalog of N products: import, match, classify."""
    import redis

    from channel.classification import classify_account
    from channel.magento.catalog import CatalogReader
    from channel.matching import match_account
    from sandbox.testing import running_sandbox
    from worker.amazon.factory import client_for
    from worker.sync.importer import ListingsReportImporter

    stack = Stack()
    try:
        stack.catalog(n)
        listings = [{"sku": fixture.product_sku(i), "asin": f"B0{i:08d}", "price": 12.5, "quantity": 3}
                    for i in range(1, n + 1)]
        with running_sandbox(_seller(listings), time_scale=1000, throttle=False) as sb:
            account_id, settings = stack.account(sb.url)
            r = redis.Redis.from_url(stack.redis.url)
            with Session(stack.engine) as session:
                account = session.get(Account, account_id)
                session.expunge(account)
            client = client_for(account, settings, r, rate_scale=1000)
            timings = {}
            with stack.engine.connect() as conn:
                reader = CatalogReader.connect(conn)
                start = time.perf_counter()
                ListingsReportImporter(conn, client, account_id, poll=0.02).run(
                    __import__("datetime").datetime.utcnow())
                conn.commit()
                timings["import_s"] = time.perf_counter() - start
                t = time.perf_counter()
                match_account(conn, reader, account)
                conn.commit()
                timings["match_s"] = time.perf_counter() - t
                t = time.perf_counter()
                classify_account(conn, reader, account)
                conn.commit()
                timings["classify_s"] = time.perf_counter() - t
                total = time.perf_counter() - start
        baseline = stack.raw_insert_rate(n)
        return {"n": n, "seconds": round(total, 2), "rows_per_second": round(n / total),
                **{k: round(v, 2) for k, v in timings.items()},
                "baseline_raw_insert_rows_per_second": round(baseline),
                "ratio_to_raw_insert": round((n / total) / baseline, 3)}
    finally:
        stack.stop()


def _fill_listings(stack: Stack, account_id: int, rows: int, changed: int = 0) -> None:
    """N listing rows set-based (MariaDB's sequence engine); exactly ``changed`` of them differ
    from what Amazon acknowledged (seq % 6 = 4 is Ineligible, whose wanted quantity is 0)."""
    tabs = "ELT(1 + seq % 6, 'active', 'incomplete', 'ready_to_list', 'inactive', 'ineligible', 'ended')"
    with stack.engine.begin() as conn:
        conn.execute(text(
            f"INSERT INTO channel_amazon_listing (account_id, product_id, magento_sku, seller_sku, asin, product_name,"
            f" tab, reason, amazon_status, calc_price, calc_qty, pushed_price, pushed_qty, match_status)"
            f" SELECT :a, seq, CONCAT('MG-', LPAD(seq, 7, '0')), CONCAT('MG-', LPAD(seq, 7, '0')),"
            f" CONCAT('B0', LPAD(seq, 8, '0')), CONCAT('Sample product ', seq), {tabs},"
            f" ELT(1 + seq % 4, 'listed_buyable', 'asin_lookup_pending', 'excluded_by_rule', 'amazon_not_buyable'),"
            f" 'BUYABLE', 10 + seq % 90, seq % 40, 10 + seq % 90,"
            f" IF(seq % 6 = 4, 0, seq % 40),"
            f" 'matched' FROM seq_1_to_{int(rows)}"), {"a": account_id})
        from channel.classification import refresh_tab_counts

        refresh_tab_counts(conn, account_id)  # as the classification run that wrote them would
        # Exactly ``changed`` listings on Amazon whose quantity Amazon has not acknowledged.
        conn.execute(text(
            "UPDATE channel_amazon_listing SET pushed_qty = pushed_qty + 1 WHERE account_id = :a"
            " AND tab IN ('active', 'inactive') ORDER BY listing_id LIMIT :changed"),
            {"a": account_id, "changed": changed})


def tab_page(rows: int, requests_per_client: int = 60) -> dict:
    """A 50-row page of a tab with a filter and a sort on N listing rows, 1 and 16 clients."""
    from werkzeug.serving import make_server

    import requests as http
    from bridge import create_app
    from bridge.auth import ALL_GRANTS
    from bridge.signing import signed_headers

    stack = Stack()
    try:
        stack.catalog(0)
        account_id, settings = stack.account()
        settings = settings.replace(bridge_secret=BENCH_SECRET)
        start = time.perf_counter()
        _fill_listings(stack, account_id, rows)
        fill_s = time.perf_counter() - start
        app = create_app(settings)
        queries = []
        with app.app_context():
            from bridge import db

            event.listen(db.engine, "before_cursor_execute", lambda *a, **k: queries.append(1))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        path = f"/api/v1/accounts/{account_id}/listings"

        def one(page_no: int) -> float:
            query = [("tab", "active"), ("reason", "listed_buyable"), ("sort", "-price"), ("per_page", "50"),
                     ("page", str(page_no))]
            headers = signed_headers(BENCH_SECRET, "GET", path, query, b"", grants=ALL_GRANTS)
            t = time.perf_counter()
            resp = http.get(base + path, params=query, headers=headers, timeout=30)
            assert resp.status_code == 200 and len(resp.json()["items"]) == 50
            return (time.perf_counter() - t) * 1000

        one(1)
        queries.clear()
        single = [one(1 + i % 20) for i in range(requests_per_client)]
        per_request = len(queries) / requests_per_client
        concurrent: list[float] = []
        lock = threading.Lock()

        def client(k):
            mine = [one(1 + (i + k) % 20) for i in range(requests_per_client // 4)]
            with lock:
                concurrent.extend(mine)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        server.shutdown()
        return {"rows": rows, "fill_s": round(fill_s, 1), "queries_per_request": per_request,
                "single_ms": {"p50": round(percentile(single, 50), 1), "p95": round(percentile(single, 95), 1),
                              "p99": round(percentile(single, 99), 1)},
                "clients16_ms": {"p50": round(percentile(concurrent, 50), 1),
                                 "p95": round(percentile(concurrent, 95), 1),
                                 "p99": round(percentile(concurrent, 99), 1)},
                "clients16_requests_per_second": round(len(concurrent) / wall, 1)}
    finally:
        stack.stop()


def delta_detection(rows: int, changed: int = 1000) -> dict:
    """Find the listings whose wanted price/qty Amazon has not acknowledged, among N."""
    from worker.sync.exporter import PriceStockExporter

    stack = Stack()
    try:
        stack.catalog(0)
        account_id, _ = stack.account()
        _fill_listings(stack, account_id, rows, changed)
        with Session(stack.engine) as session:
            account = session.get(Account, account_id)
            session.expunge(account)
        with stack.engine.connect() as conn:
            exporter = PriceStockExporter(conn, None, account)
            found = []
            med, runs = median_time(lambda: found.append(len(exporter.changed())), runs=3)
        return {"rows": rows, "changed": changed, "found": found[-1], "seconds_median": round(med, 3),
                "runs": [round(r, 3) for r in runs]}
    finally:
        stack.stop()


def price_stock_export(k: int, scale: float | None = None) -> dict:
    """K changed offers pushed through the exporter against the sandbox at Amazon's rates, time-scaled.

    Patches are paced by Amazon's 5 requests/second, so they run at a small scale (our own
    loopback latency is multiplied by the scale too); feeds wait minutes and run faster."""
    from worker.sync.exporter import use_feeds as _use_feeds

    scale = scale or (200.0 if _use_feeds(k, feed_latency=60) else 5.0)
    import math

    import redis

    from sandbox.testing import running_sandbox
    from worker.amazon import feeds
    from worker.amazon.factory import client_for
    from worker.amazon.throttle import RATES
    from worker.sync.exporter import PriceStockExporter, use_feeds

    stack = Stack()
    try:
        stack.catalog(0)
        listings = [{"sku": fixture.product_sku(i), "asin": f"B0{i:08d}", "price": 1.0, "quantity": 1}
                    for i in range(1, k + 1)]
        with running_sandbox(_seller(listings), time_scale=scale) as sb:
            account_id, settings = stack.account(sb.url)
            _fill_listings(stack, account_id, k, changed=k)
            with stack.engine.begin() as conn:
                conn.execute(text("UPDATE channel_amazon_listing SET tab = 'active'"))
            with Session(stack.engine) as session:
                account = session.get(Account, account_id)
                session.expunge(account)
            client = client_for(account, settings, redis.Redis.from_url(stack.redis.url), rate_scale=scale,
                                max_throttle_wait=3600)
            # The sandbox processes a feed in 2 x 30 s of its time; tell the exporter so it can choose.
            with stack.engine.connect() as conn:
                exporter = PriceStockExporter(conn, client, account, feed_wait=3600, poll=2.0 / scale, feed_latency=60)
                start = time.perf_counter()
                stats = exporter.run()
                real = time.perf_counter() - start
            calls = dict(sb.market.calls)
        simulated = real * scale
        feeds_used = use_feeds(k, feed_latency=60)
        if feeds_used:
            n_feeds = math.ceil(k / feeds.MAX_MESSAGES)
            least = 60.0 + max(0, n_feeds - RATES["createFeed"][1]) / RATES["createFeed"][0]
        else:
            rate, burst = RATES["patchListingsItem"]
            least = max(0.0, (k - burst) / rate)
        api_calls = sum(v for op, v in calls.items())
        return {"k": k, "mode": "feeds" if feeds_used else "patches", "time_scale": scale, "sp_api_calls": api_calls, "calls": calls,
                "acknowledged": stats.acknowledged + stats.patched, "seconds_real": round(real, 2),
                "seconds_amazon_time": round(simulated, 1), "least_seconds_rate_limits": round(least, 1),
                "ratio_to_least": round(simulated / least, 2) if least else None}
    finally:
        stack.stop()


def orders_import(n: int) -> dict:
    """N orders in one import (sandbox throttling off: our own processing time)."""
    import redis

    from channel.magento.catalog import CatalogReader
    from sandbox.testing import running_sandbox
    from worker.amazon.factory import client_for
    from worker.sync.orders import OrderImporter

    stack = Stack()
    try:
        stack.catalog(1000)
        orders = [{"items": [{"sku": fixture.product_sku(1 + i % 900), "quantity": 1 + i % 3, "price": "9.99"}]}
                  for i in range(n)]
        with running_sandbox(_seller(orders=orders), time_scale=1000, throttle=False) as sb:
            account_id, settings = stack.account(sb.url)
            with stack.engine.begin() as conn:
                conn.execute(text("UPDATE channel_amazon_account SET connected_at = NOW() - INTERVAL 1 DAY"))
            with Session(stack.engine) as session:
                account = session.get(Account, account_id)
                session.expunge(account)
            client = client_for(account, settings, redis.Redis.from_url(stack.redis.url), rate_scale=1000)
            with stack.engine.connect() as conn:
                importer = OrderImporter(conn, client, account, CatalogReader.connect(conn),
                                         vault=Vault(stack.key))
                start = time.perf_counter()
                result = importer.run()
                elapsed = time.perf_counter() - start
        return {"orders": n, "imported": result["seen"], "reserved_items": result["reserved"],
                "seconds": round(elapsed, 2), "orders_per_second": round(n / elapsed, 1)}
    finally:
        stack.stop()


def catalog_generation(n: int) -> dict:
    stack = Stack()
    try:
        seconds = stack.catalog(n)
        return {"products": n, "seconds": round(seconds, 2), "products_per_second": round(n / seconds)}
    finally:
        stack.stop()


def csv_export(rows: int, workers: int = 2, threads: int = 4) -> dict:
    """The listings CSV export of N rows from the bridge under gunicorn as supervisord runs it
    (gthread, 2 workers, 60 s timeout): one export alone, then two at once, while the admin
    asks for a grid page and the accounts list every 0.2 s; rows/s, those requests' latency
    idle and beside the exports, workers' peak RSS, workers killed by the timeout."""
    import os
    import secrets
    import signal
    import socket
    import subprocess
    import sys

    import requests as http
    from bridge.auth import ALL_GRANTS
    from bridge.signing import signed_headers

    stack = Stack()
    server = None
    try:
        stack.catalog(0)
        account_id, settings = stack.account()
        _fill_listings(stack, account_id, rows)
        with stack.engine.begin() as conn:  # one tab holding all N rows
            conn.execute(text("UPDATE channel_amazon_listing SET tab = 'active'"))
        secret = secrets.token_urlsafe(32)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "CHANNEL_DATABASE_URL": stack.url, "CHANNEL_REDIS_URL": stack.redis.url,
               "CHANNEL_BRIDGE_SECRET": secret, "CHANNEL_ENCRYPTION_KEY": stack.key}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = subprocess.Popen([gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                                   "--worker-class", "gthread", "--threads", str(threads), "--timeout", "60",
                                   "bridge.wsgi:app"], env=env, stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        path = f"/api/v1/accounts/{account_id}/listings"

        def get(query, stream=False, target=path):
            headers = signed_headers(secret, "GET", target, query, b"", grants=ALL_GRANTS)
            return http.get(base + target, params=query, headers=headers, timeout=120, stream=stream)

        for _ in range(600):
            assert server.poll() is None, server.communicate()[1][-2000:]
            try:
                get([], target="/api/v1/accounts")
                break
            except http.ConnectionError:
                time.sleep(0.1)

        def export() -> tuple[int, float]:
            t = time.perf_counter()
            lines = sum(c.count(b"\n") for c in get([("tab", "active"), ("format", "csv")], True).iter_content(1 << 16))
            return lines - 1, time.perf_counter() - t

        def page_ms() -> tuple[float, float]:
            """A grid page (its count reads the whole tab) and the accounts list (light), in ms."""
            p = time.perf_counter()
            assert get([("tab", "active"), ("sort", "-price"), ("per_page", "50")]).status_code == 200
            q = time.perf_counter()
            assert get([], target="/api/v1/accounts").status_code == 200
            return (q - p) * 1000, (time.perf_counter() - q) * 1000

        def during(exports: int) -> tuple[list[tuple[int, float]], list[float], float]:
            """``exports`` exports at once while the grid asks for a page every 0.2 s."""
            done: list[tuple[int, float]] = []
            pages: list[tuple[float, float]] = []
            threads = [threading.Thread(target=lambda: done.append(export())) for _ in range(exports)]
            t = time.perf_counter()
            for th in threads:
                th.start()
            time.sleep(0.2)
            while any(th.is_alive() for th in threads):
                pages.append(page_ms())
                time.sleep(0.2)
            for th in threads:
                th.join()
            assert [c for c, _ in done] == [rows] * exports, done
            return done, pages, time.perf_counter() - t

        idle = [page_ms() for _ in range(20)]
        (alone_done, alone_pages, _) = during(1)
        alone = alone_done[0][1]
        _, pages, wall = during(2)
        worker_pids = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        peak_rss = [int(line.split()[1]) / 1024 for pid in worker_pids
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM")]
        server.send_signal(signal.SIGTERM)
        log = server.communicate(timeout=30)[1]
        server = None
        return {"rows": rows, "alone_s": round(alone, 2), "alone_rows_per_second": round(rows / alone),
                "two_at_once_s": round(wall, 2), "two_at_once_rows_per_second": round(2 * rows / wall),
                **{f"{kind}_ms_{when}": {"n": len(samples), "p50": round(percentile([x[i] for x in samples], 50), 1),
                                         "max": round(max(x[i] for x in samples), 1)}
                   for when, samples in (("idle", idle), ("beside_one", alone_pages), ("beside_two", pages))
                   for i, kind in enumerate(("grid_page", "accounts"))},
                "worker_peak_rss_mb": [round(r) for r in peak_rss],
                "workers_timed_out": log.count("WORKER TIMEOUT")}
    finally:
        if server is not None:
            server.kill()
            server.wait()
        stack.stop()
