"""``make demo``: the whole product on its embedded defaults, on this machine only.

Starts a private MariaDB and Redis, builds a Magento-shaped database with a sample
catalog, applies our migrations, starts the sandbox marketplace with a seller that
already has listings, connects a demo account to it, starts the workers and the cron
tick, runs a first sync, then starts the bridge in standalone mode and prints the
one-time URL of the admin. Every part runs as its own process, exactly as in
production; Ctrl-C stops them all.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from channel.localservices import MariaDB, Redis, free_port

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEMO_DB = "magento"
DEMO_SECRET = "demo-bridge-secret-7c3f9a1e5b8d2046"
DEMO_SELLER = "A2DEMOSELLER01"
DEMO_MARKETPLACE = "ATVPDKIKX0DER"
DEMO_CLIENT_ID = "amzn1.application-oa2-client.demo"
DEMO_CLIENT_SECRET = "amzn1.oa2-cs.v1.demo-secret"
DEMO_REFRESH_TOKEN = "Atzr|demo-refresh-token"
#: The sandbox's clock and rate limits run this much faster than Amazon's, so approvals,
#: reports and feeds take seconds in the demo.
TIME_SCALE = 30


class Processes:
    """Child processes started by the demo, stopped in reverse order."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.started.append((name, proc))
        return proc

    def check(self) -> None:
        for name, proc in self.started:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.log_dir / (name + '.log')}")

    def stop(self) -> None:
        for _name, proc in reversed(self.started):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _name, proc in reversed(self.started):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_http(url: str, timeout: float = 30.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


def seed_sandbox(path: Path, products: int) -> None:
    """A seller whose catalog knows most sample products and lists a third of them."""
    from channel.magento.fixture import product_sku

    asins, listings = [], []
    for eid in range(1, products + 1):
        asin = f"B0{eid:08d}"
        asins.append({"asin": asin, "title": f"Sample product {eid}",
                      "identifiers": {"UPC": f"{700000000000 + eid:012d}", "EAN": f"{4000000000000 + eid:013d}"}})
        if eid % 3 == 0 and eid % 5:
            listings.append({"sku": product_sku(eid), "asin": asin, "price": 19.99, "quantity": 5,
                             "status": "BUYABLE"})
    for n in range(1, 6):
        listings.append({"sku": f"LEGACY-{n:03d}", "asin": f"B0LEGACY{n:02d}", "price": 9.5, "quantity": 1,
                         "status": "BUYABLE"})
    orders = [{"items": [{"sku": product_sku(eid), "quantity": 1 + eid % 3, "price": "19.99"}],
               "status": "UNSHIPPED" if eid % 4 else "SHIPPED"} for eid in range(3, min(products, 60), 9) if eid % 5]
    path.write_text(json.dumps({
        "sellers": [{"seller_id": DEMO_SELLER, "marketplaces": [DEMO_MARKETPLACE],
                     "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
                     "refresh_token": DEMO_REFRESH_TOKEN, "catalog": asins, "listings": listings,
                     "orders": orders}],
    }))


def sample_history(engine, account_id: int, days: int = 30) -> None:
    """Thirty days of sample snapshots before today, so the demo's charts have a past."""
    import random
    from datetime import date, timedelta

    from sqlalchemy import text

    rnd = random.Random(account_id)
    rows = []
    active = 200
    for n in range(days, 0, -1):
        active += rnd.randint(0, 25)
        orders = rnd.randint(2, 14)
        rows.append({"a": account_id, "d": date.today() - timedelta(days=n), "o": orders, "u": orders + rnd.randint(0, 6),
                     "r": round(orders * rnd.uniform(18, 32), 2),
                     "c": json.dumps({"active": active, "ready_to_list": rnd.randint(40, 90), "incomplete": 300 - n,
                                      "inactive": rnd.randint(3, 12), "ineligible": rnd.randint(10, 30),
                                      "new_third_party": 5})})
    with engine.begin() as conn:
        conn.execute(text("INSERT IGNORE INTO channel_amazon_trend (account_id, day, tab_counts, orders, units, revenue)"
                          " VALUES (:a, :d, :c, :o, :u, :r)"), rows)


def create_account(engine, settings) -> int:
    from sqlalchemy.orm import Session

    from channel.crypto import Vault
    from channel.models import Account

    vault = Vault(settings.encryption_key)
    with Session(engine) as session:
        acc = Account(name="Demo US store", region="na", marketplace_id=DEMO_MARKETPLACE, seller_id=DEMO_SELLER,
                      lwa_client_id=DEMO_CLIENT_ID, website_id=1, lwa_client_secret_enc="", refresh_token_enc="")
        acc.set_credentials(vault, client_secret=DEMO_CLIENT_SECRET, refresh_token=DEMO_REFRESH_TOKEN)
        acc.identifier_mapping = {"seller_sku": "sku", "asin": "amazon_asin", "upc": "upc", "ean": "ean"}
        acc.settings = {"auto_publish": True}
        session.add(acc)
        session.commit()
        return acc.account_id


def run_demo(products: int = 2000, keep: bool = False, wait: bool = True) -> int:
    from channel.crypto import new_key
    from channel.db import make_engine
    from channel.magento import fixture
    from channel.migrations import upgrade
    from channel.settings import Settings

    base = ROOT / ".var" / "demo"
    if base.exists() and not keep:
        shutil.rmtree(base)
    (base / "logs").mkdir(parents=True, exist_ok=True)
    procs = Processes(base / "logs")
    db = rds = None
    try:
        db = MariaDB(base / "mariadb").start()
        rds = Redis(base / "redis").start()
        print(f"MariaDB  {db.socket} (port {db.port})")
        print(f"Redis    {rds.url}")
        db.create_database(DEMO_DB)
        conn = db.connect(DEMO_DB)
        started = time.monotonic()
        fixture.build(conn, products)
        conn.close()
        print(f"Magento  sample catalog of {products} products in {time.monotonic() - started:.1f}s")
        sandbox_port, bridge_port = free_port(), free_port()
        settings = Settings(
            database_url=db.url(DEMO_DB), redis_url=rds.url, encryption_key=new_key(),
            bridge_secret=DEMO_SECRET, bridge_port=bridge_port, standalone=True,
            spapi_endpoint=f"http://127.0.0.1:{sandbox_port}", lwa_endpoint=f"http://127.0.0.1:{sandbox_port}/auth/o2/token")
        engine = make_engine(settings.database_url, settings.table_prefix)
        upgrade(engine)
        env = dict(os.environ, CHANNEL_DATABASE_URL=settings.database_url, CHANNEL_REDIS_URL=settings.redis_url,
                   CHANNEL_ENCRYPTION_KEY=str(settings.encryption_key), CHANNEL_BRIDGE_SECRET=DEMO_SECRET,
                   CHANNEL_BRIDGE_PORT=str(bridge_port), CHANNEL_STANDALONE="1",
                   CHANNEL_SPAPI_ENDPOINT=settings.spapi_endpoint, CHANNEL_LWA_ENDPOINT=settings.lwa_endpoint,
                   CHANNEL_SANDBOX_TIME_SCALE=str(TIME_SCALE))
        seed = base / "sandbox-seed.json"
        seed_sandbox(seed, products)
        py = sys.executable
        procs.start("sandbox", [py, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(sandbox_port),
                                "--seed", str(seed), "--time-scale", str(TIME_SCALE)], env)
        wait_http(f"http://127.0.0.1:{sandbox_port}/")
        print(f"Sandbox  http://127.0.0.1:{sandbox_port} (SP-API marketplace, seller {DEMO_SELLER})")
        account_id = create_account(engine, settings)
        sample_history(engine, account_id)
        for n in range(2):
            procs.start(f"worker-{n}", [py, "-m", "worker"], env)
        procs.start("cron", [py, "-m", "worker.schedule"], env)
        print("Workers  2 RQ workers and the cron tick")
        first_sync(settings, account_id)
        procs.start("bridge", [py, "-m", "bridge", "--standalone"], env)
        wait_http(f"http://127.0.0.1:{bridge_port}/")
        url = standalone_url(settings, base / "logs" / "bridge.log")
        print(f"\nOpen the admin: {url}\n(logs in {base / 'logs'}; Ctrl-C stops everything)")
        while wait:
            procs.check()
            time.sleep(1)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        procs.stop()
        if rds:
            rds.stop()
        if db:
            db.stop()


def first_sync(settings, account_id: int, timeout: float = 300) -> None:
    """Enqueue the first cycle and wait for it, printing its progress."""
    import redis
    from rq.job import Job

    from channel.jobs import enqueue_sync

    conn = redis.Redis.from_url(settings.redis_url)
    job_id = enqueue_sync(conn, account_id, reason="demo")
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        job = Job.fetch(job_id, connection=conn)
        meta = job.get_meta(refresh=True) if hasattr(job, "get_meta") else job.meta
        shown = (meta.get("step"), meta.get("done"), meta.get("total"))
        if shown != last and shown[0]:
            print(f"Sync     {shown[0]} {shown[1] or 0}/{shown[2] or '?'}")
            last = shown
        status = job.get_status(refresh=True)
        status = getattr(status, "value", status)
        if status in ("finished", "failed", "stopped", "canceled"):
            print(f"Sync     first cycle {status}")
            return
        time.sleep(0.5)
    print("Sync     still running; the admin shows its progress")


def standalone_url(settings, log_file: Path, timeout: float = 20) -> str:
    """The one-time URL the bridge prints when it starts in standalone mode."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log_file.exists():
            for line in log_file.read_text(errors="replace").splitlines():
                if "http://127.0.0.1" in line and "token=" in line:
                    return line[line.index("http://"):].split()[0]
        time.sleep(0.2)
    return f"http://127.0.0.1:{settings.bridge_port}/"
