"""Orders: the list with Magento status, what the module should create, its results, retries."""

from __future__ import annotations

from flask import jsonify, request

from bridge import db, grid
from bridge.api import bp
from bridge.api.common import body, settings, vault
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import orders as service
from channel.magento.schema import MagentoSchema


def _schema():
    return MagentoSchema.detect(db.session.connection(), settings().table_prefix)


@bp.get("/orders")
@requires("orders")
def list_orders():
    page, per_page = grid.page_args(request.args)
    status = request.args.get("status")
    if status and status not in ("pending", "offered", "creating", "created", "failed", "skipped"):
        raise BadRequest("unknown status", {"parameter": "status"})
    account_id = request.args.get("account_id")
    if account_id is not None and not account_id.isdigit():
        raise BadRequest("account_id must be a number", {"parameter": "account_id"})
    rows, total = service.list_orders(db.session.connection(), int(account_id) if account_id else None, status,
                                      per_page, (page - 1) * per_page)
    return jsonify({"items": rows, "total": total, "page": page, "per_page": per_page})


@bp.get("/orders/offered")
@requires("orders")
def offered():
    return jsonify({"items": service.offered_orders(db.session.connection(), vault(), 50)})


@bp.post("/orders/<int:order_id>/magento-result")
@requires("orders_act")
def magento_result(order_id):
    data = body()
    if not isinstance(data.get("ok"), bool):
        raise BadRequest("ok must be true or false", {"parameter": "ok"})
    magento_order_id = data.get("magento_order_id")
    if magento_order_id is not None and (not isinstance(magento_order_id, int) or isinstance(magento_order_id, bool)):
        raise BadRequest("magento_order_id must be a number", {"parameter": "magento_order_id"})
    store_id = data.get("store_id")
    if store_id is not None and (not isinstance(store_id, int) or isinstance(store_id, bool) or store_id < 0):
        raise BadRequest("store_id must be a number", {"parameter": "store_id"})
    result = service.record_magento_result(db.session.connection(), _schema(), order_id, data["ok"],
                                           data.get("increment_id"), data.get("reason_code"), data.get("message"),
                                           magento_order_id, store_id)
    db.session.commit()
    return jsonify(result)


@bp.post("/orders/<int:order_id>/claim")
@requires("orders_act")
def claim(order_id):
    """Before the module places the Magento order: our reservation released, the order marked creating."""
    result = service.claim_order(db.session.connection(), _schema(), order_id)
    db.session.commit()
    return jsonify(result)


@bp.post("/orders/<int:order_id>/retry")
@requires("orders_act")
def retry(order_id):
    result = service.retry_order(db.session.connection(), order_id)
    db.session.commit()
    return jsonify(result)
