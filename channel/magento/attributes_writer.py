"""Writes attribute values the merchant chose to import from Amazon into Magento.

One of the two writes into Magento-native tables the channel allows: values at store 0
in the value table of the attribute's backend type (``catalog_product_entity_<type>``),
on the ``entity_id`` (Open Source) or the ``row_id`` of the version in force (Adobe
Commerce: a value written there is not carried into scheduled updates). Magento's mview
triggers pick the change up when indexers run "Update by Schedule". Select attributes
take the option whose admin label matches; a value that fits nowhere is refused with
the reason, never written half.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel.errors import InvalidInput
from channel.magento.catalog import CatalogReader

WRITABLE = ("varchar", "text", "int", "decimal", "datetime")


def _coerce(reader: CatalogReader, conn: Connection, attr, value):
    if attr.backend_type == "varchar":
        return str(value)[:255]
    if attr.backend_type == "text":
        return str(value)
    if attr.backend_type == "decimal":
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise InvalidInput(f"'{value}' is not a number for {attr.code}") from None
    if attr.backend_type == "datetime":
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            raise InvalidInput(f"'{value}' is not a date for {attr.code}") from None
    if attr.frontend_input in ("select", "boolean"):
        option = conn.execute(text(
            f"SELECT o.option_id FROM {reader.schema.t('eav_attribute_option')} o"
            f" JOIN {reader.schema.t('eav_attribute_option_value')} v ON v.option_id = o.option_id AND v.store_id = 0"
            f" WHERE o.attribute_id = :a AND v.value = :label LIMIT 1"), {"a": attr.attribute_id, "label": str(value)}
        ).scalar()
        if option is None:
            raise InvalidInput(f"{attr.code} has no option '{value}'")
        return int(option)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{value}' is not a whole number for {attr.code}") from None


def write_value(conn: Connection, reader: CatalogReader, entity_id: int, code: str, value, overwrite: bool) -> bool:
    """Write one store-0 value; True when written (False: a value exists and overwrite is off)."""
    attr = reader.attribute(code)
    if attr.backend_type not in WRITABLE:
        raise InvalidInput(f"{code} is stored as {attr.backend_type} and cannot be imported")
    s = reader.schema
    link = entity_id
    if s.is_commerce:
        row_id = conn.execute(text(f"SELECT row_id FROM {s.t('catalog_product_entity')} WHERE entity_id = :e"
                                   f" AND created_in <= :v AND updated_in > :v"),
                              {"e": entity_id, "v": s.current_version(conn)}).scalar()
        if row_id is None:
            raise InvalidInput(f"product {entity_id} has no version in force")
        link = int(row_id)
    coerced = _coerce(reader, conn, attr, value)
    table = s.value_table(attr.backend_type)
    if not overwrite:
        exists = conn.execute(text(f"SELECT 1 FROM {table} WHERE {s.link} = :l AND attribute_id = :a AND store_id = 0"
                                   f" AND value IS NOT NULL"), {"l": link, "a": attr.attribute_id}).first()
        if exists:
            return False
    conn.execute(text(f"INSERT INTO {table} (attribute_id, store_id, {s.link}, value) VALUES (:a, 0, :l, :v)"
                      f" ON DUPLICATE KEY UPDATE value = VALUES(value)"),
                 {"a": attr.attribute_id, "l": link, "v": coerced})
    return True
