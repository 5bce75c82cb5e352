"""Quantities the channel may sell, in both of Magento's stock models.

Legacy CatalogInventory: ``qty - min_qty`` when stock is managed. MSI: the sum of
in-stock source items of the enabled sources linked to the website's stock, plus the
reservations of that stock (negative for open orders), minus ``min_qty``, as Magento's
``GetProductSalableQty`` computes it. ``use_config_*`` flags take the value from
``core_config_data`` (``cataloginventory/item_options/*``). A product whose stock is not
managed has no limit: ``salable_qty`` is None.

Backorders live on the legacy stock item in both models (MSI's source items have none).
``salable_qty`` never counts them: it is what stock holds for sale now. What Magento
would sell beyond it on backorder is ``backorder_qty``: the rest of a negative
out-of-stock threshold, or no limit (None) when the threshold is 0 or more, as MSI's
``BackOrderCondition`` decides. Without backorders a negative threshold counts as 0.

Which model is in use: ``stock_model`` says ``msi`` or ``legacy`` outright; ``auto``
reads the module list of ``app/etc/config.php`` when the Magento root is known (MSI
only when its modules are enabled there), else infers MSI from ``setup_module``
listing ``Magento_Inventory`` and ``inventory_source_item`` holding rows.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel.db import driver_rows
from channel.errors import ChannelError, InvalidInput
from channel.magento.schema import MagentoSchema, int_filter

logger = logging.getLogger(__name__)

LEGACY_STOCK_ID = 1
AUTO, MSI, LEGACY = "auto", "msi", "legacy"
STOCK_MODELS = (AUTO, MSI, LEGACY)
#: MSI computes salable quantities only when all of these are enabled.
MSI_MODULES = ("Magento_Inventory", "Magento_InventoryCatalog", "Magento_InventorySales")
#: ``cataloginventory_stock_item.backorders``: ``Stock::BACKORDERS_NO``.
BACKORDERS_NO = 0


def read_app_etc(magento_root: str | Path, name: str) -> dict | None:
    """``app/etc/<name>`` of a Magento root as a dict, or None when it cannot be read."""
    from channel.magento.env import parse_php_array

    path = Path(magento_root) / "app" / "etc" / name
    try:
        return parse_php_array(path.read_text(encoding="utf-8"))
    except OSError as exc:
        logger.warning("Cannot read %s (%s)", path, exc.strerror)
    except ChannelError as exc:
        logger.warning("Cannot parse %s (%s)", path, exc)
    return None


def enabled_modules(magento_root: str | Path) -> dict[str, bool] | None:
    """Module enablement from ``app/etc/config.php`` (``'modules' => [name => 0|1]``),
    or None when the file cannot be read or holds no module list."""
    data = read_app_etc(magento_root, "config.php")
    modules = data.get("modules") if data else None
    if not isinstance(modules, dict):
        logger.warning("No module list in %s/app/etc/config.php; stock model inferred from the database",
                       magento_root)
        return None
    return {str(name): bool(flag) and flag not in ("0", "false") for name, flag in modules.items()}


class SystemConfig:
    """Configuration values pinned in ``app/etc`` files (``bin/magento config:set --lock-env``
    or ``--lock-config``): the ``system`` section of env.php, then of config.php. They win
    over ``core_config_data`` at the same scope: ``default``, ``websites`` -> website code,
    ``stores`` -> store code."""

    def __init__(self, magento_root: str | Path | None):
        self._sections: list[dict] = []
        if magento_root:
            for name in ("env.php", "config.php"):
                data = read_app_etc(magento_root, name)
                if data and isinstance(data.get("system"), dict):
                    self._sections.append(data["system"])

    def value(self, path: str, scope: str = "default", code: str | None = None):
        for section in self._sections:
            node = section.get(scope)
            if scope != "default":
                node = node.get(code) if isinstance(node, dict) else None
            for part in path.split("/"):
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None and not isinstance(node, dict):
                return str(node)
        return None


class StockReader:
    def __init__(self, conn: Connection, schema: MagentoSchema, msi: bool | None = None,
                 stock_model: str = AUTO, magento_root: str | Path | None = None):
        if stock_model not in STOCK_MODELS:
            raise InvalidInput(f"stock model must be one of {', '.join(STOCK_MODELS)}",
                               {"path": "stock_model", "allowed": list(STOCK_MODELS)})
        self.conn = conn
        self.schema = schema
        self.stock_model = stock_model
        self.magento_root = magento_root
        self._msi = msi if msi is not None else {MSI: True, LEGACY: False}.get(stock_model)
        self._config: dict[str, str] | None = None
        self.system = SystemConfig(magento_root)

    @property
    def known_msi(self) -> bool | None:
        """Whether MSI is in use when already known (told or detected), None when not yet."""
        return self._msi

    @property
    def msi(self) -> bool:
        """MSI in use: explicit, else from config.php, else inferred from the database."""
        if self._msi is None:
            self._msi = self._detect_msi()
        return self._msi

    def _detect_msi(self) -> bool:
        if self.magento_root:
            modules = enabled_modules(self.magento_root)
            if modules is not None:
                return all(modules.get(name, False) for name in MSI_MODULES)
        s = self.schema
        has_setup_module = self.conn.execute(text(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = :t"),
            {"t": f"{s.prefix}setup_module"}).scalar()
        if has_setup_module and not self.conn.execute(text(
                f"SELECT 1 FROM {s.t('setup_module')} WHERE module = 'Magento_Inventory'")).first():
            return False  # MSI was never installed: its tables, if any, are leftovers
        return bool(self.conn.execute(text(f"SELECT 1 FROM {s.t('inventory_source_item')} LIMIT 1")).first())

    def config(self, path: str, default: str) -> str:
        if self._config is None:
            rows = self.conn.execute(text(
                f"SELECT path, value FROM {self.schema.t('core_config_data')}"
                f" WHERE scope = 'default' AND path LIKE 'cataloginventory/item_options/%'"))
            self._config = {r.path: r.value for r in rows}
        full = "cataloginventory/item_options/" + path
        value = self.system.value(full)
        if value is None:
            value = self._config.get(full)
        return default if value is None or value == "" else value

    def fill(self, products: list, website) -> None:
        """Set qty, is_in_stock, manage_stock, min_qty, backorders, salable_qty and backorder_qty."""
        if not products:
            return
        s = self.schema
        by_id = {p.entity_id: p for p in products}
        default_manage = self.config("manage_stock", "1") == "1"
        default_min = Decimal(self.config("min_qty", "0"))
        default_backorders = int(self.config("backorders", "0"))
        for p in products:
            p.manage_stock, p.min_qty, p.backorders = default_manage, default_min, default_backorders
        # The ids are integers from the database, written into the SQL as such; the rows come
        # back as plain tuples through the driver's cursor (thousands per batch).
        rows = driver_rows(
            self.conn,
            f"SELECT product_id, qty, is_in_stock, manage_stock, use_config_manage_stock, min_qty,"
            f" use_config_min_qty, backorders, use_config_backorders FROM {s.t('cataloginventory_stock_item')}"
            f" WHERE {int_filter('product_id', list(by_id))} AND stock_id = {int(LEGACY_STOCK_ID)}")
        for (product_id, qty, is_in_stock, manage_stock, use_config_manage_stock, min_qty, use_config_min_qty,
             backorders, use_config_backorders) in rows:
            p = by_id.get(product_id)
            if p is None:  # in the range read, not in this batch
                continue
            p.qty = Decimal(qty) if qty is not None else None
            p.is_in_stock = bool(is_in_stock)
            p.manage_stock = default_manage if use_config_manage_stock else bool(manage_stock)
            p.min_qty = default_min if use_config_min_qty else Decimal(min_qty or 0)
            p.backorders = default_backorders if use_config_backorders else int(backorders or 0)
        if self.msi and website.stock_id:
            self._fill_msi(products, website.stock_id)
        else:
            for p in products:
                _settle(p, p.qty, p.is_in_stock and p.qty is not None)

    def _fill_msi(self, products: list, stock_id: int) -> None:
        s = self.schema
        by_id = {p.entity_id: p for p in products}
        # By the batch's entity ids (one index range when dense), joined to the stock's items by
        # SKU as Magento compares SKUs (the column's collation): the source items first through
        # their SKU index, never every item of each linked source for every batch (quadratic).
        where = int_filter("e.entity_id", list(by_id))
        if s.is_commerce:
            version = int(s.current_version(self.conn))
            where += f" AND e.created_in <= {version} AND e.updated_in > {version}"
        stock = int(stock_id)
        on_hand = {entity_id: (Decimal(qty or 0), bool(status)) for entity_id, qty, status in driver_rows(
            self.conn,
            f"SELECT e.entity_id, SUM(IF(si.status = 1, si.quantity, 0)) AS on_hand, MAX(si.status) AS any_in_stock"
            f" FROM {s.t('catalog_product_entity')} e"
            f" STRAIGHT_JOIN {s.t('inventory_source_item')} si ON si.sku = e.sku"
            f" STRAIGHT_JOIN {s.t('inventory_source_stock_link')} l ON l.source_code = si.source_code"
            f" AND l.stock_id = {stock}"
            f" STRAIGHT_JOIN {s.t('inventory_source')} src ON src.source_code = l.source_code AND src.enabled = 1"
            f" WHERE {where} GROUP BY e.entity_id")}
        reserved = {entity_id: Decimal(qty or 0) for entity_id, qty in driver_rows(
            self.conn,
            f"SELECT e.entity_id, SUM(r.quantity) AS reserved FROM {s.t('catalog_product_entity')} e"
            f" STRAIGHT_JOIN {s.t('inventory_reservation')} r ON r.stock_id = {stock} AND r.sku = e.sku"
            f" WHERE {where} GROUP BY e.entity_id")}
        zero = (Decimal(0), False)
        for entity_id, p in by_id.items():
            qty, in_stock = on_hand.get(entity_id, zero)
            p.reserved = held = reserved.get(entity_id, Decimal(0))
            _settle(p, qty + held, in_stock)


def _settle(p, available: Decimal | None, in_stock: bool) -> None:
    """``salable_qty`` and ``backorder_qty`` from what stock holds (reservations included)."""
    if not p.manage_stock:
        p.salable_qty, p.backorder_qty = None, Decimal(0)
        return
    if not in_stock or available is None:
        p.salable_qty, p.backorder_qty = Decimal(0), Decimal(0)
        return
    p.salable_qty = max(Decimal(0), available - max(p.min_qty, Decimal(0)))
    if p.backorders == BACKORDERS_NO:
        p.backorder_qty = Decimal(0)
    elif p.min_qty >= 0:
        p.backorder_qty = None  # Magento takes any quantity on backorder
    else:
        p.backorder_qty = max(Decimal(0), available - p.min_qty) - p.salable_qty
