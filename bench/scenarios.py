"""The benchmark scenarios. Each runs in a fresh interpreter (see harness.run_isolated)
with its own private MariaDB, Redis and sandbox, and returns a dict of figures."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.orm import Session

from bench.harness import median_time, percentile
from channel.crypto import Vault, new_key
from channel.db import make_engine
from sandbox.localservices import MariaDB, Redis
from sandbox import catalog as sample_catalog
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

    def __init__(self, buffer_pool: str = "512M"):
        self.base = base = Path(tempfile.mkdtemp(prefix="chn-bench-"))
        self.db = MariaDB(base / "db", buffer_pool=buffer_pool).start()
        self.redis = Redis(base / "redis").start()
        self.db.create_database("bench")
        self.url = self.db.url("bench")
        self.engine = make_engine(self.url)
        self.key = new_key()

    def catalog(self, n: int, scheduled: bool = False) -> float:
        """A sample catalog of ``n`` products and our tables; ``scheduled``: the channel's
        indexer in Update by Schedule mode, as a Magento 2.4.8 install sets its indexers."""
        conn = self.db.connect("bench")
        start = time.perf_counter()
        schema = sample_catalog.build(conn, n)
        conn.close()
        upgrade(self.engine)
        if scheduled:
            from sandbox import mview

            conn = self.db.connect("bench")
            mview.schedule(conn, schema)
            conn.close()
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
        return account_id, self.settings(sandbox_url)

    def settings(self, sandbox_url: str | None = None) -> Settings:
        """The settings a worker of this stack runs with, against this sandbox."""
        return Settings(database_url=self.url, redis_url=self.redis.url, encryption_key=self.key,
                        spapi_endpoint=sandbox_url, lwa_endpoint=sandbox_url + "/auth/o2/token" if sandbox_url else None)

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
        shutil.rmtree(self.base, ignore_errors=True)  # a scenario's database leaves nothing behind


class ServedBridge:
    """The bridge over HTTP in a thread of this process, counting the SQL statements it
    sends; ``get`` times one signed GET (every grant) and checks its answer."""

    def __init__(self, settings: Settings):
        from werkzeug.serving import make_server

        from bridge import create_app

        app = create_app(settings)
        self.queries: list[int] = []
        with app.app_context():
            from bridge import db

            event.listen(db.engine, "before_cursor_execute", lambda *a, **k: self.queries.append(1))
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def get(self, path: str, query: list, check: Callable[[Any], bool]) -> float:
        """Milliseconds for one answer that is 200 and passes ``check``."""
        import requests as http

        from bridge.auth import ALL_GRANTS
        from bridge.signing import signed_headers

        headers = signed_headers(BENCH_SECRET, "GET", path, query, b"", grants=ALL_GRANTS)
        t = time.perf_counter()
        resp = http.get(self.base + path, params=query, headers=headers, timeout=30)
        elapsed = (time.perf_counter() - t) * 1000
        assert resp.status_code == 200 and check(resp), resp.text[:300]
        return elapsed

    def stop(self) -> None:
        self.server.shutdown()


def figures(values: list[float]) -> dict:
    """p50, p95 and p99 of a list of milliseconds."""
    return {"p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1),
            "p99": round(percentile(values, 99), 1)}


def _seller(listings=(), orders=(), catalog=()):
    return {"sellers": [{"seller_id": SELLER, "marketplaces": [MARKET], **CREDS, "listings": list(listings),
                         "orders": list(orders), "catalog": list(catalog)}]}


def _catalog_in_child(stack: Stack, n: int, scheduled: bool = False) -> None:
    """The sample catalog, generated in a forked child so its memory is not the pipeline's."""
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(target=stack.catalog, args=(n, scheduled))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"catalog generation failed ({child.exitcode})")


def _timed_load(conn, create: str, load: str, table: str) -> float:
    """``create`` a table, then ``load`` it: the seconds of the load with its commit; the
    table is dropped after."""
    cur = conn.cursor()
    cur.execute(create)
    start = time.perf_counter()
    cur.execute(load)
    conn.commit()
    seconds = time.perf_counter() - start
    cur.execute(f"DROP TABLE {table}")
    return seconds


def _load_data_baseline(stack: Stack, listings: list[dict], repeats: int = 1) -> tuple[list[float], list[float]]:
    """The raw limit: LOAD DATA LOCAL INFILE of the same report rows, in seconds, into a
    copy of the listing table (its columns, keys and full-text index: the cost of writing
    N listings at all), and into a bare table of the report's six columns; ``repeats``
    times each."""
    path = Path(tempfile.mkdtemp(prefix="chn-load-")) / "rows.tsv"
    with path.open("w") as f:
        for r in listings:
            f.write(f"{r['sku']}\t{r['asin']}\t{r['price']}\t{r['quantity']}\tBUYABLE\tDEFAULT\n")
    conn = stack.db.connect("bench", local_infile=1)
    loads = (
        ("CREATE TABLE bench_load LIKE channel_amazon_listing",
         f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE bench_load (seller_sku, asin, amazon_price, amazon_qty,"
         f" amazon_status, fulfillment_channel) SET account_id = 1, product_name = seller_sku,"
         f" match_status = 'third_party', tab = 'new_third_party', reason = 'third_party_unmatched'"),
        ("CREATE TABLE bench_load (seller_sku varchar(255) NOT NULL PRIMARY KEY, asin varchar(16),"
         " price decimal(20,4), qty int, status varchar(32), channel varchar(16)) ENGINE=InnoDB",
         f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE bench_load"))
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for into, (create, load) in zip(timings, loads):
            into.append(_timed_load(conn, create, load, "bench_load"))
    conn.close()
    shutil.rmtree(path.parent, ignore_errors=True)
    return timings


def _listing_rows_baseline(stack: Stack) -> float:
    """LOAD DATA LOCAL INFILE of the listing rows as the pipeline left them (every stored
    column, their Magento facts, tabs and prices included), in seconds with its commit, into
    a copy of the listing table: the raw cost of writing these very rows. Rows whose prices
    differ are spread over the grid's price indexes, which the report rows of the main
    baseline (no price, one tab) never are."""
    conn = stack.db.connect("bench", local_infile=1)
    cur = conn.cursor()
    folder = Path(tempfile.mkdtemp(prefix="chn-rows-"))
    path = folder / "listings.tsv"
    try:
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE()"
                    " AND table_name = 'channel_amazon_listing' AND extra NOT LIKE '%GENERATED%'"
                    " ORDER BY ordinal_position")
        columns = ", ".join(f"`{c}`" for c, in cur.fetchall())
        cur.execute(f"SELECT {columns} FROM channel_amazon_listing INTO OUTFILE '{path}'")
        return _timed_load(conn, "CREATE TABLE bench_rows LIKE channel_amazon_listing",
                           f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE bench_rows ({columns})", "bench_rows")
    finally:
        conn.close()
        shutil.rmtree(folder, ignore_errors=True)


def _report_seed_in_child(stack: Stack, n: int, repeats: int = 1) -> tuple[Path, tuple[list[float], list[float]]]:
    """The seller's N listings as a sandbox seed file, and the LOAD DATA baseline of the same
    rows (``repeats`` times), made in a forked child: the N rows never sit in the pipeline's
    own memory."""
    import json
    import multiprocessing

    seed = Path(tempfile.mkdtemp(prefix="chn-seed-")) / "seed.json"
    parent, child_end = multiprocessing.get_context("fork").Pipe()

    def make() -> None:
        listings = [{"sku": sample_catalog.product_sku(i), "asin": f"B0{i:08d}", "price": 12.5, "quantity": 3}
                    for i in range(1, n + 1)]
        seed.write_text(json.dumps(_seller(listings)))
        child_end.send(_load_data_baseline(stack, listings, repeats))

    child = multiprocessing.get_context("fork").Process(target=make)
    child.start()
    child_end.close()  # the child's end: a child that dies ends the wait below instead of hanging it
    try:
        baseline = parent.recv()
    except EOFError:
        baseline = None
    child.join()
    if child.exitcode != 0 or baseline is None:
        shutil.rmtree(seed.parent, ignore_errors=True)
        raise RuntimeError(f"the report seed failed ({child.exitcode})")
    return seed, baseline


def _listing_digest(conn) -> None:
    conn.execute(text("DROP TABLE IF EXISTS bench_digest"))
    conn.execute(text(
        "CREATE TABLE bench_digest (listing_id bigint UNSIGNED PRIMARY KEY, crc bigint) ENGINE=InnoDB"
        " SELECT listing_id, CRC32(CONCAT_WS('|', product_id, magento_sku, seller_sku, asin, product_name,"
        " match_status, match_candidates, tab, reason, reason_detail, state_changed_at, amazon_status, amazon_issues,"
        " amazon_price, amazon_qty, fulfillment_channel, pending_action, ended_by_merchant, submitted_at,"
        " submission_ref, calc_price, calc_qty, calc_condition, pushed_price, pushed_qty, seen_in_report_at,"
        " in_website, enabled, passes_rules, has_identifier, is_parent, facts_at)) AS crc"
        " FROM channel_amazon_listing"))


def _rows_changed_since_digest(conn) -> int:
    return conn.execute(text(
        "SELECT COUNT(*) FROM channel_amazon_listing l LEFT JOIN bench_digest d ON d.listing_id = l.listing_id"
        " WHERE d.listing_id IS NULL OR d.crc <> CRC32(CONCAT_WS('|', l.product_id, l.magento_sku, l.seller_sku,"
        " l.asin, l.product_name, l.match_status, l.match_candidates, l.tab, l.reason, l.reason_detail,"
        " l.state_changed_at, l.amazon_status, l.amazon_issues, l.amazon_price, l.amazon_qty, l.fulfillment_channel,"
        " l.pending_action, l.ended_by_merchant, l.submitted_at, l.submission_ref, l.calc_price, l.calc_qty,"
        " l.calc_condition, l.pushed_price, l.pushed_qty, l.seen_in_report_at, l.in_website, l.enabled,"
        " l.passes_rules, l.has_identifier, l.is_parent, l.facts_at))")).scalar()


def _forget_imports(conn, account_id: int) -> None:
    """The account as it was before its first import: every row of ours for it goes (its
    listings and their history by TRUNCATE: the scenario's database holds this account alone),
    so the next import is a first one again, on a first read of the website."""
    tables = [t for (t,) in conn.execute(text(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
        " ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'"
        " WHERE c.table_schema = DATABASE() AND c.column_name = 'account_id'"
        " AND c.table_name LIKE 'channel\\_amazon\\_%' AND c.table_name <> 'channel_amazon_account'"))]
    conn.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
    try:
        for table in tables:
            if table in ("channel_amazon_listing", "channel_amazon_listing_change"):
                conn.execute(text(f"TRUNCATE TABLE {table}"))
            else:
                conn.execute(text(f"DELETE FROM {table} WHERE account_id = :a"), {"a": account_id})
        conn.commit()
    finally:
        conn.execute(text("SET FOREIGN_KEY_CHECKS = 1"))


def import_match_classify(n: int, repeats: int = 3) -> dict:
    """Listings report of N rows against a catalog of N products: import, match, classify,
    ``repeats`` times from the start (the median run is reported, the LOAD DATA baseline
    the median of as many); then the same again with nothing changed, and after a price
    change in Magento. Each first run has a sandbox of its own (nothing Amazon built for an
    earlier run is reused). The sandbox runs in its own process and the catalog is generated
    in a child, so the peak RSS is the pipeline's own."""
    import datetime as dt
    import statistics

    import redis

    from channel.classification import CycleClassification
    from channel.magento.catalog import CatalogReader
    from channel.matching import match_account, name_prematched, prematch_new_skus
    from sandbox.testing import sandbox_process
    from worker.amazon.factory import client_for
    from worker.sync.importer import ListingsReportImporter

    # A store with N products runs its database with a buffer pool to match (about 4 KB a product).
    stack = Stack(buffer_pool=f"{max(512, n * 4 // 1024)}M")
    seed: Path | None = None
    try:
        _catalog_in_child(stack, n, scheduled=True)
        seed, (baselines, bares) = _report_seed_in_child(stack, n, repeats)
        baseline, bare = statistics.median(baselines), statistics.median(bares)
        account_id, _ = stack.account()
        r = redis.Redis.from_url(stack.redis.url)
        with Session(stack.engine) as session:
            account = session.get(Account, account_id)
            session.expunge(account)

        def pipeline(conn, client) -> dict:
            timings: dict[str, Any] = {}
            start = time.perf_counter()
            reader = CatalogReader.connect(conn)
            now = dt.datetime.utcnow().replace(microsecond=0)
            classification = CycleClassification(reader, account, now)

            def read(c):  # the catalog's facts staged once the report is judged: the wait for a
                # read started ahead, or the read (part of the import's time)
                t = time.perf_counter()
                staged = classification.read(c)
                timings["catalog_read_s"] = time.perf_counter() - t
                return staged

            stats = ListingsReportImporter(
                conn, client, account_id, poll=0.02,
                prematch=lambda c, stage, new: prematch_new_skus(c, reader, account, stage, new),
                name_matches=lambda c, named: name_prematched(c, reader, account, named),
                facts=read, ahead=classification.start).run(now)
            conn.commit()
            timings["import_s"] = time.perf_counter() - start
            t = time.perf_counter()
            match_account(conn, reader, account)
            conn.commit()
            timings["match_s"] = time.perf_counter() - t
            t = time.perf_counter()
            classified = classification.classify(conn)
            conn.commit()
            timings["classify_s"] = time.perf_counter() - t
            timings["workers"], timings["worker_rss"] = classified.workers, classified.worker_peak_rss_mb
            timings["read"] = (f"{classified.products} changed products" if not classified.whole
                               else f"all {classified.products} products ({classified.why})")
            timings["seconds"] = time.perf_counter() - start
            timings["gone"] = stats.gone
            return timings

        firsts: list[dict] = []
        with stack.engine.connect() as conn:
            for k in range(repeats):
                if k:
                    _forget_imports(conn, account_id)
                    r.flushdb()  # the access tokens of the last sandbox
                with sandbox_process(time_scale=1000, throttle=False, seed_file=str(seed)) as sb:
                    client = client_for(account, stack.settings(sb.url), r, rate_scale=1000)
                    time.sleep(1.1)  # a new second: each run's listings are its own
                    firsts.append(pipeline(conn, client))
                    if k < repeats - 1:
                        continue
                    # The last first run goes on: the same again with nothing changed, then after
                    # a price change in Magento.
                    changes = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing_change")).scalar_one()
                    _listing_digest(conn)
                    conn.commit()
                    time.sleep(1.1)  # a new second: an unchanged run must still write nothing
                    second = pipeline(conn, client)
                    written = _rows_changed_since_digest(conn)
                    change_rows = conn.execute(text(
                        "SELECT COUNT(*) FROM channel_amazon_listing_change")).scalar_one() - changes
                    tabs: dict[str, int] = dict(conn.execute(text(
                        "SELECT tab, COUNT(*) FROM channel_amazon_listing GROUP BY tab")).all())
                    conn.execute(text("DROP TABLE bench_digest"))
                    # A merchant changes the price of 1 % of the products (one statement, through
                    # Magento's triggers); the next run reads those.
                    edited = max(1, n // 100)
                    price = CatalogReader.connect(conn).attribute("price").attribute_id
                    t = time.perf_counter()
                    conn.execute(text(
                        "UPDATE catalog_product_entity_decimal SET value = value + 1 WHERE attribute_id = :p"
                        " AND store_id = 0 AND entity_id <= :k"), {"p": price, "k": edited})
                    conn.commit()
                    magento_update_s = time.perf_counter() - t
                    time.sleep(1.1)
                    third = pipeline(conn, client)
                    conn.commit()
                    listing_rows = _listing_rows_baseline(stack)
        # The median first run (the middle one by time), with its parts.
        first = sorted(firsts, key=lambda f: f["seconds"])[(len(firsts) - 1) // 2]
        return {"n": n, "seconds": round(first["seconds"], 2), "rows_per_second": round(n / first["seconds"]),
                **{k: round(v, 2) for k, v in first.items() if k.endswith("_s")},
                "repeats": repeats, "seconds_runs": [round(f["seconds"], 2) for f in firsts],
                "gone_first_run": first["gone"], "tabs": tabs,
                "baseline_load_data_s": round(baseline, 2), "ratio_to_load_data": round(first["seconds"] / baseline, 2),
                "baseline_load_data_runs": [round(b, 2) for b in baselines],
                "baseline_bare_table_s": round(bare, 2), "ratio_to_bare_table": round(first["seconds"] / bare, 1),
                # The same table, loaded with the listing rows as the runs left them.
                "baseline_listing_rows_s": round(listing_rows, 2),
                "ratio_to_listing_rows": round(first["seconds"] / listing_rows, 2),
                "first_run_read": first["read"], "second_run_read": second["read"],
                "second_run_s": round(second["seconds"], 2), "rows_written_second_run": written,
                "change_rows_second_run": change_rows,
                "prices_changed": edited, "magento_update_s": round(magento_update_s, 2),
                "changed_run_s": round(third["seconds"], 2), "changed_run_read": third["read"],
                # Classification's forked processes (one per core on a big website) and the largest
                # peak memory of one; the scenario's own peak is added by the harness.
                "classify_workers": first["workers"],
                "worker_peak_rss_mb": round(max(max(f["worker_rss"] for f in firsts), second["worker_rss"]), 1)}
    finally:
        if seed is not None:  # the seller's listings, made for this scenario
            shutil.rmtree(seed.parent, ignore_errors=True)
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


#: The bridge as docker/supervisord/channel.conf runs it (its timeout aside).
GUNICORN = ("--workers", "2", "--worker-class", "gthread", "--threads", "4")


class GunicornBridge:
    """The bridge under gunicorn in its own processes, as production serves it, so the
    clients timing it do not share its interpreter. Statements are read from the
    database's own counters (``statements``): the workers are other processes."""

    def __init__(self, stack: Stack, settings: Settings, options: tuple[str, ...] = GUNICORN):
        import os
        import socket
        import subprocess
        import sys

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "CHANNEL_DATABASE_URL": stack.url, "CHANNEL_REDIS_URL": stack.redis.url,
               "CHANNEL_BRIDGE_SECRET": str(settings.bridge_secret), "CHANNEL_ENCRYPTION_KEY": stack.key}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.stack = stack
        self.server = subprocess.Popen([gunicorn, "--bind", f"127.0.0.1:{self.port}", *options, "--timeout", "60",
                                        "bridge.wsgi:app"], env=env, stderr=subprocess.PIPE, text=True)
        self.secret = str(settings.bridge_secret)
        for _ in range(600):
            assert self.server.poll() is None, self.server.communicate()[1][-2000:]
            try:
                self.get("/api/v1/health", [], lambda status, body: status == 200)
                break
            except OSError:
                time.sleep(0.1)

    def get(self, path: str, query: list, check: Callable[[int, bytes], bool]) -> float:
        """Milliseconds for one signed GET (every grant) whose answer passes ``check``, on a
        connection of its own, as the Magento module's HTTP client sends each request."""
        import http.client
        from urllib.parse import urlencode

        from bridge.auth import ALL_GRANTS
        from bridge.signing import signed_headers

        headers = signed_headers(self.secret, "GET", path, query, b"", grants=ALL_GRANTS)
        t = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", f"{path}?{urlencode(query)}" if query else path,
                         headers={**headers, "Connection": "close"})
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        elapsed = (time.perf_counter() - t) * 1000
        assert check(resp.status, body), (resp.status, body[:300])
        return elapsed

    def statements(self) -> int:
        """Statements the database has run so far (reads and writes, all connections)."""
        names = ("Com_select", "Com_insert", "Com_update", "Com_delete", "Com_replace", "Com_insert_select")
        with self.stack.engine.connect() as conn:
            rows = conn.execute(text("SHOW GLOBAL STATUS WHERE Variable_name IN :n").bindparams(
                bindparam("n", expanding=True)), {"n": list(names)}).all()
        return sum(int(str(row[1])) for row in rows)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by the bridge (gunicorn and its workers) and the database."""
        import os
        import subprocess

        def used(pid: int) -> float:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return 0.0
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        workers = subprocess.run(["pgrep", "-P", str(self.server.pid)], capture_output=True, text=True).stdout.split()
        database = self.stack.db.proc.pid if self.stack.db.proc else 0
        bridge = sum((used(int(p)) for p in [str(self.server.pid), *workers]), 0.0)
        return {"bridge": bridge, "database": used(database)}

    def stop(self) -> None:
        import signal

        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.communicate(timeout=30)
        except Exception:  # noqa: BLE001 - a server that will not stop is killed
            self.server.kill()
            self.server.wait()


def tab_page(rows: int, requests_per_client: int = 60) -> dict:
    """A 50-row page of a tab with a filter and a sort on N listing rows (pages 1 to 20 by
    number), from the bridge under gunicorn as supervisord runs it: one client, then 16 at
    once; the statements per request from the database's counters; a deep page by cursor;
    a search by SKU prefix and by a name word."""
    import json

    stack = Stack()
    bridge = None
    try:
        stack.catalog(0)
        account_id, settings = stack.account()
        settings = settings.replace(bridge_secret=BENCH_SECRET)
        start = time.perf_counter()
        _fill_listings(stack, account_id, rows)
        fill_s = time.perf_counter() - start
        bridge = GunicornBridge(stack, settings)
        path = f"/api/v1/accounts/{account_id}/listings"
        page = [("tab", "active"), ("reason", "listed_buyable"), ("sort", "-price"), ("per_page", "50")]

        def full(status: int, body: bytes) -> bool:
            return status == 200 and len(json.loads(body)["items"]) == 50

        def one(page_no: int) -> float:
            return bridge.get(path, page + [("page", str(page_no))], full)

        # Every thread of both workers warm (its connection opened, its caches filled) before
        # anything is counted: 16 clients at once, twice, as the measured phase will send them.
        for _ in range(2):
            warm = [threading.Thread(target=one, args=(1 + k,)) for k in range(16)]
            for th in warm:
                th.start()
            for th in warm:
                th.join()
        own = -bridge.statements() + bridge.statements()  # what reading the counters counts
        before = bridge.statements()
        single = [one(1 + i % 20) for i in range(requests_per_client)]
        per_request = (bridge.statements() - before - own) / requests_per_client
        concurrent: list[float] = []
        lock = threading.Lock()

        def client(k):
            mine = [one(1 + (i + k) % 20) for i in range(requests_per_client // 4)]
            with lock:
                concurrent.extend(mine)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
        cpu, client_cpu = bridge.cpu_seconds(), time.process_time()
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        cpu_ms = {k: round((v - cpu[k]) * 1000 / len(concurrent), 2) for k, v in bridge.cpu_seconds().items()}
        cpu_ms["clients"] = round((time.process_time() - client_cpu) * 1000 / len(concurrent), 2)

        # Deep pages: from page 20 on by cursor, each next page from the last one's cursor.
        cursor, deep = None, []
        got: dict = {}

        def keep(status: int, body: bytes) -> bool:
            got.clear()
            got.update(json.loads(body))
            return status == 200 and len(got["items"]) == 50

        for _ in range(41):
            query = page + ([("after", cursor)] if cursor else [("page", "20")])
            ms = bridge.get(path, query, keep)
            if cursor:
                deep.append(ms)
            cursor = got["next_cursor"]
        def found(status: int, body: bytes) -> bool:
            return status == 200 and len(json.loads(body)["items"]) > 0

        # The listing search (the pages' search box): a SKU prefix, a word of the names.
        search_ms = {name: figures([bridge.get("/api/v1/search", [("q", q)], found) for _ in range(40)])
                     for name, q in (("sku_prefix", "MG-00012"), ("name_word", "4242"))}
        # The tab's own filters: a SKU (any part of it) and a word of the names; what the last
        # answer of each said (a part of a SKU on this tab is searched over a window of it).
        answers: dict[str, dict] = {}

        def answered(name: str) -> Callable[[int, bytes], bool]:
            def check(status: int, body: bytes) -> bool:
                got = json.loads(body)
                answers[name] = {k: got.get(k) for k in ("total", "total_exact", "searched")} | {
                    "items": len(got.get("items") or [])}
                return status == 200 and len(got["items"]) > 0
            return check

        filter_ms = {name: figures([bridge.get(path, [("tab", "active"), ("per_page", "50"), q], answered(name))
                                    for _ in range(20)])
                     for name, q in (("sku", ("sku", "MG-00012")), ("name_word", ("name", "4242")))}
        return {"rows": rows, "fill_s": round(fill_s, 1), "queries_per_request": round(per_request, 2),
                "server": "gunicorn " + " ".join(GUNICORN),
                "single_ms": figures(single), "clients16_ms": figures(concurrent),
                "clients16_requests_per_second": round(len(concurrent) / wall, 1),
                "clients16_cpu_ms_per_request": cpu_ms,
                "deep_page_ms": figures(deep), "search_ms": search_ms, "filter_ms": filter_ms,
                "filter_answers": answers}
    finally:
        if bridge is not None:
            bridge.stop()
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


def price_stock_export(k: int) -> dict:
    """K changed offers pushed by the exporter on Amazon's clock: the sandbox in its own
    process shares a clock with the worker (``worker.amazon.clock.SharedClock``), local
    work runs at real speed, rate-limit waits and feed processing pass on the shared
    clock. The figure is the time from the start of the export to Amazon applying the
    last change (the sandbox's ``last_applied``), against the least time Amazon's
    documented limits allow for K changes sent the same way."""
    import redis

    from sandbox.state import PROCESSING_STEP
    from sandbox.state import RATES as AMAZON_RATES
    from sandbox.testing import sandbox_process
    from worker.amazon import feeds, patches
    from worker.amazon.clock import SharedClock
    from worker.amazon.factory import client_for
    from worker.amazon.throttle import PACE
    from worker.sync.exporter import PriceStockExporter

    stack = Stack()
    try:
        stack.catalog(0)
        seed = [{"sku": f"MG-{i:07d}", "asin": f"B0{i:08d}", "price": 1.0, "quantity": 1} for i in range(1, k + 1)]
        r = redis.Redis.from_url(stack.redis.url)
        clock = SharedClock(r)
        processing = 2 * PROCESSING_STEP  # the sandbox processes a feed in two steps of its clock
        with sandbox_process(_seller(seed), shared_clock=stack.redis.url) as sb:
            del seed
            account_id, settings = stack.account(sb.url)
            _fill_listings(stack, account_id, k)
            with stack.engine.begin() as conn:  # all K on Amazon, each with a quantity Amazon does not hold
                conn.execute(text("UPDATE channel_amazon_listing SET tab = 'active', pushed_qty = calc_qty + 1"))
            with Session(stack.engine) as session:
                account = session.get(Account, account_id)
                session.expunge(account)
            client = client_for(account, settings, r, clock=clock, max_throttle_wait=3600)
            with stack.engine.connect() as conn:
                exporter = PriceStockExporter(conn, client, account, feed_wait=24 * 3600, poll=5.0,
                                              feed_latency=processing)
                rows = exporter.changed()
                sizes = [len(b) for b, _ in feeds.documents(SELLER, rows, exporter._message)]
                del rows
                began, real = sb.stats()["now"], time.perf_counter()
                stats = exporter.run()
                real = time.perf_counter() - real
            after = sb.stats()
            held = sb.listings(SELLER) if k <= 10_000 else None
        mode = "feeds" if stats.feeds else "patches"
        if mode == "feeds":
            # The last feed is created when both its buckets allow, then processed.
            last = max(max(0, len(sizes) - AMAZON_RATES[op][1]) / AMAZON_RATES[op][0]
                       for op in ("createFeed", "JSON_LISTINGS_FEED", "createFeedDocument"))
            least = last + processing
        else:
            rate, burst = AMAZON_RATES["patchListingsItem"]
            least = max(0.0, (k - burst) / rate)
        amazon = (after["last_applied"] or after["now"]) - began
        calls = after["calls"]
        sp_calls = sum(v for op, v in calls.items() if op != "lwa_token")
        throttled = sum(after["throttled"].values())
        out = {"k": k, "mode": mode, "feeds": stats.feeds, "feed_sizes": sizes if mode == "feeds" else [],
               "sp_api_calls": sp_calls, "calls": calls, "throttled_calls": throttled,
               "throttled_share": round(throttled / sp_calls, 4) if sp_calls else 0.0,
               "acknowledged": stats.acknowledged + stats.patched, "rejected": stats.rejected,
               "pace": PACE, "in_flight": patches.IN_FLIGHT if mode == "patches" else 1,
               "seconds_real": round(real, 2), "seconds_amazon_time": round(amazon, 1),
               "seconds_amazon_time_to_acknowledged": round(after["now"] - began, 1),
               "least_seconds_rate_limits": round(least, 1),
               "ratio_to_least": round(amazon / least, 3) if least else None}
        if held is not None:
            out["amazon_holds_wanted"] = sum(1 for i in range(1, k + 1)
                                             if held[f"MG-{i:07d}"]["quantity"] == i % 40)
        return out
    finally:
        stack.stop()


#: The worker's rate limits times this for the local-work figures: the slowest operation
#: (searchOrders, one call per 180 s) then allows thousands a second, so no wait is timed.
LOCAL_RATE_SCALE = 1_000_000


def orders_import(n: int) -> dict:
    """N orders imported, mapped and reserved. Local work: the sandbox in its own process
    answering at once (its rate limits off); the seconds of the import and the statements
    it sent (an executemany counts once). Then the same N on Amazon's clock: the sandbox's
    limits on, the worker's waits passing on the clock it shares with the sandbox."""
    import math

    import redis

    from channel.magento.catalog import CatalogReader
    from sandbox.testing import sandbox_process
    from worker.amazon.clock import SharedClock
    from worker.amazon.factory import client_for
    from worker.amazon.throttle import PACE, RATES
    from worker.sync.orders import PAGE_SIZE, OrderImporter

    stack = Stack()
    try:
        stack.catalog(1000)
        orders = [{"items": [{"sku": sample_catalog.product_sku(1 + i % 900), "quantity": 1 + i % 3, "price": "9.99"}]}
                  for i in range(n)]
        r = redis.Redis.from_url(stack.redis.url)
        account_id, settings = stack.account("http://sandbox.invalid")

        def import_all(sandbox_url: str, **client_kwargs) -> dict:
            with stack.engine.begin() as conn:
                conn.execute(text("UPDATE channel_amazon_account SET connected_at = NOW() - INTERVAL 1 DAY,"
                                  " order_cursor = NULL, order_search_token = NULL, order_search_after = NULL"))
            with Session(stack.engine) as session:
                account = session.get(Account, account_id)
                session.expunge(account)
            client = client_for(account, settings.replace(spapi_endpoint=sandbox_url,
                                                          lwa_endpoint=sandbox_url + "/auth/o2/token"),
                                r, **client_kwargs)
            with stack.engine.connect() as conn:
                return OrderImporter(conn, client, account, CatalogReader.connect(conn), vault=Vault(stack.key)).run()

        statements: list[int] = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(1)

        with sandbox_process(_seller(orders=orders), throttle=False) as sb:
            event.listen(stack.engine, "before_cursor_execute", count)
            start = time.perf_counter()
            # Rate limits scaled away on our side too: searchOrders' one call per 180 s times
            # 1000 still slept 0.18 s a page past the burst, which is not local work.
            result = import_all(sb.url, rate_scale=LOCAL_RATE_SCALE)
            elapsed = time.perf_counter() - start
            event.remove(stack.engine, "before_cursor_execute", count)
        with stack.engine.connect() as conn:
            stored = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order")).scalar()
            mapped = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order_item"
                                       " WHERE product_id IS NOT NULL")).scalar()
            ledger = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_reservation")).scalar()
            conn.execute(text("DELETE FROM channel_amazon_order"))  # the same N again, on Amazon's clock
            conn.commit()
        r.flushdb()  # another sandbox: its own access tokens and buckets
        clock = SharedClock(r)
        with sandbox_process(_seller(orders=orders), shared_clock=stack.redis.url) as sb:
            began, real = clock.time(), time.perf_counter()
            again = import_all(sb.url, clock=clock, max_throttle_wait=3600)
            amazon_seconds, amazon_real = clock.time() - began, time.perf_counter() - real
            throttled = sum(sb.stats()["throttled"].values())
        pages = math.ceil(n / PAGE_SIZE)
        rate, burst = RATES["searchOrders"]
        v0_rate, v0_burst = 0.0167, 20  # Orders v0 getOrders, the deprecated search
        return {"orders": n, "imported": result["seen"], "stored": stored, "mapped_items": mapped,
                "reserved_items": result["reserved"], "ledger_rows": ledger, "seconds": round(elapsed, 2),
                "orders_per_second": round(n / elapsed, 1), "statements": len(statements),
                "statements_per_order": round(len(statements) / n, 3), "pages": pages,
                "amazon_clock_seconds": round(amazon_seconds, 1),
                "amazon_clock_hours": round(amazon_seconds / 3600, 2), "amazon_clock_imported": again["seen"],
                "amazon_clock_real_seconds": round(amazon_real, 2), "amazon_clock_throttled_calls": throttled,
                "pace": PACE, "least_seconds_searchOrders": round(max(0, pages - burst) / rate, 1),
                "least_seconds_getOrders_v0": round(max(0, pages - v0_burst) / v0_rate, 1)}
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

        def during(exports: int) -> tuple[list[tuple[int, float]], list[tuple[float, float]], float]:
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


def _fill_orders(stack: Stack, account_id: int, orders: int, listings: int) -> None:
    """N orders set-based as the worker and the module leave them: one to three items on listed
    SKUs, stock held or handed to the Magento order, a Magento order and a confirmed package for
    a quarter, three failed attempts for another quarter, buyer data sealed; and a month of
    communication log (200k rows, one in a hundred naming an order)."""
    import json

    from channel.pii import seal, seal_address

    vault = Vault(stack.key)
    buyer = {"bn": seal(vault, "Jane Buyer"), "be": seal(vault, "jane@example.com"),
             "addr": seal_address(vault, {"name": "Jane Buyer", "addressLine1": "1 Main St", "city": "Seattle",
                                          "postalCode": "98101", "countryCode": "US"})}
    sku = f"CONCAT('MG-', LPAD(1 + (o.order_id * 7919 + k.seq * 104729) % {int(listings)}, 7, '0'))"
    with stack.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, fulfilled_by, purchase_date,"
            " last_update_date, currency, order_total, buyer_name, buyer_email, shipping_address, magento_status,"
            " magento_order_id, magento_increment_id, magento_failure_reason, magento_failure_message)"
            " SELECT :a, CONCAT('111-', LPAD(seq, 7, '0'), '-', LPAD(seq % 9973, 7, '0')),"
            " ELT(1 + seq % 4, 'SHIPPED', 'UNSHIPPED', 'PENDING', 'CANCELLED'), IF(seq % 7 = 0, 'AMAZON', 'MERCHANT'),"
            " NOW() - INTERVAL (seq % 86400) MINUTE, NOW(), 'USD', 10 + seq % 190, :bn, :be, :addr,"
            " ELT(1 + seq % 4, 'created', 'failed', 'pending', 'skipped'), IF(seq % 4 = 0, seq, NULL),"
            " IF(seq % 4 = 0, LPAD(seq, 9, '0'), NULL), IF(seq % 4 = 1, 'out_of_stock', NULL),"
            " IF(seq % 4 = 1, 'The requested qty is not available', NULL) FROM seq_1_to_" + str(int(orders))),
            {"a": account_id, **buyer})
        conn.execute(text(
            "INSERT INTO sales_order (entity_id, state, status, increment_id, store_id, grand_total, order_currency_code)"
            " SELECT magento_order_id, 'processing', 'processing', magento_increment_id, 1, order_total, 'USD'"
            " FROM channel_amazon_order WHERE magento_order_id IS NOT NULL"))
        conn.execute(text(
            "INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku, asin, product_id,"
            f" magento_sku, title, qty_ordered, price) SELECT o.order_id, CONCAT('OI-', o.order_id, '-', k.seq), {sku},"
            f" CONCAT('B0', LPAD(1 + (o.order_id * 7919 + k.seq * 104729) % {int(listings)}, 8, '0')),"
            f" 1 + (o.order_id * 7919 + k.seq * 104729) % {int(listings)}, {sku}, CONCAT('Sample product ', k.seq),"
            " 1 + k.seq % 2, 9.99 + k.seq FROM channel_amazon_order o JOIN seq_1_to_3 k ON k.seq <= 1 + o.order_id % 3"))
        conn.execute(text(
            "INSERT INTO channel_amazon_reservation (item_id, kind, stock_model, stock_id, sku, quantity)"
            " SELECT i.item_id, k.kind, 'legacy', 1, i.magento_sku,"
            " IF(k.kind = 'reserve', -1, 1) * CAST(i.qty_ordered AS SIGNED)"
            " FROM channel_amazon_order_item i JOIN channel_amazon_order o ON o.order_id = i.order_id"
            " JOIN (SELECT 'reserve' AS kind UNION ALL SELECT 'release_created') k"
            "   ON k.kind = 'reserve' OR o.magento_status = 'created'"
            " WHERE o.fulfilled_by = 'MERCHANT' AND o.magento_status IN ('created', 'failed')"))
        conn.execute(text(  # the three attempts of each failed order, as the module reports them
            "UPDATE channel_amazon_order SET magento_attempts = magento_attempts + 1 WHERE magento_status = 'failed'"))
        conn.execute(text(
            "UPDATE channel_amazon_order SET magento_attempts = magento_attempts + 2 WHERE magento_status = 'failed'"))
        conn.execute(text(
            "INSERT INTO channel_amazon_shipment (order_id, magento_shipment_id, package_reference_id, carrier_code,"
            " tracking_number, ship_date, items, status, attempts, sent_at, confirmed_at)"
            " SELECT o.order_id, o.order_id, '1', 'UPS', CONCAT('1Z', LPAD(o.order_id, 12, '0')), NOW(), :items,"
            " 'confirmed', 1, NOW(), NOW() FROM channel_amazon_order o"
            " WHERE o.magento_status = 'created' AND o.fulfilled_by = 'MERCHANT'"),
            {"items": json.dumps([{"orderItemId": "OI-1", "quantity": 1}])})
        conn.execute(text(
            "UPDATE channel_amazon_order SET shipment_status = 'confirmed', shipment_confirmed_at = NOW()"
            " WHERE magento_status = 'created' AND fulfilled_by = 'MERCHANT'"))
        conn.execute(text(
            "INSERT INTO channel_amazon_log (account_id, level, operation, http_status, message, created_at)"
            " SELECT :a, 'error', ELT(1 + seq % 3, 'getOrder', 'confirmShipment', 'patchListingsItem'),"
            " ELT(1 + seq % 3, 429, 400, 500), IF(seq % 100 = 0, CONCAT('Order 111-', LPAD(seq % :n + 1, 7, '0'),"
            " ' could not be read'), 'Request throttled'), NOW() - INTERVAL (seq % 43200) MINUTE"
            " FROM seq_1_to_200000"), {"a": account_id, "n": int(orders)})
        # The statistics a database in service has (InnoDB refreshes them after bulk changes, later).
        for table in ("channel_amazon_listing", "channel_amazon_order", "channel_amazon_order_item",
                      "channel_amazon_reservation", "channel_amazon_shipment", "channel_amazon_order_event",
                      "channel_amazon_log", "sales_order"):
            conn.execute(text(f"ANALYZE TABLE {table}")).all()


def order_page(listings: int, orders: int, requests: int = 200) -> dict:
    """One order's page (items and their products, stock, Magento order, failure, packages,
    timeline, buyer data opened) beside N listings and M orders, single client; and the
    orders list's filtered, sorted page."""
    import random



    stack = Stack()
    try:
        stack.catalog(0)
        account_id, settings = stack.account()
        settings = settings.replace(bridge_secret=BENCH_SECRET)
        start = time.perf_counter()
        _fill_listings(stack, account_id, listings)
        _fill_orders(stack, account_id, orders, listings)
        fill_s = time.perf_counter() - start
        with stack.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT order_id FROM channel_amazon_order"))]
            events = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order_event")).scalar()
        bridge = ServedBridge(settings)
        queries = bridge.queries
        rng = random.Random(7)

        timed = bridge.get

        def page_of(order_id: int) -> float:
            return timed("/fragments/order", [("order_id", str(order_id))],
                         lambda r: "channel-order-timeline" in r.text and "Jane Buyer" in r.text)

        for order_id in ids[:5]:
            page_of(order_id)  # warm
        queries.clear()
        pages = [page_of(rng.choice(ids)) for _ in range(requests)]
        per_request = len(queries) / requests
        api = [timed(f"/api/v1/orders/{rng.choice(ids)}", [], lambda r: "timeline" in r.json())
               for _ in range(requests // 2)]
        deep = min(20, max(1, orders // 400))  # full pages of failed merchant-fulfilled orders
        lists = [timed("/api/v1/orders", [("status", "failed"), ("fulfilled_by", "MERCHANT"), ("sort", "-total"),
                                          ("per_page", "50"), ("page", str(1 + i % deep))],
                       lambda r: len(r.json()["items"]) == 50) for i in range(requests // 2)]
        list_pages = [timed("/fragments/orders", [("page", str(1 + i % 20))],
                            lambda r: r.text.count("channel-order-link") == 50) for i in range(requests // 4)]
        bridge.stop()
        return {"listings": listings, "orders": orders, "order_events": events, "log_rows": 200_000,
                "fill_s": round(fill_s, 1), "requests": requests, "queries_per_request": per_request,
                "p95_ms": round(percentile(pages, 95), 1), "order_page_ms": figures(pages),
                "order_api_ms": figures(api), "list_api_ms": figures(lists), "list_page_ms": figures(list_pages)}
    finally:
        stack.stop()


def product_page(rows: int, products: int = 2000, requests: int = 200) -> dict:
    """One product's page (Magento's data read through the catalog reader, the price, quantity
    and rule traces, the next request, history, the SKU's log and dry-run calls) beside N
    listing rows, 200,000 log lines and 200,000 state changes; single client, without the live
    Amazon fetch (a worker job the page starts on demand)."""
    import random



    stack = Stack()
    try:
        stack.catalog(products)
        account_id, settings = stack.account()
        settings = settings.replace(bridge_secret=BENCH_SECRET)
        start = time.perf_counter()
        _fill_listings(stack, account_id, rows)
        with stack.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO channel_amazon_log (account_id, level, operation, message) SELECT :a, 'error',"
                " 'patchListingsItem', CONCAT('MG-', LPAD(1 + seq % :rows, 7, '0'), ': the value was refused')"
                " FROM seq_1_to_200000"), {"a": account_id, "rows": rows})
            conn.execute(text(
                "INSERT INTO channel_amazon_listing_change (listing_id, account_id, from_tab, to_tab, from_reason,"
                " to_reason) SELECT 1 + seq % :rows, :a, 'ready_to_list', 'active', 'ready', 'listed_buyable'"
                " FROM seq_1_to_200000"), {"a": account_id, "rows": rows})
            conn.execute(text(
                "INSERT INTO channel_amazon_dry_run_call (account_id, operation, method, path, seller_sku, body)"
                " SELECT :a, 'patchListingsItem', 'PATCH', '/listings/2021-08-01/items/S/x',"
                " CONCAT('MG-', LPAD(1 + seq % :rows, 7, '0')), '{}' FROM seq_1_to_50000"),
                {"a": account_id, "rows": rows})
        fill_s = time.perf_counter() - start
        bridge = ServedBridge(settings)
        queries = bridge.queries
        rng = random.Random(7)

        timed = bridge.get

        def page_of(product_id: int) -> float:
            return timed("/fragments/product", [("account_id", str(account_id)), ("product_id", str(product_id))],
                         lambda r: "channel-price-trace" in r.text and "channel-next" in r.text)

        for product_id in range(1, 6):
            page_of(product_id)  # warm
        queries.clear()
        pages = [page_of(rng.randint(1, products)) for _ in range(requests)]
        per_request = len(queries) / requests
        api = [timed(f"/api/v1/accounts/{account_id}/products/{rng.randint(1, products)}", [],
                     lambda r: "trace" in r.json()) for _ in range(requests // 2)]
        search = [timed("/api/v1/search", [("q", f"MG-{rng.randint(1, rows):07d}")],
                        lambda r: len(r.json()["items"]) == 1) for _ in range(requests // 2)]
        bridge.stop()
        return {"rows": rows, "products": products, "log_rows": 200_000, "change_rows": 200_000,
                "dry_run_calls": 50_000, "fill_s": round(fill_s, 1), "requests": requests,
                "queries_per_request": per_request, "p95_ms": round(percentile(pages, 95), 1),
                "page_ms": figures(pages), "api_ms": figures(api), "search_sku_ms": figures(search)}
    finally:
        stack.stop()


def first_sync(n: int) -> dict:
    """A new account's first cycle over a catalog in which at least N products are to be
    listed (the sample catalog's other products are disabled, out of the website or
    without a barcode: about 1.55 products per listed one), that Amazon's catalog knows by
    UPC and the channel by barcode only (no ASIN mapped from Magento): every one of them
    needs an ASIN lookup. Measured on Amazon's clock (the sandbox in its own process, a clock shared with
    the worker, rate limits as documented), from the start of the cycle ("connect") to the
    last publishing feed created, when every ready product has been submitted. The least
    time is what Amazon's limits allow for the same work: the listings report's processing
    (the cycle must know what the seller holds before it publishes), searchCatalogItems at
    2 calls a second (burst 2) of 20 identifiers, and the feeds' submissions (5 per 5
    minutes, burst 5)."""
    import math

    import redis

    from sandbox.state import PROCESSING_STEP
    from sandbox.state import RATES as AMAZON_RATES
    from sandbox.testing import sandbox_process
    from worker.amazon import catalog as amazon_catalog
    from worker.amazon.clock import SharedClock
    from worker.amazon.throttle import PACE
    from worker.sync.cycle import CycleOptions, Synchronizer

    stack = Stack()
    try:
        size = n * 31 // 20
        _catalog_in_child(stack, size)
        known = [{"asin": f"B0{i:08d}", "title": f"Sample product {i}",
                  "identifiers": {"UPC": f"{700000000000 + i:012d}"}} for i in range(1, size + 1)]
        r = redis.Redis.from_url(stack.redis.url)
        clock = SharedClock(r)
        with sandbox_process(_seller(catalog=known), shared_clock=stack.redis.url) as sb:
            del known
            account_id, settings = stack.account(sb.url, auto_publish=True)
            with Session(stack.engine) as session:  # barcodes only: every ASIN is looked up
                account = session.get_one(Account, account_id)
                account.identifier_mapping = {"seller_sku": "sku", "upc": "upc"}
                session.commit()
            marks: dict[str, float] = {}

            def progress(step: str, done: int = 0, total: int = 0) -> None:
                if step in ("asin_lookup", "publish") and total and done == total:
                    marks[step] = sb.stats()["now"]

            options = CycleOptions(poll=5.0, lock_ttl=3600,
                                   client_kwargs={"clock": clock, "max_throttle_wait": 3600})
            began, real = sb.stats()["now"], time.perf_counter()
            summary = Synchronizer(stack.engine, r, settings, account_id, options, progress=progress).run()
            real = time.perf_counter() - real
            after = sb.stats()
            with stack.engine.connect() as conn:
                states: dict[str, int] = dict(conn.execute(text(
                    "SELECT CONCAT(tab, '/', reason), COUNT(*) FROM channel_amazon_listing GROUP BY tab, reason")).all())
                submitted = conn.execute(text(
                    "SELECT COUNT(*) FROM channel_amazon_listing WHERE submitted_at IS NOT NULL")).scalar_one()
                ready_left = conn.execute(text(
                    "SELECT COUNT(*) FROM channel_amazon_listing WHERE asin IS NOT NULL AND submitted_at IS NULL"
                    " AND reason = 'publish_queued'")).scalar_one()
                feeds_made = conn.execute(text(
                    "SELECT COUNT(*) FROM channel_amazon_feed WHERE kind = 'publish'")).scalar_one()
        calls = after["calls"]
        lookup_calls = calls.get("searchCatalogItems", 0)
        rate, burst = AMAZON_RATES["searchCatalogItems"]
        least_lookups = max(0, math.ceil(summary.get("asins_looked_up", 0) / amazon_catalog.MAX_IDENTIFIERS)
                            - burst) / rate
        least_feeds = max(max(0, feeds_made - AMAZON_RATES[op][1]) / AMAZON_RATES[op][0]
                          for op in ("createFeed", "JSON_LISTINGS_FEED", "createFeedDocument"))
        least_report = 2 * PROCESSING_STEP  # the sandbox processes a report in two steps of its clock
        least = least_report + least_lookups + least_feeds
        amazon = marks.get("publish", after["now"]) - began
        throttled = sum(after["throttled"].values())
        return {"products": summary.get("asins_looked_up", 0), "catalog_products": size,
                "looked_up": summary.get("asins_looked_up", 0), "submitted": submitted,
                "ready_not_submitted": ready_left, "publish_feeds": feeds_made,
                "search_calls": lookup_calls, "identifiers_per_call": round(summary.get("asins_looked_up", 0)
                                                                            / lookup_calls, 2) if lookup_calls else 0,
                "calls": calls, "throttled_calls": throttled, "pace": PACE,
                "steps": {k: v["status"] for k, v in summary.get("steps", {}).items()},
                "states": states, "seconds_real": round(real, 1),
                "seconds_amazon_time_lookups_done": round(marks.get("asin_lookup", after["now"]) - began, 1),
                "seconds_amazon_time": round(amazon, 1),
                "least_seconds_report": least_report, "least_seconds_lookups": round(least_lookups, 1),
                "least_seconds_feeds": round(least_feeds, 1), "least_seconds_rate_limits": round(least, 1),
                "ratio_to_least": round(amazon / least, 3) if least else None}
    finally:
        stack.stop()


def new_asin_validation(n: int) -> dict:
    """Products of a generated Magento catalog read, built into a product type's attributes
    through an attribute mapping and validated against its schema, as the new-ASIN check
    does: ``products_per_second`` for the whole; the validation alone beside it."""
    import json as _json

    from channel import payloads, product_types
    from channel.magento.catalog import CatalogReader
    from channel.new_asin import AttributeBuilder, MappingRow
    from sandbox import product_types as sandbox_types

    stack = Stack()
    try:
        stack.catalog(n)
        raw = sandbox_types.document("HOME")
        assert raw is not None
        schema = product_types.from_document("HOME", MARKET, "en_US", sandbox_types.VERSION, "Home", _json.loads(raw),
                                             sandbox_types.checksum(raw))
        mapping = [MappingRow("item_name", "attribute", "name"), MappingRow("brand", "attribute", "manufacturer"),
                   MappingRow("product_description", "attribute", "description"),
                   MappingRow("bullet_point", "template", "{{name}} in {{color}}"),
                   MappingRow("color", "attribute", "color"), MappingRow("item_type_keyword", "fixed", "Cushions"),
                   MappingRow("externally_assigned_product_identifier.type", "fixed", "ean"),
                   MappingRow("externally_assigned_product_identifier.value", "attribute", "ean")]
        builder = AttributeBuilder(schema, mapping, MARKET)
        schema.is_valid({})  # compiled once, as the worker keeps it per schema version
        built: list[dict] = []
        valid = 0
        by_attribute: dict[str, int] = {}
        start = time.perf_counter()
        with stack.engine.connect() as conn:
            reader = CatalogReader.connect(conn)
            for batch in reader.iter_batches(1, attributes=builder.codes(), optional=builder.codes(),
                                             in_website_only=False):
                for product in batch:
                    attrs = builder.build(product.attributes)
                    price = product.attributes.get("price")
                    attrs.update(payloads.offer_attributes(MARKET, "USD", price=price, quantity=5, condition="new_new"))
                    problems = schema.problems(attrs)
                    valid += not problems
                    for p in problems:
                        by_attribute[p.attribute] = by_attribute.get(p.attribute, 0) + 1
                    built.append(attrs)
        seconds = time.perf_counter() - start
        t = time.perf_counter()
        for attrs in built:
            schema.problems(attrs)
        validate_s = time.perf_counter() - t
        return {"products": len(built), "valid": valid, "invalid": len(built) - valid,
                "problems_by_attribute": by_attribute, "seconds": round(seconds, 2),
                "products_per_second": round(len(built) / seconds), "validate_only_s": round(validate_s, 2),
                "validate_only_products_per_second": round(len(built) / validate_s)}
    finally:
        stack.stop()
