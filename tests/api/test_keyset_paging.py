"""Pages by key: the same rows as reading the whole tab in order, forward and back, with
NULL sort values and tabs made of several states; filtered totals stop at a bound."""

import pytest
from sqlalchemy import text

from bridge import grid


@pytest.fixture
def many(channel_db, account_id):
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing (account_id, seller_sku, tab, reason, calc_price, match_status)"
            " SELECT :a, CONCAT('SKU-', LPAD(seq, 4, '0')), IF(seq % 3 = 0, 'list_in_progress', 'ready_to_list'),"
            " 'ready', IF(seq % 5 = 0, NULL, 10 + seq % 7), 'matched' FROM seq_1_to_137"), {"a": account_id})
    return account_id


def walk(api, account_id, sort, forward=True):
    base = f"/api/v1/accounts/{account_id}/listings?tab=ready_to_list&sort={sort}&per_page=10"
    seen, page = [], api.get(base).get_json()
    while True:
        seen += [i["seller_sku"] for i in page["items"]]
        if not page["next_cursor"]:
            break
        page = api.get(f"{base}&after={page['next_cursor']}").get_json()
    back, cursor = [], page["prev_cursor"]
    back = [i["seller_sku"] for i in page["items"]]
    while cursor:
        page = api.get(f"{base}&before={cursor}").get_json()
        back = [i["seller_sku"] for i in page["items"]] + back
        cursor = page["prev_cursor"]
    return seen, back


@pytest.mark.parametrize("sort", ["sku", "-sku", "price", "-price", "-changed"])
def test_cursor_pages_walk_the_whole_tab_in_order_both_ways(api, many, channel_db, sort):
    column, desc = grid.SORTS[sort.lstrip("-")], sort.startswith("-")
    with channel_db.engine.connect() as conn:
        # MariaDB's own order: NULLs first ascending, last descending; ties by listing id.
        expected = [r[0] for r in conn.execute(text(
            f"SELECT seller_sku FROM channel_amazon_listing WHERE account_id = :a"
            f" AND tab IN ('ready_to_list', 'list_in_progress')"
            f" ORDER BY {column} {'DESC' if desc else 'ASC'}, listing_id {'DESC' if desc else 'ASC'}"),
            {"a": many})]
    forward, backward = walk(api, many, sort)
    assert forward == expected and backward == expected and len(expected) == 137


def test_first_pages_by_number_and_deep_ones_by_cursor(api, many):
    base = f"/api/v1/accounts/{many}/listings?tab=ready_to_list&per_page=5"
    two = api.get(base + "&page=2").get_json()
    assert two["page"] == 2 and two["pages"] == 28 and two["total"] == 137 and two["total_exact"]
    assert api.get(base + "&page=21").status_code == 400
    assert api.get(base + "&after=not-a-cursor").status_code == 400


def test_filtered_totals_stop_at_the_bound(api, many, monkeypatch):
    monkeypatch.setattr(grid, "COUNT_BOUND", 50)
    page = api.get(f"/api/v1/accounts/{many}/listings?tab=ready_to_list&sku=SKU-&per_page=10").get_json()
    assert page["total"] == 50 and page["total_exact"] is False and page["pages"] is None


def test_a_name_search_reads_the_full_text_index_and_short_words_still_match(api, account_id, channel_db):
    with channel_db.engine.begin() as conn:
        for n, name in enumerate(["Blue cotton Shirt XL", "Red shirt", "Bluest sky poster", "Blue mug"], start=1):
            conn.execute(text(
                "INSERT INTO channel_amazon_listing (account_id, seller_sku, product_name, tab, reason, match_status)"
                " VALUES (:a, :s, :n, 'active', 'listed_buyable', 'matched')"), {"a": account_id, "s": f"N-{n}",
                                                                                   "n": name})
    base = f"/api/v1/accounts/{account_id}/listings?tab=active&name="
    names = lambda q: sorted(i["product_name"] for i in api.get(base + q).get_json()["items"])  # noqa: E731
    assert names("blue%20shirt") == ["Blue cotton Shirt XL"]
    assert names("blue") == ["Blue cotton Shirt XL", "Blue mug", "Bluest sky poster"]  # word starts
    assert names("shirt%20XL") == ["Blue cotton Shirt XL"]  # a 2-letter word: substring match
    where, params = grid.listing_query({"tab": "active", "name": "blue shirt"}, account_id)
    assert "MATCH(product_name)" in where and params["name_ft"] == "+blue* +shirt*"
