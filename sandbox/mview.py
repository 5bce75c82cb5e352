"""Magento in Update by Schedule mode for the channel's indexer, as a stand-in.

What Magento 2.4.8 does when the indexer ``channel_amazon_product`` (declared by the
module's ``etc/indexer.xml`` and ``etc/mview.xml``) is set to Update by Schedule:

- ``schedule``: the changelog ``channel_amazon_product_cl (version_id, entity_id)``,
  the view's ``mview_state`` row in mode ``enabled``, and AFTER INSERT/UPDATE/DELETE
  triggers on every subscribed table, each logging the product's entity id
  (``Magento\\Framework\\Mview\\View\\Subscription``; an UPDATE only when a column
  changed; Commerce's staged tables look the entity id up by ``row_id``, the MSI tables
  by SKU as the module's SKU subscription does: the old and the new SKU's product, on
  an UPDATE only of the columns the channel reads).
- ``cron``: ``indexer_update_all_views``: the changelog's ids above the view's version
  handed to the indexer, which appends them to ``channel_amazon_product_feed``, then the
  version moves on.
- ``reindex``: ``bin/magento indexer:reindex channel_amazon_product``: the indexer's
  full action appends product 0.

Used on MySQLdb connections, like the sample catalog.
"""

from __future__ import annotations

from channel.magento.changes import CHANGELOG, FEED, VIEW
from channel.magento.schema import MagentoSchema

#: Subscribed tables and the column naming the product (``sku``: looked up by SKU).
SUBSCRIPTIONS = (
    ("catalog_product_entity", "entity_id"),
    ("catalog_product_entity_int", "entity_id"), ("catalog_product_entity_decimal", "entity_id"),
    ("catalog_product_entity_varchar", "entity_id"), ("catalog_product_entity_text", "entity_id"),
    ("catalog_product_entity_datetime", "entity_id"), ("catalog_product_entity_tier_price", "entity_id"),
    ("catalog_product_website", "product_id"), ("catalog_category_product", "product_id"),
    ("cataloginventory_stock_item", "product_id"),
    ("inventory_source_item", "sku"), ("inventory_reservation", "sku"),
)
#: What the module's SKU subscription watches on an UPDATE of the MSI tables.
SKU_COLUMNS = {"inventory_source_item": ("sku", "source_code", "quantity", "status"),
               "inventory_reservation": ("sku", "stock_id", "quantity")}
STAGED = {"catalog_product_entity_int", "catalog_product_entity_decimal", "catalog_product_entity_varchar",
          "catalog_product_entity_text", "catalog_product_entity_datetime", "catalog_product_entity_tier_price"}


def _log(schema: MagentoSchema, table: str, column: str, row: str) -> str:
    cl = schema.t(CHANGELOG)
    if column == "sku":
        skus = "IN (NEW.`sku`, OLD.`sku`)" if row == "BOTH" else f"= {row}.`sku`"
        return (f"INSERT IGNORE INTO {cl} (entity_id) SELECT DISTINCT entity_id"
                f" FROM {schema.t('catalog_product_entity')} WHERE sku {skus};")
    if schema.is_commerce and table in STAGED:
        return (f"SET @entity_id = (SELECT entity_id FROM {schema.t('catalog_product_entity')}"
                f" WHERE row_id = {row}.`row_id`); INSERT IGNORE INTO {cl} (entity_id) VALUES (@entity_id);")
    return f"INSERT IGNORE INTO {cl} (entity_id) VALUES ({row}.`{column}`);"


def schedule(conn, schema: MagentoSchema) -> None:
    """The changelog, the view's state in mode ``enabled`` and the triggers."""
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE IF NOT EXISTS {schema.t(CHANGELOG)} (version_id int UNSIGNED NOT NULL AUTO_INCREMENT,"
                f" entity_id int UNSIGNED NOT NULL DEFAULT 0, PRIMARY KEY (version_id)) ENGINE=InnoDB")
    cur.execute(f"DELETE FROM {schema.t('mview_state')} WHERE view_id = %s", (VIEW,))
    cur.execute(f"INSERT INTO {schema.t('mview_state')} (view_id, mode, status, updated, version_id)"
                f" VALUES (%s, 'enabled', 'idle', NOW(), 0)", (VIEW,))
    for table, column in SUBSCRIPTIONS:
        if schema.is_commerce and table in STAGED:
            column = "row_id"
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE()"
                    " AND table_name = %s ORDER BY ordinal_position", (schema.prefix + table,))
        columns = [r[0] for r in cur.fetchall()]
        if not columns:
            continue
        watched = [c for c in columns if c in SKU_COLUMNS.get(table, columns)]
        changed = " OR ".join(f"NOT(NEW.`{c}` <=> OLD.`{c}`)" for c in watched)
        updated = _log(schema, table, column, "BOTH" if column == "sku" else "NEW")
        for event, body in (("insert", _log(schema, table, column, "NEW")),
                            ("update", f"IF ({changed}) THEN {updated} END IF;"),
                            ("delete", _log(schema, table, column, "OLD"))):
            name = f"`trg_{schema.prefix}{table}_after_{event}`"
            cur.execute(f"DROP TRIGGER IF EXISTS {name}")
            cur.execute(f"CREATE TRIGGER {name} AFTER {event.upper()} ON {schema.t(table)} FOR EACH ROW"
                        f" BEGIN {body} END")
    conn.commit()


def cron(conn, schema: MagentoSchema) -> int:
    """The changelog's ids Magento has not handed on yet, appended to the feed as the
    indexer's ``execute($ids)`` does; the view's version moves on. Returns how many."""
    cur = conn.cursor()
    cur.execute(f"SELECT COALESCE(version_id, 0) FROM {schema.t('mview_state')} WHERE view_id = %s", (VIEW,))
    version = cur.fetchone()[0]
    cur.execute(f"SELECT MAX(version_id) FROM {schema.t(CHANGELOG)}")
    last = cur.fetchone()[0]
    if last is None or last <= version:
        return 0
    handed = cur.execute(
        f"INSERT INTO {schema.t(FEED)} (product_id) SELECT DISTINCT entity_id FROM {schema.t(CHANGELOG)}"
        f" WHERE version_id > %s AND version_id <= %s", (version, last))
    cur.execute(f"UPDATE {schema.t('mview_state')} SET version_id = %s, updated = NOW() WHERE view_id = %s",
                (last, VIEW))
    conn.commit()
    return int(handed)


def reindex(conn, schema: MagentoSchema) -> None:
    """A full reindex of the channel's indexer: product 0, read everything."""
    conn.cursor().execute(f"INSERT INTO {schema.t(FEED)} (product_id) VALUES (0)")
    conn.commit()
