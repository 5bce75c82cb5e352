"""Jobs, the communication log, the listing change history, trends and the overview."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from flask import jsonify, request
from sqlalchemy import text

from bridge import db, grid
from bridge.api import bp
from bridge.api.common import account, redis
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import accounts as service
from channel import jobs
from channel.errors import NotFound
from channel.models import Account

JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
LOG_FILTERS = {"operation": "operation = :operation", "level": "level = :level", "status": "http_status = :status"}
HISTORY_FILTERS = {"sku": "l.seller_sku LIKE :sku", "tab": "c.to_tab = :tab", "reason": "c.to_reason = :reason"}


@bp.get("/jobs/<job_id>")
@requires("view")
def job(job_id):
    if not JOB_ID.fullmatch(job_id):
        raise NotFound(f"job {job_id[:128]} does not exist", {"job_id": job_id[:128]})
    found = jobs.progress(redis(), job_id)
    if found is None:
        raise NotFound(f"job {job_id} does not exist or has expired", {"job_id": job_id})
    return jsonify(found)


def _filtered(filters: dict, allowed_extra: set) -> tuple[list[str], dict]:
    unknown = [k for k in request.args if k not in set(filters) | allowed_extra]
    if unknown:
        raise BadRequest(f"unknown filter '{unknown[0]}'", {"parameter": unknown[0]})
    where: list[str] = []
    params: dict[str, object] = {}
    for key, clause in filters.items():
        value = request.args.get(key)
        if value:
            if key == "status" and not value.isdigit():
                raise BadRequest("status must be an HTTP status number", {"parameter": "status"})
            where.append(clause)
            params[key] = f"%{value}%" if "LIKE" in clause else int(value) if key == "status" else value
    return where, params


def _paged(account_id: int, filters: dict, account_column: str, columns: str, source: str, order: str):
    """One filtered, paged read with its total: the log and the history share it."""
    account(account_id)
    page, per_page = grid.page_args(request.args)
    where, params = _filtered(filters, {"page", "per_page"})
    clause = " AND ".join([f"{account_column} = :a", *where])
    params["a"] = account_id
    total = db.session.execute(text(f"SELECT COUNT(*) FROM {source} WHERE {clause}"), params).scalar()
    rows = db.session.execute(text(
        f"SELECT {columns} FROM {source} WHERE {clause} ORDER BY {order} LIMIT :l OFFSET :o"),
        {**params, "l": per_page, "o": (page - 1) * per_page}).mappings().all()
    return jsonify({"items": [_plain(r) for r in rows], "total": total, "page": page, "per_page": per_page})


@bp.get("/accounts/<int:account_id>/log")
@requires("logs")
def log(account_id):
    return _paged(account_id, LOG_FILTERS, "account_id",
                  "log_id, level, operation, http_status, error_code, message, request_id, created_at",
                  "channel_amazon_log", "log_id DESC")


@bp.get("/accounts/<int:account_id>/history")
@requires("logs")
def history(account_id):
    return _paged(account_id, HISTORY_FILTERS, "c.account_id",
                  "c.change_id, c.listing_id, l.seller_sku, l.product_name, c.from_tab, c.to_tab, c.from_reason,"
                  " c.to_reason, c.detail, c.created_at",
                  "channel_amazon_listing_change c JOIN channel_amazon_listing l ON l.listing_id = c.listing_id",
                  "c.change_id DESC")


@bp.get("/accounts/<int:account_id>/trends")
@requires("view")
def trends(account_id):
    account(account_id)
    try:
        days = int(request.args.get("days", 30))
    except ValueError:
        raise BadRequest("days must be a whole number", {"parameter": "days"}) from None
    if not 1 <= days <= 366:
        raise BadRequest("days must be between 1 and 366", {"parameter": "days"})
    return jsonify({"items": trend_rows(account_id, days), "days": days})


def trend_rows(account_id: int, days: int) -> list[dict]:
    since = date.today() - timedelta(days=days - 1)
    rows = db.session.execute(text(
        "SELECT day, tab_counts, orders, units, revenue FROM channel_amazon_trend WHERE account_id = :a AND day >= :d"
        " ORDER BY day"), {"a": account_id, "d": since}).all()
    return [{"day": r.day.isoformat(), "tab_counts": json.loads(r.tab_counts), "orders": r.orders, "units": r.units,
             "revenue": float(r.revenue)} for r in rows]


@bp.get("/overview")
@requires("view")
def overview():
    return jsonify({"items": overview_rows()})


def overview_rows() -> list[dict]:
    rows = []
    conn = db.session.connection()
    attention: dict[int, int] = {}
    has_orders = conn.execute(text("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                                   " AND table_name = 'channel_amazon_order'")).scalar()
    if has_orders:
        attention = dict(conn.execute(text(
            "SELECT account_id, COUNT(*) FROM channel_amazon_order WHERE magento_status = 'failed'"
            " GROUP BY account_id")).all())
    from bridge.api.alerts import current_alerts
    from channel.alerts import health

    open_alerts = current_alerts(conn)
    for acc in db.session.query(Account).filter(Account.status != "deleted").order_by(Account.account_id):
        item = service.public(acc)
        item["counts"] = grid.tab_counts(conn, acc.account_id)
        item["orders_needing_attention"] = int(attention.get(acc.account_id, 0))
        mine = [a for a in open_alerts if a["account_id"] in (acc.account_id, None)
                or acc.account_id in (a.get("details") or {}).get("accounts", [])]
        item["alerts"] = len(mine)
        item["health"] = health(mine)
        rows.append(item)
    return rows


def _plain(row) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(row).items()}
