"""ASIN look-up in a cycle reads every page of the catalog search: a barcode Amazon knows
under two ASINs is "multiple matches" even when the second ASIN is on a later page."""

import pytest
from sqlalchemy import text

from sandbox.testing import running_sandbox
from sandbox_fixtures import seller_seed

from .conftest import catalog_seed


@pytest.fixture
def market():
    catalog = catalog_seed()
    # A second ASIN for product 4's UPC, last in Amazon's catalog: on a later page.
    catalog.append({"asin": "B0DUPLIC04", "title": "Same barcode, other product",
                    "identifiers": {"UPC": f"{700000000000 + 4:012d}"}})
    with running_sandbox(seller_seed(catalog=catalog), time_scale=100) as sb:
        yield sb


def test_barcode_with_a_second_asin_on_a_later_page_is_multiple_matches(cycle, channel_db, market):
    cycle()  # classified: ASIN look-up pending
    cycle()  # looked up
    with channel_db.engine.connect() as conn:
        rows = {r.seller_sku: r for r in conn.execute(text(
            "SELECT seller_sku, asin, match_status, match_candidates FROM channel_amazon_listing"))}
    four = rows["MG-0000004"]
    assert four.asin is None and four.match_status == "multiple_matches"
    assert "B0DUPLIC04" in four.match_candidates and "B000000004" in four.match_candidates
    # Products whose only match sits on page 2 of the same search are matched too.
    assert rows["MG-0000024"].asin == "B000000024"
    assert market.market.calls["searchCatalogItems"] >= 2
