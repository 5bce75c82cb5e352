import json

import pytest
from sqlalchemy import text

from channel.errors import InvalidInput, NotFound
from channel.magento.catalog import CatalogReader
from sandbox.catalog import set_attribute_value
from channel.matching import assign_product, match_account, normalize_mapping, reset_matches

from .conftest import add_amazon_listing


def listing(conn, listing_id):
    return conn.execute(text("SELECT * FROM channel_amazon_listing WHERE listing_id = :l"),
                        {"l": listing_id}).mappings().one()


def test_each_identifier_matches_with_its_priority(channel_db, account):
    with channel_db.engine.begin() as conn:
        by_sku = add_amazon_listing(conn, account, "MG-0000001", asin="B0ZZZZZZZZ")
        by_asin = add_amazon_listing(conn, account, "AMZ-ASIN", asin="B000000013")
        by_upc = add_amazon_listing(conn, account, "AMZ-UPC", asin="B0UPC00001", external_id="700000000003",
                                    external_id_type="upc")
        by_ean = add_amazon_listing(conn, account, "AMZ-EAN", asin="B0EAN00001", external_id="4000000000004",
                                    external_id_type="ean")
        unknown = add_amazon_listing(conn, account, "SOMETHING-ELSE", asin="B0NOPE0001")
        uk_only = add_amazon_listing(conn, account, "MG-0000005")  # product 5 is not on website 1
        reader = CatalogReader.connect(conn, channel_db.prefix)
        stats = match_account(conn, reader, account)
        rows = {i: listing(conn, i) for i in (by_sku, by_asin, by_upc, by_ean, unknown, uk_only)}
    assert (rows[by_sku]["product_id"], rows[by_sku]["matched_by"]) == (1, "seller_sku")
    assert (rows[by_asin]["product_id"], rows[by_asin]["matched_by"]) == (13, "asin")
    assert (rows[by_upc]["product_id"], rows[by_upc]["matched_by"]) == (3, "upc")
    assert (rows[by_ean]["product_id"], rows[by_ean]["matched_by"]) == (4, "ean")
    assert rows[by_upc]["magento_sku"] == "MG-0000003"
    for i in (unknown, uk_only):
        assert rows[i]["match_status"] == "third_party" and rows[i]["product_id"] is None
    assert (stats.matched, stats.third_party) == (4, 2)


def test_seller_sku_wins_over_barcode(channel_db, account):
    with channel_db.engine.begin() as conn:
        lid = add_amazon_listing(conn, account, "MG-0000002", external_id="700000000003", external_id_type="upc")
        match_account(conn, CatalogReader.connect(conn, channel_db.prefix), account)
        assert listing(conn, lid)["product_id"] == 2


def test_multiple_matches_keep_their_candidates(channel_db, account):
    with channel_db.raw() as raw:
        raw.cursor().execute(
            f"UPDATE `{channel_db.prefix}catalog_product_entity_varchar` SET value = '4000000000004'"
            f" WHERE value = '4000000000006'")
        raw.commit()
    with channel_db.engine.begin() as conn:
        lid = add_amazon_listing(conn, account, "AMZ-DUP", external_id="4000000000004", external_id_type="ean")
        stats = match_account(conn, CatalogReader.connect(conn, channel_db.prefix), account)
        row = listing(conn, lid)
    assert row["match_status"] == "multiple_matches" and row["product_id"] is None
    assert json.loads(row["match_candidates"]) == [4, 6]
    assert stats.multiple == 1


def test_configurable_parent_has_variants(channel_db, account):
    with channel_db.raw() as raw:
        raw.cursor().execute(
            f"UPDATE `{channel_db.prefix}catalog_product_entity` SET type_id = 'configurable' WHERE entity_id = 7")
        raw.commit()
    with channel_db.engine.begin() as conn:
        lid = add_amazon_listing(conn, account, "MG-0000007")
        match_account(conn, CatalogReader.connect(conn, channel_db.prefix), account)
        row = listing(conn, lid)
    assert row["match_status"] == "has_variants" and json.loads(row["match_candidates"]) == [7]


def test_manual_assignment_survives_matching_and_can_be_reset(channel_db, account):
    with channel_db.engine.begin() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        lid = add_amazon_listing(conn, account, "LEGACY-SKU", asin="B0LEGACY01")
        match_account(conn, reader, account)
        assign_product(conn, reader, account, lid, 8)
        match_account(conn, reader, account)
        assert (listing(conn, lid)["product_id"], listing(conn, lid)["matched_by"]) == (8, "manual")
        with pytest.raises(InvalidInput):
            assign_product(conn, reader, account, lid, 5)  # not on the account's website
        assert reset_matches(conn, account, [lid]) == 1
        match_account(conn, reader, account)
        assert listing(conn, lid)["match_status"] == "third_party"


def test_mapping_is_validated_against_magento_attributes(channel_db):
    with channel_db.engine.connect() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        assert normalize_mapping({"upc": "upc"}, reader)["seller_sku"] == "sku"
        with pytest.raises(InvalidInput):
            normalize_mapping({"barcode": "upc"}, reader)
        with pytest.raises(NotFound):
            normalize_mapping({"ean": "no_such_attribute"}, reader)


def test_identifiers_at_store_view_scope_override_store_zero(channel_db, account):
    # Website 1's store view (store 1) has its own UPC for product 3, a NULL EAN for
    # product 4 ("no EAN here") and an ASIN for product 8 that store 0 lacks.
    with channel_db.raw() as raw:
        set_attribute_value(raw, channel_db.schema, "upc", 3, "700000000903", store_id=1)
        set_attribute_value(raw, channel_db.schema, "ean", 4, None, store_id=1)
        set_attribute_value(raw, channel_db.schema, "amazon_asin", 8, "B0STORE008", store_id=1)
        set_attribute_value(raw, channel_db.schema, "upc", 6, "700000000906", store_id=2)  # UK store only
    with channel_db.engine.begin() as conn:
        store_upc = add_amazon_listing(conn, account, "AMZ-UPC-S", external_id="700000000903", external_id_type="upc")
        default_upc = add_amazon_listing(conn, account, "AMZ-UPC-0", external_id="700000000003",
                                         external_id_type="upc")
        null_ean = add_amazon_listing(conn, account, "AMZ-EAN-0", external_id="4000000000004",
                                      external_id_type="ean")
        store_asin = add_amazon_listing(conn, account, "AMZ-ASIN-S", asin="B0STORE008")
        other_store = add_amazon_listing(conn, account, "AMZ-UPC-UK", external_id="700000000906",
                                         external_id_type="upc")
        plain = add_amazon_listing(conn, account, "AMZ-UPC-6", external_id="700000000006", external_id_type="upc")
        reader = CatalogReader.connect(conn, channel_db.prefix)
        match_account(conn, reader, account)
        rows = {i: listing(conn, i) for i in (store_upc, default_upc, null_ean, store_asin, other_store, plain)}
        # The reader sees the same values the matcher used.
        seen = {p.entity_id: p for p in reader.products(1, entity_ids=[3, 4, 6, 8], attributes=["upc", "ean",
                                                                                            "amazon_asin"])}
    assert (rows[store_upc]["product_id"], rows[store_upc]["matched_by"]) == (3, "upc")
    assert rows[default_upc]["match_status"] == "third_party"  # store 0's UPC is not what store 1 shows
    assert rows[null_ean]["match_status"] == "third_party"  # a NULL store row wins over store 0
    assert (rows[store_asin]["product_id"], rows[store_asin]["matched_by"]) == (8, "asin")
    assert rows[other_store]["match_status"] == "third_party"  # another website's store view
    assert (rows[plain]["product_id"], rows[plain]["matched_by"]) == (6, "upc")
    assert (seen[3].get("upc"), seen[4].get("ean"), seen[8].get("amazon_asin"), seen[6].get("upc")) == \
        ("700000000903", None, "B0STORE008", "700000000006")


def test_new_skus_matched_on_import_end_as_the_match_step_leaves_them(channel_db, account, twin):
    """The report's new SKUs matched by seller SKU while their rows are written end exactly as
    importing them unmatched and running the match step: same product, status and tab, and
    the cases only the match step decides (a variation parent, another website, a barcode)
    are left to it."""
    import datetime as dt


    from channel import listing_state
    from channel.matching import match_new_by_sku
    from worker.sync.importer import STAGE, STAGE_COLUMNS, ListingsReportImporter

    with channel_db.raw() as raw:
        raw.cursor().execute(
            f"UPDATE `{channel_db.prefix}catalog_product_entity` SET type_id = 'configurable' WHERE entity_id = 7")
        raw.commit()
    report = [  # seller_sku, asin, external_id, external_id_type
        ("MG-0000001", "B0ZZZZZZZZ", None, None), ("mg-0000002", None, None, None),  # SKUs compare as Magento's
        ("MG-0000005", None, None, None),  # a product of another website
        ("MG-0000007", None, None, None),  # a variation parent
        ("AMZ-UPC", None, "700000000003", "upc"), ("AMZ-ASIN", "B000000013", None, None),
        ("NOWHERE", None, None, None)]
    taken = dt.datetime(2026, 1, 1, 12, 0, 0)
    columns = ("seller_sku", "product_id", "magento_sku", "match_status", "matched_by", "match_candidates", "tab",
               "reason", "facts_at")
    ends = {}
    with channel_db.engine.begin() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        for acc, prematch in ((account, False), (twin, True)):
            importer = ListingsReportImporter(conn, None, acc.account_id)
            importer._stage_reset()
            for sku, asin, ext, kind in report:
                conn.execute(text(f"INSERT INTO {STAGE} ({', '.join(STAGE_COLUMNS)}) VALUES"
                                  f" (:s, :asin, :e, :k, 'Name', 'BUYABLE', 9.99, 1, 'DEFAULT', 0)"),
                             {"s": sku, "asin": asin, "e": ext, "k": kind})
            matches = match_new_by_sku(conn, reader, acc, STAGE) if prematch else None
            on_import = listing_state.imported(conn, acc.account_id, STAGE, taken, True, matches)
            after_import = dict(conn.execute(text(
                "SELECT seller_sku, product_id FROM channel_amazon_listing WHERE account_id = :a"),
                {"a": acc.account_id}).all())
            if prematch:  # matched on import under the product's name as the store view shows it
                names = dict(conn.execute(text(
                    "SELECT product_id, product_name FROM channel_amazon_listing WHERE account_id = :a"
                    " AND product_id IS NOT NULL"), {"a": acc.account_id}).all())
                assert names == {p.entity_id: p.get("name") for p in reader.products(1, entity_ids=[1, 2])}
                assert all(names.values())
                # Linked, facts unread: what Amazon says of them (buyable), each written in its tab once.
                written = dict(conn.execute(text(
                    "SELECT seller_sku, CONCAT(tab, '|', reason) FROM channel_amazon_listing WHERE account_id = :a"),
                    {"a": acc.account_id}).all())
                assert written["MG-0000001"] == written["mg-0000002"] == "active|listed_buyable"
                assert written["NOWHERE"] == "new_third_party|third_party_unmatched"
                assert dict(conn.execute(text(
                    "SELECT l.seller_sku, c.to_tab FROM channel_amazon_listing_change c JOIN channel_amazon_listing l"
                    " ON l.listing_id = c.listing_id WHERE l.account_id = :a AND c.from_tab IS NULL"),
                    {"a": acc.account_id}).all()) == {k: v.split("|")[0] for k, v in written.items()}
            match_account(conn, reader, acc)
            ends[prematch] = (on_import, after_import, sorted(tuple(r) for r in conn.execute(text(
                f"SELECT {', '.join(columns)} FROM channel_amazon_listing WHERE account_id = :a"),
                {"a": acc.account_id}).all()))
    assert ends[True][0] == 2 and ends[False][0] == 0
    assert {s: p for s, p in ends[True][1].items() if p} == {"MG-0000001": 1, "mg-0000002": 2}
    assert not any(ends[False][1].values())
    assert ends[True][2] == ends[False][2]
    by_sku = {r[0]: r for r in ends[True][2]}
    assert by_sku["mg-0000002"][1:5] == (2, "MG-0000002", "matched", "seller_sku")
    assert by_sku["MG-0000007"][3] == "has_variants" and by_sku["AMZ-UPC"][1:5] == (3, "MG-0000003", "matched", "upc")
    assert by_sku["MG-0000005"][3] == by_sku["NOWHERE"][3] == "third_party"


def test_no_match_on_import_when_seller_sku_is_not_the_magento_sku(channel_db, account):
    from channel.matching import match_new_by_sku
    from worker.sync.importer import ListingsReportImporter, STAGE

    account.identifier_mapping = {"seller_sku": None, "upc": "upc"}
    with channel_db.engine.begin() as conn:
        ListingsReportImporter(conn, None, account.account_id)._stage_reset()
        assert match_new_by_sku(conn, CatalogReader.connect(conn, channel_db.prefix), account, STAGE) is None
