"""Listings per tab, counts, CSV export, bulk actions, manual assignment."""

from __future__ import annotations

from flask import Response, jsonify, request, stream_with_context

from bridge import db, export, grid
from bridge.api import bp
from bridge.api.common import account, body, reader, redis
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import jobs
from channel.matching import assign_product


@bp.get("/accounts/<int:account_id>/listings")
@requires("view")
def listings(account_id):
    args = request.args.copy()
    if args.get("format") == "csv":
        account(account_id)
        return export_csv(account_id, args)
    conn = db.session.connection()
    grid.require_account(conn, account_id)
    counts = grid.tab_counts(conn, account_id)
    result = grid.listings(conn, args, account_id, counts=counts)
    result["counts"] = counts
    return jsonify(result)


def export_csv(account_id: int, args):
    """The tab as a CSV file, streamed page by page (see ``bridge.export``)."""
    where, params = export.validate(args, account_id)
    db.session.close()  # the account check's connection goes back to the pool; pages take their own
    tab = args.get("tab", "active")
    row_pages = export.started(export.pages(db.engine.connect, where, params))
    chunks = export.csv_chunks(export.logged(row_pages, account_id, tab))
    name = export.file_name(account_id, tab)
    return Response(stream_with_context(chunks), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
    })


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
