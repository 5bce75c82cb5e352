"""The clock the worker shares with the sandbox: waits pass on it instead of sleeping,
overlapping waits end at the latest, and the sandbox (in this process or its own) sees
the same time; on it the limiter keeps 95 % of Amazon's rate with a few patches in
flight, and Amazon never answers 429."""

import threading
import time

import pytest

from sandbox.testing import running_sandbox, sandbox_process
from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, MARKETPLACE, REFRESH_TOKEN, SELLER, seller_seed
from worker.amazon import feeds, listings, patches
from worker.amazon.auth import TokenProvider
from worker.amazon.client import SpApiClient
from worker.amazon.clock import SharedClock, offset_reader
from worker.amazon.throttle import PACE, Throttle


@pytest.fixture
def clock(redis_client):
    return SharedClock(redis_client)


def client_on(sandbox, redis_client, clock, **kw):
    tokens = TokenProvider(redis_client, sandbox.lwa_url, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, clock=clock)
    return SpApiClient(sandbox.url, SELLER, "na", MARKETPLACE, tokens, Throttle(redis_client, clock=clock),
                       max_throttle_wait=3600, **kw)


def test_a_wait_moves_the_shared_clock_instead_of_sleeping(clock):
    start, real = clock.time(), time.monotonic()
    clock.sleep(3600)
    assert time.monotonic() - real < 1
    assert 3600 <= clock.time() - start < 3601
    clock.sleep(0)
    clock.sleep(-5)  # nothing, and never backwards
    assert 3600 <= clock.time() - start < 3601


def test_overlapping_waits_end_at_the_latest_not_at_their_sum(clock):
    start = clock.time()
    threads = [threading.Thread(target=clock.sleep_until, args=(start + s,)) for s in (5, 8, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 8 <= clock.time() - start < 9


def test_the_sandbox_in_its_own_process_reads_the_shared_clock(clock, redis_server):
    with sandbox_process(seller_seed(), shared_clock=redis_server.url) as sb:
        before = sb.stats()["now"]
        clock.sleep(600)
        after = sb.stats()["now"]
    assert 600 <= after - before < 605


def test_a_feed_is_processed_on_the_shared_clock_without_real_waiting(clock, redis_client, redis_server):
    seed = seller_seed(listings=[{"sku": "C-1", "asin": "B0C0000001", "price": 5.0, "quantity": 1}])
    with running_sandbox(seed, offset=offset_reader(redis_server.url)) as sb:
        client = client_on(sb, redis_client, clock)
        message = {"messageId": 1, "sku": "C-1", "operationType": "PATCH", "productType": "PRODUCT",
                   "patches": listings.patches_for(listings.offer_attributes(MARKETPLACE, "USD", quantity=7))}
        real, start = time.monotonic(), clock.time()
        feed_id = feeds.submit_feed(client, [message])
        feed = feeds.wait_feed(client, feed_id, poll=5, timeout=600)
        assert feed["processingStatus"] == "DONE"
        assert 60 <= clock.time() - start < 70  # the sandbox's two processing steps, on the shared clock
        assert time.monotonic() - real < 10
        assert sb.listings(SELLER)["C-1"]["quantity"] == 7


def test_patches_in_flight_keep_95_percent_of_amazons_rate_without_a_429(clock, redis_client, redis_server):
    skus = [f"P-{n:03d}" for n in range(60)]
    seed = seller_seed(listings=[{"sku": s, "asin": "B0P0000001", "price": 5.0, "quantity": 1} for s in skus])
    with running_sandbox(seed, offset=offset_reader(redis_server.url)) as sb:
        client = client_on(sb, redis_client, clock)
        start = clock.time()
        sent = [(sku, sku, listings.offer_attributes(MARKETPLACE, "USD", quantity=n)) for n, sku in enumerate(skus)]
        answers = list(patches.patch_items(client, sent))
        elapsed = clock.time() - start
        assert [key for key, _ in answers] == skus  # in the order given
        assert all(answer["status"] == "ACCEPTED" for _, answer in answers)
        assert sb.market.throttled == {}
        assert sb.market.calls["patchListingsItem"] == 60
        held = sb.listings(SELLER)
    assert [held[s]["quantity"] for s in skus] == list(range(60))
    least = (60 - 5) / 5.0  # Amazon's burst of 5, then 5 per second
    paced = (60 - 4) / (5.0 * PACE)  # ours: one token of the burst kept back, 95 % of the rate
    assert paced * 0.98 <= elapsed <= paced * 1.05 and elapsed <= least * 1.1


def test_patches_stop_sending_when_the_caller_stops(clock, redis_client, redis_server):
    skus = [f"S-{n:03d}" for n in range(20)]
    seed = seller_seed(listings=[{"sku": s, "asin": "B0S0000001", "price": 5.0, "quantity": 1} for s in skus])
    with running_sandbox(seed, offset=offset_reader(redis_server.url)) as sb:
        client = client_on(sb, redis_client, clock)
        sent = ((sku, sku, listings.offer_attributes(MARKETPLACE, "USD", quantity=3)) for sku in skus)
        answers = patches.patch_items(client, sent, in_flight=3)
        for key, _ in answers:
            if key == "S-001":
                break
        answers.close()
        assert sb.market.calls["patchListingsItem"] <= 4  # the two answered, at most two more on the way


def test_an_access_token_expires_on_the_shared_clock_and_is_renewed_before_amazon_refuses_it(
        clock, redis_client, redis_server):
    seed = seller_seed(listings=[{"sku": "T-1", "asin": "B0T0000001", "price": 5.0, "quantity": 1}])
    failures = []
    with running_sandbox(seed, offset=offset_reader(redis_server.url)) as sb:
        client = client_on(sb, redis_client, clock, on_failure=failures.append)
        assert listings.get_item(client, "T-1")["sku"] == "T-1"
        clock.sleep(3600)  # an hour on Amazon's clock: the access token has expired there
        assert listings.get_item(client, "T-1")["sku"] == "T-1"
        assert sb.market.calls["lwa_token"] == 2
        assert sb.market.calls["getListingsItem"] == 2  # no call refused for an expired token
    assert failures == []
