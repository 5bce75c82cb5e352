"""The classification run: every product of an account's website sorted into a tab.

Streams the website's products through the CatalogReader in batches, reads the
account's listing rows for each batch in one query, asks ``tabs.classify`` for the
tab and reason, and writes only what changed: new rows and changed rows in one
multi-row upsert per batch, a listing change row per state change. Listings whose
product left the website, and Amazon listings with no product, are classified too.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel import pricing, rules, tables, tabs
from channel.magento.catalog import CatalogReader, Product
from channel.matching import normalize_mapping

logger = logging.getLogger(__name__)

LISTING = "channel_amazon_listing"
LISTING_COLUMNS = (
    "listing_id", "product_id", "seller_sku", "asin", "match_status", "tab", "reason", "reason_detail",
    "amazon_status", "amazon_issues", "pending_action", "ended_by_merchant", "submitted_at", "calc_price",
    "calc_qty", "fulfillment_channel", "product_name", "magento_sku",
)


@dataclasses.dataclass
class ClassifyStats:
    products: int = 0
    written: int = 0
    changed: int = 0
    by_tab: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class AccountContext:
    """What classification needs of an account, parsed and validated once per run."""

    account_id: int
    website_id: int
    settings: pricing.AccountSettings
    rule: rules.Rule | None
    mapping: dict

    @classmethod
    def of(cls, account, reader: CatalogReader | None = None) -> "AccountContext":
        return cls(
            account_id=account.account_id, website_id=account.website_id,
            settings=pricing.AccountSettings.from_json(account.settings),
            rule=(None if not account.listing_rule else rules.parse_for_catalog(account.listing_rule, reader)
                  if reader is not None else rules.parse_rule(account.listing_rule)),
            mapping=normalize_mapping(account.identifier_mapping, reader),
        )

    def attributes(self) -> list[str]:
        codes = set(rules.attribute_codes(self.rule)) if self.rule else set()
        codes |= {c for c in self.mapping.values() if c and c != "sku"}
        codes |= set(self.settings.attribute_codes())
        return sorted(codes - {"sku", "type_id", "attribute_set_id", "category_ids", "qty", "quantity_and_stock_status"})


def product_facts(ctx: AccountContext, product: Product, row: dict | None, now: datetime):
    """Everything classify() needs to know about a Magento product, computed without I/O.

    Returns the facts with the computed price, quantity and known ASIN."""
    price = pricing.compute_price(product, ctx.settings, now)
    qty = pricing.compute_qty(product, ctx.settings)
    view = rules.ProductView.from_product(product, now=now)
    asin = (row or {}).get("asin") or (product.get(ctx.mapping["asin"]) if ctx.mapping.get("asin") else None)
    barcode = any(product.get(ctx.mapping[k]) for k in ("upc", "ean", "isbn", "jan", "gcid") if ctx.mapping.get(k))
    facts = tabs.ProductFacts(
        in_website=True, enabled=product.get("status") == 1, passes_rules=rules.evaluate(ctx.rule, view),
        quantity=qty, price=price, condition=pricing.condition_of(product, ctx.settings),
        has_asin=bool(asin), has_identifier=bool(asin) or barcode,
        is_parent=product.type_id in ("configurable", "grouped", "bundle"),
    )
    return facts, price, qty, asin


def listing_state(row: dict | None) -> tabs.ListingState:
    if row is None:
        return tabs.ListingState()
    issues = json.loads(row["amazon_issues"]) if row.get("amazon_issues") else []
    return tabs.ListingState(
        on_amazon=row.get("amazon_status") is not None,
        amazon_status=row.get("amazon_status") or None,
        issues=tuple(issues),
        match_status=row.get("match_status") or "matched",
        pending_action=row.get("pending_action"),
        ended_by_merchant=bool(row.get("ended_by_merchant")),
        submitted=row.get("submitted_at") is not None,
        fulfilled_by_amazon=str(row.get("fulfillment_channel") or "DEFAULT").upper().startswith("AMAZON"),
    )


def classify_account(conn: Connection, reader: CatalogReader, account, now: datetime | None = None,
                     batch_size: int = 2000) -> ClassifyStats:
    """Classify every product of the account's website and every listing of the account."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    ctx = AccountContext.of(account, reader)
    stats = ClassifyStats()
    seen: set[int] = set()
    for batch in reader.iter_batches(ctx.website_id, attributes=ctx.attributes(), batch_size=batch_size):
        rows = _rows_for_products(conn, ctx.account_id, [p.entity_id for p in batch])
        writes, changes = [], []
        for product in batch:
            seen.add(product.entity_id)
            row = rows.get(product.entity_id)
            facts, price, qty, asin = product_facts(ctx, product, row, now)
            result = tabs.classify(facts, listing_state(row), tabs.Policy(auto_publish=ctx.settings.auto_publish))
            stats.products += 1
            _collect(ctx, product, row, result, price, qty, asin, writes, changes, stats)
        _write(conn, ctx.account_id, writes, changes, now)
        stats.written += len(writes)
        stats.changed += len(changes)
    _classify_orphans(conn, ctx, seen, now, stats)
    refresh_tab_counts(conn, ctx.account_id, now)
    logger.info("Classified account %s: %d products, %d rows written, %d state changes",
                ctx.account_id, stats.products, stats.written, stats.changed)
    return stats


def refresh_tab_counts(conn: Connection, account_id: int, now: datetime | None = None) -> None:
    """Keep the account's listings per tab (``channel_amazon_tab_count``) for the pages:
    one grouped read by the (account_id, tab) index and one replace."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    conn.execute(text("DELETE FROM channel_amazon_tab_count WHERE account_id = :a"), {"a": account_id})
    conn.execute(text(
        f"INSERT INTO channel_amazon_tab_count (account_id, tab, listings, counted_at)"
        f" SELECT account_id, tab, COUNT(*), :t FROM {LISTING} WHERE account_id = :a GROUP BY account_id, tab"),
        {"a": account_id, "t": now})


def _rows_for_products(conn: Connection, account_id: int, product_ids: list[int]) -> dict[int, dict]:
    stmt = text(f"SELECT {', '.join(LISTING_COLUMNS)} FROM {LISTING} WHERE account_id = :a"
                f" AND product_id IN :ids ORDER BY (amazon_status IS NULL), listing_id"
                ).bindparams(bindparam("ids", expanding=True))
    rows: dict[int, dict] = {}
    for r in conn.execute(stmt, {"a": account_id, "ids": product_ids}).mappings():
        rows.setdefault(r["product_id"], dict(r))  # the listing on Amazon first, if several
    return rows


def _collect(ctx, product, row, result, price, qty, asin, writes, changes, stats) -> None:
    if result is None:  # never listed and not eligible: no tab, only the rule preview shows it
        if row is not None and row["tab"] != tabs.NOT_ELIGIBLE:
            values = _values(ctx, product.entity_id, product.sku, row, tabs.NOT_ELIGIBLE,
                             tabs.Reason.EXCLUDED_BY_RULE.value, None, None, qty, asin, product)
            changes.append((row, values[3], tabs.NOT_ELIGIBLE, tabs.Reason.EXCLUDED_BY_RULE.value, None))
            writes.append(values)
        return
    tab, reason, detail = result.tab.value, result.reason.value, result.detail
    stats.by_tab[tab] = stats.by_tab.get(tab, 0) + 1
    price_s = None if price is None else Decimal(price).quantize(Decimal("0.0001"))
    if row is not None and (row["tab"], row["reason"], row["reason_detail"]) == (tab, reason, detail) \
            and row["calc_price"] == price_s and row["calc_qty"] == qty and row["product_name"] == product.get("name"):
        return
    values = _values(ctx, product.entity_id, product.sku, row, tab, reason, detail, price_s, qty, asin, product)
    if row is None or (row["tab"], row["reason"]) != (tab, reason):
        changes.append((row, values[3], tab, reason, detail))
    writes.append(values)


def _values(ctx, product_id, sku, row, tab, reason, detail, price, qty, asin, product) -> tuple:
    seller_sku = row["seller_sku"] if row else sku
    return (ctx.account_id, product_id, sku, seller_sku, asin, (product.get("name") or "")[:500], tab, reason,
            detail, price, qty, row["match_status"] if row else ("matched" if asin else "unresolved"))


def _write(conn: Connection, account_id: int, writes: list[tuple], changes: list, now: datetime) -> None:
    """One multi-row upsert for the batch, then one change row per state change."""
    if not writes:
        return
    raw = conn.connection.dbapi_connection.cursor()
    try:
        raw.executemany(  # a raw cursor: the real table name under Magento's prefix
            f"INSERT INTO {tables.name(conn, LISTING)} (account_id, product_id, magento_sku, seller_sku, asin, product_name, tab,"
            f" reason, reason_detail, calc_price, calc_qty, match_status, state_changed_at)"
            f" VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            f" ON DUPLICATE KEY UPDATE product_id = VALUES(product_id), magento_sku = VALUES(magento_sku),"
            f" asin = COALESCE(asin, VALUES(asin)), product_name = VALUES(product_name),"
            f" state_changed_at = IF(tab <> VALUES(tab) OR reason <> VALUES(reason), VALUES(state_changed_at),"
            f" state_changed_at), tab = VALUES(tab), reason = VALUES(reason), reason_detail = VALUES(reason_detail),"
            f" calc_price = VALUES(calc_price), calc_qty = VALUES(calc_qty)",
            [w + (now,) for w in writes])
    finally:
        raw.close()
    if not changes:
        return
    new_skus = [sku for row, sku, *_ in changes if row is None]
    ids = {}
    if new_skus:
        stmt = text(f"SELECT seller_sku, listing_id FROM {LISTING} WHERE account_id = :a AND seller_sku IN :skus"
                    ).bindparams(bindparam("skus", expanding=True))
        ids = {r.seller_sku.lower(): r.listing_id for r in conn.execute(stmt, {"a": account_id, "skus": new_skus})}
    values = []
    for row, sku, tab, reason, detail in changes:
        listing_id = row["listing_id"] if row else ids.get(sku.lower())
        if listing_id is not None:
            values.append({"l": listing_id, "a": account_id, "ft": row["tab"] if row else None, "tt": tab,
                           "fr": row["reason"] if row else None, "tr": reason, "d": detail})
    if values:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing_change (listing_id, account_id, from_tab, to_tab, from_reason,"
            " to_reason, detail) VALUES (:l, :a, :ft, :tt, :fr, :tr, :d)"), values)


def _classify_orphans(conn: Connection, ctx: AccountContext, seen: set[int], now: datetime,
                      stats: ClassifyStats) -> None:
    """Listings whose product left the website, and Amazon listings with no product."""
    rows = conn.execute(text(f"SELECT {', '.join(LISTING_COLUMNS)} FROM {LISTING} WHERE account_id = :a"),
                        {"a": ctx.account_id}).mappings()
    updates, changes = [], []
    for r in rows:
        if r["product_id"] is not None and r["product_id"] in seen:
            continue
        row = dict(r)
        facts = tabs.ProductFacts.gone() if r["product_id"] is not None else None
        result = tabs.classify(facts, listing_state(row), tabs.Policy(auto_publish=ctx.settings.auto_publish))
        if result is None:  # never listed and its product left the website: no tab
            tab, reason, detail = tabs.NOT_ELIGIBLE, tabs.Reason.NOT_IN_WEBSITE.value, None
        else:
            tab, reason, detail = result.tab.value, result.reason.value, result.detail
        if tab != tabs.NOT_ELIGIBLE:
            stats.by_tab[tab] = stats.by_tab.get(tab, 0) + 1
        if (row["tab"], row["reason"], row["reason_detail"]) != (tab, reason, detail):
            updates.append({"id": row["listing_id"], "t": tab, "r": reason, "d": detail, "now": now})
            if (row["tab"], row["reason"]) != (tab, reason):
                changes.append({"l": row["listing_id"], "a": ctx.account_id, "ft": row["tab"], "tt": tab,
                                "fr": row["reason"], "tr": reason, "d": detail})
    if updates:
        conn.execute(text(f"UPDATE {LISTING} SET tab = :t, reason = :r, reason_detail = :d,"
                          f" state_changed_at = :now WHERE listing_id = :id"), updates)
    if changes:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing_change (listing_id, account_id, from_tab, to_tab, from_reason,"
            " to_reason, detail) VALUES (:l, :a, :ft, :tt, :fr, :tr, :d)"), changes)
    stats.changed += len(changes)
