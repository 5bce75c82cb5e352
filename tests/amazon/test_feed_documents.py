"""Feed documents built in one pass: each message encoded once with its id in its own
feed, cut at 25,000 messages and 10 MB, and taken by the sandbox as a listings feed."""

import json
from decimal import Decimal

from sandbox_fixtures import MARKETPLACE, SELLER
from worker.amazon import feeds, listings


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


def test_the_next_document_is_uploaded_while_the_current_feed_is_created(make_client, sandbox):
    from sandbox.state import Listing

    skus = [f"U-{n}" for n in range(3)]
    for sku in skus:
        sandbox.market.sellers[SELLER].listings[sku] = Listing(sku=sku, asin="B0U0000001", price=5.0, quantity=1)
    client = make_client()
    docs = (([sku], json.dumps(feeds.listings_feed(SELLER, [{
        "messageId": 1, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
        "patches": listings.patches_for(listings.offer_attributes(MARKETPLACE, "USD", quantity=n + 5))}]
    )).encode()) for n, sku in enumerate(skus))
    ahead = feeds.uploaded_ahead(client, docs)
    created = []
    for n, (batch, document_id) in enumerate(ahead):
        assert batch == [skus[n]]
        assert sandbox.market.calls["createFeedDocument"] <= n + 2  # this one, and at most the next
        created.append(feeds.create_feed(client, document_id))
    assert sandbox.market.calls["createFeedDocument"] == sandbox.market.calls["createFeed"] == 3
    for feed_id in created:
        assert feeds.wait_feed(client, feed_id, poll=0.05, timeout=30)["processingStatus"] == "DONE"
    held = sandbox.listings(SELLER)
    assert [held[s]["quantity"] for s in skus] == [5, 6, 7]
