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


def test_delete_asks_first_and_cancel_keeps_the_account(page, stack):
    page.click("nav.admin__menu >> text=Accounts")
    row = page.locator(".channel-account-row", has_text="US store")
    row.locator("button", has_text="Delete").first.click()
    dialog = row.locator(".channel-account-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("nothing changes on Amazon")
    shot(page, "accounts-delete-confirm")
    dialog.locator("button", has_text="Cancel").click()
    expect(dialog).to_be_hidden()
    with stack["db"].engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_account")).scalar() == 1
    row.locator("button", has_text="Delete").first.click()
    dialog.locator("button", has_text="Delete account").click()
    expect(page.locator(".channel-account-deleted")).to_have_text("Account US store deleted.")
    expect(page.locator(".channel-account-row")).to_have_count(0)
    with stack["db"].engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_account")).scalar() == 0
