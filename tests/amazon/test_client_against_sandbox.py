"""The worker's SP-API client against the sandbox marketplace, over HTTP."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from sandbox_fixtures import SELLER
from worker.amazon import catalog, feeds, listings, orders, reports, sellers
from worker.amazon.errors import InvalidInput, LoginFailed, NotFound, ProcessingFailed, Throttled, Unauthorized
from worker.amazon.auth import TokenProvider

FAST = {"poll": 0.05, "sleep": lambda s: __import__("time").sleep(s)}


def seed(sandbox, **kw):
    sandbox.market.load({"catalog": kw.pop("catalog", []), "sellers": []})
    seller = sandbox.market.sellers[SELLER]
    for li in kw.pop("listings", []):
        from sandbox.state import Listing

        seller.listings[li["sku"]] = Listing(**li)
    for order in kw.pop("orders", []):
        sandbox.market.add_order(SELLER, order)


def test_credential_check_lists_marketplaces(client):
    payload = sellers.marketplace_participations(client)
    assert payload[0]["marketplace"]["id"] == "ATVPDKIKX0DER"


def test_wrong_refresh_token_is_a_login_failure_not_retried(sandbox, redis_client):
    tokens = TokenProvider(redis_client, sandbox.lwa_url, "x", "y", "Atzr|wrong")
    with pytest.raises(LoginFailed, match="invalid grant"):
        tokens.token()


def test_access_token_is_cached_in_redis_and_shared(make_client, sandbox):
    first, second = make_client(), make_client()
    sellers.marketplace_participations(first)
    sellers.marketplace_participations(second)
    assert len(sandbox.market.tokens) == 1


def test_expired_token_is_refreshed_once(client, sandbox):
    sellers.marketplace_participations(client)
    sandbox.market.expire_tokens()
    assert sellers.marketplace_participations(client)
    assert len(sandbox.market.tokens) == 2


def test_listings_report_gzipped_cp1252_is_streamed_by_header(client, sandbox):
    seed(sandbox, listings=[{"sku": "CAFÉ-1", "asin": "B0CAFE0001", "price": 9.5, "quantity": 3, "title": "Crème brûlée"},
                            {"sku": "FBA-1", "asin": "B0FBA00001", "price": 20.0, "quantity": 7,
                             "fulfillment_channel": "AMAZON_NA"}])
    sandbox.fault(report_options={"gzip": True, "encoding": "cp1252"})
    rows = {r.seller_sku: r for r in reports.merchant_listings(client, **FAST)}
    assert rows["CAFÉ-1"].item_name == "Crème brûlée"
    assert rows["CAFÉ-1"].price == "9.50" and rows["CAFÉ-1"].quantity == 3
    assert rows["FBA-1"].quantity is None and rows["FBA-1"].fulfillment_channel == "AMAZON_NA"
    assert rows["CAFÉ-1"].product_id_type == "asin"


def test_bad_report_rows_are_reported_and_others_kept():
    import io

    text = "seller-sku\tprice\tquantity\tasin1\n\t1.00\t1\tB01\nGOOD\t2.00\t5\tB02\nBADQ\t3.00\tmany\tB03\n"
    parsed = list(reports.parse_listings(io.StringIO(text)))
    assert [type(p).__name__ for p in parsed] == ["BadRow", "ListingRow", "BadRow"]
    assert parsed[1].seller_sku == "GOOD" and "quantity" in parsed[2].reason


def test_fatal_report_raises(client, sandbox):
    sandbox.fault(report_options={"fatal": True})
    with pytest.raises(ProcessingFailed, match="FATAL"):
        list(reports.merchant_listings(client, **FAST))


def test_feed_roundtrip_and_processing_report(client, sandbox):
    seed(sandbox, catalog=[{"asin": "B0FEED0001"}], listings=[{"sku": "OLD", "asin": "B0OLD", "price": 5.0, "quantity": 1}])
    messages = [
        {"messageId": 1, "sku": "NEW-1", "operationType": "UPDATE", "productType": "PRODUCT",
         "attributes": listings.offer_attributes("ATVPDKIKX0DER", "USD", asin="B0FEED0001", price=Decimal("12.5"),
                                                 quantity=4, condition="new_new")},
        {"messageId": 2, "sku": "OLD", "operationType": "PATCH", "productType": "PRODUCT",
         "patches": listings.patches_for(listings.offer_attributes("ATVPDKIKX0DER", "USD", quantity=9))},
        {"messageId": 3, "sku": "MISSING", "operationType": "PATCH", "productType": "PRODUCT",
         "patches": listings.patches_for(listings.offer_attributes("ATVPDKIKX0DER", "USD", quantity=1))},
    ]
    feed_id = feeds.submit_feed(client, messages)
    feed = feeds.wait_feed(client, feed_id, **FAST)
    report = feeds.processing_report(client, feed)
    assert feed["processingStatus"] == "DONE"
    assert report["summary"]["messagesAccepted"] == 2 and feeds.rejected_message_ids(report) == {3}
    state = sandbox.listings(SELLER)
    assert state["OLD"]["quantity"] == 9 and state["NEW-1"]["price"] == 12.5


def test_fatal_feed_reports_why(client, sandbox):
    doc, _ = client.call("createFeedDocument", "POST", "/feeds/2021-06-30/documents",
                         json={"contentType": feeds.CONTENT_TYPE})
    client.session.put(doc["url"], data=b"not json", headers={"Content-Type": feeds.CONTENT_TYPE})
    feed, _ = client.call("createFeed", "POST", "/feeds/2021-06-30/feeds", json={
        "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["ATVPDKIKX0DER"], "inputFeedDocumentId": doc["feedDocumentId"]})
    done = feeds.wait_feed(client, feed["feedId"], **FAST)
    assert done["processingStatus"] == "FATAL"
    assert "could not be processed" in feeds.processing_report(client, done)["issues"][0]["message"]


def test_feed_size_is_bounded():
    with pytest.raises(InvalidInput):
        feeds.listings_feed("S", [])


def test_listing_item_put_becomes_buyable_after_approval_or_rejected(client, sandbox):
    seed(sandbox, catalog=[{"asin": "B0GOOD0001"}, {"asin": "B0BAD00001"}])
    attrs = listings.offer_attributes("ATVPDKIKX0DER", "USD", asin="B0GOOD0001", price=Decimal(10), quantity=2,
                                      condition="new_new")
    assert listings.put_item(client, "GOOD/1 #a", attrs)["status"] == "ACCEPTED"
    rejected = listings.offer_attributes("ATVPDKIKX0DER", "USD", asin="B0BAD00001", price=Decimal(10), quantity=2)
    listings.put_item(client, "REJECT-1", rejected)
    assert listings.status_of(listings.get_item(client, "GOOD/1 #a"))[0] is None  # not buyable at once
    sandbox.admin("POST", "/clock", json={"seconds": 600})
    assert listings.status_of(listings.get_item(client, "GOOD/1 #a"))[0] == "BUYABLE"
    status, issues = listings.status_of(listings.get_item(client, "REJECT-1"))
    assert status is None and "approval" in issues[0]["message"]
    listings.patch_item(client, "GOOD/1 #a", listings.offer_attributes("ATVPDKIKX0DER", "USD", price=Decimal("11.5")))
    assert sandbox.listings(SELLER)["GOOD/1 #a"]["price"] == 11.5
    listings.delete_item(client, "GOOD/1 #a")
    assert listings.get_item(client, "GOOD/1 #a") is None


def test_bad_request_is_final_and_logged(client, failures):
    with pytest.raises(InvalidInput):
        client.call("createReport", "POST", "/reports/2021-06-30/reports", json={"marketplaceIds": ["ATVPDKIKX0DER"]})
    assert [f.final for f in failures] == [True] and failures[0].status == 400 and failures[0].request_id


def test_unknown_path_is_not_found(client):
    with pytest.raises(NotFound):
        client.call("getReport", "GET", "/reports/2021-06-30/reports/nope")


def test_faults_are_retried_with_backoff_then_raised_as_retryable(client, sandbox, failures):
    sandbox.fault(operation="getMarketplaceParticipations", status=503, count=2)
    assert sellers.marketplace_participations(client)
    assert [f.status for f in failures] == [503, 503] and not any(f.final for f in failures)
    sandbox.fault(operation="getMarketplaceParticipations", status=500, count=10)
    with pytest.raises(Exception) as err:
        sellers.marketplace_participations(client)
    assert getattr(err.value, "retryable", False)


def test_throttling_loses_no_request(make_client, sandbox):
    client = make_client(rate_scale=1)  # our bucket at Amazon's real rate; the sandbox at 200x
    seed(sandbox, listings=[{"sku": f"S{i}", "asin": "B0X", "price": 1.0, "quantity": i} for i in range(12)])
    results = [listings.get_item(client, f"S{i}") for i in range(12)]
    assert all(r is not None for r in results)
    # getListingsItem: burst 10 at 5/s; the client waited for tokens instead of failing.
    slow = make_client(rate_scale=0.001, max_throttle_wait=0.1)
    with pytest.raises(Throttled):
        for _ in range(12):
            listings.get_item(slow, "S1")


def test_sandbox_429_is_retried(client, sandbox, failures):
    sandbox.fault(operation="getListingsItem", status=429, count=3)
    seed(sandbox, listings=[{"sku": "T", "asin": "B0T", "price": 1.0, "quantity": 1}])
    assert listings.get_item(client, "T")["sku"] == "T"
    assert [f.status for f in failures] == [429, 429, 429]


def test_catalog_search_by_barcode(client, sandbox):
    seed(sandbox, catalog=[{"asin": "B0EAN00001", "identifiers": {"EAN": "4000000000001"}},
                           {"asin": "B0EAN00002", "identifiers": {"EAN": "4000000000002"}},
                           {"asin": "B0EAN0000X", "identifiers": {"EAN": "4000000000002"}}])
    found = catalog.search_by_identifiers(client, "ean", ["4000000000001", "4000000000002", "4000000000009"])
    assert [i["asin"] for i in found["4000000000001"]] == ["B0EAN00001"]
    assert len(found["4000000000002"]) == 2 and found["4000000000009"] == []


def test_orders_are_paginated_and_shipments_confirmed(client, sandbox):
    for n in range(7):
        sandbox.market.add_order(SELLER, {"items": [{"sku": f"S{n}", "quantity": 1, "price": "5.00"}]})
    since = datetime.now(timezone.utc) - timedelta(days=1)
    found = list(orders.search_orders(client, since, page_size=3))
    assert len(found) == 7 and len({o["orderId"] for o in found}) == 7
    one = orders.get_order(client, found[0]["orderId"])
    orders.confirm_shipment(client, one["orderId"], "1", "UPS", "1Z999", [
        {"orderItemId": one["orderItems"][0]["orderItemId"], "quantity": 1}], datetime.now(timezone.utc))
    shipped = sandbox.admin("GET", f"/sellers/{SELLER}/shipments")
    assert shipped[0]["packageDetail"]["trackingNumber"] == "1Z999"
    with pytest.raises(NotFound):
        orders.get_order(client, "000-0000000-0000000")


def test_seller_of_another_token_is_refused(client):
    with pytest.raises(Unauthorized):
        client.call("getListingsItem", "GET", "/listings/2021-08-01/items/OTHER/X",
                    params={"marketplaceIds": "ATVPDKIKX0DER"})


def test_truncated_report_keeps_the_complete_rows_and_reports_the_cut_one(client, sandbox):
    seed(sandbox, listings=[{"sku": f"T-{i:03d}", "asin": f"B0T{i:07d}", "price": 5.0, "quantity": i}
                            for i in range(40)])
    sandbox.fault(report_options={"truncate": True})
    rows = list(reports.merchant_listings(client, **FAST))
    good = [r for r in rows if type(r).__name__ == "ListingRow"]
    assert 0 < len(good) < 40  # the document was cut, and what arrived intact is kept
    assert all(r.seller_sku.startswith("T-") for r in good)
