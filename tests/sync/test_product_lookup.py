"""The product page's reads from Amazon, as worker jobs against the sandbox: the listing as
Amazon holds it, and a catalog search by keywords (searchCatalogItems' keywords)."""

from decimal import Decimal

import pytest
from rq import SimpleWorker

from channel import jobs


@pytest.fixture
def work(redis_client, worker_env):
    def run(func, account_id, argument):
        job_id = jobs.enqueue_lookup(redis_client, func, account_id, argument)
        SimpleWorker([jobs.QUEUE], connection=redis_client).work(burst=True)
        found = jobs.progress(redis_client, job_id)
        assert found["status"] == "finished", found
        return found["result"]
    return run


def test_listing_as_amazon_holds_it(work, sync_account):
    held = work(jobs.LOOKUP_JOB, sync_account, "MG-0000001")
    assert held["found"] is True and Decimal(held["price"]) == Decimal("5") and held["quantity"] == 1
    assert held["status"] == "BUYABLE" and held["asin"] == "B000000001"
    assert work(jobs.LOOKUP_JOB, sync_account, "NOT-ON-AMAZON") == {"found": False, "seller_sku": "NOT-ON-AMAZON"}


def test_catalog_search_by_keywords_finds_every_word(work, sync_account, market):
    items = work(jobs.CATALOG_SEARCH_JOB, sync_account, "sample product 17")["items"]
    assert [i["asin"] for i in items] == ["B000000017"]
    assert items[0]["title"] == "Sample product 17" and "UPC 700000000017" in items[0]["identifiers"]
    assert work(jobs.CATALOG_SEARCH_JOB, sync_account, "no such thing")["items"] == []
    assert market.market.calls["searchCatalogItems"] == 2


def test_the_sandbox_refuses_keywords_with_identifiers(market):
    import requests

    from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN

    token = requests.post(market.lwa_url, data={"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN,
                                                "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
                          timeout=10).json()["access_token"]
    resp = requests.get(market.url + "/catalog/2022-04-01/items", headers={"x-amz-access-token": token}, params={
        "keywords": "sample", "identifiers": "B000000017", "identifiersType": "ASIN",
        "marketplaceIds": "ATVPDKIKX0DER"}, timeout=10)
    assert resp.status_code == 400 and "cannot be in the same request" in resp.json()["errors"][0]["message"]
