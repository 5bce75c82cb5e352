"""The Notifications API calls (grantless destinations, the seller's subscriptions) match
Amazon's model, requests and answers alike."""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from reference import shared_path
from sandbox.localservices import Sqs
from sandbox_fixtures import CLIENT_SECRET
from worker.amazon import notifications as api
from worker.amazon.errors import Unauthorized

from .contract import Models


@pytest.fixture(scope="module")
def models():
    return Models(shared_path("sp-api", "models"))


@pytest.fixture
def sqs_queue(sandbox):
    base = Path(tempfile.mkdtemp(prefix="chn-sqs-", dir="/tmp"))
    server = Sqs(base).start()
    sandbox.market.notifications.sqs_endpoint = server.url
    try:
        yield server.create_queue("channel-contract")
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_destination_and_subscriptions_follow_the_model(client, sandbox, sqs_queue, models):
    calls = []

    def hook(resp, *args, **kwargs):
        if "/notifications/" in resp.url:
            req = resp.request
            calls.append((req.method, resp.url, resp.status_code, resp.json() if resp.content else None,
                          json.loads(req.body) if req.body else None))

    client.session.hooks["response"].append(hook)
    grantless = api.grantless_client(client, CLIENT_SECRET)
    grantless.session.hooks["response"].append(hook)
    _, arn = sqs_queue
    destination = api.create_destination(grantless, "channel", arn)
    assert api.create_destination(grantless, "channel", arn) == destination  # found, not created twice
    sub_id = api.subscribe(client, "ORDER_CHANGE", destination, "1.0")
    assert api.subscribe(client, "ORDER_CHANGE", destination, "1.0") == sub_id  # 409, then read back
    assert api.get_subscription(client, "ORDER_CHANGE", "1.0")["subscriptionId"] == sub_id
    api.unsubscribe(grantless, "ORDER_CHANGE", sub_id)
    assert api.get_subscription(client, "ORDER_CHANGE", "1.0") is None
    api.unsubscribe(grantless, "ORDER_CHANGE", sub_id)  # already gone: no error
    operations = set()
    for method, url, status, body, sent in calls:
        if sent is not None:
            models.check_request(method, url, sent)
        operations.add(models.check_response(method, url, status, body))
    assert {"createDestination", "getDestinations", "createSubscription", "getSubscription",
            "deleteSubscriptionById"} <= operations


def test_grantless_operations_refuse_a_sellers_token_and_seller_ones_a_grantless_token(client, sandbox, sqs_queue):
    _, arn = sqs_queue
    with pytest.raises(Unauthorized):
        api.create_destination(client, "channel", arn)
    grantless = api.grantless_client(client, CLIENT_SECRET)
    destination = api.create_destination(grantless, "channel", arn)
    with pytest.raises(Unauthorized):
        api.subscribe(grantless, "ORDER_CHANGE", destination, "1.0")
