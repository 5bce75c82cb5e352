"""Connect to Amazon in headless Chromium: the button, the sandbox's Seller Central
consent page, the callback on the onboarding page following the code exchange and the
credential check, and the new account active and bound to the chosen website."""

import pytest
from playwright.sync_api import expect
from rq import SimpleWorker
from sqlalchemy import text

from channel.jobs import QUEUE
from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, SELLER

from .conftest import shot

pytestmark = pytest.mark.browser

OTHER_SELLER = "A3CONSENTSELLER"


def _seed_second_seller(stack):
    stack["sandbox"].admin("POST", "/seed", json={"sellers": [{
        "seller_id": OTHER_SELLER, "marketplaces": ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"], "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET, "refresh_token": "Atzr|consent-refresh-token"}]})


def _start(page, stack, marketplace="ATVPDKIKX0DER", secret=CLIENT_SECRET, seller=OTHER_SELLER):
    page.goto(page.url.split("/ui/")[0] + "/ui/onboarding")
    page.fill("#c-name", "Consent store")
    page.select_option("#c-market", marketplace)
    page.fill("#c-app", "amzn1.sp.solution.sandbox-app")
    page.fill("#c-cid", CLIENT_ID)
    page.fill("#c-cs", secret)
    shot(page, "connect-form")
    page.click("#channel-connect-amazon")
    expect(page.locator("#consent-app")).to_have_text("amzn1.sp.solution.sandbox-app")
    assert "version=beta" in page.url and "state=" in page.url
    page.select_option("#consent-seller", seller)
    shot(page, "connect-consent-page")
    page.click("#consent-confirm")
    expect(page.locator(".channel-connect-status")).to_be_visible()
    assert "spapi_oauth_code" not in page.url  # the used code is taken out of the address bar


def test_connect_to_amazon_creates_the_account_through_the_consent_page(page, stack):
    _seed_second_seller(stack)
    _start(page, stack)
    # The exchange and then the credential check it enqueues run in one burst of the worker.
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)
    expect(page.locator(".channel-connect-accounts")).to_contain_text("Connected", timeout=20000)
    shot(page, "connect-done")
    page.wait_for_url("**/ui/onboarding?account_id=*", timeout=10000)
    expect(page.locator(".channel-fragment")).to_contain_text("Consent store")
    with stack["db"].engine.connect() as conn:
        row = conn.execute(text("SELECT seller_id, marketplace_id, website_id, status, credential_status"
                                " FROM channel_amazon_account WHERE name = 'Consent store'")).one()
    assert tuple(row) == (OTHER_SELLER, "ATVPDKIKX0DER", 1, "active", "ok")
    assert stack["sandbox"].market.calls["lwa_authorization_code"] == 1


def test_every_marketplace_of_the_region_becomes_an_account(page, stack):
    _seed_second_seller(stack)
    _start(page, stack, marketplace="na")
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)
    page.wait_for_url("**/ui/onboarding?account_id=*", timeout=20000)
    with stack["db"].engine.connect() as conn:
        rows = conn.execute(text("SELECT name, marketplace_id, status FROM channel_amazon_account"
                                 " WHERE seller_id = :s ORDER BY name"), {"s": OTHER_SELLER}).all()
    assert [tuple(r) for r in rows] == [("Consent store CA", "A2EUQ1WTGCTBG2", "active"),
                                        ("Consent store US", "ATVPDKIKX0DER", "active")]


def test_a_refused_exchange_is_told_and_nothing_is_created(page, stack):
    _seed_second_seller(stack)
    _start(page, stack, secret="amzn1.oa2-cs.v1.WRONG-SECRET")
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)
    result = page.locator(".channel-connect-status .channel-form-result")
    expect(result).to_contain_text("Not connected", timeout=20000)
    expect(result).to_contain_text("Client authentication failed")
    shot(page, "connect-refused-exchange")
    with stack["db"].engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_account WHERE seller_id = :s"),
                            {"s": OTHER_SELLER}).scalar() == 0


def test_authorizing_a_connected_seller_again_renews_its_account(page, stack):
    with stack["db"].engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET credential_status = 'failed', refresh_token_enc = ''"
                          " WHERE account_id = :a"), {"a": stack["account_id"]})
    _start(page, stack, seller=SELLER)
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)
    expect(page.locator(".channel-connect-accounts")).to_contain_text("Re-authorized: Connected", timeout=20000)
    page.wait_for_url(f"**/ui/onboarding?account_id={stack['account_id']}", timeout=10000)
    with stack["db"].engine.connect() as conn:
        rows = conn.execute(text("SELECT name, credential_status FROM channel_amazon_account")).all()
    assert [tuple(r) for r in rows] == [("US store", "ok")]  # the same account, its name and settings kept
