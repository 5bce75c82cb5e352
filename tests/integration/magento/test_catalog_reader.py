from decimal import Decimal

import pytest
from sqlalchemy import event

from channel.errors import NotFound
from channel.magento.catalog import CatalogReader
from sandbox.catalog import product_sku


def read_all(conn, website_id=1, **kw):
    reader = CatalogReader.connect(conn, prefix=kw.pop("prefix"))
    return {p.entity_id: p for p in reader.products(website_id, **kw)}


def test_reads_products_of_the_website_with_store_zero_values(magento):
    with magento.engine.connect() as conn:
        products = read_all(conn, 1, prefix=magento.prefix, attributes=["upc", "ean"])
    # Products with entity_id % 5 == 0 are on the UK website only.
    assert 5 not in products and 1 in products
    p = products[1]
    assert p.sku == product_sku(1)
    assert p.get("name") == "Sample product 1"
    assert p.get("status") == 1
    assert p.get("upc") == "700000000001"
    assert isinstance(p.get("price"), Decimal)


def test_a_caller_reads_only_the_base_attributes_it_names(magento):
    with magento.engine.connect() as conn:
        everything = read_all(conn, 1, prefix=magento.prefix, attributes=["upc"])
        fewer = read_all(conn, 1, prefix=magento.prefix, attributes=["upc"], base=("name", "status", "price"),
                         categories=False)
    assert everything.keys() == fewer.keys()
    p, q = everything[1], fewer[1]
    assert p.get("visibility") is not None and p.categories
    assert q.get("visibility") is None and q.categories == [] and "special_price" not in q.attributes
    assert (q.get("name"), q.get("status"), q.get("price"), q.get("upc")) == \
        (p.get("name"), p.get("status"), p.get("price"), p.get("upc"))
    assert (q.salable_qty, q.is_in_stock) == (p.salable_qty, p.is_in_stock)


def test_store_row_overrides_store_zero_even_when_null(magento):
    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix)
        uk = {p.entity_id: p for p in reader.products(2)}
        base = {p.entity_id: p for p in reader.products(1, entity_ids=[6])}
    assert uk[4].get("name") == "UK product 4"  # store 2 (UK English) override
    assert uk[2].get("name") == "Sample product 2"  # no override: store 0
    # website-scope price on store 2 wins over store 0
    assert uk[6].get("price") == (base[6].get("price") * Decimal("0.8")).quantize(Decimal("0.01"))


def test_null_store_value_wins_in_store_view(magento):
    # Product 18 has a NULL name row on store 3 (UK French); website 2's default store
    # is 2, so read store 3 through a website whose default store is 3.
    with magento.raw() as raw:
        raw.cursor().execute(f"UPDATE `{magento.prefix}store_group` SET default_store_id = 3 WHERE group_id = 2")
        raw.commit()
    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix)
        uk_fr = {p.entity_id: p for p in reader.products(2, entity_ids=[18, 20])}
    assert uk_fr[18].get("name") is None
    assert uk_fr[20].get("name") == "Sample product 20"


def test_query_count_per_batch_is_constant(magento):
    executed = [0]

    def count(*_args, **_kw):
        executed[0] += 1

    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix)
        list(reader.iter_batches(1, batch_size=5, entity_ids=[1]))  # warm the one-off lookups
        per_batch = []
        event.listen(magento.engine, "before_cursor_execute", count)
        try:
            for size in (10, 40):
                executed[0] = 0
                batches = list(reader.iter_batches(1, attributes=["upc", "ean", "color"], batch_size=size))
                per_batch.append(executed[0] / len(batches))
        finally:
            event.remove(magento.engine, "before_cursor_execute", count)
    # 10 products per batch or 40: the same handful of queries per batch, never one per product.
    assert per_batch[1] <= per_batch[0] + 1
    assert per_batch[0] < 12


def test_batches_cover_every_product_once(magento):
    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix)
        ids = [p.entity_id for b in reader.iter_batches(1, batch_size=7) for p in b]
    assert ids == sorted(set(ids))
    assert len(ids) == sum(1 for i in range(1, 121) if i % 5)


def test_msi_salable_quantity_subtracts_reservations(magento):
    with magento.engine.connect() as conn:
        before = read_all(conn, 1, prefix=magento.prefix, entity_ids=[1])[1]
    assert before.salable_qty is not None and before.salable_qty > 0
    with magento.raw() as raw:
        raw.cursor().execute(
            f"INSERT INTO `{magento.prefix}inventory_reservation` (stock_id, sku, quantity, metadata)"
            " VALUES (1, %s, -1, '{}')", (product_sku(1),))
        raw.commit()
    with magento.engine.connect() as conn:
        after = read_all(conn, 1, prefix=magento.prefix, entity_ids=[1])[1]
    assert after.salable_qty == before.salable_qty - 1


def test_legacy_stock_when_msi_has_no_source_items(magento):
    with magento.raw() as raw:
        raw.cursor().execute(f"DELETE FROM `{magento.prefix}inventory_source_item`")
        raw.cursor().execute(
            f"UPDATE `{magento.prefix}cataloginventory_stock_item` SET qty = 9, min_qty = 2,"
            " use_config_min_qty = 0, is_in_stock = 1 WHERE product_id = 1")
        raw.commit()
    with magento.engine.connect() as conn:
        p = read_all(conn, 1, prefix=magento.prefix, entity_ids=[1, 11, 29])
    assert p[1].salable_qty == Decimal(7)
    assert p[11].salable_qty == 0  # out of stock
    assert p[29].salable_qty is None  # stock not managed: no limit


def test_out_of_stock_source_items_are_not_salable(magento):
    with magento.engine.connect() as conn:
        p = read_all(conn, 1, prefix=magento.prefix, entity_ids=[11, 22])
    assert p[11].salable_qty == 0 and p[22].salable_qty == 0


def test_commerce_reads_the_version_in_force(magento):
    if not magento.schema.is_commerce:
        pytest.skip("staging versions exist only in the Adobe Commerce shape")
    with magento.engine.connect() as conn:
        p = read_all(conn, 2, prefix=magento.prefix, entity_ids=[50])
    assert p[50].get("name") == "Sample product 50"  # the future version is not in force
    with magento.raw() as raw:
        raw.cursor().execute(
            f"UPDATE `{magento.prefix}flag` SET flag_data = '{{\"current_version\": \"1950000000\"}}'"
            " WHERE flag_code = 'staging'")
        raw.commit()
    with magento.engine.connect() as conn:
        p = read_all(conn, 2, prefix=magento.prefix, entity_ids=[50])
    assert p[50].get("name") == "Sample product 50 (next season)"
    assert p[50].entity_id == 50


def test_select_attributes_carry_their_labels(magento):
    with magento.engine.connect() as conn:
        p = read_all(conn, 1, prefix=magento.prefix, entity_ids=[8], attributes=["color", "amazon_condition"])[8]
    assert p.get("amazon_condition_label") == "New"
    assert p.get("color_label") in ("Black", "White", "Red", "Blue", "Green")
    assert p.categories


def test_unknown_attribute_and_website_are_not_found(magento):
    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix)
        with pytest.raises(NotFound):
            list(reader.products(1, attributes=["no_such_attribute"]))
        with pytest.raises(NotFound):
            reader.website(99)


def test_sku_filter_and_special_price_dates(magento):
    with magento.engine.connect() as conn:
        p = read_all(conn, 1, prefix=magento.prefix, skus=[product_sku(7), product_sku(14)])
    assert set(p) == {7, 14}
    assert p[7].get("special_price") is not None
    assert p[7].get("special_to_date") is not None
