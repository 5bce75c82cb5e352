"""The orders pages: the list with its filters, sort and pager, and one order."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import text

from bridge import db
from bridge.api import orders as api
from bridge.auth import RESOURCES
from bridge.errors import BadRequest, Forbidden

#: The list's page sizes offered.
PER_PAGE_CHOICES = (25, 50, 100, 200)


def _need(what: str) -> None:
    if not g.caller.allows(RESOURCES[what]):
        raise Forbidden(f"your Magento role does not allow this page ({RESOURCES[what]})")


def _ready(conn) -> bool:
    return bool(conn.execute(text("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                                  " AND table_name = 'channel_amazon_order_event'")).scalar())


def orders():
    _need("orders")
    conn = db.session.connection()
    filters = {k: request.args.get(k, "") for k in api.FILTER_PARAMS}
    context = {"title": "Amazon orders", "filters": filters, "legends": api.LEGENDS, "failure_words": api.FAILURE,
               "sort": request.args.get("sort", "-purchased"), "per_page_choices": PER_PAGE_CHOICES,
               "can_act": g.caller.allows(RESOURCES["orders_act"]), "result": None,
               "accounts": [], "magento_statuses": []}
    if not _ready(conn):
        return context
    context["accounts"] = conn.execute(text(
        "SELECT account_id, name FROM channel_amazon_account ORDER BY account_id")).mappings().all()
    context["magento_statuses"] = api.magento_order_statuses(conn)
    context["result"] = api.order_page(conn, request.args)
    return context


def order():
    _need("orders")
    raw = request.args.get("order_id", "")
    if raw == "":
        return {"title": "Amazon order", "order": None, "legends": api.LEGENDS, "can_act": False}
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest("order_id must be a number", {"parameter": "order_id"})
    detail = api.order_detail(db.session.connection(), int(raw), api.can_see_buyer())
    return {"title": f"Amazon order {detail['order']['amazon_order_id']}", **detail, "legends": api.LEGENDS,
            "can_act": g.caller.allows(RESOURCES["orders_act"]),
            "can_view_products": g.caller.allows(RESOURCES["view"])}
