"""A first sync at Amazon's pace, end to end over the sandbox: barcodes are looked up 20
per searchCatalogItems call, and many new offers go out as one JSON_LISTINGS_FEED whose
processing report is applied message by message in a later cycle."""

import json

import pytest
from sqlalchemy import text

from sandbox.testing import running_sandbox
from sandbox_fixtures import seller_seed
from worker.amazon.errors import AmazonError
from worker.sync import publisher

from .conftest import catalog_seed

#: Amazon's clock runs 10 times faster than real time here; the cycle paces at that scale.
SCALE = 10


@pytest.fixture
def market():
    # Amazon's catalog knows the products by UPC and EAN; none is on Amazon yet.
    with running_sandbox(seller_seed(catalog=catalog_seed(missing=(3, 8))), time_scale=SCALE) as sb:
        yield sb


def rows(channel_db):
    with channel_db.engine.connect() as conn:
        return {r.seller_sku: r for r in conn.execute(text(
            "SELECT seller_sku, asin, tab, reason, match_status, submitted_at, submission_ref, amazon_status,"
            " issue_text FROM channel_amazon_listing WHERE product_id IS NOT NULL"))}


def test_barcodes_are_looked_up_twenty_per_call_and_published_in_the_same_cycle(cycle, channel_db, market,
                                                                                  monkeypatch):
    monkeypatch.setattr(publisher, "LOOKUP_BATCH", 50)  # several batches, each committed on its own
    summary = cycle(rate_scale=SCALE)
    assert summary["steps"]["asin_lookup"]["status"] == "ok"
    looked_up = summary["asins_looked_up"]
    sizes = market.market.identifier_searches
    assert looked_up > 60 and max(sizes) == 20 and sum(sizes) >= looked_up * 0.9
    # Per batch of 50: UPC, then EAN for those the UPC did not find, 20 per call; only the
    # last call of each batch and kind holds fewer.
    batches = -(-looked_up // 50)
    assert len(sizes) <= -(-sum(sizes) // 20) + 2 * batches
    assert sizes.count(20) >= 2 * (looked_up // 50)
    assert market.market.calls["searchCatalogItems"] == len(sizes)  # one page each: 20 items fit
    listed = rows(channel_db)
    assert listed["MG-0000024"].asin == "B000000024" and listed["MG-0000024"].match_status == "matched"
    assert listed["MG-0000008"].asin is None and listed["MG-0000008"].match_status == "no_match"
    # Looked up and published by the same cycle: nothing waits for the next one.
    assert not [s for s, r in listed.items() if r.reason in ("asin_lookup_pending", "publish_queued")]
    assert listed["MG-0000024"].submitted_at is not None


def test_the_sandbox_refuses_more_than_twenty_identifiers(channel_db, market, redis_client, settings, sync_account):
    from sqlalchemy.orm import Session

    from channel.models import Account
    from worker.amazon.factory import client_for

    with Session(channel_db.engine, expire_on_commit=False) as session:
        account = session.get(Account, sync_account)
    client = client_for(account, settings, redis_client, rate_scale=SCALE)
    params = {"identifiersType": "UPC", "marketplaceIds": client.marketplace_id}
    with pytest.raises(AmazonError) as refused:
        client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items",
                    params={**params, "identifiers": ",".join(f"{700000000000 + i:012d}" for i in range(1, 22))})
    assert refused.value.status == 400 and "20 identifiers" in str(refused.value)
    data, _ = client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items",
                          params={**params, "identifiers": ",".join(f"{700000000000 + i:012d}" for i in range(1, 21)),
                                  "pageSize": 20})
    assert len(data["items"]) == 18  # products 3 and 8 are unknown to Amazon's catalog


def test_many_offers_go_by_one_feed_whose_report_is_applied_per_message(cycle, channel_db, market, monkeypatch):
    # Few offers here: the choice between puts and a feed is made as for thousands.
    monkeypatch.setattr("worker.sync.exporter.use_feeds", lambda changes, **kw: changes >= 10)
    cycle(rate_scale=SCALE)
    sent = rows(channel_db)
    fed = {s: r for s, r in sent.items() if r.submitted_at is not None}
    assert len(fed) >= 10
    assert market.market.calls.get("putListingsItem", 0) == 0 and market.market.calls["createFeed"] == 1
    refs = {r.submission_ref for r in fed.values()}
    assert len(refs) == 1 and refs.pop().startswith(publisher.FEED_MARK)
    assert all(r.tab == "list_in_progress" and r.reason == "awaiting_amazon_approval" for r in fed.values())
    feeds = list(market.market.feeds.values())  # what Amazon received
    assert len(feeds) == 1 and feeds[0]["feedType"] == "JSON_LISTINGS_FEED"
    uploads = [json.loads(feeds[0]["input"])]
    messages = uploads[0]["messages"]
    assert {m["sku"] for m in messages} == set(fed)
    assert all(m["operationType"] == "UPDATE" and m["requirements"] == "LISTING_OFFER_ONLY"
               and m["attributes"]["merchant_suggested_asin"][0]["value"] == fed[m["sku"]].asin for m in messages)

    refused = sorted(fed)[1:3]
    market.fault(reject_skus=refused)  # Amazon refuses these two when it processes the feed
    market.admin("POST", "/clock", json={"seconds": 61})  # the feed is processed
    cycle(rate_scale=SCALE)
    after = rows(channel_db)
    for sku in refused:
        assert after[sku].tab == "inactive" and after[sku].amazon_status == "INACTIVE"
        assert "not allowed for this product" in after[sku].issue_text
    accepted = [s for s in fed if s not in refused]
    for sku in accepted:
        assert (after[sku].tab, after[sku].reason) == ("list_in_progress", "awaiting_amazon_approval"), sku
        assert after[sku].submission_ref.endswith("/ok")
    # The second cycle sent nothing again: one feed, each offer submitted once.
    assert market.market.calls["createFeed"] == 1 and market.market.calls.get("putListingsItem", 0) == 0
    assert max(market.admin("GET", "/submissions").values()) == 1
    with channel_db.engine.connect() as conn:
        kind, status, ok, bad = conn.execute(text(
            "SELECT kind, status, accepted, rejected FROM channel_amazon_feed")).one()
        logged = conn.execute(text("SELECT message FROM channel_amazon_log WHERE operation = 'JSON_LISTINGS_FEED'"
                                   " AND message LIKE :m"), {"m": refused[0] + ":%"}).scalars().all()
    assert (kind, status, ok, bad) == ("publish", "done", len(accepted), 2) and logged

    market.admin("POST", "/clock", json={"seconds": 600})  # Amazon approves the accepted offers
    cycle(rate_scale=SCALE)
    final = rows(channel_db)
    assert all(final[s].tab == "active" for s in accepted)
    assert all(final[s].tab == "inactive" for s in refused)
    assert market.market.calls["createFeed"] == 1 and max(market.admin("GET", "/submissions").values()) == 1
