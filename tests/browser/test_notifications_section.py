"""The settings page's notifications section in headless Chromium, against the sandbox
marketplace, a real SQS API (moto) and the notifications worker running beside the page:
turned on, every type subscribed; an event counted; the queue gone, the fallback alert."""

import shutil
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sandbox.localservices import Sqs
from sandbox_fixtures import SELLER
from worker import runtime
from worker.notifications import NotificationWorker

from .conftest import shot

pytestmark = pytest.mark.browser

TYPES = 6


@pytest.fixture
def sqs():
    base = Path(tempfile.mkdtemp(prefix="chn-sqs-", dir="/tmp"))
    server = Sqs(base).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def notifications_worker(stack, sqs):
    """``python -m worker.notifications`` as supervisord runs it, in a thread: long polls of a second."""
    stack["sandbox"].market.notifications.sqs_endpoint = sqs.url
    settings = runtime.settings().replace(sqs_endpoint=sqs.url)
    worker = NotificationWorker(stack["db"].engine, stack["redis"], settings, wait=1, check_every=1e9,
                                rate_scale=200, client_kwargs={"backoff_base": 0.01, "backoff_cap": 0.05})
    thread = threading.Thread(target=worker.run, kwargs={"idle": 0.2}, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop.set()
        thread.join(timeout=10)


def test_notifications_turned_on_list_each_subscription_and_a_lost_queue_shows_the_fallback(
        page, stack, sqs, notifications_worker):
    url, arn = sqs.create_queue(f"channel-{uuid.uuid4().hex[:10]}")
    page.goto(page.url.replace("/ui/overview", f"/ui/onboarding?account_id={stack['account_id']}"))
    box = page.locator("#channel-notifications")
    expect(box.locator('[data-field="status"]')).to_have_text("Off: the account is read by its cycle only.")
    rows = box.locator("#channel-notification-types tbody tr")
    expect(rows).to_have_count(TYPES)
    expect(box.locator('td[data-field="subscription_id"]', has_text="No")).to_have_count(TYPES)
    expect(box.locator(".channel-notifications-fallback")).to_be_hidden()
    expect(box.locator("#n-arn-help")).to_contain_text("sqs:SendMessage")

    form = box.locator(".channel-notifications-form")
    form.locator("#n-enabled").check()
    form.locator("#n-arn").fill("not-an-arn")
    form.locator("#n-url").fill(url)
    form.locator("button", has_text="Save notifications").click()
    expect(form.locator(".channel-form-result")).to_contain_text("must be an SQS queue ARN")  # 422, nothing saved

    form.locator("#n-arn").fill(arn)
    form.locator("button", has_text="Save notifications").click()
    expect(form.locator(".channel-form-result")).to_contain_text("Saved")
    expect(box.locator('[data-field="status"]')).to_have_text("On: Amazon's events arrive in seconds.",
                                                              timeout=15_000)
    expect(box.locator('td[data-field="subscription_id"]', has_text="Yes")).to_have_count(TYPES)
    status_row = box.locator('tr[data-type="LISTINGS_ITEM_STATUS_CHANGE"]')
    expect(status_row.locator('[data-field="destination_id"]')).not_to_have_text("-")

    # Amazon changes a listing: its events arrive and the section counts them.
    stack["sandbox"].admin("POST", "/notifications/listing", json={"seller_id": SELLER, "sku": "MG-0000001",
                                                                   "status": "BUYABLE"})
    expect(status_row.locator('[data-field="received_last_hour"]')).to_have_text("1", timeout=15_000)
    expect(status_row.locator('[data-field="applied_last_hour"]')).to_have_text("1")
    expect(status_row.locator('[data-field="last_event_at"]')).to_contain_text("UTC")
    shot(page, "notifications-live")

    # The queue disappears: the worker falls back to polling and the page says so.
    sqs.client().delete_queue(QueueUrl=url)
    alert = box.locator(".channel-notifications-fallback")
    expect(alert).to_be_visible(timeout=20_000)
    expect(alert).to_contain_text("Events stopped at")
    expect(alert).to_contain_text("polling every five minutes")
    expect(alert).to_contain_text("queue cannot be read")
    expect(box.locator('[data-field="status"]')).to_contain_text("Events stopped")
    shot(page, "notifications-fallback")
    page.reload()  # the page as it opens, not only as the script updated it
    expect(page.locator("#channel-notifications .channel-notifications-fallback")).to_be_visible()
    expect(page.locator("#channel-notifications .channel-notifications-fallback [role=alert]")).to_contain_text(
        "Check the SQS queue")

    # Unsubscribe: Amazon's subscriptions go, the section says off.
    page.locator("#channel-notifications .channel-notifications-action[data-action=unsubscribe]").click()
    expect(page.locator('#channel-notifications [data-field="status"]')).to_have_text(
        "Off: the account is read by its cycle only.", timeout=15_000)
    expect(page.locator('#channel-notifications td[data-field="subscription_id"]', has_text="No")).to_have_count(TYPES)
