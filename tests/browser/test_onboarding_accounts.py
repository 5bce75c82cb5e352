"""The accounts page's row actions in headless Chromium: pause and resume, check the
credentials, rotate the client secret (checked at once), delete after a confirmation."""

import pytest
from playwright.sync_api import expect
from rq import SimpleWorker
from sqlalchemy import text

from channel.jobs import QUEUE
from sandbox_fixtures import CLIENT_SECRET

from .conftest import shot

pytestmark = pytest.mark.browser


def _account(stack):
    with stack["db"].engine.connect() as conn:
        return conn.execute(text("SELECT status, credential_status, secret_rotated_at FROM channel_amazon_account"
                                 " WHERE account_id = :a"), {"a": stack["account_id"]}).one()


def _work(stack):
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)


def _work_until(stack, locator, text, tries=30):
    """Run the worker until the page shows ``text`` (the page enqueues after its own requests)."""
    for _ in range(tries):
        _work(stack)
        try:
            expect(locator).to_contain_text(text, timeout=500)
            return
        except AssertionError:
            continue
    expect(locator).to_contain_text(text)


def test_pause_resume_check_and_rotate_from_the_accounts_page(page, stack):
    page.click("nav.admin__menu >> text=Accounts")
    row = page.locator(".channel-account-row", has_text="US store")
    result = row.locator(".channel-account-result")

    row.locator("button", has_text="Pause").click()
    expect(result).to_contain_text("Paused")
    expect(row.locator(".channel-account-status")).to_have_text("paused")
    assert _account(stack).status == "paused"

    row.locator("button", has_text="Resume").click()
    expect(row.locator(".channel-account-status")).not_to_have_text("paused")
    expect(row.locator("button", has_text="Pause")).to_be_visible()
    _work(stack)

    row.locator("button", has_text="Check credentials").click()
    _work_until(stack, result, "Amazon accepted the credentials.")
    expect(row.locator(".channel-account-creds")).to_contain_text("ok: Connected")
    assert _account(stack).status == "active"

    row.locator("button", has_text="Rotate secret").click()
    row.locator(".channel-account-rotate input").fill("amzn1.oa2-cs.v1.WRONG-NEW-SECRET")
    row.locator("button", has_text="Save secret").click()
    _work_until(stack, result, "Not accepted")
    expect(result).to_contain_text("Client authentication failed")
    shot(page, "accounts-rotated-wrong-secret")
    row.locator("button", has_text="Rotate secret").click()
    row.locator(".channel-account-rotate input").fill(CLIENT_SECRET)
    row.locator("button", has_text="Save secret").click()
    _work_until(stack, result, "Amazon accepted the credentials.")
    assert _account(stack).secret_rotated_at is not None


def _listed_by_us(stack):
    with stack["db"].engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(text(
            "SELECT seller_sku FROM channel_amazon_listing WHERE account_id = :a AND amazon_status IS NOT NULL"
            " AND tab NOT IN ('ended', 'new_third_party')"), {"a": stack["account_id"]}))


def _plant_order(stack):
    with stack["db"].engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date, last_update_date)"
            " VALUES (:a, '111-0000000-0000001', 'Unshipped', NOW(), NOW())"),
            {"a": stack["account_id"]})


def _delete(page, stack, choice):
    page.click("nav.admin__menu >> text=Accounts")
    row = page.locator(".channel-account-row", has_text="US store")
    row.locator("button", has_text="Delete").first.click()
    dialog = row.locator(".channel-account-confirm")
    expect(dialog).to_be_visible()
    dialog.locator("button", has_text="Delete account").click()  # no choice made yet
    expect(row.locator(".channel-account-result")).to_contain_text("Choose what happens to the listings")
    dialog.locator(f"input[value={choice}]").check()
    dialog.locator("button", has_text="Delete account").click()
    return row


def _account_gone_orders_kept(page, stack):
    expect(page.locator(".channel-account-row")).to_have_count(0)
    with stack["db"].engine.connect() as conn:
        acc = conn.execute(text("SELECT status, lwa_client_secret_enc, refresh_token_enc FROM channel_amazon_account"
                                " WHERE account_id = :a"), {"a": stack["account_id"]}).one()
        assert acc == ("deleted", "", "")
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing WHERE account_id = :a"),
                            {"a": stack["account_id"]}).scalar() == 0
    page.goto(page.url.split("/ui/")[0] + "/ui/orders")
    expect(page.locator("body")).to_contain_text("111-0000000-0000001")  # the order history stays readable


def test_delete_asks_first_and_cancel_keeps_the_account(page, stack):
    page.click("nav.admin__menu >> text=Accounts")
    row = page.locator(".channel-account-row", has_text="US store")
    row.locator("button", has_text="Delete").first.click()
    dialog = row.locator(".channel-account-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("its orders stay in Orders")
    shot(page, "accounts-delete-confirm")
    dialog.locator("button", has_text="Cancel").click()
    expect(dialog).to_be_hidden()
    with stack["db"].engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM channel_amazon_account")).scalar() == "active"


def test_delete_leaving_the_listings_keeps_them_on_amazon_and_the_orders_here(page, stack):
    from sandbox_fixtures import SELLER

    ours = _listed_by_us(stack)
    assert ours
    _plant_order(stack)
    _delete(page, stack, "leave")
    expect(page.locator(".channel-account-deleted")).to_contain_text("its listings were left on Amazon")
    on_amazon = stack["sandbox"].listings(SELLER)
    assert all(sku in on_amazon for sku in ours)
    _account_gone_orders_kept(page, stack)


def test_delete_ending_the_listings_ends_them_on_amazon_first(page, stack):
    from sandbox_fixtures import SELLER

    ours = _listed_by_us(stack)
    assert ours and all(sku in stack["sandbox"].listings(SELLER) for sku in ours)
    _plant_order(stack)
    row = _delete(page, stack, "end")
    expect(row.locator(".channel-account-result")).to_contain_text("Ending its listings on Amazon")
    with stack["db"].engine.connect() as conn:  # no sync runs meanwhile
        assert conn.execute(text("SELECT status FROM channel_amazon_account")).scalar() == "deleting"
    for _ in range(30):
        _work(stack)
        if page.locator(".channel-account-deleted").count():
            break
        page.wait_for_timeout(300)
    expect(page.locator(".channel-account-deleted")).to_contain_text(f"{len(ours)} listings ended on Amazon")
    on_amazon = stack["sandbox"].listings(SELLER)
    assert not any(sku in on_amazon for sku in ours), sorted(on_amazon)
    _account_gone_orders_kept(page, stack)


def test_a_paused_account_sends_nothing_to_amazon_until_resumed(page, stack):
    from channel.jobs import enqueue_sync

    def amazon_calls():  # SP-API operations the sandbox answered (token exchanges aside)
        return sum(n for op, n in dict(stack["sandbox"].market.calls).items() if not op.startswith("lwa"))

    page.click("nav.admin__menu >> text=Accounts")
    row = page.locator(".channel-account-row", has_text="US store")
    row.locator("button", has_text="Pause").click()
    expect(row.locator(".channel-account-status")).to_have_text("paused")
    before = amazon_calls()
    enqueue_sync(stack["redis"], stack["account_id"], "merchant")
    _work(stack)
    assert amazon_calls() == before  # the cycle skipped the paused account
    row.locator("button", has_text="Resume").click()
    expect(row.locator(".channel-account-status")).not_to_have_text("paused")
    _work(stack)  # never checked yet: the credential check runs first and makes it active
    assert _account(stack).status == "active"
    checked = amazon_calls()
    enqueue_sync(stack["redis"], stack["account_id"], "merchant")
    _work(stack)
    assert amazon_calls() > checked  # resumed: the cycle reads listings from Amazon again
