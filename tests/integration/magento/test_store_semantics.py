"""Optional attributes an install may lack, and date attributes in the store's time zone."""

from datetime import datetime
from decimal import Decimal

import pytest

from channel.errors import NotFound
from channel.magento.catalog import CatalogReader
from sandbox.catalog import set_attribute_value, set_config
from channel.pricing import AccountSettings, compute_price, special_price_applies

#: 12:00 UTC on 24 November: already 25 November in Kiritimati (UTC+14).
NOON_UTC = datetime(2026, 11, 24, 12, 0)
#: 05:00 UTC on 25 November: still 24 November in Pago Pago (UTC-11).
EARLY_UTC = datetime(2026, 11, 25, 5, 0)


def drop_attributes(magento, *codes):
    with magento.raw() as raw:
        cur = raw.cursor()
        for code in codes:
            cur.execute(f"DELETE FROM `{magento.prefix}eav_attribute` WHERE attribute_code = %s", (code,))
        raw.commit()


def read(magento, website_id=1, **kw):
    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix)
        return {p.entity_id: p for p in reader.products(website_id, **kw)}


def test_missing_optional_attributes_read_as_null(magento):
    drop_attributes(magento, "news_from_date", "news_to_date", "special_to_date")
    # Classification asks for the special price attributes by name: absent ones are optional too.
    products = read(magento, entity_ids=[7], attributes=["special_price", "special_to_date", "upc"])
    assert read(magento, 2, entity_ids=[20])[20].get("news_from_date") is None  # had a value before
    assert products[7].get("special_to_date") is None
    assert products[7].get("special_price") is not None  # the attributes still present are read
    assert products[7].get("name") == "Sample product 7" and products[7].get("upc") == "700000000007"
    # With no to-date the special price applies from its from-date on.
    assert special_price_applies(products[7], NOON_UTC)


def test_missing_required_attribute_names_it(magento):
    drop_attributes(magento, "price")
    with pytest.raises(NotFound) as err:
        read(magento, entity_ids=[1])
    assert "'price'" in err.value.message and err.value.details == {"attribute_code": "price"}


def test_an_attribute_asked_for_by_name_must_exist_unless_optional(magento):
    with pytest.raises(NotFound) as err:
        read(magento, entity_ids=[1], attributes=["gtin"])
    assert "'gtin'" in err.value.message
    products = read(magento, entity_ids=[1], attributes=["gtin"], optional=["gtin"])
    assert products[1].get("gtin") is None


def special_dates(magento):
    """Product 7 ends its special price on 24 Nov, product 21 starts it on 25 Nov."""
    with magento.raw() as raw:
        set_attribute_value(raw, magento.schema, "special_to_date", 7, "2026-11-24 00:00:00")
        set_attribute_value(raw, magento.schema, "special_from_date", 21, "2026-11-25 00:00:00")


def prices(products, now):
    settings = AccountSettings()
    return {i: (compute_price(p, settings, now), Decimal(str(p.get("price"))).quantize(Decimal("0.01")),
                Decimal(str(p.get("special_price"))).quantize(Decimal("0.01")))
            for i, p in products.items()}


def test_special_price_dates_follow_the_website_time_zone(magento):
    special_dates(magento)
    utc = prices(read(magento, entity_ids=[7, 21]), NOON_UTC)
    # In UTC it is still 24 Nov: 7's special price holds through its to-date, 21's has not started.
    assert utc[7][0] == utc[7][2] and utc[21][0] == utc[21][1]
    with magento.raw() as raw:
        set_config(raw, magento.schema, "general/locale/timezone", "Pacific/Kiritimati", "websites", 1)
    products = read(magento, entity_ids=[7, 21])
    assert products[7].timezone == "Pacific/Kiritimati"
    local = prices(products, NOON_UTC)
    # In Kiritimati it is 25 Nov, 02:00: 7's special price ended, 21's started.
    assert local[7][0] == local[7][1] and local[21][0] == local[21][2]
    # The UK website keeps the default scope's zone.
    assert next(iter(read(magento, 2, entity_ids=[14]).values())).timezone == "UTC"


def test_store_view_time_zone_wins_over_the_website(magento):
    special_dates(magento)
    with magento.raw() as raw:
        set_config(raw, magento.schema, "general/locale/timezone", "Pacific/Kiritimati", "websites", 1)
        set_config(raw, magento.schema, "general/locale/timezone", "Pacific/Pago_Pago", "stores", 1)
    products = read(magento, entity_ids=[7, 21])
    assert products[7].timezone == "Pacific/Pago_Pago"
    local = prices(products, EARLY_UTC)
    # 05:00 UTC on 25 Nov is 18:00 on 24 Nov in Pago Pago: 7's last special day, 21's not begun.
    assert local[7][0] == local[7][2] and local[21][0] == local[21][1]
    # An aware "now" means the same instant.
    from datetime import timezone
    assert prices(products, EARLY_UTC.replace(tzinfo=timezone.utc)) == local


def test_without_a_time_zone_setting_magento_s_default_applies(magento):
    with magento.raw() as raw:
        set_config(raw, magento.schema, "general/locale/timezone", None)
    # Magento_Directory's config.xml default.
    assert read(magento, entity_ids=[1])[1].timezone == "America/Los_Angeles"
    with magento.raw() as raw:
        set_config(raw, magento.schema, "general/locale/timezone", "Mars/Olympus_Mons", "websites", 1)
    assert read(magento, entity_ids=[1])[1].timezone == "America/Los_Angeles"


def test_time_zone_pinned_in_app_etc_wins_at_its_scope(magento, tmp_path):
    etc = tmp_path / "app" / "etc"
    etc.mkdir(parents=True)
    etc.joinpath("config.php").write_text(
        "<?php\nreturn [\n  'modules' => ['Magento_Store' => 1],\n  'system' => [\n"
        "    'default' => ['general' => ['locale' => ['timezone' => 'Europe/Paris']]],\n"
        "    'websites' => ['base' => ['general' => ['locale' => ['timezone' => 'Pacific/Kiritimati']]]],\n"
        "  ],\n];\n")
    etc.joinpath("env.php").write_text(
        "<?php\nreturn ['system' => ['stores' => ['uk_en' => ['general' => ['locale' => ["
        "'timezone' => 'Europe/London']]]]]];\n")
    with magento.raw() as raw:
        set_config(raw, magento.schema, "general/locale/timezone", "Pacific/Pago_Pago", "websites", 1)
        set_config(raw, magento.schema, "general/locale/timezone", "Asia/Tokyo", "stores", 1)
    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix, magento_root=str(tmp_path))
        # Store 1's own database row beats the website value pinned in config.php.
        assert reader.website(1).timezone == "Asia/Tokyo"
        # UK: env.php pins its store view; without it config.php's default beats the database's.
        assert reader.website(2).timezone == "Europe/London"
    with magento.raw() as raw:
        set_config(raw, magento.schema, "general/locale/timezone", None, "stores", 1)
    with magento.engine.connect() as conn:
        reader = CatalogReader.connect(conn, prefix=magento.prefix, magento_root=str(tmp_path))
        assert reader.website(1).timezone == "Pacific/Kiritimati"  # pinned website value over the database's
        etc.joinpath("env.php").write_text("<?php\nreturn [];\n")
        reader = CatalogReader.connect(conn, prefix=magento.prefix, magento_root=str(tmp_path))
        assert reader.website(2).timezone == "Europe/Paris"
