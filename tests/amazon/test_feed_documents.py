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
