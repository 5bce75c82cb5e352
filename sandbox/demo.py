"""``make demo`` (``python -m sandbox.demo [-n 20000] [--keep] [--no-wait]``): the whole
product on its embedded defaults, on this machine only.

Starts a private MariaDB and Redis, builds a Magento-shaped database with a sample
catalog, applies our migrations, starts the sandbox marketplace with a seller that
already has listings, connects a demo account to it, starts the workers and the cron
tick, runs a first sync, then starts the bridge in standalone mode and prints the
admin's login link. Every part runs as its own process, exactly as in production.

Each demo claims a directory of its own under ``.var`` (``demo``, ``demo-2``...) and
free ports, so two demos side by side share nothing, not even their login cookie.
Ctrl-C (or SIGTERM) stops the parts in order and exits 0; the parts run in sessions of
their own, so the terminal's Ctrl-C reaches the demo alone, and the demo takes the
terminal's foreground so ``make`` above it does not report an interruption. Without
``--keep`` the data is removed at the end (the logs stay) and unused demo directories
are cleaned at the next start; with ``--keep`` the database, the encryption key and the
login link are kept and the next ``--keep`` start reuses them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sandbox.localservices import MariaDB, Redis, Sqs, free_port

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEMO_DB = "magento"
DEMO_SECRET = "demo-bridge-secret-7c3f9a1e5b8d2046"
DEMO_SELLER = "A2DEMOSELLER01"
DEMO_NEW_SELLER = "A2DEMOSELLER02"
DEMO_MARKETPLACE = "ATVPDKIKX0DER"
DEMO_CLIENT_ID = "amzn1.application-oa2-client.demo"
DEMO_CLIENT_SECRET = "amzn1.oa2-cs.v1.demo-secret"
DEMO_REFRESH_TOKEN = "Atzr|demo-refresh-token"
#: The sandbox's clock and rate limits run this much faster than Amazon's, so approvals,
#: reports and feeds take seconds in the demo.
TIME_SCALE = 30
#: Seconds the printed login link, and the session it opens, stay valid.
LOGIN_LIFETIME = 12 * 3600
#: A kept login link shorter-lived than this is replaced at start.
LOGIN_MIN_LEFT = 3600
#: Demo directories tried under .var before giving up.
MAX_SLOTS = 20
PID_FILE = "demo.pid"
STATE_FILE = "demo.json"
#: What only a running or kept demo needs; the logs are not in it and stay.
DATA = ("mariadb", "redis", "sandbox-seed.json", STATE_FILE)
#: The demo's variation family: a configurable T-shirt (``sandbox.catalog.add_configurable_family``,
#: six children by size and color) after the sample products, created on Amazon as a SHIRT
#: family by the sync cycle's new-ASIN step through this mapping and rule.
FAMILY_PRODUCT_TYPE = "SHIRT"
FAMILY_MAPPING = (
    {"amazon_attribute": "item_name", "source": "attribute", "value": "name"},
    {"amazon_attribute": "brand", "source": "attribute", "value": "manufacturer"},
    {"amazon_attribute": "product_description", "source": "attribute", "value": "description"},
    {"amazon_attribute": "bullet_point", "source": "template", "value": "{{name}} - {{color}}"},
    {"amazon_attribute": "department", "source": "fixed", "value": "Unisex Adult"},
    {"amazon_attribute": "color", "source": "attribute", "value": "color"},
    {"amazon_attribute": "size", "source": "attribute", "value": "size"},
    {"amazon_attribute": "externally_assigned_product_identifier.type", "source": "fixed", "value": "ean"},
    {"amazon_attribute": "externally_assigned_product_identifier.value", "source": "attribute", "value": "ean"},
)


class Processes:
    """Child processes started by the demo, stopped in reverse order."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        # A session of its own: the terminal's Ctrl-C reaches the demo, which stops it in order.
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                start_new_session=True)
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
    from sandbox.catalog import product_sku

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
                     "orders": orders},
                    # Not connected yet: for trying "Authorize with Amazon" (same app, as a public app is).
                    {"seller_id": DEMO_NEW_SELLER, "marketplaces": [DEMO_MARKETPLACE, "A2EUQ1WTGCTBG2"],
                     "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
                     "refresh_token": "Atzr|demo-refresh-token-2"}],
    }))


def build_catalog(conn, products: int):
    """The sample catalog of ``products`` and the configurable family after them (entity
    ``products + 1``, children at the next six ids), with the channel's indexer in Update
    by Schedule (as Magento 2.4.8 installs set their indexers); returns the Magento schema."""
    from sandbox import catalog, mview

    schema = catalog.build(conn, products)
    catalog.add_configurable_family(conn, schema, products + 1)
    mview.schedule(conn, schema)
    return schema


def choose_family(engine, account_id: int) -> None:
    """The attribute mapping of ``FAMILY_PRODUCT_TYPE`` and a new-ASIN rule choosing the
    family's configurable product: the first sync sends the family, a later one gets its ASINs."""
    from channel import new_asin
    from sandbox.catalog import FAMILY_PARENT_SKU

    with engine.begin() as conn:
        new_asin.save_mapping(conn, account_id, FAMILY_PRODUCT_TYPE, new_asin.parse_mapping(FAMILY_MAPPING))
        new_asin.save_rule(conn, account_id, FAMILY_PRODUCT_TYPE, {
            "type": "combine", "aggregator": "all", "value": True, "conditions": [
                {"type": "attribute", "attribute": "sku", "operator": "==", "value": FAMILY_PARENT_SKU}]})


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


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return None


@dataclasses.dataclass(frozen=True)
class DemoSlot:
    """One demo's directory under .var, claimed by the demo's pid."""

    base: Path
    number: int

    @property
    def cookie_name(self) -> str:
        return f"channel_demo_{self.number}"


def slot_dir(var: Path, number: int) -> Path:
    return var / ("demo" if number == 1 else f"demo-{number}")


def in_use(base: Path) -> bool:
    """A demo runs there: its pid file names a live process, or its MariaDB still runs."""
    return _alive(_pid_in(base / PID_FILE)) or _alive(_pid_in(base / "mariadb" / "mysqld.pid"))


def claim_slot(var: Path, pid: int | None = None) -> DemoSlot:
    """The first demo directory no running demo uses, claimed (O_EXCL) with our pid."""
    pid = pid or os.getpid()
    for number in range(1, MAX_SLOTS + 1):
        base = slot_dir(var, number)
        if in_use(base):
            continue
        base.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            (base / PID_FILE).unlink()  # a stale claim: its process is gone
        try:
            fd = os.open(base / PID_FILE, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue  # another demo claimed it between our look and our claim
        with os.fdopen(fd, "w") as f:
            f.write(str(pid))
        return DemoSlot(base, number)
    raise RuntimeError(f"{MAX_SLOTS} demos already run from {var}; stop one first")


def release_slot(slot: DemoSlot, pid: int | None = None) -> None:
    if _pid_in(slot.base / PID_FILE) == (pid or os.getpid()):
        (slot.base / PID_FILE).unlink()


def port_free(port: int | None) -> bool:
    if not port:
        return False
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def load_state(base: Path) -> dict:
    try:
        return json.loads((base / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def save_state(base: Path, state: dict) -> None:
    path = base / STATE_FILE
    path.write_text(json.dumps(state, indent=2))
    path.chmod(0o600)  # it holds the demo's encryption key and login token


def clean_var(var: Path, ours: DemoSlot) -> list[Path]:
    """Remove demo directories nobody runs and nobody kept; the paths removed."""
    removed = []
    for path in sorted(var.glob("demo*")):
        if not path.is_dir() or path == ours.base or in_use(path) or load_state(path).get("keep"):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def drop_data(base: Path) -> None:
    """What a demo without --keep leaves behind: its logs only."""
    for name in DATA:
        path = base / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def login(state: dict, now: float | None = None) -> dict:
    """The login link's token and expiry, and the session id, kept while still good."""
    now = time.time() if now is None else now
    if not state.get("login_token") or state.get("login_expires", 0) - now < LOGIN_MIN_LEFT:
        state["login_token"] = secrets.token_urlsafe(24)
        state["login_expires"] = int(now + LOGIN_LIFETIME)
    state.setdefault("session", secrets.token_hex(16))
    return state


class Stop(Exception):
    """Ctrl-C or SIGTERM: stop every part in order."""


def _stop(signum, _frame):
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C while stopping changes nothing
    raise Stop(signal.Signals(signum).name)


@contextlib.contextmanager
def stopped_by_signals():
    """SIGINT and SIGTERM end the block with ``Stop`` (no traceback); handlers restored after."""
    old = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def terminal_foreground():
    """Make the demo the terminal's foreground process group while it runs, so a Ctrl-C
    reaches the demo alone: ``make`` above it then sees a clean exit, not an interruption.
    Without a terminal (CI, tests) nothing changes. The terminal goes back on exit."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        yield
        return
    previous = None
    try:
        previous = os.tcgetpgrp(fd)
        if os.getsid(0) != os.getpid():  # a session leader cannot move to a new group
            os.setpgid(0, 0)
        _set_foreground(fd, os.getpgrp())
    except OSError:
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            with contextlib.suppress(OSError):
                _set_foreground(fd, previous)
        os.close(fd)


def _set_foreground(fd: int, pgrp: int) -> None:
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may not otherwise
    try:
        os.tcsetpgrp(fd, pgrp)
    finally:
        signal.signal(signal.SIGTTOU, old)


def run_demo(products: int = 2000, keep: bool = False, wait: bool = True, var: Path | None = None) -> int:
    """Run the demo until Ctrl-C; 0 when it stopped as asked, 1 when a part failed."""
    with stopped_by_signals(), terminal_foreground():
        try:
            slot = claim_slot(var or ROOT / ".var")
        except Stop:
            return 0
        try:
            return _run(slot, products, keep, wait)
        except Stop:  # between two steps of the start, before _run could catch it
            return 0
        finally:
            if not keep:
                drop_data(slot.base)
            release_slot(slot)


def _run(slot: DemoSlot, products: int, keep: bool, wait: bool) -> int:
    from channel import notifications
    from channel.crypto import new_key
    from channel.db import make_engine
    from channel.migrations import upgrade
    from channel.settings import Settings

    base = slot.base
    for removed in clean_var(base.parent, slot):
        print(f"Cleaned  {removed} (an earlier demo's, not kept)")
    state = load_state(base) if keep else {}
    reuse = bool(keep and state.get("products") == products and state.get("account_id")
                 and (base / "mariadb" / "data" / DEMO_DB).is_dir())
    if not reuse:
        drop_data(base)
        state = {}
    state.update(keep=keep, products=products)
    state.setdefault("encryption_key", new_key())
    login(state)
    (base / "logs").mkdir(parents=True, exist_ok=True)
    procs = Processes(base / "logs")
    db = rds = sqs = None
    print(f"Demo     {base}" + (" (kept data)" if reuse else ""))
    try:
        db = MariaDB(base / "mariadb", own_session=True).start()
        rds = Redis(base / "redis", own_session=True).start()
        sqs = Sqs(base / "sqs", own_session=True).start()
        queue_url, queue_arn = sqs.create_queue("channel-notifications")
        print(f"MariaDB  {db.socket} (port {db.port})")
        print(f"Redis    {rds.url}")
        print(f"SQS      {sqs.url} (moto; Amazon's notifications arrive in {queue_arn})")
        if not reuse:
            db.create_database(DEMO_DB)
            conn = db.connect(DEMO_DB)
            started = time.monotonic()
            build_catalog(conn, products)
            conn.close()
            print(f"Magento  sample catalog of {products} products and a configurable T-shirt in"
                  f" {time.monotonic() - started:.1f}s")
        else:
            print(f"Magento  sample catalog of {products} products, kept")
        sandbox_port = free_port()
        # A kept demo keeps its bridge port when it can, so a bookmarked login link still works.
        bridge_port = state["bridge_port"] if port_free(state.get("bridge_port")) else free_port()
        state["bridge_port"] = bridge_port
        settings = Settings(
            database_url=db.url(DEMO_DB), redis_url=rds.url, encryption_key=state["encryption_key"],
            bridge_secret=DEMO_SECRET, bridge_port=bridge_port, standalone=True,
            spapi_endpoint=f"http://127.0.0.1:{sandbox_port}", lwa_endpoint=f"http://127.0.0.1:{sandbox_port}/auth/o2/token",
            sqs_endpoint=sqs.url)
        engine = make_engine(settings.database_url, settings.table_prefix)
        upgrade(engine)
        env = dict(os.environ, CHANNEL_DATABASE_URL=settings.database_url, CHANNEL_REDIS_URL=settings.redis_url,
                   CHANNEL_ENCRYPTION_KEY=str(settings.encryption_key), CHANNEL_BRIDGE_SECRET=DEMO_SECRET,
                   CHANNEL_BRIDGE_PORT=str(bridge_port), CHANNEL_STANDALONE="1",
                   CHANNEL_SPAPI_ENDPOINT=settings.spapi_endpoint, CHANNEL_LWA_ENDPOINT=settings.lwa_endpoint,
                   CHANNEL_SANDBOX_TIME_SCALE=str(TIME_SCALE), CHANNEL_DEMO_LOGIN_TOKEN=state["login_token"],
                   CHANNEL_DEMO_LOGIN_EXPIRES=str(state["login_expires"]), CHANNEL_DEMO_SESSION=state["session"],
                   CHANNEL_DEMO_COOKIE=slot.cookie_name, CHANNEL_SQS_ENDPOINT=sqs.url)
        seed = base / "sandbox-seed.json"
        seed_sandbox(seed, products)
        py = sys.executable
        procs.start("sandbox", [py, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(sandbox_port),
                                "--seed", str(seed), "--time-scale", str(TIME_SCALE), "--sqs-endpoint", sqs.url], env)
        wait_http(f"http://127.0.0.1:{sandbox_port}/")
        print(f"Sandbox  http://127.0.0.1:{sandbox_port} (SP-API marketplace, seller {DEMO_SELLER})")
        if not reuse:
            state["account_id"] = create_account(engine, settings)
            sample_history(engine, state["account_id"])
            choose_family(engine, state["account_id"])
        with engine.begin() as channel_conn:  # the demo account takes Amazon's notifications (the worker subscribes it)
            notifications.configure(channel_conn, state["account_id"], True, queue_arn, queue_url)
        engine.dispose()
        save_state(base, state)
        for n in range(2):
            procs.start(f"worker-{n}", [py, "-m", "worker"], env)
        procs.start("cron", [py, "-m", "worker.schedule"], env)
        procs.start("notifications", [py, "-m", "worker.notifications", "--wait", "1"], env)
        print("Workers  2 RQ workers, the cron tick and the notifications reader")
        print(f"Connect  'Authorize with Amazon' goes through the sandbox's consent page: sign in as"
              f" {DEMO_NEW_SELLER}; app client id {DEMO_CLIENT_ID}, client secret {DEMO_CLIENT_SECRET}")
        first_sync(settings, state["account_id"])
        procs.start("bridge", [py, "-m", "sandbox.demo_server"], env)
        wait_http(f"http://127.0.0.1:{bridge_port}/")
        url = f"http://127.0.0.1:{bridge_port}/ui/login?token={state['login_token']}"
        until = time.strftime("%Y-%m-%d %H:%M", time.localtime(state["login_expires"]))
        print(f"\nOpen the admin: {url}\n(the link works until {until}; logs in {base / 'logs'};"
              f" Ctrl-C stops everything{'' if keep else ' and removes the demo data'})", flush=True)
        while wait:
            procs.check()
            time.sleep(1)
        return 0
    except Stop:
        print("\nStopping the demo...", flush=True)
        return 0
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"\nThe demo stopped: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # the parts are stopped whatever comes now
        procs.stop()
        if sqs:
            sqs.stop()
        if rds:
            rds.stop()
        if db:
            db.stop()
        print("Demo     stopped" + (f"; data kept in {base} for the next --keep start" if keep else ""), flush=True)


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


def _positive(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox.demo",
                                     description="Run the whole product on private services.")
    parser.add_argument("-n", "--products", type=_positive, default=2000, help="sample catalog size")
    parser.add_argument("--keep", action="store_true",
                        help="keep the demo's database, key and login link; the next --keep start reuses them")
    parser.add_argument("--no-wait", action="store_true", help="start, sync once, print, stop")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return run_demo(products=args.products, keep=args.keep, wait=not args.no_wait)


if __name__ == "__main__":
    sys.exit(main())
