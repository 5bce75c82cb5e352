"""The Binder: links Amazon listings to Magento products through the identifier mapping.

Matching runs in bulk, in SQL: one INSERT ... SELECT per identifier kind fills a
temporary candidate table, then the best priority with candidates decides each
listing. Priority is explicit: seller SKU, then ASIN, then the barcodes (UPC, EAN,
ISBN, GCID). Identifier attributes are compared as the website's default store view
sees them: its store-view value over the store 0 default, as the CatalogReader reads
them. Outcomes: ``matched``; ``multiple_matches`` (with the candidates);
``has_variants`` (the product is a configurable parent); ``third_party`` (Amazon
listing with no Magento product, kept so the merchant can assign one). Listings the
merchant assigned by hand (``matched_by = 'manual'``) are never re-matched.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel import listing_state
from channel.errors import InvalidInput
from channel.magento.catalog import CatalogReader

logger = logging.getLogger(__name__)

#: Identifier kinds in matching priority order.
IDENTIFIERS = ("seller_sku", "asin", "upc", "ean", "isbn", "jan", "gcid")
DEFAULT_MAPPING = {"seller_sku": "sku", "asin": None, "upc": None, "ean": None, "isbn": None, "jan": None,
                   "gcid": None}
VARIANT_PARENT_TYPES = ("configurable", "grouped", "bundle")
LISTING = "channel_amazon_listing"


def normalize_mapping(raw: dict | None, reader: CatalogReader | None = None) -> dict[str, str | None]:
    """Validated identifier mapping: each kind -> a Magento attribute code or None."""
    mapping = dict(DEFAULT_MAPPING)
    for key, value in (raw or {}).items():
        if key not in IDENTIFIERS:
            raise InvalidInput(f"unknown identifier '{key}'", {"path": key, "allowed": list(IDENTIFIERS)})
        if value in (None, ""):
            mapping[key] = None
            continue
        if not isinstance(value, str):
            raise InvalidInput(f"identifier '{key}' must name a Magento attribute code", {"path": key})
        if reader is not None and value != "sku":
            attr = reader.attribute(value)  # NotFound names the attribute
            if attr.backend_type not in ("varchar", "text", "static", "int"):
                raise InvalidInput(f"attribute '{value}' cannot hold an identifier", {"path": key})
        mapping[key] = value
    return mapping


@dataclasses.dataclass
class MatchStats:
    considered: int = 0
    matched: int = 0
    multiple: int = 0
    has_variants: int = 0
    third_party: int = 0


def match_account(conn: Connection, reader: CatalogReader, account) -> MatchStats:
    """Match every unmatched listing of ``account`` to a product of its website."""
    mapping = normalize_mapping(account.identifier_mapping, reader)
    s = reader.schema
    website = reader.website(account.website_id)
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_match"))
    conn.execute(text(
        "CREATE TEMPORARY TABLE tmp_channel_match (listing_id bigint UNSIGNED NOT NULL,"
        " product_id int UNSIGNED NOT NULL, type_id varchar(32) NOT NULL, priority tinyint NOT NULL,"
        " KEY (listing_id, priority)) ENGINE=InnoDB"))
    version = ""
    params = {"a": account.account_id, "w": website.website_id, "v": s.current_version(conn),
              "store": website.store_id}
    if s.is_commerce:
        version = " AND e.created_in <= :v AND e.updated_in > :v"
    unmatched = ("l.account_id = :a AND l.product_id IS NULL"
                 " AND (l.matched_by IS NULL OR l.matched_by <> 'manual')")
    for priority, kind in enumerate(IDENTIFIERS, start=1):
        code = mapping.get(kind)
        if not code:
            continue
        listing_value = {"seller_sku": "l.seller_sku", "asin": "l.asin"}.get(kind, "l.external_id")
        kind_filter = "" if kind in ("seller_sku", "asin") else f" AND l.external_id_type = '{kind}'"
        if kind != "seller_sku" and conn.execute(text(
                f"SELECT 1 FROM {LISTING} l WHERE {unmatched}{kind_filter} AND {listing_value} IS NOT NULL"
                f" LIMIT 1"), params).first() is None:
            continue  # no listing to match by this identifier: its attribute's values are not read
        website_join = (f" JOIN {s.t('catalog_product_website')} pw ON pw.product_id = e.entity_id"
                        f" AND pw.website_id = :w")
        if code == "sku":
            sql = (f"INSERT INTO tmp_channel_match SELECT l.listing_id, e.entity_id, e.type_id, {priority}"
                   f" FROM {LISTING} l JOIN {s.t('catalog_product_entity')} e ON e.sku = {listing_value}{version}"
                   f"{website_join} WHERE {unmatched}{kind_filter}")
        else:
            attr = reader.attribute(code)
            table, attr_id = s.value_table(attr.backend_type), int(attr.attribute_id)
            # The value the website's store view sees: its own row, else the store 0 row
            # (a store row wins even when NULL), as the CatalogReader reads it.
            store_view = (f" LEFT JOIN {table} o ON o.{s.link} = v.{s.link} AND o.attribute_id = {attr_id}"
                          f" AND o.store_id = :store AND v.store_id = 0 AND :store <> 0"
                          f" JOIN {s.t('catalog_product_entity')} e ON e.{s.link} = v.{s.link}{version}"
                          f"{website_join}")
            if kind_filter and attr.backend_type in ("varchar", "text"):
                # A barcode has no index on the listing table: the listings' values are staged
                # with one, so the attribute's values are read once, not once per listing.
                _stage_identifiers(conn, f"SELECT l.listing_id, {listing_value} AS value FROM {LISTING} l"
                                         f" WHERE {unmatched}{kind_filter} AND {listing_value} IS NOT NULL", params)
                sql = (f"INSERT INTO tmp_channel_match SELECT i.listing_id, e.entity_id, e.type_id, {priority}"
                       f" FROM {table} v STRAIGHT_JOIN tmp_channel_identifier i FORCE INDEX (value) ON i.value = v.value"
                       f"{store_view}"
                       f" WHERE v.attribute_id = {attr_id} AND v.store_id IN (0, :store) AND o.value_id IS NULL")
            elif kind == "asin" and attr.backend_type in ("varchar", "text"):
                # Each value of the attribute is looked up among the listings (their (account_id,
                # asin) index), never each listing among all the values (an EAV value has no
                # index: quadratic, a plan the statistics of a freshly filled table can pick). The
                # index is forced too: with the order pinned, the listings' statistics after a
                # first import chose a scan of the whole table per block of values (12.8 s at 100k).
                sql = (f"INSERT INTO tmp_channel_match SELECT l.listing_id, e.entity_id, e.type_id, {priority}"
                       f" FROM {table} v STRAIGHT_JOIN {LISTING} l FORCE INDEX ({ASIN_INDEX})"
                       f" ON l.account_id = :a AND l.asin = v.value"
                       f"{store_view} WHERE v.attribute_id = {attr_id} AND v.store_id IN (0, :store)"
                       f" AND {unmatched} AND o.value_id IS NULL")
            else:
                sql = (f"INSERT INTO tmp_channel_match SELECT l.listing_id, e.entity_id, e.type_id, {priority}"
                       f" FROM {LISTING} l JOIN {table} v"
                       f" ON v.attribute_id = {attr_id} AND v.store_id IN (0, :store) AND v.value = {listing_value}"
                       f"{store_view} WHERE {unmatched}{kind_filter} AND o.value_id IS NULL")
        conn.execute(text(sql), params)
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_identifier"))
    stats = MatchStats()
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_result"))
    conn.execute(text(
        "CREATE TEMPORARY TABLE tmp_channel_result (listing_id bigint UNSIGNED NOT NULL PRIMARY KEY,"
        " product_id int UNSIGNED NULL, match_status varchar(24) NOT NULL, candidates varchar(1024) NULL,"
        " matched_by varchar(16) NULL) ENGINE=InnoDB"))
    # Per listing, the products found by its best identifier: one is a match (unless it is a
    # variation parent), several are candidates for the merchant. Set-based, in the database.
    parents = ", ".join(f"'{t}'" for t in VARIANT_PARENT_TYPES)
    kinds = ", ".join(f"'{k}'" for k in IDENTIFIERS)
    conn.execute(text(
        f"INSERT INTO tmp_channel_result (listing_id, product_id, match_status, candidates, matched_by)"
        f" SELECT g.listing_id, IF(g.n = 1 AND g.type_id NOT IN ({parents}), g.product_id, NULL),"
        f" IF(g.n > 1, 'multiple_matches', IF(g.type_id IN ({parents}), 'has_variants', 'matched')),"
        f" IF(g.n > 1 OR g.type_id IN ({parents}), LEFT(CONCAT('[', g.ids, ']'), 1024), NULL), ELT(g.priority, {kinds})"
        f" FROM (SELECT m.listing_id, m.priority, COUNT(DISTINCT m.product_id) AS n, MIN(m.product_id) AS product_id,"
        f" MIN(m.type_id) AS type_id, GROUP_CONCAT(DISTINCT m.product_id ORDER BY m.product_id SEPARATOR ', ') AS ids"
        f" FROM tmp_channel_match m"
        f" JOIN (SELECT listing_id, MIN(priority) AS best FROM tmp_channel_match GROUP BY listing_id) b"
        f" ON b.listing_id = m.listing_id AND b.best = m.priority GROUP BY m.listing_id, m.priority) g"))
    counts: dict[str, int] = dict(conn.execute(text(
        "SELECT match_status, COUNT(*) FROM tmp_channel_result GROUP BY match_status")).all())
    stats.matched = counts.get("matched", 0)
    stats.multiple = counts.get("multiple_matches", 0)
    stats.has_variants = counts.get("has_variants", 0)
    considered = sum(counts.values())
    listing_state.matched(conn, account.account_id, "tmp_channel_result", s.t('catalog_product_entity'), version,
                          params)
    stats.third_party = listing_state.unmatched_third_party(conn, account.account_id, unmatched,
                                                            "tmp_channel_result")
    stats.considered = considered + stats.third_party
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_match"))
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_result"))
    logger.info("Matched listings for account %s: %s", account.account_id, stats)
    return stats


def match_new_by_sku(conn: Connection, reader: CatalogReader, account, stage: str,
                     named: str | None = None) -> str | None:
    """The report's new SKUs (staged in ``stage``, no listing of the account yet) whose seller
    SKU names exactly one product of the website that is no variation parent: what matching
    would decide for them, decided before their rows are written so that each is written
    once (``listing_state.imported`` takes them matched). Into ``tmp_channel_prematch``
    (seller_sku, product_id, magento_sku, product_name); returns its name, or None when the
    mapping does not match by the Magento SKU (then the match step decides them all).
    ``prematch_new_skus`` then ``name_prematched``: the importer runs the first while a read
    ahead of the facts finishes, the second once they are staged (``named``)."""
    matches = prematch_new_skus(conn, reader, account, stage)
    if matches is not None:
        name_prematched(conn, reader, account, named)
    return matches


def prematch_new_skus(conn: Connection, reader: CatalogReader, account, stage: str,
                      new: str | None = None) -> str | None:
    """``match_new_by_sku`` without the names: the products, in ``tmp_channel_prematch``.
    ``new``: the report's new SKUs (``listing_state.new_skus``), else found here."""
    mapping = normalize_mapping(account.identifier_mapping, reader)
    if mapping.get("seller_sku") != "sku":
        return None
    s = reader.schema
    website = reader.website(account.website_id)
    params = {"a": account.account_id, "w": website.website_id, "v": s.current_version(conn)}
    version = " AND e.created_in <= :v AND e.updated_in > :v" if s.is_commerce else ""
    parents = ", ".join(f"'{t}'" for t in VARIANT_PARENT_TYPES)
    new = new or listing_state.new_skus(conn, account.account_id, stage)  # None: each good row is new
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_prematch"))
    conn.execute(text(
        "CREATE TEMPORARY TABLE tmp_channel_prematch (seller_sku varchar(255) NOT NULL PRIMARY KEY,"
        " product_id int UNSIGNED NOT NULL, magento_sku varchar(64) NOT NULL, product_name varchar(500) NULL)"
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"))
    conn.execute(text(
        f"INSERT INTO tmp_channel_prematch (seller_sku, product_id, magento_sku)"
        f" SELECT s.seller_sku, MIN(e.entity_id), MIN(e.sku) FROM {new or stage} s"
        f" JOIN {s.t('catalog_product_entity')} e ON e.sku = s.seller_sku{version}"
        f" JOIN {s.t('catalog_product_website')} pw ON pw.product_id = e.entity_id AND pw.website_id = :w"
        f"{'' if new else ' WHERE s.bad = 0'} GROUP BY s.seller_sku"
        f" HAVING COUNT(DISTINCT e.entity_id) = 1 AND MIN(e.type_id) NOT IN ({parents})"), params)
    return "tmp_channel_prematch"


def name_prematched(conn: Connection, reader: CatalogReader, account, named: str | None = None) -> None:
    """The names of the products ``prematch_new_skus`` found, as the website's store view shows
    them (its row, NULL or not, over store 0's): the name classification gives the listing,
    so the row is not rewritten for it. ``named``: a table of staged product facts
    (``listing_state.FACTS``); its products' names are not read here (``listing_state.imported``
    takes them from it)."""
    s = reader.schema
    website = reader.website(account.website_id)
    params = {"v": s.current_version(conn), "name": reader.attribute("name").attribute_id,
              "store": website.store_id}
    version = " AND e.created_in <= :v AND e.updated_in > :v" if s.is_commerce else ""
    names = s.value_table("varchar")
    unnamed = "" if named is None else f" LEFT JOIN {named} f ON f.product_id = m.product_id"
    conn.execute(text(
        f"UPDATE tmp_channel_prematch m{unnamed}"
        f" JOIN {s.t('catalog_product_entity')} e ON e.entity_id = m.product_id{version}"
        f" LEFT JOIN {names} v0 ON v0.{s.link} = e.{s.link} AND v0.attribute_id = :name AND v0.store_id = 0"
        f" LEFT JOIN {names} vs ON vs.{s.link} = e.{s.link} AND vs.attribute_id = :name AND vs.store_id = :store"
        f" SET m.product_name = LEFT(IF(vs.value_id IS NULL, COALESCE(v0.value, ''), COALESCE(vs.value, '')), 500)"
        + ("" if named is None else " WHERE f.product_id IS NULL")),
        params)


#: The listing table's (account_id, asin) index (sql/0001_accounts_listings.sql).
ASIN_INDEX = "CHANNEL_AMAZON_LISTING_ACCOUNT_ID_ASIN"


def _stage_identifiers(conn: Connection, select: str, params: dict) -> None:
    """``select`` (listing_id, value) into ``tmp_channel_identifier``, indexed by value; its
    columns are the listing table's, so values compare as they do there."""
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_identifier"))
    conn.execute(text(f"CREATE TEMPORARY TABLE tmp_channel_identifier (KEY (value)) ENGINE=InnoDB {select}"),
                 params)


def assign_product(conn: Connection, reader: CatalogReader, account, listing_id: int, product_id: int) -> None:
    """The merchant links a listing to a product by hand; matching never undoes it."""
    products = list(reader.products(account.website_id, entity_ids=[product_id]))
    if not products:
        raise InvalidInput(f"product {product_id} is not on the account's website", {"product_id": product_id})
    if not listing_state.assigned(conn, account.account_id, listing_id, product_id, products[0].sku):
        raise InvalidInput(f"listing {listing_id} does not belong to account {account.account_id}",
                           {"listing_id": listing_id})


def reset_matches(conn: Connection, account, listing_ids: list[int]) -> int:
    """Re-attempt matching for these listings (manual links included).

    Amazon listings go back to unmatched and are matched at the next run; Magento
    products not yet on Amazon go back to ``unresolved`` so their ASIN is searched again.
    """
    return listing_state.match_reset(conn, account.account_id, listing_ids)
