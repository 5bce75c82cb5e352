"""Feed documents built in one pass: each message encoded once with its id in its own
feed, cut at 25,000 messages and 10 MB, and taken by the sandbox as a listings feed."""

import json
import time
from decimal import Decimal

import pytest

from sandbox_fixtures import MARKETPLACE, SELLER
from worker.amazon import feeds, listings
from worker.amazon.errors import InvalidInput


def message(n, sku):
    attrs = listings.offer_attributes(MARKETPLACE, "USD", price=Decimal("1234.99"), quantity=9999)
    return {"messageId": n, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
            "patches": listings.patches_for(attrs)}


def test_documents_are_cut_under_ten_megabytes_and_number_their_own_messages():
    skus = [f"MAGENTO-SKU-{n:012d}-BLUE-XL" for n in range(30000)]
    built = []

    def message_for(n, sku):
        built.append(sku)
        return message(n, sku)

    cut = list(feeds.documents("A2SELLER", skus, message_for))
    assert len(cut) >= 2 and [s for batch, _ in cut for s in batch] == skus
    assert len(built) <= len(skus) + len(cut)  # once each, but for the first message of each next feed
    for batch, document in cut:
        assert len(document) <= feeds.MAX_BYTES and len(batch) <= feeds.MAX_MESSAGES
        doc = json.loads(document)
        assert doc == feeds.listings_feed("A2SELLER", [message(n, s) for n, s in enumerate(batch, start=1)])


def test_a_document_built_in_one_pass_is_applied_by_the_sandbox(make_client, sandbox):
    from sandbox.state import Listing

    for sku in ("D-1", "D-2"):
        sandbox.market.sellers[SELLER].listings[sku] = Listing(sku=sku, asin="B0D0000001", price=5.0, quantity=1)
    client = make_client()
    ((batch, document),) = feeds.documents(SELLER, [("D-1", 4), ("D-2", 9)], lambda n, item: {
        "messageId": n, "sku": item[0], "operationType": "PATCH", "productType": "PRODUCT",
        "patches": listings.patches_for(listings.offer_attributes(MARKETPLACE, "USD", quantity=item[1]))})
    feed = feeds.wait_feed(client, feeds.submit_document(client, document), poll=0.05, timeout=30)
    report = feeds.processing_report(client, feed)
    assert feeds.account_for(report, {1, 2}) == (set(), set())
    held = sandbox.listings(SELLER)
    assert (held["D-1"]["quantity"], held["D-2"]["quantity"]) == (4, 9)


def _one_sku_documents(skus):
    return (([sku], json.dumps(feeds.listings_feed(SELLER, [{
        "messageId": 1, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
        "patches": listings.patches_for(listings.offer_attributes(MARKETPLACE, "USD", quantity=n + 5))}]
    )).encode()) for n, sku in enumerate(skus))


def _seed(sandbox, skus):
    from sandbox.state import Listing

    for sku in skus:
        sandbox.market.sellers[SELLER].listings[sku] = Listing(sku=sku, asin="B0U0000001", price=5.0, quantity=1)


def _created_reaches(sandbox, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while sandbox.market.calls.get("createFeed", 0) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return sandbox.market.calls.get("createFeed", 0)


def test_the_next_feeds_are_created_while_the_caller_records_the_current_one(make_client, sandbox):
    skus = [f"U-{n}" for n in range(4)]
    _seed(sandbox, skus)
    client = make_client()
    created = []
    for n, (batch, feed_id) in enumerate(feeds.created_ahead(client, _one_sku_documents(skus), ahead=2), start=1):
        assert batch == [skus[n - 1]]
        # This feed and the next are created while the caller holds this one; not a third.
        assert _created_reaches(sandbox, min(n + 1, len(skus))) == min(n + 1, len(skus))
        time.sleep(0.1)
        assert sandbox.market.calls["createFeed"] == min(n + 1, len(skus))
        created.append(feed_id)
    assert len(set(created)) == 4 and sandbox.market.calls["createFeedDocument"] == 4
    for feed_id in created:
        assert feeds.wait_feed(client, feed_id, poll=0.05, timeout=30)["processingStatus"] == "DONE"
    held = sandbox.listings(SELLER)
    assert [held[s]["quantity"] for s in skus] == [5, 6, 7, 8]


def test_a_feed_refused_reaches_the_caller_after_the_feeds_created_before_it(make_client, sandbox):
    skus = [f"R-{n}" for n in range(3)]
    _seed(sandbox, skus)
    client = make_client()
    taken = []
    with pytest.raises(InvalidInput):
        for batch, _feed_id in feeds.created_ahead(client, _one_sku_documents(skus), ahead=1):
            taken.append(batch[0])
            sandbox.fault(operation="createFeed", status=400, count=1)  # the next createFeed is refused
    assert taken == ["R-0"]
    assert sandbox.market.calls["createFeed"] == 2  # the refused one; the third was never sent
