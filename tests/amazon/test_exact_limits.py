"""Rate limits and retries as Amazon's usage plans work: the applied rate is read from
x-amzn-RateLimit-Limit, a 429 empties the shared bucket, JSON_LISTINGS_FEED has its own
limit, feeds stay under 10 MB, creating calls are never repeated blindly, Login with
Amazon is asked once per token by many workers and its 429 is throttling."""

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from sandbox.state import Listing
from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SELLER
from worker.amazon import feeds, listings
from worker.amazon.auth import TokenProvider, secret_expiry_warning
from worker.amazon.errors import LoginFailed, OutcomeUnknown, Throttled
from worker.amazon.throttle import Throttle

MP = "ATVPDKIKX0DER"


def seed_listing(sandbox, sku="R-1"):
    sandbox.market.sellers[SELLER].listings[sku] = Listing(sku=sku, asin="B0R0000001", price=5.0, quantity=1)
    return sku


def recording(client, redis_client, scale=1.0):
    slept = []
    client.throttle = Throttle(redis_client, scale=scale, sleep=slept.append)
    return slept


def test_sandbox_sends_the_applied_rate_on_success_and_404_only(client, sandbox):
    seed_listing(sandbox)
    _, resp = client.call("getListingsItem", "GET", f"/listings/2021-08-01/items/{SELLER}/R-1",
                          params={"marketplaceIds": MP})
    assert resp.headers["x-amzn-RateLimit-Limit"] == "5"
    sandbox.fault(operation="getListingsItem", status=429, count=1)
    _, resp = client.call("getListingsItem", "GET", f"/listings/2021-08-01/items/{SELLER}/R-1",
                          params={"marketplaceIds": MP})
    assert resp.status_code == 200  # retried after the 429, which carried no header


def test_client_paces_itself_by_the_rate_amazon_reports(client, sandbox, redis_client):
    seed_listing(sandbox)
    sandbox.market.buckets.overrides["getListingsItem"] = (0.5, 10)  # this seller's usage plan is lower
    slept = recording(client, redis_client)
    for _ in range(11):
        listings.get_item(client, "R-1")
    assert client.throttle.reported_rate(SELLER, "na", "getListingsItem") == 0.5
    assert slept and slept[-1] > 1.5  # the 11th call waits for a token at 0.5/s, not 5/s


def test_a_429_empties_the_bucket_for_every_worker(client, sandbox, redis_client):
    seed_listing(sandbox)
    recording(client, redis_client)
    sandbox.fault(operation="getListingsItem", status=429, count=1)
    assert listings.get_item(client, "R-1")["sku"] == "R-1"
    other_worker = Throttle(redis_client, scale=1, sleep=lambda s: None)
    assert other_worker.acquire(SELLER, "na", "getListingsItem") > 0  # no token left after the 429


def test_sandbox_allows_five_listings_feeds_per_five_minutes(make_client, sandbox):
    client = make_client(max_attempts=1)
    doc, _ = client.call("createFeedDocument", "POST", "/feeds/2021-06-30/documents",
                         json={"contentType": feeds.CONTENT_TYPE})
    body = {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [MP], "inputFeedDocumentId": doc["feedDocumentId"]}
    for _ in range(5):
        client.call("createFeed", "POST", "/feeds/2021-06-30/feeds", json=body)
    with pytest.raises(Throttled):
        client.call("createFeed", "POST", "/feeds/2021-06-30/feeds", json=body)
    assert len(sandbox.market.feeds) == 5


def test_client_waits_for_the_listings_feed_quota(make_client, sandbox, redis_client):
    client = make_client(rate_scale=1, max_throttle_wait=1)
    seed_listing(sandbox)
    messages = [{"messageId": 1, "sku": "R-1", "operationType": "PATCH", "productType": "PRODUCT",
                 "patches": listings.patches_for(listings.offer_attributes(MP, "USD", quantity=2))}]
    for _ in range(5):
        feeds.submit_feed(client, messages)
    with pytest.raises(Throttled, match="JSON_LISTINGS_FEED"):
        feeds.submit_feed(client, messages)  # refused by our own bucket, before Amazon says 429
    assert sandbox.market.calls["createFeed"] == 5


def test_a_full_feed_is_cut_under_ten_megabytes():
    def message(n):
        attrs = listings.offer_attributes(MP, "USD", price=Decimal("1234.99"), quantity=9999)
        return {"messageId": n, "sku": f"MAGENTO-SKU-{n:012d}-BLUE-XL", "operationType": "PATCH",
                "productType": "PRODUCT", "patches": listings.patches_for(attrs)}

    items = list(range(1, 25001))
    whole = len(json_bytes(feeds.listings_feed("A2SELLER", [message(n) for n in items])))
    assert whole > feeds.MAX_BYTES  # 25,000 price and stock messages weigh more than 10 MB
    cut = feeds.batches(items, lambda n: feeds.message_bytes(message(n)))
    assert len(cut) >= 2 and sum(map(len, cut)) == 25000
    for batch in cut:
        assert len(json_bytes(feeds.listings_feed("A2SELLER", [message(n) for n in batch]))) <= feeds.MAX_BYTES


def json_bytes(doc):
    import json

    return json.dumps(doc).encode("utf-8")


def test_create_feed_that_times_out_is_not_sent_twice(make_client, sandbox):
    client = make_client(timeout=(2.0, 0.3))
    seed_listing(sandbox)
    sandbox.fault(operation="createFeed", kind="timeout", seconds=0.8, count=1)
    messages = [{"messageId": 1, "sku": "R-1", "operationType": "PATCH", "productType": "PRODUCT",
                 "patches": listings.patches_for(listings.offer_attributes(MP, "USD", quantity=2))}]
    feed_id = feeds.submit_feed(client, messages, recover_wait=1.0)
    assert list(sandbox.market.feeds) == [feed_id]  # the feed Amazon did create, adopted; no second one
    assert sandbox.market.calls["createFeed"] == 1


def test_create_feed_without_answer_and_without_trace_gives_the_step_up(make_client, sandbox):
    client = make_client(timeout=(2.0, 0.3))
    sandbox.fault(operation="createFeed", status=500, count=1)
    seed_listing(sandbox)
    with pytest.raises(OutcomeUnknown):
        feeds.submit_feed(client, [{"messageId": 1, "sku": "R-1", "operationType": "DELETE"}], recover_wait=0)
    assert sandbox.market.calls["createFeed"] == 1


def test_create_report_that_times_out_is_not_retried(make_client, sandbox):
    client = make_client(timeout=(2.0, 0.3))
    sandbox.fault(operation="createReport", kind="timeout", seconds=0.8, count=1)
    with pytest.raises(OutcomeUnknown):
        client.call("createReport", "POST", "/reports/2021-06-30/reports",
                    json={"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [MP]})
    assert sandbox.market.calls["createReport"] == 1


def test_many_workers_refresh_the_token_once(sandbox, redis_client):
    sandbox.fault(operation="lwa_token", kind="timeout", seconds=0.5, count=1)  # a slow first answer
    tokens, errors = [], []

    def worker():
        try:
            tokens.append(TokenProvider(redis_client, sandbox.lwa_url, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN).token())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not errors and len(tokens) == 12 and len(set(tokens)) == 1
    assert sandbox.market.calls["lwa_token"] == 1


def test_lwa_throttling_is_retryable_not_refused_credentials(sandbox, redis_client):
    sandbox.fault(operation="lwa_token", status=429, count=1)
    provider = TokenProvider(redis_client, sandbox.lwa_url, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
    with pytest.raises(Throttled) as err:
        provider.token()
    assert err.value.retryable and not isinstance(err.value, LoginFailed)
    assert provider.token().startswith("Atza|")


def test_client_secret_expiry_is_warned_from_thirty_days_before():
    now = datetime(2026, 11, 30)
    fresh = SimpleNamespace(secret_rotated_at=now - timedelta(days=100), connected_at=now - timedelta(days=400))
    soon = SimpleNamespace(secret_rotated_at=now - timedelta(days=160), connected_at=None)
    gone = SimpleNamespace(secret_rotated_at=None, connected_at=now - timedelta(days=200))
    assert secret_expiry_warning(fresh, now) is None
    assert "in 20 days" in secret_expiry_warning(soon, now)
    assert "expired" in secret_expiry_warning(gone, now)


def test_create_report_is_retried_when_no_connection_was_made(make_client, failures):
    from worker.amazon.errors import AmazonUnavailable

    client = make_client(max_attempts=3)
    client.base_url = "http://127.0.0.1:9"  # nothing listens: the request never left
    with pytest.raises(AmazonUnavailable) as err:
        client.call("createReport", "POST", "/reports/2021-06-30/reports",
                    json={"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [MP]})
    assert not isinstance(err.value, OutcomeUnknown)
    assert [f.final for f in failures] == [False, False, True]
