"""A tab filtered by reason, sorted by price: pages by number (the rows before a page
counted off on an index) and pages by cursor, with the filter matching more rows than a
filtered count reads (the cursor page then seeks the sort's index), give exactly the rows
of reading the filtered tab in order."""

import pytest
from sqlalchemy import text

from bridge import grid


@pytest.fixture
def priced(channel_db, account_id):
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing (account_id, seller_sku, tab, reason, calc_price, match_status)"
            " SELECT :a, CONCAT('P-', LPAD(seq, 4, '0')), IF(seq % 4 = 0, 'inactive', 'active'),"
            " IF(seq % 3 = 0, 'amazon_not_buyable', 'listed_buyable'), IF(seq % 11 = 0, NULL, 10 + seq % 9),"
            " 'matched' FROM seq_1_to_160"), {"a": account_id})
    return account_id


def expected(channel_db, account_id, desc: bool) -> list[str]:
    direction = "DESC" if desc else "ASC"
    with channel_db.engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT seller_sku FROM channel_amazon_listing WHERE account_id = :a AND tab = 'active'"
            f" AND reason = 'listed_buyable' ORDER BY calc_price {direction}, listing_id {direction}"),
            {"a": account_id})]


@pytest.mark.parametrize("sort", ["price", "-price"])
def test_pages_by_number_are_the_filtered_tab_in_order(api, priced, channel_db, sort):
    base = f"/api/v1/accounts/{priced}/listings?tab=active&reason=listed_buyable&sort={sort}&per_page=7"
    first = api.get(base).get_json()
    rows = []
    for page in range(1, first["pages"] + 1):
        got = api.get(f"{base}&page={page}").get_json()
        assert got["page"] == page and got["total"] == first["total"] and got["total_exact"]
        rows += [i["seller_sku"] for i in got["items"]]
    assert rows == expected(channel_db, priced, sort.startswith("-")) and len(rows) == first["total"] > 50


@pytest.mark.parametrize("sort", ["price", "-price", "sku"])
def test_cursor_pages_of_a_filter_past_the_count_bound_walk_it_both_ways(api, priced, channel_db, monkeypatch,
                                                                          sort):
    monkeypatch.setattr(grid, "COUNT_BOUND", 20)  # the filter matches more: cursor pages seek the sort index
    base = f"/api/v1/accounts/{priced}/listings?tab=active&reason=listed_buyable&sort={sort}&per_page=9"
    page = api.get(base).get_json()
    assert page["total_exact"] is False
    seen = [i["seller_sku"] for i in page["items"]]
    while page["next_cursor"]:
        page = api.get(f"{base}&after={page['next_cursor']}").get_json()
        seen += [i["seller_sku"] for i in page["items"]]
    back, cursor = [i["seller_sku"] for i in page["items"]], page["prev_cursor"]
    while cursor:
        page = api.get(f"{base}&before={cursor}").get_json()
        back = [i["seller_sku"] for i in page["items"]] + back
        cursor = page["prev_cursor"]
    if sort == "sku":
        with channel_db.engine.connect() as conn:
            want = [r[0] for r in conn.execute(text(
                "SELECT seller_sku FROM channel_amazon_listing WHERE account_id = :a AND tab = 'active'"
                " AND reason = 'listed_buyable' ORDER BY seller_sku, listing_id"), {"a": priced})]
    else:
        want = expected(channel_db, priced, sort.startswith("-"))
    assert seen == want and back == want



def test_a_tab_of_two_states_filtered_past_the_bound_walks_by_cursor_in_order(api, account_id, channel_db,
                                                                               monkeypatch):
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing (account_id, seller_sku, tab, reason, calc_price, match_status)"
            " SELECT :a, CONCAT('R-', LPAD(seq, 4, '0')), IF(seq % 3 = 0, 'list_in_progress', 'ready_to_list'),"
            " IF(seq % 5 = 0, 'missing_price', 'ready'), IF(seq % 7 = 0, NULL, 10 + seq % 6), 'matched'"
            " FROM seq_1_to_90"), {"a": account_id})
        want = [r[0] for r in conn.execute(text(
            "SELECT seller_sku FROM channel_amazon_listing WHERE account_id = :a AND reason = 'ready'"
            " AND tab IN ('ready_to_list', 'list_in_progress') ORDER BY calc_price DESC, listing_id DESC"),
            {"a": account_id})]
    monkeypatch.setattr(grid, "COUNT_BOUND", 10)
    base = f"/api/v1/accounts/{account_id}/listings?tab=ready_to_list&reason=ready&sort=-price&per_page=8"
    page = api.get(base).get_json()
    seen = [i["seller_sku"] for i in page["items"]]
    while page["next_cursor"]:
        page = api.get(f"{base}&after={page['next_cursor']}").get_json()
        seen += [i["seller_sku"] for i in page["items"]]
    by_number = [i["seller_sku"] for n in (1, 2, 3) for i in api.get(f"{base}&page={n}").get_json()["items"]]
    assert seen == want and by_number == want[:24] and len(want) == 72
