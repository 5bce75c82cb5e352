"""Magento's tier prices of one customer group, read for a batch of products.

``catalog_product_entity_tier_price`` holds a product's quantity prices: a fixed
``value`` or a ``percentage_value`` off the product's price, from ``qty`` units, for
one customer group (``customer_group_id``) or all of them (``all_groups = 1``), on one
website or all (``website_id = 0``). Adobe Commerce keys the table by ``row_id`` (the
staging version in force), Open Source by ``entity_id``; what leaves here is keyed by
``entity_id`` in both. With the catalog price scope global (``catalog/price/scope`` 0)
Magento uses the all-websites rows only.

Business prices are built from these (``channel.business``): one query per batch of
products, never one per product.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel.magento.schema import MagentoSchema

PRICE_SCOPE_PATH = "catalog/price/scope"


@dataclasses.dataclass(frozen=True)
class TierPrice:
    """One tier price row as it applies to the group: from ``qty`` units, either a fixed
    price (``value``) or ``percent`` off the product's price."""

    qty: Decimal
    value: Decimal | None
    percent: Decimal | None
    website_id: int
    all_groups: bool


def price_scope_is_website(conn: Connection, schema: MagentoSchema) -> bool:
    """Whether prices (and tier prices) are per website (``catalog/price/scope`` = 1)."""
    raw = conn.execute(text(
        f"SELECT value FROM {schema.t('core_config_data')} WHERE path = :p AND scope = 'default' AND scope_id = 0"),
        {"p": PRICE_SCOPE_PATH}).scalar()
    return str(raw or "0").strip() == "1"


def customer_group_code(conn: Connection, schema: MagentoSchema, group_id: int) -> str | None:
    """The group's name as the Magento admin shows it, or None when there is no such group."""
    return conn.execute(text(
        f"SELECT customer_group_code FROM {schema.t('customer_group')} WHERE customer_group_id = :g"),
        {"g": group_id}).scalar()


def read_tier_prices(conn: Connection, schema: MagentoSchema, website_id: int, entity_ids: Sequence[int],
                     customer_group_id: int, price_scope_website: bool = True) -> dict[int, list[TierPrice]]:
    """The tier prices that apply to ``customer_group_id`` on the website for these
    products, by ``entity_id``, in ascending quantity (one query)."""
    if not entity_ids:
        return {}
    websites = [0, website_id] if price_scope_website else [0]
    params: dict = {"ids": sorted(set(int(i) for i in entity_ids)), "w": websites, "g": customer_group_id}
    if schema.is_commerce:
        source = (f"{schema.t('catalog_product_entity_tier_price')} tp JOIN {schema.t('catalog_product_entity')} e"
                  f" ON e.row_id = tp.row_id AND e.created_in <= :v AND e.updated_in > :v")
        params["v"] = schema.current_version(conn)
    else:
        source = f"{schema.t('catalog_product_entity_tier_price')} tp JOIN {schema.t('catalog_product_entity')} e" \
                 f" ON e.entity_id = tp.entity_id"
    stmt = text(
        f"SELECT e.entity_id, tp.qty, tp.value, tp.percentage_value, tp.website_id, tp.all_groups FROM {source}"
        f" WHERE e.entity_id IN :ids AND tp.website_id IN :w AND (tp.all_groups = 1 OR tp.customer_group_id = :g)"
        f" ORDER BY e.entity_id, tp.qty, tp.website_id").bindparams(bindparam("ids", expanding=True),
                                                                bindparam("w", expanding=True))
    out: dict[int, list[TierPrice]] = {}
    for entity_id, qty, value, percent, website, all_groups in conn.execute(stmt, params):
        out.setdefault(int(entity_id), []).append(TierPrice(
            qty=Decimal(qty), value=None if percent is not None else Decimal(value),
            percent=None if percent is None else Decimal(percent), website_id=int(website),
            all_groups=bool(all_groups)))
    return out
