"""The sample Magento catalog: a Magento-shaped database for the demo, tests and benchmarks.

``create_schema`` builds the core tables the channel reads (``catalog_schema.sql``) in
the Open Source or the Adobe Commerce shape, with an optional table prefix, and seeds
what a fresh Magento has: the admin and two storefront websites, the product entity
type and its attributes, the default MSI source and stock. ``generate_catalog`` then
writes N products the way Magento stores them: EAV values by backend type, store 0
defaults with store-view overrides, websites, legacy stock items and MSI source items,
identifiers in attributes; some disabled, some out of stock, some on special price.
All inserts are set-based (multi-row), so 100k products take seconds, not minutes.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from datetime import date, timedelta
from importlib import resources
from typing import Any

from channel.magento.schema import COMMERCE, MAX_VERSION, OPEN_SOURCE, MagentoSchema

PRODUCT_ENTITY_TYPE_ID = 4
DEFAULT_ATTRIBUTE_SET_ID = 4
APPAREL_ATTRIBUTE_SET_ID = 9
#: Websites and stores of the sample install: (website_id, code, name, group, stores).
WEBSITES = (
    (1, "base", "Main Website", 1, ((1, "default", "Default Store View"),)),
    (2, "uk", "UK Website", 2, ((2, "uk_en", "UK English"), (3, "uk_fr", "UK French"))),
)
#: Product attributes of the sample install: code -> (backend_type, frontend_input, is_global).
ATTRIBUTES = {
    "name": ("varchar", "text", 0),
    "description": ("text", "textarea", 0),
    "price": ("decimal", "price", 2),
    "special_price": ("decimal", "price", 2),
    "special_from_date": ("datetime", "date", 2),
    "special_to_date": ("datetime", "date", 2),
    "cost": ("decimal", "price", 2),
    "weight": ("decimal", "weight", 1),
    "status": ("int", "select", 2),
    "visibility": ("int", "select", 0),
    "tax_class_id": ("int", "select", 2),
    "news_from_date": ("datetime", "date", 2),
    "news_to_date": ("datetime", "date", 2),
    "manufacturer": ("int", "select", 1),
    "color": ("int", "select", 1),
    "upc": ("varchar", "text", 1),
    "ean": ("varchar", "text", 1),
    "isbn": ("varchar", "text", 1),
    "amazon_asin": ("varchar", "text", 1),
    "amazon_condition": ("int", "select", 1),
    "country_of_manufacture": ("varchar", "select", 2),
    "size": ("int", "select", 1),
}
OPTIONS = {
    "manufacturer": ("Acme", "Globex", "Initech", "Umbrella", "Stark"),
    "color": ("Black", "White", "Red", "Blue", "Green"),
    "amazon_condition": ("New", "Used - Like New", "Used - Good", "Refurbished"),
    "size": ("S", "M", "L", "XL"),
}
CATEGORIES = (3, 4, 5, 6, 7)
SOURCES = (("default", "Default Source", 1), ("uk_warehouse", "UK Warehouse", 2))
STOCKS = ((1, "Default Stock", "base"), (2, "UK Stock", "uk"))


def schema_sql(schema: MagentoSchema) -> list[str]:
    """The CREATE TABLE statements for a shape and prefix."""
    raw = resources.files("sandbox").joinpath("catalog_schema.sql").read_text()
    body = "\n".join(line for line in raw.splitlines() if not line.startswith("--"))
    statements = [s.strip() for s in body.split(";") if s.strip()]
    if schema.shape == COMMERCE:
        statements = [_to_commerce(s) for s in statements]
        statements.append(
            "CREATE TABLE `__PREFIX__sequence_product` (`sequence_value` int UNSIGNED NOT NULL"
            " AUTO_INCREMENT, PRIMARY KEY (`sequence_value`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        )
    return [s.replace("__PREFIX__", schema.prefix) for s in statements]


def _to_commerce(statement: str) -> str:
    if "`__PREFIX__catalog_product_entity` (" in statement:
        statement = statement.replace(
            "`entity_id` int UNSIGNED NOT NULL AUTO_INCREMENT,",
            "`row_id` int UNSIGNED NOT NULL AUTO_INCREMENT,\n  `entity_id` int UNSIGNED NOT NULL,\n"
            "  `created_in` bigint UNSIGNED NOT NULL DEFAULT 1,\n"
            f"  `updated_in` bigint UNSIGNED NOT NULL DEFAULT {MAX_VERSION},",
        ).replace("PRIMARY KEY (`entity_id`)", "PRIMARY KEY (`row_id`)")
        return statement.replace(
            "KEY `CATALOG_PRODUCT_ENTITY_SKU` (`sku`)",
            "KEY `CATALOG_PRODUCT_ENTITY_SKU` (`sku`),\n"
            "  KEY `CATALOG_PRODUCT_ENTITY_CREATED_IN` (`created_in`),\n"
            "  KEY `CATALOG_PRODUCT_ENTITY_UPDATED_IN` (`updated_in`),\n"
            "  KEY `CATALOG_PRODUCT_ENTITY_ENTITY_ID_CREATED_IN_UPDATED_IN`"
            " (`entity_id`, `created_in`, `updated_in`)",
        )
    if re.search(r"`__PREFIX__catalog_product_entity_(varchar|int|decimal|text|datetime)` \(", statement):
        statement = statement.replace(
            "`entity_id` int UNSIGNED NOT NULL DEFAULT 0,", "`row_id` int UNSIGNED NOT NULL,"
        )
        statement = re.sub(r"_ENTITY_ID_ATTRIBUTE_ID_STORE_ID` \(`entity_id`",
                           r"_ROW_ID_ATTRIBUTE_ID_STORE_ID` (`row_id`", statement)
    if "`__PREFIX__catalog_product_entity_tier_price` (" in statement:
        statement = statement.replace("`entity_id` int UNSIGNED NOT NULL DEFAULT 0,", "`row_id` int UNSIGNED NOT NULL,")
        statement = statement.replace("(`entity_id`, `all_groups`", "(`row_id`, `all_groups`")
    return statement


def create_schema(conn, schema: MagentoSchema) -> None:
    """Create and seed the Magento core tables on a MySQLdb connection."""
    cur = conn.cursor()
    for statement in schema_sql(schema):
        cur.execute(statement)
    _seed(cur, schema)
    conn.commit()


def _insert(cur, schema: MagentoSchema, table: str, columns: tuple[str, ...], rows, chunk: int = 5000):
    """Multi-row INSERT in chunks (mysqlclient turns executemany into one statement)."""
    sql = (f"INSERT INTO {schema.t(table)} ({', '.join(columns)}) VALUES "
           f"({', '.join(['%s'] * len(columns))})")
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            cur.executemany(sql, batch)
            batch = []
    if batch:
        cur.executemany(sql, batch)


def _seed(cur, s: MagentoSchema) -> None:
    cur.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')")
    _insert(cur, s, "store_website", ("website_id", "code", "name", "sort_order", "default_group_id", "is_default"),
            [(0, "admin", "Admin", 0, 0, 0)] + [(w, c, n, w, g, int(w == 1)) for w, c, n, g, _ in WEBSITES])
    _insert(cur, s, "store_group", ("group_id", "website_id", "name", "root_category_id", "default_store_id", "code"),
            [(0, 0, "Default", 0, 0, "default")]
            + [(g, w, f"{n} Store", 2, stores[0][0], f"{c}_group") for w, c, n, g, stores in WEBSITES])
    _insert(cur, s, "store", ("store_id", "code", "website_id", "group_id", "name", "sort_order", "is_active"),
            [(0, "admin", 0, 0, "Admin", 0, 1)]
            + [(sid, sc, w, g, sn, sid, 1) for w, _, _, g, stores in WEBSITES for sid, sc, sn in stores])
    # Magento's shipped order statuses and the states they are assigned to (Sales data patch).
    _insert(cur, s, "sales_order_status", ("status", "label"), [
        ("canceled", "Canceled"), ("closed", "Closed"), ("complete", "Complete"), ("fraud", "Suspected Fraud"),
        ("holded", "On Hold"), ("payment_review", "Payment Review"), ("pending", "Pending"),
        ("pending_payment", "Pending Payment"), ("processing", "Processing"), ("custom_unassigned", "Unassigned")])
    _insert(cur, s, "sales_order_status_state", ("status", "state", "is_default", "visible_on_front"), [
        ("canceled", "canceled", 1, 1), ("closed", "closed", 1, 1), ("complete", "complete", 1, 1),
        ("fraud", "payment_review", 0, 1), ("fraud", "processing", 0, 1), ("holded", "holded", 1, 1),
        ("payment_review", "payment_review", 1, 1), ("pending", "new", 1, 1),
        ("pending_payment", "pending_payment", 1, 0), ("processing", "processing", 1, 1)])
    _insert(cur, s, "core_config_data", ("scope", "scope_id", "path", "value"), [
        ("default", 0, "web/secure/base_url", "https://shop.example.com/"),
        ("default", 0, "catalog/price/scope", "1"),
        ("default", 0, "cataloginventory/item_options/manage_stock", "1"),
        ("default", 0, "cataloginventory/item_options/min_qty", "0"),
        ("default", 0, "currency/options/base", "USD"),
        ("websites", 2, "currency/options/base", "GBP"),
        ("default", 0, "general/locale/timezone", "UTC"),
    ])
    # Magento's customer groups (Customer data patch), and a wholesale group of the merchant's.
    _insert(cur, s, "customer_group", ("customer_group_id", "customer_group_code", "tax_class_id"), [
        (0, "NOT LOGGED IN", 3), (1, "General", 3), (2, "Wholesale", 3), (3, "Retailer", 3)])
    _insert(cur, s, "eav_entity_type", ("entity_type_id", "entity_type_code", "entity_model", "entity_table",
                                        "default_attribute_set_id", "additional_attribute_table"),
            [(PRODUCT_ENTITY_TYPE_ID, "catalog_product", "Magento\\Catalog\\Model\\ResourceModel\\Product",
              "catalog_product_entity", DEFAULT_ATTRIBUTE_SET_ID, "catalog_eav_attribute")])
    _insert(cur, s, "eav_attribute_set", ("attribute_set_id", "entity_type_id", "attribute_set_name", "sort_order"),
            [(DEFAULT_ATTRIBUTE_SET_ID, PRODUCT_ENTITY_TYPE_ID, "Default", 1),
             (APPAREL_ATTRIBUTE_SET_ID, PRODUCT_ENTITY_TYPE_ID, "Apparel", 2)])
    attr_rows, catalog_rows = [], []
    for i, (code, (backend, frontend, scope)) in enumerate(ATTRIBUTES.items(), start=70):
        label = code.replace("_", " ").title()
        attr_rows.append((i, PRODUCT_ENTITY_TYPE_ID, code, backend, frontend, label, int(code in ("name", "price")),
                          int(code in ("upc", "ean", "isbn", "amazon_asin")), 1))
        catalog_rows.append((i, scope, 1))
    _insert(cur, s, "eav_attribute", ("attribute_id", "entity_type_id", "attribute_code", "backend_type",
                                      "frontend_input", "frontend_label", "is_required", "is_unique",
                                      "is_user_defined"), attr_rows)
    _insert(cur, s, "catalog_eav_attribute", ("attribute_id", "is_global", "is_visible"), catalog_rows)
    option_rows, label_rows = [], []
    option_id = 100
    ids = attribute_ids()
    for code, labels in OPTIONS.items():
        for pos, label in enumerate(labels):
            option_id += 1
            option_rows.append((option_id, ids[code], pos))
            label_rows.append((option_id, 0, label))
            label_rows.append((option_id, 3, label + " (fr)"))
    _insert(cur, s, "eav_attribute_option", ("option_id", "attribute_id", "sort_order"), option_rows)
    _insert(cur, s, "eav_attribute_option_value", ("option_id", "store_id", "value"), label_rows)
    _insert(cur, s, "cataloginventory_stock", ("stock_id", "website_id", "stock_name"), [(1, 0, "Default")])
    _insert(cur, s, "inventory_source", ("source_code", "name", "enabled", "country_id", "postcode"),
            [(code, name, 1, "US" if code == "default" else "GB", "00000") for code, name, _ in SOURCES])
    _insert(cur, s, "inventory_stock", ("stock_id", "name"), [(sid, name) for sid, name, _ in STOCKS])
    _insert(cur, s, "inventory_source_stock_link", ("stock_id", "source_code", "priority"),
            [(stock, code, 1) for code, _, stock in SOURCES])
    _insert(cur, s, "inventory_stock_sales_channel", ("type", "code", "stock_id"),
            [("website", web, sid) for sid, _, web in STOCKS])
    if s.shape == COMMERCE:
        _insert(cur, s, "flag", ("flag_code", "state", "flag_data"),
                [("staging", 0, json.dumps({"current_version": str(STAGING_NOW)}))])


#: The staging version in force in the sample Commerce install; a future update starts later.
STAGING_NOW = 1_700_000_000
STAGING_FUTURE = 1_900_000_000


def attribute_ids() -> dict[str, int]:
    return {code: i for i, code in enumerate(ATTRIBUTES, start=70)}


def option_id(code: str, label: str) -> int:
    """The option id the seed gives ``label`` of select attribute ``code``."""
    base = 100
    for c, labels in OPTIONS.items():
        if c == code:
            return base + labels.index(label) + 1
        base += len(labels)
    raise KeyError(code)


@dataclasses.dataclass(frozen=True)
class CatalogSpec:
    """What fraction of the generated catalog is in each interesting state."""

    disabled_every: int = 17
    out_of_stock_every: int = 11
    special_price_every: int = 7
    no_identifier_every: int = 23
    uk_only_every: int = 5
    staged_every: int = 50
    today: date = date(2026, 11, 24)


def product_sku(i: int) -> str:
    return f"MG-{i:07d}"


def generate_catalog(conn, schema: MagentoSchema, count: int, start: int = 1, seed: int = 7,
                     spec: CatalogSpec = CatalogSpec()) -> None:
    """Write ``count`` products with entity ids ``start..start+count-1``."""
    rnd = random.Random(seed)
    cur = conn.cursor()
    ids = attribute_ids()
    commerce = schema.shape == COMMERCE
    entity_rows: list[tuple] = []
    values: dict[str, list[tuple]] = {t: [] for t in ("varchar", "int", "decimal", "text", "datetime")}
    website_rows: list[tuple] = []
    stock_rows: list[tuple] = []
    source_rows: list[tuple] = []
    category_rows: list[tuple] = []
    seq_rows: list[tuple] = []
    row_id = _next_row_id(cur, schema) if commerce else 0  # the Commerce shape's row_id only
    for eid in range(start, start + count):
        sku = product_sku(eid)
        set_id = APPAREL_ATTRIBUTE_SET_ID if eid % 3 == 0 else DEFAULT_ATTRIBUTE_SET_ID
        versions = [(1, MAX_VERSION)]
        if commerce and eid % spec.staged_every == 0:
            versions = [(1, STAGING_FUTURE), (STAGING_FUTURE, MAX_VERSION)]
        for created_in, updated_in in versions:
            link = eid
            if commerce:
                link = row_id
                row_id += 1
                entity_rows.append((link, eid, created_in, updated_in, set_id, "simple", sku))
            else:
                entity_rows.append((eid, set_id, "simple", sku))
            future = created_in == STAGING_FUTURE
            price = round(rnd.uniform(5, 500), 2)
            name = f"Sample product {eid}" + (" (next season)" if future else "")
            values["varchar"] += [(ids["name"], 0, link, name)]
            if eid % 4 == 0:  # a store-view override on the UK English store
                values["varchar"].append((ids["name"], 2, link, f"UK product {eid}"))
            if eid % 9 == 0:  # a store row that is NULL still wins over store 0
                values["varchar"].append((ids["name"], 3, link, None))
            if eid % spec.no_identifier_every:
                values["varchar"] += [(ids["upc"], 0, link, f"{700000000000 + eid:012d}"),
                                      (ids["ean"], 0, link, f"{4000000000000 + eid:013d}")]
            if eid % 10 == 3:  # an ASIN already known for some products
                values["varchar"].append((ids["amazon_asin"], 0, link, f"B0{eid:08d}"))
            if eid % 13 == 0:
                values["varchar"].append((ids["isbn"], 0, link, f"978{eid:010d}"))
            values["text"].append((ids["description"], 0, link, f"<p>Description of product {eid}</p>"))
            values["decimal"] += [(ids["price"], 0, link, price), (ids["cost"], 0, link, round(price * 0.6, 2)),
                                  (ids["weight"], 0, link, round(rnd.uniform(0.1, 5), 3))]
            if eid % 6 == 0:  # website-scope price on the UK store view
                values["decimal"].append((ids["price"], 2, link, round(price * 0.8, 2)))
            status = 2 if eid % spec.disabled_every == 0 else 1
            values["int"] += [(ids["status"], 0, link, status), (ids["visibility"], 0, link, 4),
                              (ids["tax_class_id"], 0, link, 2),
                              (ids["manufacturer"], 0, link, option_id("manufacturer", OPTIONS["manufacturer"][eid % 5])),
                              (ids["color"], 0, link, option_id("color", OPTIONS["color"][eid % 5]))]
            if eid % 8 == 0:
                values["int"].append((ids["amazon_condition"], 0, link, option_id("amazon_condition", "New")))
            if eid % spec.special_price_every == 0:
                special_from = spec.today - timedelta(days=10)
                special_to = spec.today + timedelta(days=10) if eid % 2 else spec.today - timedelta(days=1)
                values["decimal"].append((ids["special_price"], 0, link, round(price * 0.75, 2)))
                values["datetime"] += [(ids["special_from_date"], 0, link, f"{special_from} 00:00:00"),
                                       (ids["special_to_date"], 0, link, f"{special_to} 00:00:00")]
            if eid % 20 == 0:
                values["datetime"] += [(ids["news_from_date"], 0, link, f"{spec.today - timedelta(days=5)} 00:00:00"),
                                       (ids["news_to_date"], 0, link, f"{spec.today + timedelta(days=25)} 00:00:00")]
        if commerce:
            seq_rows.append((eid,))
        if eid % spec.uk_only_every:
            website_rows.append((eid, 1))
        if eid % 2 == 0 or eid % spec.uk_only_every == 0:
            website_rows.append((eid, 2))
        out = eid % spec.out_of_stock_every == 0
        qty = 0 if out else rnd.randint(1, 200)
        manage = 0 if eid % 29 == 0 else 1
        stock_rows.append((eid, 1, 0, qty, int(not out), manage, int(manage == 1), 0, 1))
        source_rows.append(("default", sku, qty, int(not out)))
        source_rows.append(("uk_warehouse", sku, 0 if out else rnd.randint(0, 50), int(not out)))
        category_rows.append((CATEGORIES[eid % len(CATEGORIES)], eid, 1))
    if commerce:
        _insert(cur, schema, "sequence_product", ("sequence_value",), seq_rows)
        _insert(cur, schema, "catalog_product_entity",
                ("row_id", "entity_id", "created_in", "updated_in", "attribute_set_id", "type_id", "sku"), entity_rows)
    else:
        _insert(cur, schema, "catalog_product_entity", ("entity_id", "attribute_set_id", "type_id", "sku"), entity_rows)
    for backend, rows in values.items():
        _insert(cur, schema, f"catalog_product_entity_{backend}", ("attribute_id", "store_id", schema.link, "value"), rows)
    _insert(cur, schema, "catalog_product_website", ("product_id", "website_id"), website_rows)
    _insert(cur, schema, "cataloginventory_stock_item",
            ("product_id", "stock_id", "website_id", "qty", "is_in_stock", "manage_stock",
             "use_config_manage_stock", "min_qty", "use_config_min_qty"), stock_rows)
    _insert(cur, schema, "inventory_source_item", ("source_code", "sku", "quantity", "status"), source_rows)
    _insert(cur, schema, "catalog_category_product", ("category_id", "product_id", "position"), category_rows)
    conn.commit()


#: The sample configurable family (``add_configurable_family``): a T-shirt in three sizes
#: and two colors; size XL joins later (``add_configurable_child``).
FAMILY_PARENT_SKU = "MG-TEE"
FAMILY_CHILDREN = tuple((size, color) for size in ("S", "M", "L") for color in ("Black", "White"))


def _add_product(cur, schema: MagentoSchema, entity_id: int, sku: str, type_id: str, values: dict,
                 qty: int | None) -> int:
    """One product in either shape (EAV values at store 0, main website, stock); returns its link
    (``row_id`` in Adobe Commerce, ``entity_id`` otherwise)."""
    ids = attribute_ids()
    link = entity_id
    if schema.shape == COMMERCE:
        link = _next_row_id(cur, schema)
        _insert(cur, schema, "sequence_product", ("sequence_value",), [(entity_id,)])
        _insert(cur, schema, "catalog_product_entity",
                ("row_id", "entity_id", "created_in", "updated_in", "attribute_set_id", "type_id", "sku"),
                [(link, entity_id, 1, MAX_VERSION, APPAREL_ATTRIBUTE_SET_ID, type_id, sku)])
    else:
        _insert(cur, schema, "catalog_product_entity", ("entity_id", "attribute_set_id", "type_id", "sku"),
                [(entity_id, APPAREL_ATTRIBUTE_SET_ID, type_id, sku)])
    for code, value in values.items():
        backend = ATTRIBUTES[code][0]
        if ATTRIBUTES[code][1] == "select" and code in OPTIONS:
            value = option_id(code, value)
        _insert(cur, schema, f"catalog_product_entity_{backend}", ("attribute_id", "store_id", schema.link, "value"),
                [(ids[code], 0, link, value)])
    _insert(cur, schema, "catalog_product_website", ("product_id", "website_id"), [(entity_id, 1)])
    if qty is not None:
        _insert(cur, schema, "cataloginventory_stock_item",
                ("product_id", "stock_id", "website_id", "qty", "is_in_stock", "manage_stock",
                 "use_config_manage_stock", "min_qty", "use_config_min_qty"), [(entity_id, 1, 0, qty, 1, 1, 1, 0, 1)])
        _insert(cur, schema, "inventory_source_item", ("source_code", "sku", "quantity", "status"),
                [("default", sku, qty, 1)])
    return link


def add_configurable_family(conn, schema: MagentoSchema, parent_id: int, sku: str = FAMILY_PARENT_SKU,
                            children=FAMILY_CHILDREN, brand: str = "Acme", name: str = "Classic tee") -> list[int]:
    """A configurable product (entity ``parent_id``) varying by size and color, with one simple
    child per (size, color) at the following entity ids; returns the children's ids."""
    cur = conn.cursor()
    link = _add_product(cur, schema, parent_id, sku, "configurable",
                        {"name": name, "description": f"<p>{name} in cotton.</p>", "manufacturer": brand,
                         "status": 1, "visibility": 4}, None)
    ids = attribute_ids()
    _insert(cur, schema, "catalog_product_super_attribute", ("product_id", "attribute_id", "position"),
            [(link, ids["size"], 0), (link, ids["color"], 1)])
    conn.commit()
    return [add_configurable_child(conn, schema, parent_id, parent_id + n, size, color, sku=sku, brand=brand,
                                   name=name) for n, (size, color) in enumerate(children, start=1)]


def add_configurable_child(conn, schema: MagentoSchema, parent_id: int, entity_id: int, size: str, color: str,
                           sku: str = FAMILY_PARENT_SKU, brand: str = "Acme", name: str = "Classic tee") -> int:
    """A simple child of the configurable ``parent_id`` (linked in ``catalog_product_super_link``)."""
    cur = conn.cursor()
    _add_product(cur, schema, entity_id, f"{sku}-{size}-{color[:3].upper()}", "simple",
                 {"name": f"{name} {size} {color}", "description": f"<p>{name} in cotton.</p>", "manufacturer": brand,
                  "color": color, "size": size, "price": 19.0, "status": 1, "visibility": 1,
                  "ean": f"{4000000500000 + entity_id:013d}"}, 25)
    cur.execute(f"SELECT {schema.link} FROM {schema.t('catalog_product_entity')} WHERE entity_id = %s"
                f" ORDER BY {schema.link} LIMIT 1", (parent_id,))
    (parent_link,) = cur.fetchone()
    _insert(cur, schema, "catalog_product_super_link", ("product_id", "parent_id"), [(entity_id, parent_link)])
    conn.commit()
    return entity_id


def _next_row_id(cur, schema: MagentoSchema) -> int:
    cur.execute(f"SELECT COALESCE(MAX(row_id), 0) + 1 FROM {schema.t('catalog_product_entity')}")
    (value,) = cur.fetchone()
    # Row ids start far from entity ids so that code mixing them up fails loudly.
    return max(int(value), 500_001)


def build(conn, count: int, shape: str = OPEN_SOURCE, prefix: str = "", seed: int = 7) -> MagentoSchema:
    """Create the schema and a catalog of ``count`` products; returns the schema."""
    schema = MagentoSchema(prefix=prefix, shape=shape)
    create_schema(conn, schema)
    if count:
        generate_catalog(conn, schema, count, seed=seed)
    return schema


def set_attribute_value(conn, schema: MagentoSchema, code: str, entity_id: int, value, store_id: int = 0) -> None:
    """Write (or replace) one attribute value of a product in a store, in either shape.

    In the Adobe Commerce shape every staging row of the product gets the value."""
    backend = ATTRIBUTES[code][0]
    table = schema.t(f"catalog_product_entity_{backend}")
    cur = conn.cursor()
    cur.execute(
        f"INSERT INTO {table} (attribute_id, store_id, {schema.link}, value)"
        f" SELECT %s, %s, e.{schema.link}, %s FROM {schema.t('catalog_product_entity')} e WHERE e.entity_id = %s"
        f" ON DUPLICATE KEY UPDATE value = VALUES(value)",
        (attribute_ids()[code], store_id, value, entity_id))
    conn.commit()


def set_config(conn, schema: MagentoSchema, path: str, value: str | None, scope: str = "default",
               scope_id: int = 0) -> None:
    """Set a ``core_config_data`` value at a scope; None removes it."""
    cur = conn.cursor()
    cur.execute(f"DELETE FROM {schema.t('core_config_data')} WHERE scope = %s AND scope_id = %s AND path = %s",
                (scope, scope_id, path))
    if value is not None:
        cur.execute(f"INSERT INTO {schema.t('core_config_data')} (scope, scope_id, path, value)"
                    f" VALUES (%s, %s, %s, %s)", (scope, scope_id, path, value))
    conn.commit()


def main(argv: list[str] | None = None) -> int:
    """``python -m sandbox.catalog -n 1000 [--shape commerce] [--prefix mg_] [--schedule]``:
    build the sample catalog in the database of ``CHANNEL_DATABASE_URL`` (or
    ``CHANNEL_MAGENTO_ROOT``); ``--schedule`` puts the channel's indexer in Update by Schedule."""
    import argparse

    import MySQLdb
    from sqlalchemy.engine import make_url

    from channel.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m sandbox.catalog", description="Build the sample Magento catalog.")
    parser.add_argument("-n", "--products", type=int, default=1000)
    parser.add_argument("--shape", choices=[OPEN_SOURCE, COMMERCE], default=OPEN_SOURCE)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--schedule", action="store_true",
                        help="the channel's indexer in Update by Schedule (sandbox.mview)")
    args = parser.parse_args(argv)
    url = make_url(Settings.from_env().database_url)
    kwargs: dict[str, Any] = {"user": url.username or "root", "password": url.password or "", "database": url.database}
    socket = url.query.get("unix_socket")
    if socket:
        kwargs["unix_socket"] = socket
    else:
        kwargs.update(host=url.host or "127.0.0.1", port=url.port or 3306)
    conn = MySQLdb.connect(charset="utf8mb4", **kwargs)
    try:
        schema = build(conn, args.products, shape=args.shape, prefix=args.prefix)
        if args.schedule:
            from sandbox import mview

            mview.schedule(conn, schema)
    finally:
        conn.close()
    print(f"built a {args.shape} Magento catalog of {args.products} products")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
