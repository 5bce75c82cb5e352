"""The listings grid's ASIN search as a worker job against the sandbox: listings searched by
their mapped barcode, 20 to a call, else by their product's name; and an ASIN the merchant
chose that the next cycles keep and publish, whatever the barcode matches."""

import json

import pytest
from rq import SimpleWorker
from sqlalchemy import text

from channel import jobs, listing_state
from sandbox_fixtures import SELLER


@pytest.fixture
def twins(market):
    """A second catalog item for product 4's UPC: its barcode matches two ASINs."""
    market.market.load({"catalog": [{"asin": "B0TWIN0004", "title": "Sample product 4 twin", "brand": "Acme",
                                     "identifiers": {"UPC": "700000000004"}}]})


@pytest.fixture
def search(redis_client, worker_env):
    def run(account_id, listing_ids):
        job_id = jobs.enqueue_asin_search(redis_client, account_id, listing_ids)
        SimpleWorker([jobs.QUEUE], connection=redis_client).work(burst=True)
        found = jobs.progress(redis_client, job_id)
        assert found["status"] == "finished", found
        assert (found["done"], found["total"]) == (len(found["result"]["listings"]),) * 2
        return found["result"]
    return run


def _listing(channel_db, account_id, product_id) -> dict:
    with channel_db.engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT listing_id, seller_sku, asin, tab, reason, match_status, match_candidates, amazon_status"
            " FROM channel_amazon_listing WHERE account_id = :a AND product_id = :p"),
            {"a": account_id, "p": product_id}).mappings().one())


def test_search_by_barcode_then_by_name(twins, cycle, search, channel_db, sync_account, market):
    cycle()
    twin = _listing(channel_db, sync_account, 4)
    bare = _listing(channel_db, sync_account, 69)  # no barcode: every 23rd sample product
    assert (twin["tab"], twin["reason"]) == ("incomplete", "multiple_matches")
    assert (bare["tab"], bare["reason"]) == ("incomplete", "missing_identifier")
    calls = market.market.calls.get("searchCatalogItems", 0)
    result = search(sync_account, [twin["listing_id"], bare["listing_id"]])
    by_id = {e["listing_id"]: e for e in result["listings"]}
    assert by_id[twin["listing_id"]]["searched_by"] == {"kind": "upc", "value": "700000000004"}
    assert sorted((c["asin"], c["title"], c["brand"]) for c in by_id[twin["listing_id"]]["candidates"]) == [
        ("B000000004", "Sample product 4", None), ("B0TWIN0004", "Sample product 4 twin", "Acme")]
    assert by_id[bare["listing_id"]]["searched_by"] == {"kind": "keywords", "value": "Sample product 69"}
    assert [c["asin"] for c in by_id[bare["listing_id"]]["candidates"]] == ["B000000069"]
    assert market.market.calls["searchCatalogItems"] - calls == 2  # one barcode call, one name call
    assert result["skipped"] == []
    # Nothing written: the listings are as they were.
    assert _listing(channel_db, sync_account, 4) == twin


def test_search_skips_listings_already_on_amazon(cycle, search, channel_db, sync_account):
    cycle()
    on_amazon = _listing(channel_db, sync_account, 1)
    assert on_amazon["amazon_status"] is not None
    result = search(sync_account, [on_amazon["listing_id"]])
    assert result == {"listings": [], "skipped": [on_amazon["listing_id"]]}


def test_chosen_asin_is_kept_and_published_by_the_next_cycles(twins, cycle, channel_db, sync_account, market):
    cycle()
    twin = _listing(channel_db, sync_account, 4)
    assert json.loads(twin["match_candidates"]) and twin["reason"] == "multiple_matches"
    with channel_db.engine.begin() as conn:  # as the bridge assigns it
        listing_state.asins_looked_up(conn, sync_account, [(twin["listing_id"], "matched", "B0TWIN0004", None)])
    for _ in range(2):
        cycle()
    after = _listing(channel_db, sync_account, 4)
    assert after["asin"] == "B0TWIN0004" and after["match_status"] == "matched"
    assert after["tab"] != "incomplete"
    assert market.listings(SELLER)["MG-0000004"]["asin"] == "B0TWIN0004"
