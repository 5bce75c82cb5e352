"""ASINs found and assigned in bulk: the listings grid's "Find ASINs on Amazon".

A search takes up to ``MAX_ASIN_SEARCH`` listings: candidates already known (several
ASINs matched the barcode) are answered at once, the others are searched by a worker job
(``worker.asin_search``). The merchant's choices are assigned in one request through the
same transition as the product page's single assignment, so matching never undoes them.
"""

from __future__ import annotations

import json

from flask import jsonify
from sqlalchemy import bindparam, text

from bridge import db
from bridge.api import bp
from bridge.api.common import account, body, redis
from bridge.api.product import ASIN
from bridge.auth import requires
from bridge.errors import BadRequest
from bridge.reasons import describe
from channel import jobs, listing_state
from channel.errors import NotFound

LIMIT = jobs.MAX_ASIN_SEARCH


def _listing_ids(value, parameter: str = "listing_ids") -> list[int]:
    if not isinstance(value, list) or not value or \
            not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in value):
        raise BadRequest(f"{parameter} must name listings by their ids (positive whole numbers)",
                         {"parameter": parameter})
    if len(set(value)) != len(value):
        raise BadRequest(f"{parameter} names a listing twice", {"parameter": parameter})
    if len(value) > LIMIT:
        raise BadRequest(f"at most {LIMIT} listings are searched or assigned at a time; {len(value)} were selected",
                         {"parameter": parameter, "limit": LIMIT, "selected": len(value)})
    return value


def _rows(account_id: int, listing_ids: list[int]) -> dict[int, dict]:
    """The listings by id; a listing of another account (or none) is refused by name."""
    rows = db.session.connection().execute(text(
        "SELECT listing_id, product_id, seller_sku, asin, amazon_status, match_status, match_candidates"
        " FROM channel_amazon_listing WHERE account_id = :a AND listing_id IN :ids")
        .bindparams(bindparam("ids", expanding=True)), {"a": account_id, "ids": listing_ids}).mappings().all()
    found = {r["listing_id"]: dict(r) for r in rows}
    missing = [i for i in listing_ids if i not in found]
    if missing:
        raise NotFound(f"listings {', '.join(map(str, missing[:10]))} do not belong to account {account_id}",
                       {"listing_ids": missing})
    return found


def _refusal(row: dict) -> str | None:
    """Why a listing takes no ASIN by hand (None: it does)."""
    if row["product_id"] is None:
        return "an Amazon listing with no Magento product: link it to a product first"
    if row["amazon_status"] is not None:
        return "already on Amazon: it keeps the ASIN Amazon holds"
    return None


@bp.post("/accounts/<int:account_id>/listings/asin-search")
@requires("act")
def asin_search(account_id):
    """Candidate ASINs for the selected listings: the known ones now, the others searched
    in Amazon's catalog by a worker job whose result lists them."""
    account(account_id)
    ids = _listing_ids(body().get("listing_ids"))
    rows = _rows(account_id, ids)
    known, skipped, search = [], [], []
    for lid in ids:
        row = rows[lid]
        why = _refusal(row)
        if why is not None:
            skipped.append({"listing_id": lid, "seller_sku": row["seller_sku"], "reason": why})
        elif row["match_status"] == "multiple_matches" and row["match_candidates"]:
            known.append({"listing_id": lid, "seller_sku": row["seller_sku"], "searched_by": None,
                          "candidates": [{"asin": a, "title": None, "brand": None, "parent": False}
                                         for a in json.loads(row["match_candidates"])]})
        else:
            search.append(lid)
    job_id = jobs.enqueue_asin_search(redis(), account_id, search) if search else None
    return jsonify({"job_id": job_id, "searched": search, "known": known, "skipped": skipped,
                    "limit": LIMIT}), 202 if job_id else 200


@bp.post("/accounts/<int:account_id>/listings/asins")
@requires("act")
def assign_asins(account_id):
    """Assign the ASINs the merchant chose, all or none: each listing must be a Magento
    product not yet on Amazon."""
    account(account_id)
    given = body().get("assignments")
    if not isinstance(given, list) or not given or not all(isinstance(a, dict) for a in given):
        raise BadRequest("assignments must be a non-empty list of {listing_id, asin}", {"parameter": "assignments"})
    ids = _listing_ids([a.get("listing_id") for a in given], "assignments")
    chosen: dict[int, str] = {}
    for item in given:
        asin = item.get("asin")
        if not isinstance(asin, str) or not ASIN.fullmatch(asin.strip().upper()):
            raise BadRequest(f"the ASIN for listing {item['listing_id']} must be 10 letters or digits",
                             {"parameter": "asin", "listing_id": item["listing_id"]})
        chosen[item["listing_id"]] = asin.strip().upper()
    rows = _rows(account_id, ids)
    for lid in ids:
        why = _refusal(rows[lid])
        if why is not None:
            raise BadRequest(f"listing {rows[lid]['seller_sku']} takes no ASIN by hand: {why}",
                             {"parameter": "assignments", "listing_id": lid})
    conn = db.session.connection()
    listing_state.asins_looked_up(conn, account_id, [(lid, "matched", chosen[lid], None) for lid in ids])
    db.session.commit()
    states = db.session.connection().execute(text(
        "SELECT listing_id, asin, tab, reason, reason_detail FROM channel_amazon_listing WHERE listing_id IN :ids")
        .bindparams(bindparam("ids", expanding=True)), {"ids": ids}).mappings().all()
    return jsonify({"assigned": [{"listing_id": r["listing_id"], "asin": r["asin"], "tab": r["tab"],
                                  "reason": r["reason"], "reason_text": describe(r["reason"], r["reason_detail"])}
                                 for r in sorted(states, key=lambda r: ids.index(r["listing_id"]))]})
