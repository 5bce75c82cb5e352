"""Search across accounts and tabs: by seller SKU or ASIN (prefix, through the listing
indexes), by EAN/UPC/ISBN (the Magento attributes each account maps them to), and by
name (the full-text index on listing names). Each hit carries its account and tab."""

from __future__ import annotations

import re

from flask import jsonify, request
from sqlalchemy import bindparam, text

from bridge import db
from bridge.api import bp
from bridge.api.common import reader
from bridge.auth import requires
from bridge.errors import BadRequest
from bridge.grid import FT_MIN_WORD
from channel.matching import normalize_mapping
from channel.models import Account
from channel.tabs import IN_PROGRESS

MAX_RESULTS = 50
BARCODE = re.compile(r"^\d{8,14}$")
ASIN = re.compile(r"^[A-Z0-9]{2,10}$")
BARCODE_KINDS = ("upc", "ean", "isbn", "jan", "gcid")
COLUMNS = "l.listing_id, l.account_id, l.product_id, l.seller_sku, l.asin, l.product_name, l.tab, l.reason"
TAB_LABELS = {"active": "Active", "ready_to_list": "Ready to list", "inactive": "Inactive",
              "ineligible": "Ineligible", "incomplete": "Incomplete", "ended": "Ended",
              "new_third_party": "New third party"}


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _visible_tab(tab: str) -> str:
    for member, into in IN_PROGRESS.items():
        if member.value == tab:
            return into.value
    return tab


def search(q: str, limit: int = MAX_RESULTS) -> dict:
    """Listings matching ``q`` across every account, best matches first."""
    q = " ".join(q.split())
    if not 1 <= len(q) <= 100:
        raise BadRequest("q must be 1 to 100 characters", {"parameter": "q"})
    conn = db.session.connection()
    accounts = {a.account_id: a for a in db.session.query(Account).order_by(Account.account_id)}
    if not accounts:
        return {"q": q, "items": []}
    ids = list(accounts)
    hits: dict[int, dict] = {}

    def take(sql: str, params: dict, matched: str, expanding=("ids",)) -> None:
        stmt = text(sql).bindparams(*(bindparam(n, expanding=True) for n in expanding))
        for r in conn.execute(stmt, {"ids": ids, "n": limit, **params}).mappings():
            if r["listing_id"] not in hits and len(hits) < limit:
                hits[r["listing_id"]] = {**dict(r), "matched": matched}

    take(f"SELECT {COLUMNS} FROM channel_amazon_listing l WHERE l.account_id IN :ids AND l.seller_sku = :q"
         f" LIMIT :n", {"q": q}, "sku")
    take(f"SELECT {COLUMNS} FROM channel_amazon_listing l WHERE l.account_id IN :ids AND l.seller_sku LIKE :p"
         f" ORDER BY l.account_id, l.seller_sku LIMIT :n", {"p": _like(q)}, "sku")
    if ASIN.fullmatch(q.upper()):
        take(f"SELECT {COLUMNS} FROM channel_amazon_listing l WHERE l.account_id IN :ids AND l.asin LIKE :p"
             f" ORDER BY l.account_id, l.asin LIMIT :n", {"p": _like(q.upper())}, "asin")
    if BARCODE.fullmatch(q):
        by_code: dict[str, list[int]] = {}
        for acc in accounts.values():
            mapping = normalize_mapping(acc.identifier_mapping)
            for kind in BARCODE_KINDS:
                attribute = mapping.get(kind)
                if attribute:
                    by_code.setdefault(attribute, []).append(acc.account_id)
        catalog = reader() if by_code else None
        for code, account_ids in by_code.items():
            products = catalog.product_ids_with_value([code], q, limit) if catalog is not None else []
            if products:
                take(f"SELECT {COLUMNS} FROM channel_amazon_listing l WHERE l.account_id IN :accs"
                     f" AND l.product_id IN :pids ORDER BY l.account_id, l.product_id LIMIT :n",
                     {"accs": account_ids, "pids": products}, code, expanding=("accs", "pids"))
    words = [w for w in "".join(c if c.isalnum() else " " for c in q).split() if len(w) >= FT_MIN_WORD][:8]
    if words and len(hits) < limit:
        # The index finds the names with every long word; the whole text then narrows them.
        take(f"SELECT {COLUMNS} FROM channel_amazon_listing l WHERE l.account_id IN :ids"
             f" AND MATCH(l.product_name) AGAINST(:ft IN BOOLEAN MODE) AND l.product_name LIKE :whole LIMIT :n",
             {"ft": " ".join(f"+{w}*" for w in words), "whole": "%" + _like(q)}, "name")
    items = []
    for hit in hits.values():
        tab = _visible_tab(hit["tab"])
        items.append({**hit, "account_name": accounts[hit["account_id"]].name, "visible_tab": tab,
                      "tab_label": TAB_LABELS.get(tab, tab.replace("_", " ").capitalize())})
    return {"q": q, "items": items}


@bp.get("/search")
@requires("view")
def search_listings():
    unknown = [k for k in request.args if k not in ("q", "limit")]
    if unknown:
        raise BadRequest(f"unknown parameter '{unknown[0]}'", {"parameter": unknown[0]})
    try:
        limit = int(request.args.get("limit", MAX_RESULTS))
    except ValueError:
        raise BadRequest("limit must be a whole number", {"parameter": "limit"}) from None
    if not 1 <= limit <= MAX_RESULTS:
        raise BadRequest(f"limit must be from 1 to {MAX_RESULTS}", {"parameter": "limit"})
    return jsonify(search(request.args.get("q", ""), limit))
