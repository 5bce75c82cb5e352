"""Every column of our Magento fixture matches Magento's own db_schema.xml.

Compares what MariaDB reports for the fixture (information_schema) with the
declarative schema of Magento 2.4.8 in ../shared/magento/db_schema: column name,
type (with length, precision, unsigned) and nullability, in both shapes.
"""

import xml.etree.ElementTree as ET

from sqlalchemy import text

from reference import shared_path

XSI = "{http://www.w3.org/2001/XMLSchema-instance}type"
#: Columns Adobe Commerce's staging adds or changes (not in Open Source's XML).
COMMERCE_COLUMNS = {
    ("catalog_product_entity", "row_id"): ("int unsigned", False),
    ("catalog_product_entity", "entity_id"): ("int unsigned", False),
    ("catalog_product_entity", "created_in"): ("bigint unsigned", False),
    ("catalog_product_entity", "updated_in"): ("bigint unsigned", False),
    **{(f"catalog_product_entity_{t}", "row_id"): ("int unsigned", False)
       for t in ("varchar", "int", "decimal", "text", "datetime", "tier_price")},
    ("sequence_product", "sequence_value"): ("int unsigned", False),
}
#: Tables that come from Magento_Framework rather than a module's db_schema.xml.
FRAMEWORK_TABLES = {"flag": {"flag_id": ("int unsigned", False), "flag_code": ("varchar(255)", False),
                             "state": ("smallint unsigned", False), "flag_data": ("mediumtext", True),
                             "last_update": ("timestamp", False)}}


def magento_columns() -> dict:
    folder = shared_path("magento", "db_schema")
    columns: dict = {}
    for f in sorted(folder.glob("*.xml")):
        for table in ET.parse(f).getroot().findall("table"):
            for c in table.findall("column"):
                columns[(table.get("name"), c.get("name"))] = c
    return columns


def expected_type(c) -> str:
    t = c.get(XSI)
    unsigned = " unsigned" if c.get("unsigned") == "true" else ""
    if t in ("int", "smallint", "bigint", "tinyint"):
        return t + unsigned
    if t == "boolean":
        return "tinyint(1)"
    if t in ("varchar", "varbinary"):
        return f"{t}({c.get('length', '255')})"
    if t == "decimal":
        return f"decimal({c.get('precision', '10')},{c.get('scale', '0')})" + unsigned
    return t


def expected_nullable(c) -> bool:
    return c.get("nullable", "true") == "true" and c.get("identity") != "true"


def actual_type(column_type: str) -> str:
    # MariaDB prints int(10) unsigned; Magento's XML has no display widths.
    import re

    t = column_type.lower()
    return re.sub(r"^(int|smallint|bigint|tinyint|mediumint)\(\d+\)", r"\1", t) if not t.startswith("tinyint(1)") else t


def test_fixture_columns_match_magento_db_schema(magento):
    reference = magento_columns()
    with magento.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT table_name, column_name, column_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = DATABASE() AND table_name NOT LIKE 'channel_amazon_%'")).all()
    assert rows, "the fixture created no tables"
    problems = []
    for table, column, column_type, is_nullable in rows:
        name = table[len(magento.prefix):] if magento.prefix else table
        got = (actual_type(column_type), is_nullable == "YES")
        if magento.schema.is_commerce and (name, column) in COMMERCE_COLUMNS:
            want = COMMERCE_COLUMNS[(name, column)]
        elif name in FRAMEWORK_TABLES:
            want = FRAMEWORK_TABLES[name][column]
        elif (name, column) in reference:
            c = reference[(name, column)]
            want = (expected_type(c), expected_nullable(c))
        else:
            problems.append(f"{name}.{column} is not in Magento's schema")
            continue
        if got != want:
            problems.append(f"{name}.{column}: fixture {got}, Magento {want}")
    assert problems == []


def test_the_fixture_uses_the_table_prefix(magento):
    with magento.engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SHOW TABLES"))]
    if magento.prefix:
        assert all(n.startswith(magento.prefix) for n in names)
    assert any(n.endswith("catalog_product_entity") for n in names)
