"""The demo's variation family: its catalog holds a configurable T-shirt with six children,
and the demo's new-ASIN rule and mapping choose it and describe it as a SHIRT family."""

import json

from channel import new_asin, product_types, rules
from channel.crypto import new_key
from channel.db import make_engine
from channel.magento.catalog import CatalogReader
from channel.magento.configurable import families
from channel.migrations import upgrade
from channel.settings import Settings
from sandbox import catalog, demo
from sandbox import product_types as sandbox_types

PRODUCTS = 30


def test_demo_catalog_holds_a_configurable_family_its_rule_chooses_and_its_mapping_fits(mariadb, make_database):
    name = make_database("demo")
    raw = mariadb.connect(name)
    try:
        schema = demo.build_catalog(raw, PRODUCTS)
    finally:
        raw.close()
    engine = make_engine(mariadb.url(name), "")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            (family,) = families(conn, schema, [PRODUCTS + 1]).values()
            assert set(family.attribute_codes) == {"size", "color"}
            assert len(family.child_ids) == len(catalog.FAMILY_CHILDREN) == 6
            reader = CatalogReader(conn, schema)
            products = {p.entity_id: p for batch in reader.iter_batches(
                1, attributes=["name", "color", "size"], optional=["color", "size"],
                entity_ids=[PRODUCTS + 1, *family.child_ids], in_website_only=False) for p in batch}
            assert products[PRODUCTS + 1].sku == catalog.FAMILY_PARENT_SKU
            assert products[PRODUCTS + 1].type_id == "configurable"

        account_id = demo.create_account(engine, Settings(database_url=mariadb.url(name), encryption_key=new_key()))
        demo.choose_family(engine, account_id)
        with engine.connect() as conn:
            ((product_type, raw_rule),) = new_asin.load_rules(conn, account_id, mapped_only=True)
            mapping = new_asin.load_mapping(conn, account_id, product_type)
        rule = rules.parse_rule(raw_rule)
        chosen = [eid for eid, p in products.items() if rules.evaluate(rule, rules.ProductView.from_product(p))]
        assert chosen == [PRODUCTS + 1]  # the configurable product; its children join it as a family

        shirt = product_types.from_document(product_type, demo.DEMO_MARKETPLACE, "en_US", "1", product_type,
                                            json.loads(sandbox_types.document(product_type) or b"{}"))
        assert new_asin.parse_mapping([r.as_dict() for r in mapping], shirt) == mapping
        assert new_asin.choose_theme(shirt, mapping, family.attribute_codes) == "SIZE/COLOR"
    finally:
        engine.dispose()
