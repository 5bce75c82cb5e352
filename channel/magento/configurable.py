"""Configurable products as Magento links them: their children and the attributes they vary by.

``catalog_product_super_link (product_id = child entity_id, parent_id)`` and
``catalog_product_super_attribute (product_id = parent, attribute_id)``. In Adobe Commerce
the parent columns hold the parent's ``row_id`` (the staging version in force), the child
column its ``entity_id``; results here are always by ``entity_id``. One read per call,
whatever the number of parents.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel.magento.schema import MagentoSchema


#: Children per query when their configurable products are looked up.
PARENTS_CHUNK = 5000


@dataclasses.dataclass(frozen=True)
class Family:
    parent_id: int
    attribute_codes: tuple[str, ...]
    child_ids: tuple[int, ...]


def families(conn: Connection, schema: MagentoSchema, parent_ids: list[int]) -> dict[int, Family]:
    """The family of each configurable product among ``parent_ids`` (others are left out)."""
    if not parent_ids:
        return {}
    s = schema
    version = ""
    params: dict = {"ids": sorted(set(parent_ids))}
    if s.is_commerce:
        version = " AND p.created_in <= :v AND p.updated_in > :v"
        params["v"] = s.current_version(conn)
    codes: dict[int, list[str]] = {}
    for entity_id, code in conn.execute(text(
            f"SELECT p.entity_id, a.attribute_code FROM {s.t('catalog_product_entity')} p"
            f" JOIN {s.t('catalog_product_super_attribute')} sa ON sa.product_id = p.{s.link}"
            f" JOIN {s.t('eav_attribute')} a ON a.attribute_id = sa.attribute_id"
            f" WHERE p.entity_id IN :ids AND p.type_id = 'configurable'{version}"
            f" ORDER BY p.entity_id, sa.position, sa.attribute_id").bindparams(bindparam("ids", expanding=True)),
            params):
        codes.setdefault(int(entity_id), []).append(str(code))
    children: dict[int, list[int]] = {}
    for entity_id, child_id in conn.execute(text(
            f"SELECT p.entity_id, l.product_id FROM {s.t('catalog_product_entity')} p"
            f" JOIN {s.t('catalog_product_super_link')} l ON l.parent_id = p.{s.link}"
            f" WHERE p.entity_id IN :ids AND p.type_id = 'configurable'{version}"
            f" ORDER BY p.entity_id, l.product_id").bindparams(bindparam("ids", expanding=True)), params):
        children.setdefault(int(entity_id), []).append(int(child_id))
    return {pid: Family(pid, tuple(codes.get(pid, ())), tuple(children.get(pid, ())))
            for pid in sorted(set(codes) | set(children))}


def parents(conn: Connection, schema: MagentoSchema, child_ids: list[int]) -> dict[int, str]:
    """The configurable products (``entity_id`` -> ``sku``) that ``child_ids`` belong to,
    read ``PARENTS_CHUNK`` children at a time."""
    s = schema
    ids = sorted(set(child_ids))
    version = ""
    params: dict = {}
    if s.is_commerce and ids:
        version = " AND p.created_in <= :v AND p.updated_in > :v"
        params["v"] = s.current_version(conn)
    stmt = text(f"SELECT DISTINCT p.entity_id, p.sku FROM {s.t('catalog_product_entity')} p"
                f" JOIN {s.t('catalog_product_super_link')} l ON l.parent_id = p.{s.link}"
                f" WHERE l.product_id IN :ids AND p.type_id = 'configurable'{version}").bindparams(
        bindparam("ids", expanding=True))
    found: dict[int, str] = {}
    for start in range(0, len(ids), PARENTS_CHUNK):
        for entity_id, sku in conn.execute(stmt, {**params, "ids": ids[start:start + PARENTS_CHUNK]}):
            found[int(entity_id)] = str(sku)
    return found
