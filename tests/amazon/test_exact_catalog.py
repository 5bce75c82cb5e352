"""searchCatalogItems as Amazon pages it: every page is read, and an identifier that
matches several ASINs is never taken for a single match."""

import pytest

from worker.amazon import catalog


def ean(n):
    return f"{4000000000000 + n:013d}"


def load(sandbox, entries):
    sandbox.market.load({"catalog": entries, "sellers": []})


def test_identifier_on_a_later_page_is_matched(client, sandbox):
    # 20 identifiers, two ASINs each: 40 items, more than one page even at pageSize 20.
    load(sandbox, [{"asin": f"B0PAGE{n:02d}{k}", "identifiers": {"EAN": ean(n)}} for k in "AB"
                   for n in range(20)])
    found = catalog.search_by_identifiers(client, "ean", [ean(n) for n in range(20)])
    assert all(len(found[ean(n)]) == 2 for n in range(20))
    assert sandbox.market.calls["searchCatalogItems"] >= 2


def test_identifier_with_two_asins_on_different_pages_is_two_matches(client, sandbox):
    entries = [{"asin": f"B0FILL{n:04d}", "identifiers": {"EAN": ean(n)}} for n in range(1, 20)]
    entries.insert(0, {"asin": "B0TWIN0001", "identifiers": {"EAN": ean(0)}})
    entries.append({"asin": "B0TWIN0002", "identifiers": {"EAN": [ean(0), "0000000000000"]}})
    entries += [{"asin": f"B0MORE{n:04d}", "identifiers": {"EAN": ean(n)}} for n in range(1, 20)]
    load(sandbox, entries)
    found = catalog.search_by_identifiers(client, "ean", [ean(n) for n in range(20)])
    assert sorted(i["asin"] for i in found[ean(0)]) == ["B0TWIN0001", "B0TWIN0002"]


def test_sandbox_pages_by_ten_by_default_and_refuses_a_foreign_token(client, sandbox):
    load(sandbox, [{"asin": f"B0DEF{n:05d}", "identifiers": {"UPC": f"{700000000000 + n:012d}"}}
                   for n in range(15)])
    params = {"identifiers": ",".join(f"{700000000000 + n:012d}" for n in range(15)), "identifiersType": "UPC",
              "marketplaceIds": client.marketplace_id}
    first, _ = client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items", params=params)
    assert len(first["items"]) == 10 and first["numberOfResults"] == 15
    second, _ = client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items",
                            params={**params, "pageToken": first["pagination"]["nextToken"]})
    assert len(second["items"]) == 5 and "nextToken" not in second.get("pagination", {})
    from worker.amazon.errors import InvalidInput

    with pytest.raises(InvalidInput):
        client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items",
                    params={**params, "identifiersType": "EAN", "pageToken": first["pagination"]["nextToken"]})
    with pytest.raises(InvalidInput):
        client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items", params={**params, "pageSize": 21})


def test_jan_is_searched_as_jan_and_gcid_is_never_sent_as_gtin(client, sandbox):
    load(sandbox, [{"asin": "B0JAN00001", "identifiers": {"JAN": "4901234567894"}},
                   {"asin": "B0GTIN0001", "identifiers": {"GTIN": "00012345678905"}}])
    assert [i["asin"] for i in catalog.search_by_identifiers(client, "jan", ["4901234567894"])["4901234567894"]] \
        == ["B0JAN00001"]
    assert not catalog.searchable("gcid")
    with pytest.raises(ValueError):
        catalog.search_by_identifiers(client, "gcid", ["ABCD1234EFGH5678"])


def test_gcid_is_not_an_identifiers_type_amazon_accepts(client):
    from worker.amazon.errors import InvalidInput

    with pytest.raises(InvalidInput):
        client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items", params={
            "identifiers": "ABCD1234EFGH5678", "identifiersType": "GCID", "marketplaceIds": client.marketplace_id})
