"""Which stock model Magento uses (MSI or legacy) and what backorders add."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from channel.errors import InvalidInput
from channel.magento.catalog import CatalogReader
from sandbox.catalog import product_sku, set_config
from channel.pricing import AccountSettings, compute_qty

MSI_MODULES = ("Magento_Inventory", "Magento_InventoryCatalog", "Magento_InventorySales",
               "Magento_InventoryReservations", "Magento_InventoryIndexer")


def write_config_php(root, msi_enabled: bool):
    etc = root / "app" / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    flag = 1 if msi_enabled else 0
    modules = "\n".join(f"        '{m}' => {flag}," for m in MSI_MODULES)
    etc.joinpath("config.php").write_text(
        "<?php\nreturn [\n    'modules' => [\n        'Magento_Store' => 1,\n        'Magento_Catalog' => 1,\n"
        f"        'Magento_CatalogInventory' => 1,\n{modules}\n    ],\n"
        "    'scopes' => [\n        'websites' => [],\n    ],\n];\n")
    return root


def set_stock(magento, entity_id, legacy_qty=None, source_qty=None, source_status=1, **item):
    """Legacy stock item columns and the default source's item of one product."""
    with magento.raw() as raw:
        cur = raw.cursor()
        columns = dict(item)
        if legacy_qty is not None:
            columns["qty"] = legacy_qty
        if columns:
            assignments = ", ".join(f"{c} = %s" for c in columns)
            cur.execute(f"UPDATE `{magento.prefix}cataloginventory_stock_item` SET {assignments}"
                        f" WHERE product_id = %s", (*columns.values(), entity_id))
        if source_qty is not None:
            cur.execute(f"UPDATE `{magento.prefix}inventory_source_item` SET quantity = %s, status = %s"
                        f" WHERE sku = %s AND source_code = 'default'", (source_qty, source_status,
                                                                         product_sku(entity_id)))
        raw.commit()


def read(magento, ids, **kw):
    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix, **kw)
        return {p.entity_id: p for p in reader.products(1, entity_ids=ids)}, reader.stock.msi


@pytest.fixture
def stale_msi(magento):
    """Product 1: 9 in legacy stock, 50 in a source item left over from MSI."""
    set_stock(magento, 1, legacy_qty=9, source_qty=50, is_in_stock=1, min_qty=0, use_config_min_qty=0)
    return magento


def test_msi_disabled_in_config_php_reads_legacy_stock(stale_msi, tmp_path):
    products, msi = read(stale_msi, [1], magento_root=str(write_config_php(tmp_path, msi_enabled=False)))
    assert msi is False and products[1].salable_qty == Decimal(9)


def test_msi_enabled_in_config_php_reads_source_items(stale_msi, tmp_path):
    products, msi = read(stale_msi, [1], magento_root=str(write_config_php(tmp_path, msi_enabled=True)))
    assert msi is True and products[1].salable_qty == Decimal(50)


def test_explicit_stock_model_overrides_config_php(stale_msi, tmp_path):
    root = str(write_config_php(tmp_path, msi_enabled=True))
    assert read(stale_msi, [1], magento_root=root, stock_model="legacy")[0][1].salable_qty == Decimal(9)
    root_off = str(write_config_php(tmp_path / "off", msi_enabled=False))
    assert read(stale_msi, [1], magento_root=root_off, stock_model="msi")[0][1].salable_qty == Decimal(50)
    with stale_msi.engine.connect() as conn:
        with pytest.raises(InvalidInput):
            CatalogReader.connect(conn, prefix=stale_msi.prefix, stock_model="both")
        settings = SimpleNamespace(table_prefix=stale_msi.prefix, magento_root=root, stock_model="legacy")
        assert CatalogReader.from_settings(conn, settings).stock.msi is False


def test_without_config_php_msi_is_inferred_from_the_database(stale_msi, tmp_path):
    # A Magento root without a readable config.php: source items exist, so MSI.
    products, msi = read(stale_msi, [1], magento_root=str(tmp_path))
    assert msi is True and products[1].salable_qty == Decimal(50)
    # setup_module says MSI was never installed: the source items are leftovers.
    with stale_msi.raw() as raw:
        cur = raw.cursor()
        cur.execute(f"CREATE TABLE `{stale_msi.prefix}setup_module` (`module` varchar(50) NOT NULL,"
                    " `schema_version` varchar(50) NULL, `data_version` varchar(50) NULL, PRIMARY KEY (`module`))")
        cur.execute(f"INSERT INTO `{stale_msi.prefix}setup_module` VALUES ('Magento_Catalog', '2.4.8', '2.4.8')")
        raw.commit()
    products, msi = read(stale_msi, [1])
    assert msi is False and products[1].salable_qty == Decimal(9)


@pytest.mark.parametrize("model", ["legacy", "msi"])
def test_backorders_are_read_and_not_offered_by_default(magento, model):
    with magento.raw() as raw:
        set_config(raw, magento.schema, "cataloginventory/item_options/backorders", "1")
    # 1: out of units, backorders on, threshold 0: Magento sells any quantity on backorder.
    set_stock(magento, 1, legacy_qty=0, source_qty=0, is_in_stock=1, backorders=1, use_config_backorders=0,
              min_qty=0, use_config_min_qty=0)
    # 2: three units already backordered, threshold -10: seven more may be.
    set_stock(magento, 2, legacy_qty=-3, source_qty=-3, is_in_stock=1, backorders=2, use_config_backorders=0,
              min_qty=-10, use_config_min_qty=0)
    # 3: backorders from the configuration, 5 on hand.
    set_stock(magento, 3, legacy_qty=5, source_qty=5, is_in_stock=1, use_config_backorders=1, min_qty=0,
              use_config_min_qty=0)
    # 4: no backorders: a negative threshold left behind adds nothing.
    set_stock(magento, 4, legacy_qty=6, source_qty=6, is_in_stock=1, backorders=0, use_config_backorders=0,
              min_qty=-5, use_config_min_qty=0)
    # 6: backorders on but the merchant set the product out of stock.
    set_stock(magento, 6, legacy_qty=0, source_qty=0, source_status=0, is_in_stock=0, backorders=1,
              use_config_backorders=0)
    p, msi = read(magento, [1, 2, 3, 4, 6], stock_model=model)
    assert msi is (model == "msi")
    assert (p[1].backorders, p[1].backorders_allowed, p[1].salable_qty, p[1].backorder_qty) == (1, True, 0, None)
    assert (p[2].backorders, p[2].salable_qty, p[2].backorder_qty) == (2, 0, Decimal(7))
    assert (p[3].backorders, p[3].salable_qty, p[3].backorder_qty) == (1, Decimal(5), None)
    assert (p[4].backorders_allowed, p[4].salable_qty, p[4].backorder_qty) == (False, Decimal(6), 0)
    assert (p[6].salable_qty, p[6].backorder_qty) == (0, 0)
    # The offer counts only units in stock unless the account asks for backorders.
    settings = AccountSettings()
    assert [compute_qty(p[i], settings) for i in (1, 2, 3, 4)] == [0, 0, 5, 6]


def test_msi_reservations_count_against_stock_before_backorders(magento):
    set_stock(magento, 1, legacy_qty=4, source_qty=4, is_in_stock=1, backorders=1, use_config_backorders=0,
              min_qty=-10, use_config_min_qty=0)
    with magento.raw() as raw:
        raw.cursor().execute(f"INSERT INTO `{magento.prefix}inventory_reservation` (stock_id, sku, quantity,"
                             " metadata) VALUES (1, %s, -6, '{}')", (product_sku(1),))
        raw.commit()
    p, _ = read(magento, [1], stock_model="msi")
    # 4 on hand, 6 reserved: nothing in stock, 8 of the 10 backorder units left.
    assert (p[1].salable_qty, p[1].backorder_qty) == (0, Decimal(8))


def test_stock_options_pinned_in_app_etc_win_over_the_database(magento, tmp_path):
    etc = tmp_path / "app" / "etc"
    etc.mkdir(parents=True)
    etc.joinpath("env.php").write_text(
        "<?php\nreturn ['system' => ['default' => ['cataloginventory' => ['item_options' => ["
        "'backorders' => '1', 'min_qty' => '2']]]]];\n")
    with magento.raw() as raw:
        set_config(raw, magento.schema, "cataloginventory/item_options/backorders", "0")
    set_stock(magento, 3, legacy_qty=5, source_qty=5, is_in_stock=1, use_config_backorders=1, use_config_min_qty=1)
    p, _ = read(magento, [3], magento_root=str(tmp_path), stock_model="legacy")
    assert (p[3].backorders, p[3].min_qty, p[3].salable_qty, p[3].backorder_qty) == (1, 2, 3, None)
    p, _ = read(magento, [3], stock_model="legacy")
    assert (p[3].backorders, p[3].salable_qty, p[3].backorder_qty) == (0, 5, 0)
