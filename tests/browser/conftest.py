"""A synced dataset behind the standalone admin, served on loopback, and one Chromium."""

import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from channel.crypto import Vault, new_key
from channel.models import Account
from channel.settings import Settings
from harness import MagentoDb
from sandbox.testing import running_sandbox
from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, MARKETPLACE, REFRESH_TOKEN, SELLER, seller_seed

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (make deps installs it)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def stack(mariadb, make_database, redis_server, redis_client, monkeypatch):
    """Magento catalog + sandbox seller + account + one synced cycle + standalone bridge."""
    from bridge import create_app
    from bridge.auth import standalone_url
    from worker import runtime
    from worker.sync.cycle import CycleOptions, Synchronizer

    db = MagentoDb(mariadb, make_database("ui"), "opensource", "", products=120).migrate()
    catalog = [{"asin": f"B0{i:08d}", "identifiers": {"UPC": f"{700000000000 + i:012d}"}} for i in range(1, 121)]
    listings = [{"sku": f"MG-{i:07d}", "asin": f"B0{i:08d}", "price": 9.0, "quantity": 2} for i in (1, 2, 4, 6, 7)]
    with running_sandbox(seller_seed(listings=listings, catalog=catalog), time_scale=200) as sb:
        key = new_key()
        settings = Settings(database_url=db.url, redis_url=redis_server.url, encryption_key=key,
                            bridge_secret="browser-secret-5d1e8c3a9f7b2046c8e1d4a7", standalone=True, spapi_endpoint=sb.url,
                            lwa_endpoint=sb.lwa_url)
        for name, value in (("DATABASE_URL", db.url), ("REDIS_URL", redis_server.url), ("ENCRYPTION_KEY", key),
                            ("SPAPI_ENDPOINT", sb.url), ("LWA_ENDPOINT", sb.lwa_url), ("SANDBOX_TIME_SCALE", "200")):
            monkeypatch.setenv("CHANNEL_" + name, value)
        runtime.reset()
        with Session(db.engine) as session:
            acc = Account(name="US store", region="na", marketplace_id=MARKETPLACE, seller_id=SELLER,
                          lwa_client_id=CLIENT_ID, website_id=1, lwa_client_secret_enc="", refresh_token_enc="")
            acc.set_credentials(Vault(key), client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN)
            acc.identifier_mapping = {"seller_sku": "sku", "asin": "amazon_asin", "upc": "upc"}
            session.add(acc)
            session.commit()
            account_id = acc.account_id
        Synchronizer(db.engine, redis_client, settings, account_id,
                     CycleOptions(poll=0.01, rate_scale=200, feed_wait=5, resubmit_after=0)).run()
        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield {"url": standalone_url(app, "127.0.0.1", server.server_port), "account_id": account_id,
                   "db": db, "sandbox": sb, "redis": redis_client}
        finally:
            server.shutdown()
            runtime.reset()
            db.dispose()


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(stack["url"])
    yield pg
    context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
