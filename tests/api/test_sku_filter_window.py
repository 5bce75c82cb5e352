"""A filter on part of a SKU (or of a name too short for the full-text index) on a tab
larger than ``grid.SCAN_ROWS``: each request reads a window of the tab in the page's order,
and walking the cursors gives exactly the rows of a plain LIKE over the tab, in order,
both ways; on a tab no larger the page is the plain LIKE's, with its exact total."""

import pytest
from sqlalchemy import text

from bridge import grid


@pytest.fixture
def stocked(channel_db, account_id):
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing (account_id, seller_sku, product_name, tab, reason, calc_price,"
            " match_status)"
            " SELECT :a, CONCAT(IF(seq % 5 = 0, 'ab-', 'AB-'), LPAD(seq, 4, '0'), IF(seq % 7 = 0, '-X12', '')),"
            " CONCAT('Item ', seq % 13), ELT(1 + seq % 5, 'active', 'active', 'inactive', 'ready_to_list', 'list_in_progress'),"
            " IF(seq % 3 = 0, 'amazon_not_buyable', 'listed_buyable'), IF(seq % 11 = 0, NULL, 10 + seq % 9),"
            " 'matched' FROM seq_1_to_240"), {"a": account_id})
    return account_id


SORTS = {"sku": "seller_sku ASC, listing_id ASC", "-sku": "seller_sku DESC, listing_id DESC",
         "price": "calc_price ASC, listing_id ASC", "-price": "calc_price DESC, listing_id DESC"}


def plain(channel_db, account_id, tab: str, sort: str, where: str) -> list[str]:
    """The SKUs of the plain query: the tab's states, the filters as given, the page order."""
    states = ", ".join(f"'{t}'" for t in grid.tabs_of(tab))
    with channel_db.engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            f"SELECT seller_sku FROM channel_amazon_listing WHERE account_id = :a AND tab IN ({states})"
            f" AND {where} ORDER BY {SORTS[sort]}"), {"a": account_id})]


def walk(api, base: str) -> tuple[list[str], list[str], dict]:
    """The rows reading on by ``next_cursor`` from the first page, then back by ``prev_cursor``."""
    first = page = api.get(base).get_json()
    seen = [i["seller_sku"] for i in page["items"]]
    while page["next_cursor"]:
        page = api.get(f"{base}&after={page['next_cursor']}").get_json()
        seen += [i["seller_sku"] for i in page["items"]]
    back, cursor = [i["seller_sku"] for i in page["items"]], page["prev_cursor"]
    while cursor:
        page = api.get(f"{base}&before={cursor}").get_json()
        back = [i["seller_sku"] for i in page["items"]] + back
        cursor = page["prev_cursor"]
    return seen, back, first


@pytest.mark.parametrize("sort", ["sku", "-sku", "price", "-price"])
@pytest.mark.parametrize("part", ["X12", "b-00", "AB-01", "zz"])
def test_a_sku_part_over_windows_walks_the_plain_like_both_ways(api, stocked, channel_db, monkeypatch, sort, part):
    monkeypatch.setattr(grid, "SCAN_ROWS", 17)  # the tab holds more: each request reads a window of it
    want = plain(channel_db, stocked, "active", sort, f"seller_sku LIKE '%{part}%'")
    seen, back, first = walk(api, f"/api/v1/accounts/{stocked}/listings?tab=active&sku={part}&sort={sort}&per_page=4")
    assert seen == want and back == want
    assert first["total_exact"] is False and first["total"] <= len(want)


@pytest.mark.parametrize("sort", ["sku", "-price"])
def test_a_sku_part_with_a_reason_and_a_short_name_over_windows_is_the_plain_like(api, stocked, channel_db,
                                                                                   monkeypatch, sort):
    monkeypatch.setattr(grid, "SCAN_ROWS", 9)
    want = plain(channel_db, stocked, "active", sort, "seller_sku LIKE '%0%' AND reason = 'listed_buyable'"
                 " AND product_name LIKE '%m 1%'")
    seen, back, first = walk(api, f"/api/v1/accounts/{stocked}/listings?tab=active&sku=0&reason=listed_buyable"
                                  f"&name=m%201&sort={sort}&per_page=3")
    assert seen == want and back == want and want and first["total_exact"] is False


def test_pages_by_number_over_a_window_then_its_cursor(api, stocked, channel_db, monkeypatch):
    monkeypatch.setattr(grid, "SCAN_ROWS", 60)
    want = plain(channel_db, stocked, "active", "sku", "seller_sku LIKE '%1%'")
    base = f"/api/v1/accounts/{stocked}/listings?tab=active&sku=1&per_page=5"
    rows, page_no, page = [], 1, {"next_cursor": None}
    while True:  # by number while the first window holds the page, then on by its cursor
        page = api.get(f"{base}&page={page_no}").get_json()
        rows += [i["seller_sku"] for i in page["items"]]
        if page["page"] is None or not page["next_cursor"]:
            break
        page_no += 1
    assert page["searched"] == 60 and page_no > 1
    while page["next_cursor"]:
        page = api.get(f"{base}&after={page['next_cursor']}").get_json()
        rows += [i["seller_sku"] for i in page["items"]]
    assert rows == want


@pytest.mark.parametrize("sort", ["sku", "-price"])
def test_on_a_tab_no_larger_than_the_window_the_page_is_the_plain_like_with_its_exact_total(api, stocked, channel_db,
                                                                                            sort):
    want = plain(channel_db, stocked, "active", sort, "seller_sku LIKE '%b-0%'")
    seen, back, first = walk(api, f"/api/v1/accounts/{stocked}/listings?tab=active&sku=b-0&sort={sort}&per_page=7")
    assert seen == want and back == want
    assert first["total"] == len(want) and first["total_exact"] is True and first["searched"] is None


@pytest.mark.parametrize("sort", ["-sku", "price"])
def test_a_tab_of_two_states_over_windows_walks_the_plain_like(api, stocked, channel_db, monkeypatch, sort):
    monkeypatch.setattr(grid, "SCAN_ROWS", 11)
    want = plain(channel_db, stocked, "ready_to_list", sort, "seller_sku LIKE '%b-0%'")
    seen, back, first = walk(api, f"/api/v1/accounts/{stocked}/listings?tab=ready_to_list&sku=b-0&sort={sort}"
                                  "&per_page=4")
    assert seen == want and back == want and len(want) > 11 and first["total_exact"] is False


def test_the_listings_page_says_how_far_a_window_searched_and_links_the_search_on(api, stocked, monkeypatch):
    monkeypatch.setattr(grid, "SCAN_ROWS", 17)
    page = api.get(f"/fragments/listings?account_id={stocked}&tab=active&sku=zz").get_data(as_text=True)
    assert "17 listings of the tab searched for this page, Next searches on" in page
    assert "after=" in page and "page=2" not in page
