"""CatalogReader: products of one website, read set-based and streamed in batches.

Each batch costs a fixed number of queries whatever its size: the entity rows, one
query per backend table for all wanted attributes, the categories, and the stock
(legacy stock items, MSI source items and reservations). Values follow Magento's
store semantics: a store-view row wins over the store 0 row even when its value is
NULL ("Use Default Value" deletes the store row). Adobe Commerce value tables are read
through the ``row_id`` of the staging version in force; ``entity_id`` is what leaves here.

Attributes Magento cannot work without (``REQUIRED_ATTRIBUTES``) must exist; the others
the reader asks for on its own (``OPTIONAL_ATTRIBUTES``: special price and its dates,
the "new" window) may have been removed from an install and then read as NULL. Each
website carries the time zone of its default store view (``general/locale/timezone``,
store over website over default, values pinned in app/etc first), which Magento uses
for date attributes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.engine import Connection

from channel.db import driver_rows
from channel.errors import NotFound
from channel.magento.schema import VALUE_TYPES, MagentoSchema, int_filter
from channel.magento.stock import AUTO, StockReader

logger = logging.getLogger(__name__)

PRODUCT_ENTITY_CODE = "catalog_product"
#: System attributes of Magento_Catalog every read needs; a missing one is an error.
REQUIRED_ATTRIBUTES = ("name", "status", "visibility", "price")
#: Attributes every read includes when the install has them; absent ones read as NULL.
OPTIONAL_ATTRIBUTES = (
    "special_price", "special_from_date", "special_to_date", "news_from_date", "news_to_date",
)
#: Attributes every read includes; rules and mappings add their own.
BASE_ATTRIBUTES = REQUIRED_ATTRIBUTES + OPTIONAL_ATTRIBUTES
DEFAULT_BATCH_SIZE = 2000
TIMEZONE_PATH = "general/locale/timezone"
#: When no scope configures a time zone: Magento_Directory's ``etc/config.xml`` default.
DEFAULT_TIMEZONE = "America/Los_Angeles"


@dataclasses.dataclass(frozen=True)
class Attribute:
    attribute_id: int
    code: str
    backend_type: str
    frontend_input: str | None


@dataclasses.dataclass(frozen=True)
class Website:
    website_id: int
    code: str
    store_id: int
    stock_id: int | None
    #: IANA name of the default store view's time zone (``general/locale/timezone``).
    timezone: str = DEFAULT_TIMEZONE


@dataclasses.dataclass(slots=True)
class Product:
    """One product as a website's default store view sees it.

    ``salable_qty`` is what stock can sell now, backorders left out (None: stock not
    managed, no limit). ``backorders`` is Magento's setting (0 no, 1 allow, 2 allow and
    notify) and ``backorder_qty`` what Magento would still accept on backorder beyond
    ``salable_qty``: 0 without backorders, the rest of a negative out-of-stock threshold,
    or None when backorders have no limit (threshold 0 or more). ``timezone`` is the
    store view's, for date attributes such as the special price dates.
    """

    entity_id: int
    sku: str
    type_id: str
    attribute_set_id: int
    attributes: dict
    categories: list[int]
    qty: Decimal | None = None
    is_in_stock: bool = False
    manage_stock: bool = True
    min_qty: Decimal = Decimal(0)
    salable_qty: Decimal | None = None
    backorders: int = 0
    backorder_qty: Decimal | None = Decimal(0)
    timezone: str | None = None
    #: MSI reservations (negative: held for orders not yet shipped), included in ``salable_qty``.
    reserved: Decimal | None = None

    @property
    def backorders_allowed(self) -> bool:
        return self.manage_stock and self.backorders != 0

    def get(self, code: str, default=None):
        if code in _ENTITY_FIELDS:  # asked for thousands of times per batch: one lookup for the rest
            return getattr(self, code)
        return self.attributes.get(code, default)


#: The product's values that are columns of the entity table, not EAV attributes.
_ENTITY_FIELDS = frozenset(("sku", "type_id", "attribute_set_id"))


class CatalogReader:
    """Reads Magento's catalog for the channel; the only reader of product tables."""

    def __init__(self, conn: Connection, schema: MagentoSchema, magento_root: str | None = None,
                 stock_model: str = AUTO):
        self.conn = conn
        self.schema = schema
        self._attributes = self._load_attributes()
        self._options: dict[int, dict[int, str]] | None = None
        self._missing_logged: set[str] = set()
        self.stock = StockReader(conn, schema, stock_model=stock_model, magento_root=magento_root)

    @classmethod
    def connect(cls, conn: Connection, prefix: str = "", magento_root: str | None = None,
                stock_model: str = AUTO) -> "CatalogReader":
        return cls(conn, MagentoSchema.detect(conn, prefix), magento_root=magento_root, stock_model=stock_model)

    @classmethod
    def from_settings(cls, conn: Connection, settings) -> "CatalogReader":
        """The reader for ``channel.settings.Settings``: prefix, Magento root and stock model."""
        return cls.connect(conn, settings.table_prefix, magento_root=getattr(settings, "magento_root", None),
                           stock_model=getattr(settings, "stock_model", AUTO) or AUTO)

    def on(self, conn: Connection) -> "CatalogReader":
        """The same reader over another connection (a transaction of its own), e.g. for a
        thread or a forked process that reads while this one works: same schema, attributes
        and stock model. It never touches this reader's connection, so it may be made where
        that connection is in use or must not be used (a forked child)."""
        other = CatalogReader.__new__(CatalogReader)
        other.conn = conn
        other.schema = self.schema
        other._attributes = self._attributes
        other._options = None
        other._missing_logged = set(self._missing_logged)
        # Only what this reader already knows is copied: nothing is read through its connection.
        other.stock = StockReader(conn, self.schema, msi=self.stock.known_msi, stock_model=self.stock.stock_model,
                                  magento_root=self.stock.magento_root)
        return other

    def _load_attributes(self) -> dict[str, Attribute]:
        s = self.schema
        rows = self.conn.execute(text(
            f"SELECT a.attribute_id, a.attribute_code, a.backend_type, a.frontend_input"
            f" FROM {s.t('eav_attribute')} a JOIN {s.t('eav_entity_type')} t"
            f" ON t.entity_type_id = a.entity_type_id AND t.entity_type_code = :code"
        ), {"code": PRODUCT_ENTITY_CODE})
        return {r.attribute_code: Attribute(r.attribute_id, r.attribute_code, r.backend_type, r.frontend_input)
                for r in rows}

    def attribute(self, code: str) -> Attribute:
        try:
            return self._attributes[code]
        except KeyError:
            raise NotFound(f"Magento has no product attribute '{code}'", {"attribute_code": code}) from None

    def attribute_codes(self) -> list[str]:
        return sorted(self._attributes)

    def _wanted(self, attributes: Iterable[str], optional: Iterable[str],
                base: Iterable[str] = BASE_ATTRIBUTES) -> list[Attribute]:
        """The attributes to read: asked-for and required ones must exist, optional ones may not."""
        optional = set(OPTIONAL_ATTRIBUTES) | set(optional)
        wanted = []
        for code in dict.fromkeys([*base, *attributes]):
            if code in ("sku", "type_id", "attribute_set_id"):
                continue
            if code in self._attributes:
                wanted.append(self._attributes[code])
            elif code in optional and code not in REQUIRED_ATTRIBUTES:
                if code not in self._missing_logged:
                    self._missing_logged.add(code)
                    logger.warning("Magento has no product attribute '%s'; it reads as empty", code)
            else:
                kind = "required " if code in REQUIRED_ATTRIBUTES else ""
                raise NotFound(f"Magento has no {kind}product attribute '{code}'", {"attribute_code": code})
        return wanted

    def website(self, website_id: int) -> Website:
        s = self.schema
        row = self.conn.execute(text(
            f"SELECT w.website_id, w.code, g.default_store_id, st.code AS store_code, c.stock_id"
            f" FROM {s.t('store_website')} w"
            f" JOIN {s.t('store_group')} g ON g.group_id = w.default_group_id"
            f" LEFT JOIN {s.t('store')} st ON st.store_id = g.default_store_id"
            f" LEFT JOIN {s.t('inventory_stock_sales_channel')} c ON c.type = 'website' AND c.code = w.code"
            f" WHERE w.website_id = :w"
        ), {"w": website_id}).first()
        if row is None or website_id == 0:
            raise NotFound(f"Magento has no website {website_id}", {"website_id": website_id})
        timezone = self.config_value(TIMEZONE_PATH, row.website_id, row.default_store_id,
                                     row.code, row.store_code) or DEFAULT_TIMEZONE
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("Website %s: unknown time zone %r in %s; using %s",
                           website_id, timezone, TIMEZONE_PATH, DEFAULT_TIMEZONE)
            timezone = DEFAULT_TIMEZONE
        return Website(row.website_id, row.code, row.default_store_id, row.stock_id, timezone)

    def config_value(self, path: str, website_id: int, store_id: int, website_code: str | None = None,
                     store_code: str | None = None) -> str | None:
        """A configuration value as Magento resolves it for a store view: store, else website,
        else default; at each scope a value pinned in app/etc (when the Magento root is
        known) wins over ``core_config_data``."""
        rows = self.conn.execute(text(
            f"SELECT scope, value FROM {self.schema.t('core_config_data')} WHERE path = :p"
            f" AND ((scope = 'default' AND scope_id = 0) OR (scope = 'websites' AND scope_id = :w)"
            f" OR (scope = 'stores' AND scope_id = :s))"), {"p": path, "w": website_id, "s": store_id})
        by_scope = {r.scope: r.value for r in rows}
        system = self.stock.system
        for scope, code in (("stores", store_code), ("websites", website_code), ("default", None)):
            pinned = system.value(path, scope, code) if (code or scope == "default") else None
            if pinned is not None:
                return pinned
            if scope in by_scope:
                return by_scope[scope]
        return None

    def iter_batches(
        self, website_id: int, attributes: Iterable[str] = (), batch_size: int = DEFAULT_BATCH_SIZE,
        entity_ids: Iterable[int] | None = None, skus: Iterable[str] | None = None,
        in_website_only: bool = True, optional: Iterable[str] = (),
        id_range: tuple[int, int | None] = (0, None), base: Iterable[str] = BASE_ATTRIBUTES,
        categories: bool = True,
    ) -> Iterator[list[Product]]:
        """Yield lists of at most ``batch_size`` products, ordered by entity id.

        Every code in ``attributes`` must exist (``NotFound`` names the one that does
        not); codes also in ``optional``, and ``OPTIONAL_ATTRIBUTES``, read as NULL when
        the install lacks them. ``id_range``: only entity ids above the first and up to the
        second (None: no end), as ``id_ranges`` splits a website. ``base``: the attributes
        read besides ``attributes`` (``BASE_ATTRIBUTES``; a caller that needs fewer of them,
        over a whole catalog, names those); ``categories``: whether the products' categories
        are read."""
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        website = self.website(website_id)
        wanted = self._wanted(attributes, optional, base)
        wanted_ids = sorted(set(entity_ids)) if entity_ids is not None else None
        wanted_skus = sorted(set(skus)) if skus is not None else None
        last, until = id_range
        while True:
            rows = self._entities(website, last, batch_size, in_website_only, wanted_ids, wanted_skus, until)
            if not rows:
                return
            last = rows[-1].entity_id
            yield self._hydrate(website, rows, wanted, categories)
            if len(rows) < batch_size:
                return

    def product_ids(self, skus: list[str]) -> dict[str, tuple[int, str]]:
        """(product id, Magento's SKU) by SKU (lower-cased keys, as Magento compares SKUs), in
        one read of the entity table: for callers that need only ids, never the EAV values."""
        if not skus:
            return {}
        s = self.schema
        sql = f"SELECT e.entity_id, e.sku FROM {s.t('catalog_product_entity')} e WHERE e.sku IN :skus"
        params: dict = {"skus": list(skus)}
        if s.is_commerce:
            sql += " AND e.created_in <= :v AND e.updated_in > :v"
            params["v"] = s.current_version(self.conn)
        rows = self.conn.execute(text(sql).bindparams(bindparam("skus", expanding=True)), params)
        return {r.sku.lower(): (int(r.entity_id), r.sku) for r in rows}

    def product_ids_with_value(self, codes: Iterable[str], value: str, limit: int = 50) -> list[int]:
        """Products whose value of any of these attributes (identifiers: UPC, EAN...) is
        exactly ``value`` in any store view; unknown codes are skipped."""
        s = self.schema
        by_backend: dict[str, list[int]] = {}
        for code in codes:
            attr = self._attributes.get(code)
            if attr is not None and attr.backend_type in VALUE_TYPES:
                by_backend.setdefault(attr.backend_type, []).append(attr.attribute_id)
        found: list[int] = []
        for backend, ids in by_backend.items():
            sql = (f"SELECT DISTINCT e.entity_id FROM {s.value_table(backend)} v"
                   f" JOIN {s.t('catalog_product_entity')} e ON e.{s.link} = v.{s.link}"
                   f" WHERE v.attribute_id IN :attrs AND v.value = :value")
            params: dict = {"attrs": ids, "value": value, "n": limit}
            if s.is_commerce:
                sql += " AND e.created_in <= :v AND e.updated_in > :v"
                params["v"] = s.current_version(self.conn)
            stmt = text(sql + " LIMIT :n").bindparams(bindparam("attrs", expanding=True))
            found += [int(r[0]) for r in self.conn.execute(stmt, params)]
        return sorted(set(found))[:limit]

    def products(self, website_id: int, **kwargs) -> Iterator[Product]:
        for batch in self.iter_batches(website_id, **kwargs):
            yield from batch

    def check_attributes(self, attributes: Iterable[str], base: Iterable[str] = BASE_ATTRIBUTES) -> None:
        """Raise ``NotFound`` as ``iter_batches`` would for an attribute that does not exist."""
        self._wanted(attributes, (), base)

    def id_ranges(self, website_id: int, parts: int, min_part: int = 1) -> list[tuple[int, int | None]]:
        """The website's products split into at most ``parts`` ranges of entity ids of about
        as many products each, and at least ``min_part`` products each (one range when the
        website has fewer), for ``iter_batches(id_range=...)``; together they hold them all."""
        s = self.schema
        params = {"w": website_id}
        count = self.conn.execute(text(
            f"SELECT COUNT(*) FROM {s.t('catalog_product_website')} WHERE website_id = :w"), params).scalar_one()
        parts = max(1, min(parts, count // max(1, min_part)))
        bounds: list[int] = []
        for k in range(1, parts):
            at = self.conn.execute(text(
                f"SELECT product_id FROM {s.t('catalog_product_website')} WHERE website_id = :w"
                f" ORDER BY product_id LIMIT 1 OFFSET :o"), {**params, "o": max(0, count * k // parts - 1)}).scalar()
            if at is not None and (not bounds or at > bounds[-1]):
                bounds.append(int(at))
        starts = [0, *bounds]
        return [(start, end) for start, end in zip(starts, [*bounds, None])]

    def _entities(self, website: Website, after: int, limit: int, in_website_only: bool,
                  entity_ids: list[int] | None, skus: list[str] | None, until: int | None = None):
        s = self.schema
        select_link = ", e.row_id AS link" if s.is_commerce else ", e.entity_id AS link"
        sql = (f"SELECT e.entity_id, e.sku, e.type_id, e.attribute_set_id{select_link}"
               f" FROM {s.t('catalog_product_entity')} e")
        params: dict = {"after": after, "limit": limit, "w": website.website_id}
        where = ["e.entity_id > :after"]
        if until is not None:
            where.append("e.entity_id <= :until")
            params["until"] = until
        if in_website_only:
            sql += (f" JOIN {s.t('catalog_product_website')} pw"
                    f" ON pw.product_id = e.entity_id AND pw.website_id = :w")
        if s.is_commerce:
            where.append("e.created_in <= :v AND e.updated_in > :v")
            params["v"] = s.current_version(self.conn)
        stmt_params: list[BindParameter] = []
        if entity_ids is not None:
            where.append("e.entity_id IN :ids")
            params["ids"] = entity_ids or [-1]
            stmt_params.append(bindparam("ids", expanding=True))
        if skus is not None:
            where.append("e.sku IN :skus")
            params["skus"] = skus or [""]
            stmt_params.append(bindparam("skus", expanding=True))
        sql += " WHERE " + " AND ".join(where) + " ORDER BY e.entity_id LIMIT :limit"
        stmt = text(sql).bindparams(*stmt_params) if stmt_params else text(sql)
        return self.conn.execute(stmt, params).all()

    def _hydrate(self, website: Website, rows, wanted: list[Attribute], categories: bool = True) -> list[Product]:
        s = self.schema
        timezone = website.timezone
        # The rows of ``_entities``: entity_id, sku, type_id, attribute_set_id, link, read by
        # position (by name costs twice as much, on every product of a whole read).
        products = {r[0]: Product(r[0], r[1], r[2], r[3], {}, [], timezone=timezone) for r in rows}
        by_link = {r[4]: products[r[0]] for r in rows}
        # Every key and id here is an integer from the database, written into the SQL as such;
        # the rows come back as plain tuples through the driver's cursor (thousands per batch).
        where = int_filter(f"v.{s.link}", list(by_link))
        for backend in VALUE_TYPES:
            attrs = [a for a in wanted if a.backend_type == backend]
            if not attrs:
                continue
            codes = {a.attribute_id: a.code for a in attrs}
            # By the batch's products (one index range, or their ids), never through the
            # attribute's index: for one attribute the optimizer may pick it, and read
            # every product's value of it for each batch (``+ 0`` keeps it off that index).
            values = driver_rows(self.conn,
                                 f"SELECT v.{s.link}, v.attribute_id, v.store_id, v.value FROM {s.value_table(backend)} v"
                                 f" WHERE {where} AND v.attribute_id + 0 IN ({', '.join(str(int(i)) for i in codes)})"
                                 f" AND v.store_id IN (0, {int(website.store_id)})")
            store_view = []
            for link, attribute_id, store_id, value in values:
                product = by_link.get(link)
                if product is None:  # in the range read, not in this batch
                    continue
                if store_id:
                    store_view.append((product, codes[attribute_id], value))
                else:
                    product.attributes[codes[attribute_id]] = value
            # The store-view row, when present, overrides store 0, NULL or not.
            for product, code, value in store_view:
                product.attributes[code] = value
        self._resolve_options(products.values(), wanted, website.store_id)
        if categories:
            for product_id, category_id in driver_rows(
                    self.conn, f"SELECT product_id, category_id FROM {s.t('catalog_category_product')}"
                               f" WHERE {int_filter('product_id', list(products))}"):
                if product_id in products:
                    products[product_id].categories.append(category_id)
        self.stock.fill(list(products.values()), website)
        return list(products.values())

    def _resolve_options(self, products, wanted: list[Attribute], store_id: int) -> None:
        """Select attributes hold option ids; keep the id and add ``<code>_label``."""
        selects = [a for a in wanted if a.frontend_input in ("select", "multiselect") and a.backend_type != "static"
                   and a.code not in ("status", "visibility", "tax_class_id")]
        if not selects:
            return
        labels = self._option_labels(store_id)
        for p in products:
            for a in selects:
                raw = p.attributes.get(a.code)
                if raw is None:
                    continue
                if a.frontend_input == "multiselect":
                    ids = [int(x) for x in str(raw).split(",") if x.strip().isdigit()]
                    p.attributes[a.code + "_label"] = [labels.get(i, str(i)) for i in ids]
                elif str(raw).isdigit():
                    p.attributes[a.code + "_label"] = labels.get(int(raw), str(raw))

    def _option_labels(self, store_id: int) -> dict[int, str]:
        if self._options is None:
            self._options = {}
        if store_id not in self._options:
            s = self.schema
            rows = self.conn.execute(text(
                f"SELECT option_id, store_id, value FROM {s.t('eav_attribute_option_value')}"
                f" WHERE store_id IN (0, :store) ORDER BY store_id"), {"store": store_id})
            labels: dict[int, str] = {}
            for r in rows:
                labels[r.option_id] = r.value
            self._options[store_id] = labels
        return self._options[store_id]
