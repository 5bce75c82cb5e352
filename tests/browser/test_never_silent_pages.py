"""What the merchant sees when something needs them: refused rules and credentials with
Amazon's or the rule's own words, a held listings report with its accept button, and a
mass action that reports counts only when the work is done."""

import pytest
from playwright.sync_api import expect
from rq import SimpleWorker
from sqlalchemy import text

from channel.jobs import QUEUE
from worker.sync.cycle import CycleOptions, Synchronizer

from .conftest import shot

pytestmark = pytest.mark.browser


def base(stack) -> str:
    return stack["url"].split("/ui/")[0]


def test_an_invalid_rule_is_refused_with_its_node_path(page, stack):
    page.goto(f"{base(stack)}/ui/onboarding?account_id={stack['account_id']}")
    page.fill("#channel-rule", '{"type": "combine", "aggregator": "all", "conditions": ['
                               '{"type": "attribute", "attribute": "colour_typo", "operator": "==", "value": "Red"}]}')
    page.click("#channel-rule-save")
    result = page.locator(".channel-rule-form .channel-form-result")
    expect(result).to_contain_text("colour_typo")
    expect(result).to_contain_text("conditions[0].attribute")
    expect(result).to_have_class("channel-form-result channel-bad")
    shot(page, "rule-refused")


def test_connect_with_bogus_credentials_is_refused_with_amazons_words(page, stack):
    page.goto(f"{base(stack)}/ui/onboarding")
    page.fill("#f-name", "Canada")
    page.select_option("#f-market", "A2EUQ1WTGCTBG2")
    page.fill("#f-seller", "A2SANDBOXSELLER")
    page.fill("#f-cid", "amzn1.application-oa2-client.test")
    page.fill("#f-cs", "amzn1.oa2-cs.v1.WRONG-SECRET")
    page.fill("#f-rt", "Atzr|test-refresh-token")
    page.click("button:has-text(\"Connect\")")
    result = page.locator(".channel-json-form .channel-form-result")
    expect(result).to_contain_text("Checking the credentials")
    SimpleWorker([QUEUE], connection=stack["redis"]).work(burst=True)
    expect(result).to_contain_text("Not connected", timeout=15000)
    expect(result).to_contain_text("Client authentication failed")
    shot(page, "connect-refused")
    with stack["db"].engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM channel_amazon_account"))]
    assert names == ["US store"]  # nothing was connected


def test_a_held_report_shows_as_an_alert_with_its_accept_button(page, stack):
    from channel.settings import Settings
    from worker import runtime

    stack["sandbox"].fault(report_options={"empty": True})
    settings: Settings = runtime.settings()
    summary = Synchronizer(stack["db"].engine, stack["redis"], settings, stack["account_id"],
                           CycleOptions(poll=0.01, rate_scale=200, feed_wait=5, resubmit_after=0)).run()
    assert summary["steps"]["import"]["status"] == "held"
    page.goto(f"{base(stack)}/ui/overview")
    alert = page.locator(".channel-alert[data-code=report_held]")
    expect(alert).to_contain_text("The listings report is empty")
    expect(page.locator("#channel-overview")).to_contain_text("Needs action")
    shot(page, "report-held")
    alert.locator("text=Accept this report").click()
    expect(alert.locator("button")).to_have_text("Queued")
    with stack["db"].engine.connect() as conn:
        assert conn.execute(text("SELECT accepted_at IS NOT NULL FROM channel_amazon_held_report")).scalar() == 1
    page.goto(f"{base(stack)}/ui/log?account_id={stack['account_id']}")
    expect(page.locator("body")).not_to_contain_text("All quiet")
