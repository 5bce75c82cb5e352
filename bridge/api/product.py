"""One product on one account: everything the channel knows and would do about it.

``product_page`` gathers Magento's data as the channel reads it, the traces of price,
quantity and listing rule, the listing's tab and matching outcome, the request the
worker would send next (``channel.payloads.next_request``), the calls recorded in dry
run, the state history and the communication log of its SKU. Amazon's side is read on
demand by a short worker job (``POST .../amazon``); nothing here calls Amazon.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from decimal import Decimal

from flask import jsonify
from sqlalchemy import text

from bridge import db
from bridge.api import bp
from bridge.api.common import account, body, reader, redis
from bridge.auth import requires
from bridge.errors import BadRequest
from bridge.reasons import describe
from channel import accounts as account_service
from channel import jobs, listing_state, marketplaces, payloads, pricing, repricing, rules
from channel.classification import AccountContext
from channel.business import explain_business
from channel.errors import NotFound
from channel.magento import tier_price
from channel.matching import reset_matches

LISTING_COLUMNS = (
    "listing_id, product_id, magento_sku, seller_sku, asin, external_id, external_id_type, product_name,"
    " match_status, match_candidates, matched_by, tab, reason, reason_detail, state_changed_at, amazon_status,"
    " amazon_issues, amazon_price, amazon_qty, fulfillment_channel, listed_at, pending_action, ended_by_merchant,"
    " submitted_at, submission_ref, calc_price, calc_qty, calc_condition, calc_business, pushed_price, pushed_qty,"
    " pushed_business, pushed_at,"
    " seen_in_report_at, offer_qty, offer_dirty, in_website, enabled, passes_rules, has_identifier, is_parent, facts_at"
)
#: The exporter's wanted quantity and the digest it keeps of values Amazon rejected
#: (``worker.sync.exporter.WANTED`` / ``WANT_DIGEST``): a rejected offer is held back.
_WANTED = "offer_qty"
_HELD_BACK = (f"submission_ref <=> CONCAT('rejected:', MD5(CONCAT_WS('|', IFNULL(calc_price, '-'),"
              f" IFNULL({_WANTED}, '-'), calc_business)))")
ASIN = re.compile(r"^[A-Z0-9]{10}$")
HISTORY = 50
LOG_ROWS = 50


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _plain(value):
    """JSON-safe: decimals and dates as text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return pricing.decimal_text(value)
    return str(value)


def listing_of(conn, account_id: int, product_id: int):
    return conn.execute(text(
        f"SELECT {LISTING_COLUMNS}, {_HELD_BACK} AS held_back FROM channel_amazon_listing"
        f" WHERE account_id = :a AND product_id = :p ORDER BY listing_id LIMIT 1"),
        {"a": account_id, "p": product_id}).mappings().first()


def _magento(acc, ctx: AccountContext, product_id: int, in_website: bool | None):
    """The product as the channel reads it for the account's website (``in_website``: known
    from the listing's facts, else read)."""
    catalog = reader()
    wanted = sorted(set(ctx.attributes()) | {"name", "visibility"})
    optional = ["name", "visibility", "news_from_date", "news_to_date"]
    found = list(catalog.products(acc.website_id, entity_ids=[product_id], attributes=wanted, optional=optional,
                                  in_website_only=False))
    if not found:
        raise NotFound(f"Magento has no product {product_id}", {"product_id": product_id})
    if in_website is None:
        in_website = bool(list(catalog.products(acc.website_id, entity_ids=[product_id], attributes=[],
                                                in_website_only=True)))
    return found[0], in_website


VISIBILITY = {1: "Not visible individually", 2: "Catalog", 3: "Search", 4: "Catalog, Search"}


def _magento_view(product, in_website: bool, ctx: AccountContext) -> dict:
    s = ctx.settings
    identifiers = {kind: product.get(code) for kind, code in ctx.mapping.items() if code}
    status = product.get("status")
    return {
        "entity_id": product.entity_id, "sku": product.sku, "name": product.get("name"), "type_id": product.type_id,
        "status": {1: "Enabled", 2: "Disabled"}.get(status, status), "visibility": VISIBILITY.get(
            product.get("visibility"), product.get("visibility")), "in_website": in_website,
        "website_id": ctx.website_id, "identifiers": identifiers,
        "price_attribute": s.price.attribute, "price": product.get(s.price.attribute),
        "special_price": product.get("special_price"), "special_from_date": product.get("special_from_date"),
        "special_to_date": product.get("special_to_date"), "timezone": product.timezone,
        "qty": product.qty, "is_in_stock": product.is_in_stock, "manage_stock": product.manage_stock,
        "min_qty": product.min_qty, "salable_qty": product.salable_qty, "reservations": product.reserved,
        "backorders": product.backorders,
        "condition_attribute": s.condition_attribute,
        "condition_value": product.get(s.condition_attribute + "_label") or product.get(s.condition_attribute)
        if s.condition_attribute else None,
    }


def business_trace(conn, product, settings: pricing.AccountSettings, standard, website_id: int):
    """The product's business offer and why (``channel.business``), from its customer
    group's tier prices as classification reads them."""
    group = settings.business.tier_group
    tiers, name = [], None
    if group is not None:
        catalog = reader()
        tiers = tier_price.read_tier_prices(catalog.conn, catalog.schema, website_id, [product.entity_id], group,
                                            tier_price.price_scope_is_website(catalog.conn, catalog.schema)
                                            ).get(product.entity_id, [])
        name = tier_price.customer_group_code(catalog.conn, catalog.schema, group)
    return explain_business(product, settings, standard, tiers, name)


def product_page(account_id: int, product_id: int) -> dict:
    """Everything the product page shows, read in a handful of indexed queries."""
    conn = db.session.connection()
    acc = account(account_id)
    settings = pricing.AccountSettings.from_json(acc.settings)
    ctx = AccountContext.of(acc, None)
    row = listing_of(conn, account_id, product_id)
    product, in_website = _magento(acc, ctx, product_id, bool(row["in_website"]) if row is not None else None)
    now = _utcnow()
    price = pricing.explain_price(product, settings, now)
    qty = pricing.explain_qty(product, settings)
    business = business_trace(conn, product, settings, price.amount, acc.website_id)
    rule = rules.explain(ctx.rule, rules.ProductView.from_product(product, now=now))
    market = marketplaces.get(acc.marketplace_id)
    dirty_total = 1
    if row is not None and row["offer_dirty"]:
        dirty_total = conn.execute(text(
            "SELECT COUNT(*) FROM (SELECT 1 FROM channel_amazon_listing WHERE account_id = :a AND offer_dirty = 1"
            " LIMIT :cap) x"), {"a": account_id, "cap": payloads.FEED_ABOVE}).scalar_one()
    next_request = payloads.next_request(
        row, seller_id=acc.seller_id, marketplace_id=acc.marketplace_id, currency=market.currency,
        settings=settings, paused=acc.status == "paused", read_only=bool(acc.read_only), dirty_total=dirty_total,
        held_back=bool(row and row["held_back"]))
    out = {
        "account": account_service.public(acc), "dry_run": settings.dry_run, "currency": market.currency,
        "magento": _magento_view(product, in_website, ctx),
        "trace": {"price": price.to_json(), "quantity": qty.to_json(), "condition": pricing.condition_of(product, settings),
                  "rule": rule.to_json() if rule else None, "business": business.to_json()},
        "listing": None, "next_request": next_request, "history": [], "log": [], "dry_run_calls": [],
        "actions": [],
    }
    if row is None:
        return _plain(out)
    listing = dict(row)
    # The price sent may be repricing's: its last decision, in words, beside the price rule's steps.
    trace = out["trace"]
    assert isinstance(trace, dict)
    trace["repricing"] = repricing.last_decision(conn, row["listing_id"])
    listing.pop("held_back")
    listing["match_candidates"] = json.loads(row["match_candidates"]) if row["match_candidates"] else []
    listing["amazon_issues"] = json.loads(row["amazon_issues"]) if row["amazon_issues"] else []
    listing["reason_text"] = describe(row["reason"], row["reason_detail"])
    out["listing"] = listing
    out["actions"] = actions_for(row)
    out["history"] = [dict(r) for r in conn.execute(text(
        "SELECT created_at, from_tab, to_tab, from_reason, to_reason, detail FROM channel_amazon_listing_change"
        " WHERE listing_id = :l ORDER BY change_id DESC LIMIT :n"), {"l": row["listing_id"], "n": HISTORY}).mappings()]
    out["log"] = [dict(r) for r in conn.execute(text(
        "SELECT created_at, level, operation, http_status, error_code, message, request_id FROM channel_amazon_log"
        " WHERE account_id = :a AND seller_sku = :sku ORDER BY log_id DESC LIMIT :n"),  # sql/0016's index
        {"a": account_id, "n": LOG_ROWS, "sku": row["seller_sku"]}).mappings()]
    out["dry_run_calls"] = dry_run_calls(conn, account_id, row["seller_sku"])
    return _plain(out)


def dry_run_calls(conn, account_id: int, sku: str | None, limit: int = 20) -> list[dict]:
    where = "account_id = :a" + (" AND seller_sku = :s" if sku else "")
    rows = conn.execute(text(
        f"SELECT call_id, operation, method, path, seller_sku, body, created_at FROM channel_amazon_dry_run_call"
        f" WHERE {where} ORDER BY call_id DESC LIMIT :n"), {"a": account_id, "s": sku, "n": limit}).mappings()
    out = []
    for r in rows:
        call = dict(r)
        try:
            call["body"] = json.loads(r["body"]) if r["body"] else None
        except ValueError:
            pass  # a feed document upload is JSON; anything else is shown as sent
        out.append(call)
    return out


def actions_for(row) -> list[str]:
    """The actions that fit the listing's state."""
    tab, acts = row["tab"], []
    if tab == "ready_to_list":
        acts.append("publish")
    if tab in ("active", "inactive", "ineligible", "list_in_progress") or (tab == "relist_in_progress"):
        acts.append("end")
    if tab == "ended":
        acts.append("relist")
    if row["amazon_status"] is None and row["product_id"] is not None:
        acts.append("assign_asin")
        if row["match_candidates"] and not row["asin"]:
            acts.append("choose_asin")
    if row["product_id"] is not None and (row["asin"] or row["matched_by"]):
        acts.append("unlink")
    acts.append("sync")
    return acts


def _listing(conn, account_id: int, listing_id: int):
    row = conn.execute(text(
        "SELECT listing_id, product_id, asin, amazon_status, tab FROM channel_amazon_listing"
        " WHERE listing_id = :l AND account_id = :a"), {"l": listing_id, "a": account_id}).mappings().first()
    if row is None:
        raise NotFound(f"listing {listing_id} does not belong to account {account_id}", {"listing_id": listing_id})
    return row


@bp.get("/accounts/<int:account_id>/products/<int:product_id>")
@requires("view")
def product(account_id, product_id):
    return jsonify(product_page(account_id, product_id))


@bp.post("/accounts/<int:account_id>/products/<int:product_id>/amazon")
@requires("view")
def fetch_from_amazon(account_id, product_id):
    """Read the listing as Amazon holds it (getListingsItem), in a short worker job."""
    account(account_id)
    row = listing_of(db.session.connection(), account_id, product_id)
    if row is None:
        raise NotFound(f"product {product_id} has no listing on account {account_id}", {"product_id": product_id})
    return jsonify({"job_id": jobs.enqueue_lookup(redis(), jobs.LOOKUP_JOB, account_id, row["seller_sku"])}), 202


@bp.post("/accounts/<int:account_id>/catalog/search")
@requires("act")
def catalog_search(account_id):
    """Search Amazon's catalog by keywords (searchCatalogItems), in a short worker job."""
    account(account_id)
    keywords = body().get("keywords")
    if not isinstance(keywords, str) or not keywords.strip() or len(keywords) > 500 or len(keywords.split()) > 20:
        raise BadRequest("keywords must be up to 20 words (500 characters)", {"parameter": "keywords"})
    return jsonify({"job_id": jobs.enqueue_lookup(redis(), jobs.CATALOG_SEARCH_JOB, account_id,
                                                  " ".join(keywords.split()))}), 202


@bp.post("/accounts/<int:account_id>/listings/<int:listing_id>/asin")
@requires("act")
def assign_asin(account_id, listing_id):
    """The merchant chooses an ASIN (from the candidates, or found by hand) for a product
    not yet on Amazon; it is published on that ASIN."""
    asin = body().get("asin")
    if not isinstance(asin, str) or not ASIN.fullmatch(asin.strip().upper()):
        raise BadRequest("asin must be 10 letters or digits", {"parameter": "asin"})
    account(account_id)
    conn = db.session.connection()
    row = _listing(conn, account_id, listing_id)
    if row["product_id"] is None or row["amazon_status"] is not None:
        raise BadRequest("only a Magento product not yet on Amazon takes an ASIN; Amazon's listings keep theirs",
                         {"parameter": "listing_id"})
    listing_state.asins_looked_up(conn, account_id, [(listing_id, "matched", asin.strip().upper(), None)])
    db.session.commit()
    return jsonify({"listing_id": listing_id, "asin": asin.strip().upper()})


@bp.post("/accounts/<int:account_id>/listings/<int:listing_id>/unlink")
@requires("act")
def unlink(account_id, listing_id):
    """Undo a match (manual links included): it is matched again at the next cycle."""
    acc = account(account_id)
    conn = db.session.connection()
    _listing(conn, account_id, listing_id)
    changed = reset_matches(conn, acc, [listing_id])
    db.session.commit()
    return jsonify({"listing_id": listing_id, "changed": changed})


@bp.post("/accounts/<int:account_id>/dry-run")
@requires("accounts")
def set_dry_run(account_id):
    """Switch the account's dry run on or off. Off, what it recorded instead of sending is
    undone on the listings it touched, so the next cycle sends it to Amazon."""
    enabled = body().get("enabled")
    if not isinstance(enabled, bool):
        raise BadRequest("enabled must be true or false", {"parameter": "enabled"})
    acc = account(account_id)
    current = pricing.AccountSettings.from_json(acc.settings)
    undone = 0
    if enabled and not current.dry_run:
        account_service.set_settings(acc, {"dry_run": True, "dry_run_since": _utcnow().isoformat(timespec="seconds")})
    elif not enabled and current.dry_run:
        since = datetime.fromisoformat(current.dry_run_since) if current.dry_run_since else datetime(1970, 1, 1)
        undone = listing_state.dry_run_ended(db.session.connection(), account_id, since)
        account_service.set_settings(acc, {"dry_run": False, "dry_run_since": None})
    db.session.commit()
    return jsonify({"account_id": account_id, "dry_run": enabled, "listings_to_send": undone})


@bp.get("/accounts/<int:account_id>/dry-run/calls")
@requires("view")
def dry_run_log(account_id):
    """The calls recorded in dry run, newest first (one SKU's with ``sku``)."""
    from flask import request

    account(account_id)
    sku = request.args.get("sku") or None
    if sku is not None and len(sku) > 255:
        raise BadRequest("sku is at most 255 characters", {"parameter": "sku"})
    try:
        limit = int(request.args.get("limit", 50))
    except ValueError:
        raise BadRequest("limit must be a whole number", {"parameter": "limit"}) from None
    if not 1 <= limit <= 500:
        raise BadRequest("limit must be from 1 to 500", {"parameter": "limit"})
    return jsonify({"items": _plain(dry_run_calls(db.session.connection(), account_id, sku, limit))})
