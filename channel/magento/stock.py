"""Quantities the channel may sell, in both of Magento's stock models.

Legacy CatalogInventory: ``qty - min_qty`` when stock is managed. MSI: the sum of
in-stock source items of the enabled sources linked to the website's stock, plus the
reservations of that stock (negative for open orders), minus ``min_qty``, as Magento's
``GetProductSalableQty`` computes it. ``use_config_*`` flags take the value from
``core_config_data`` (``cataloginventory/item_options/*``). A product whose stock is not
managed has no limit: ``salable_qty`` is None.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel.magento.schema import MagentoSchema

LEGACY_STOCK_ID = 1


class StockReader:
    def __init__(self, conn: Connection, schema: MagentoSchema, msi: bool | None = None):
        self.conn = conn
        self.schema = schema
        self._msi = msi
        self._config: dict[str, str] | None = None

    @property
    def msi(self) -> bool:
        """MSI in use: explicit, else inferred from source items existing."""
        if self._msi is None:
            s = self.schema
            self._msi = bool(self.conn.execute(
                text(f"SELECT 1 FROM {s.t('inventory_source_item')} LIMIT 1")).first())
        return self._msi

    def config(self, path: str, default: str) -> str:
        if self._config is None:
            rows = self.conn.execute(text(
                f"SELECT path, value FROM {self.schema.t('core_config_data')}"
                f" WHERE scope = 'default' AND path LIKE 'cataloginventory/item_options/%'"))
            self._config = {r.path: r.value for r in rows}
        return self._config.get("cataloginventory/item_options/" + path, default)

    def fill(self, products: list, website) -> None:
        """Set qty, is_in_stock, manage_stock, min_qty and salable_qty on each product."""
        if not products:
            return
        s = self.schema
        by_id = {p.entity_id: p for p in products}
        default_manage = self.config("manage_stock", "1") == "1"
        default_min = Decimal(self.config("min_qty", "0") or 0)
        stmt = text(
            f"SELECT product_id, qty, is_in_stock, manage_stock, use_config_manage_stock, min_qty,"
            f" use_config_min_qty FROM {s.t('cataloginventory_stock_item')}"
            f" WHERE product_id IN :ids AND stock_id = :stock"
        ).bindparams(bindparam("ids", expanding=True))
        for r in self.conn.execute(stmt, {"ids": list(by_id), "stock": LEGACY_STOCK_ID}):
            p = by_id[r.product_id]
            p.qty = Decimal(r.qty) if r.qty is not None else None
            p.is_in_stock = bool(r.is_in_stock)
            p.manage_stock = default_manage if r.use_config_manage_stock else bool(r.manage_stock)
            p.min_qty = default_min if r.use_config_min_qty else Decimal(r.min_qty or 0)
        if self.msi and website.stock_id:
            self._fill_msi(products, website.stock_id)
        else:
            for p in products:
                if not p.manage_stock:
                    p.salable_qty = None
                elif not p.is_in_stock or p.qty is None:
                    p.salable_qty = Decimal(0)
                else:
                    p.salable_qty = max(Decimal(0), p.qty - p.min_qty)

    def _fill_msi(self, products: list, stock_id: int) -> None:
        s = self.schema
        by_sku = {p.sku.lower(): p for p in products}
        skus = [p.sku for p in products]
        stmt = text(
            f"SELECT si.sku, SUM(IF(si.status = 1, si.quantity, 0)) AS on_hand, MAX(si.status) AS any_in_stock"
            f" FROM {s.t('inventory_source_stock_link')} l"
            f" JOIN {s.t('inventory_source')} src ON src.source_code = l.source_code AND src.enabled = 1"
            f" JOIN {s.t('inventory_source_item')} si ON si.source_code = l.source_code"
            f" WHERE l.stock_id = :stock AND si.sku IN :skus GROUP BY si.sku"
        ).bindparams(bindparam("skus", expanding=True))
        on_hand = {r.sku.lower(): (Decimal(r.on_hand or 0), bool(r.any_in_stock))
                   for r in self.conn.execute(stmt, {"stock": stock_id, "skus": skus})}
        stmt = text(
            f"SELECT sku, SUM(quantity) AS reserved FROM {s.t('inventory_reservation')}"
            f" WHERE stock_id = :stock AND sku IN :skus GROUP BY sku"
        ).bindparams(bindparam("skus", expanding=True))
        reserved = {r.sku.lower(): Decimal(r.reserved or 0)
                    for r in self.conn.execute(stmt, {"stock": stock_id, "skus": skus})}
        for key, p in by_sku.items():
            if not p.manage_stock:
                p.salable_qty = None
                continue
            qty, salable = on_hand.get(key, (Decimal(0), False))
            if not salable:
                p.salable_qty = Decimal(0)
                continue
            p.salable_qty = max(Decimal(0), qty + reserved.get(key, Decimal(0)) - p.min_qty)
