"""Listings per tab, counts, CSV export, bulk actions, manual assignment."""

from __future__ import annotations

import csv
import io

from flask import Response, jsonify, request

from bridge import db, grid
from bridge.api import bp
from bridge.api.common import account, body, reader, redis
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import jobs
from channel.matching import assign_product


@bp.get("/accounts/<int:account_id>/listings")
@requires("view")
def listings(account_id):
    account(account_id)
    args = request.args.copy()
    if args.get("format") == "csv":
        return export_csv(account_id, args)
    result = grid.listings(db.session.connection(), args, account_id)
    result["counts"] = grid.tab_counts(db.session.connection(), account_id)
    return jsonify(result)


def export_csv(account_id: int, args):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["seller_sku", "magento_sku", "asin", "name", "tab", "reason", "what_to_do", "price", "qty"])
    args["per_page"] = str(grid.MAX_PER_PAGE)
    page = 1
    while True:
        args["page"] = str(page)
        chunk = grid.listings(db.session.connection(), args, account_id)
        for r in chunk["items"]:
            writer.writerow([r["seller_sku"], r["magento_sku"], r["asin"], r["product_name"], r["tab"],
                             r["reason_text"]["sentence"], r["reason_text"]["action"], r["calc_price"], r["calc_qty"]])
        if page >= chunk["pages"] or page >= 500:
            break
        page += 1
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=amazon-{args.get('tab', 'active')}.csv"})


@bp.get("/accounts/<int:account_id>/listings/counts")
@requires("view")
def counts(account_id):
    account(account_id)
    return jsonify(grid.tab_counts(db.session.connection(), account_id))


@bp.post("/accounts/<int:account_id>/listings/actions")
@requires("act")
def bulk_action(account_id):
    account(account_id)
    data = body()
    action = data.get("action")
    ids = data.get("listing_ids")
    if action not in jobs.ACTIONS:
        raise BadRequest(f"unknown action '{action}'", {"parameter": "action", "allowed": list(jobs.ACTIONS)})
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids) \
            or len(ids) > 10000:
        raise BadRequest("listing_ids must be a list of up to 10000 listing ids", {"parameter": "listing_ids"})
    if action == "sync":
        return jsonify({"job_id": jobs.enqueue_sync(redis(), account_id, "merchant")}), 202
    return jsonify({"job_id": jobs.enqueue_listing_action(redis(), account_id, action, ids)}), 202


@bp.post("/accounts/<int:account_id>/listings/<int:listing_id>/assign")
@requires("act")
def assign(account_id, listing_id):
    product_id = body().get("product_id")
    if not isinstance(product_id, int) or isinstance(product_id, bool) or product_id < 1:
        raise BadRequest("product_id must be a Magento product id", {"parameter": "product_id"})
    assign_product(db.session.connection(), reader(), account(account_id), listing_id, product_id)
    db.session.commit()
    return jsonify({"listing_id": listing_id, "product_id": product_id})
