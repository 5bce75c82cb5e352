"""Reads for the admin grids: listings per tab with filters, sort, paging and totals.

Every filter and sort key comes from a whitelist and every value is bound; anything
else is refused with a 400 that names the parameter. Offset paging with totals for
the grids the merchant pages through; the count per tab is one grouped query.
"""

from __future__ import annotations

import json

from sqlalchemy import text

from bridge.errors import BadRequest
from bridge.reasons import describe
from channel.tabs import IN_PROGRESS, NOT_ELIGIBLE, VISIBLE_TABS, Tab

SORTS = {"sku": "seller_sku", "name": "product_name", "asin": "asin", "tab": "tab", "reason": "reason",
         "price": "calc_price", "qty": "calc_qty", "changed": "state_changed_at", "id": "listing_id"}
FILTERS = {"sku": "seller_sku LIKE :sku", "name": "product_name LIKE :name", "asin": "asin = :asin",
           "reason": "reason = :reason", "state": "amazon_status = :state"}
MAX_PER_PAGE = 200
#: Past this page the offset would overflow the database's integers (and nobody pages that far).
MAX_PAGE = 1_000_000
COLUMNS = ("listing_id", "product_id", "magento_sku", "seller_sku", "asin", "product_name", "tab", "reason",
           "reason_detail", "state_changed_at", "amazon_status", "calc_price", "calc_qty", "amazon_price",
           "amazon_qty", "pushed_price", "pushed_qty", "fulfillment_channel", "match_status", "match_candidates",
           "pending_action")
TAB_NAMES = [t.value for t in VISIBLE_TABS]


def tabs_of(tab: str) -> list[str]:
    """A visible tab includes the in-progress states that lead to it."""
    members = [tab] + [t.value for t, into in IN_PROGRESS.items() if into.value == tab]
    return members


def page_args(args) -> tuple[int, int]:
    try:
        page = int(args.get("page", 1))
        per_page = int(args.get("per_page", 50))
    except ValueError:
        raise BadRequest("page and per_page must be whole numbers", {"parameter": "page"}) from None
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        raise BadRequest(f"page must be 1 to {MAX_PAGE} and per_page between 1 and {MAX_PER_PAGE}",
                         {"parameter": "per_page"})
    return page, per_page


def listing_query(args, account_id: int) -> tuple[str, dict]:
    tab = args.get("tab", "active")
    if tab not in TAB_NAMES:
        raise BadRequest(f"unknown tab '{tab}'", {"parameter": "tab", "allowed": TAB_NAMES})
    where = ["account_id = :account_id", "tab IN :tabs"]
    params: dict = {"account_id": account_id, "tabs": tabs_of(tab)}
    allowed = set(FILTERS) | {"tab", "sort", "page", "per_page", "account_id", "format"}
    unknown = [k for k in args.keys() if k not in allowed]
    if unknown:
        raise BadRequest(f"unknown filter '{unknown[0]}'", {"parameter": unknown[0], "allowed": sorted(allowed)})
    for key, clause in FILTERS.items():
        value = args.get(key)
        if value:
            if len(value) > 255:
                raise BadRequest(f"filter '{key}' is too long", {"parameter": key})
            where.append(clause)
            params[key] = f"%{value}%" if "LIKE" in clause else value
    return " AND ".join(where), params


def order_by(args) -> str:
    raw = args.get("sort", "sku")
    desc = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in SORTS:
        raise BadRequest(f"cannot sort by '{key}'", {"parameter": "sort", "allowed": sorted(SORTS)})
    direction = "DESC" if desc else "ASC"
    return f"{SORTS[key]} {direction}, listing_id {direction}"


def listings(conn, args, account_id: int) -> dict:
    from sqlalchemy import bindparam

    where, params = listing_query(args, account_id)
    page, per_page = page_args(args)
    total = conn.execute(text(f"SELECT COUNT(*) FROM channel_amazon_listing WHERE {where}").bindparams(
        bindparam("tabs", expanding=True)), params).scalar()
    rows = conn.execute(text(
        f"SELECT {', '.join(COLUMNS)} FROM channel_amazon_listing WHERE {where} ORDER BY {order_by(args)}"
        f" LIMIT :limit OFFSET :offset").bindparams(bindparam("tabs", expanding=True)),
        {**params, "limit": per_page, "offset": (page - 1) * per_page}).mappings().all()
    return {"items": [row_out(r) for r in rows], "total": int(total), "page": page, "per_page": per_page,
            "pages": max(1, -(-int(total) // per_page))}


def row_out(r) -> dict:
    out = {k: (v.isoformat() if hasattr(v, "isoformat") else float(v) if k.endswith(("price",)) and v is not None
               else v) for k, v in dict(r).items()}
    out["reason_text"] = describe(r["reason"], r["reason_detail"])
    out["match_candidates"] = json.loads(r["match_candidates"]) if r["match_candidates"] else None
    return out


def tab_counts(conn, account_id: int) -> dict[str, int]:
    """Listings per visible tab, from the counts each classification run keeps
    (``channel.classification.refresh_tab_counts``); counted here only before the first run."""
    rows = conn.execute(text("SELECT tab, listings FROM channel_amazon_tab_count WHERE account_id = :a"
                             " AND tab <> :hidden"), {"a": account_id, "hidden": NOT_ELIGIBLE}).all()
    if not rows:
        rows = conn.execute(text("SELECT tab, COUNT(*) FROM channel_amazon_listing WHERE account_id = :a"
                                 " AND tab <> :hidden GROUP BY tab"), {"a": account_id, "hidden": NOT_ELIGIBLE}).all()
    counts = {t: 0 for t in TAB_NAMES}
    for tab, n in rows:
        visible = IN_PROGRESS.get(Tab(tab), Tab(tab)).value if tab in Tab._value2member_map_ else tab
        if visible in counts:
            counts[visible] += int(n)
    return counts
