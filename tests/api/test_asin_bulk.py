"""The listings grid's bulk ASIN search and assignment over the API: bad input is refused
with a sentence naming the parameter, more than 100 listings are refused, candidates already
known are answered without a search, and chosen ASINs are assigned all or none through the
single assignment's transition, which the next matching and classification keep."""

import json

import pytest
from sqlalchemy import text

from channel.jobs import ASIN_SEARCH_JOB, MAX_ASIN_SEARCH, queue


def _rows(channel_db, account_id, where: str) -> list[dict]:
    with channel_db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(
            f"SELECT listing_id, product_id, seller_sku, asin, tab, reason, match_status, matched_by"
            f" FROM channel_amazon_listing WHERE account_id = :a AND {where} ORDER BY listing_id"),
            {"a": account_id}).mappings()]


def _products_without_asin(channel_db, account_id, n=2) -> list[dict]:
    rows = _rows(channel_db, account_id, "product_id IS NOT NULL AND amazon_status IS NULL AND asin IS NULL")
    assert len(rows) >= n
    return rows[:n]


def _with_candidates(channel_db, listing_id, asins) -> None:
    """As the sync's lookup leaves a barcode that matched several ASINs."""
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET match_status = 'multiple_matches',"
                          " match_candidates = :c, tab = 'incomplete', reason = 'multiple_matches'"
                          " WHERE listing_id = :l"), {"l": listing_id, "c": json.dumps(asins)})


def _search(api, account_id, ids):
    return api.post(f"/api/v1/accounts/{account_id}/listings/asin-search", json={"listing_ids": ids})


def _assign(api, account_id, pairs):
    return api.post(f"/api/v1/accounts/{account_id}/listings/asins",
                    json={"assignments": [{"listing_id": lid, "asin": asin} for lid, asin in pairs]})


@pytest.mark.parametrize("bad", [{}, {"listing_ids": []}, {"listing_ids": "1,2"}, {"listing_ids": [0]},
                                 {"listing_ids": [True]}, {"listing_ids": ["7"]}, {"listing_ids": [5, 5]}])
def test_search_refuses_bad_listing_ids(api, listed, bad):
    resp = api.post(f"/api/v1/accounts/{listed}/listings/asin-search", json=bad)
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["details"]["parameter"] == "listing_ids" and "listing" in error["message"]


def test_search_refuses_more_than_its_limit(api, listed, redis_client):
    queued = queue(redis_client).count  # the new account's credential check
    resp = _search(api, listed, list(range(1, MAX_ASIN_SEARCH + 2)))
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["message"] == f"at most {MAX_ASIN_SEARCH} listings are searched or assigned at a time; 101 were selected"
    assert error["details"]["limit"] == MAX_ASIN_SEARCH and error["details"]["selected"] == 101
    assert queue(redis_client).count == queued


def test_search_refuses_listings_of_another_account(api, listed, channel_db, redis_client):
    mine = _products_without_asin(channel_db, listed, 1)[0]["listing_id"]
    queued = queue(redis_client).count
    resp = _search(api, listed, [mine, 999999])
    assert resp.status_code == 404
    assert "999999" in resp.get_json()["error"]["message"]
    assert _search(api, 999, [mine]).status_code == 404
    assert queue(redis_client).count == queued


def test_known_candidates_answered_the_others_searched_by_a_job(api, listed, channel_db, redis_client):
    known, other = _products_without_asin(channel_db, listed)
    _with_candidates(channel_db, known["listing_id"], ["B0CAND0001", "B0CAND0002"])
    amazon_only = _rows(channel_db, listed, "seller_sku = 'LEGACY-1'")[0]
    queued = queue(redis_client).count
    resp = _search(api, listed, [known["listing_id"], other["listing_id"], amazon_only["listing_id"]])
    assert resp.status_code == 202
    data = resp.get_json()
    assert data["searched"] == [other["listing_id"]] and data["limit"] == MAX_ASIN_SEARCH
    assert data["known"] == [{"listing_id": known["listing_id"], "seller_sku": known["seller_sku"], "searched_by": None,
                              "candidates": [{"asin": a, "title": None, "brand": None, "parent": False}
                                             for a in ("B0CAND0001", "B0CAND0002")]}]
    assert [(s["listing_id"], s["reason"].split(":")[0]) for s in data["skipped"]] == [
        (amazon_only["listing_id"], "an Amazon listing with no Magento product")]
    job = queue(redis_client).fetch_job(data["job_id"])
    assert job.func_name == ASIN_SEARCH_JOB and job.args == (listed, [other["listing_id"]])
    # Only known candidates: nothing to search, no job.
    only_known = _search(api, listed, [known["listing_id"]])
    assert only_known.status_code == 200 and only_known.get_json()["job_id"] is None
    assert queue(redis_client).count == queued + 1


@pytest.mark.parametrize("bad, parameter", [
    ({}, "assignments"), ({"assignments": []}, "assignments"), ({"assignments": [7]}, "assignments"),
    ({"assignments": [{"listing_id": "x", "asin": "B0CAND0001"}]}, "assignments"),
    ({"assignments": [{"listing_id": 1, "asin": "B0-SHORT"}]}, "asin"),
    ({"assignments": [{"listing_id": 1, "asin": None}]}, "asin"),
    ({"assignments": [{"listing_id": 1, "asin": "B0CAND0001"}, {"listing_id": 1, "asin": "B0CAND0002"}]},
     "assignments"),
])
def test_assign_refuses_bad_input(api, listed, bad, parameter):
    resp = api.post(f"/api/v1/accounts/{listed}/listings/asins", json=bad)
    assert resp.status_code == 400
    assert resp.get_json()["error"]["details"]["parameter"] == parameter


def test_assign_refuses_more_than_the_limit(api, listed):
    resp = _assign(api, listed, [(i, "B0CAND0001") for i in range(1, MAX_ASIN_SEARCH + 2)])
    assert resp.status_code == 400 and "at most 100" in resp.get_json()["error"]["message"]


def test_assign_is_all_or_none(api, listed, channel_db):
    free = _products_without_asin(channel_db, listed, 1)[0]
    on_amazon = _rows(channel_db, listed, "amazon_status IS NOT NULL AND product_id IS NOT NULL")[0]
    resp = _assign(api, listed, [(free["listing_id"], "B0CAND0001"), (on_amazon["listing_id"], "B0CAND0002")])
    assert resp.status_code == 400
    assert on_amazon["seller_sku"] in resp.get_json()["error"]["message"]
    assert "already on Amazon" in resp.get_json()["error"]["message"]
    assert _rows(channel_db, listed, f"listing_id = {free['listing_id']}")[0]["asin"] is None
    assert _assign(api, listed, [(free["listing_id"], "B0CAND0001"), (999999, "B0CAND0002")]).status_code == 404


def test_assigned_asins_move_the_listings_on_and_matching_keeps_them(api, listed, channel_db):
    from sqlalchemy.orm import Session

    from channel.classification import classify_account
    from channel.magento.catalog import CatalogReader
    from channel.matching import match_account
    from channel.models import Account

    known, other = _products_without_asin(channel_db, listed)
    _with_candidates(channel_db, known["listing_id"], ["B0CAND0001", "B0CAND0002"])
    resp = _assign(api, listed, [(known["listing_id"], "b0cand0002"), (other["listing_id"], " B0NAME0001 ")])
    assert resp.status_code == 200
    assigned = {a["listing_id"]: a for a in resp.get_json()["assigned"]}
    assert assigned[known["listing_id"]]["asin"] == "B0CAND0002" and assigned[other["listing_id"]]["asin"] == "B0NAME0001"
    assert assigned[known["listing_id"]]["reason_text"]["title"]
    before = {r["listing_id"]: r for r in _rows(channel_db, listed, f"listing_id IN ({known['listing_id']},"
                                                                    f" {other['listing_id']})")}
    assert before[known["listing_id"]]["asin"] == "B0CAND0002" and before[known["listing_id"]]["match_status"] == "matched"
    assert before[known["listing_id"]]["reason"] != "multiple_matches"
    assert {r["tab"] for r in before.values()} == {assigned[i]["tab"] for i in assigned}
    with channel_db.engine.begin() as conn:  # the next cycle's matching and classification
        with Session(bind=conn) as session:
            acc = session.get(Account, listed)
            reader = CatalogReader.connect(conn, channel_db.prefix)
            match_account(conn, reader, acc)
            classify_account(conn, reader, acc)
    after = {r["listing_id"]: r for r in _rows(channel_db, listed, f"listing_id IN ({known['listing_id']},"
                                                                   f" {other['listing_id']})")}
    assert {i: (r["asin"], r["match_status"]) for i, r in after.items()} == {
        known["listing_id"]: ("B0CAND0002", "matched"), other["listing_id"]: ("B0NAME0001", "matched")}


@pytest.mark.parametrize("grants", [frozenset({"Channel_Amazon::listings"})])
def test_bulk_search_and_assign_need_the_listing_actions_grant(api, listed, grants, channel_db):
    free = _products_without_asin(channel_db, listed, 1)[0]["listing_id"]
    for path, body in (("asin-search", {"listing_ids": [free]}),
                       ("asins", {"assignments": [{"listing_id": free, "asin": "B0CAND0001"}]})):
        resp = api.post(f"/api/v1/accounts/{listed}/listings/{path}", json=body, grants=grants)
        assert resp.status_code == 403
        assert resp.get_json()["error"]["details"]["resource"] == "Channel_Amazon::listings_actions"
