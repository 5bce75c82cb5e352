"""Alerts, step outcomes and held listings reports: what the merchant must act on.

Stored alerts are raised and cleared by the code that finds their cause. One alert is
derived when read: an active account whose last cycle is older than two intervals
means the workers or the scheduler are not running, which no worker can report.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g, jsonify, request
from sqlalchemy import text

from bridge import db
from bridge.api import bp
from bridge.api.common import account, redis, settings
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import alerts, jobs
from channel.errors import Conflict

#: Grace on top of two sync intervals before the cycle counts as stalled.
STALL_GRACE = timedelta(minutes=2)


def stalled_accounts(conn, now: datetime, default_interval: int) -> list[dict]:
    """Active accounts whose last cycle (or creation, before the first) is older than two intervals."""
    rows = conn.execute(text(
        "SELECT account_id, name, COALESCE(last_sync_at, created_at) AS since, COALESCE(sync_interval, :d) AS every"
        " FROM channel_amazon_account WHERE status = 'active'"), {"d": default_interval}).all()
    return [{"account_id": r.account_id, "name": r.name, "since": r.since} for r in rows
            if r.since is not None and now - r.since > timedelta(seconds=2 * int(r.every)) + STALL_GRACE]


def failed_orders(conn, account_id: int | None, now: datetime) -> list[dict]:
    """One alert per account with Amazon orders Magento could not create; gone once retried or created."""
    rows = conn.execute(text(
        "SELECT account_id, COUNT(*) AS n, MIN(updated_at) AS since, MIN(magento_failure_message) AS example"
        " FROM channel_amazon_order WHERE magento_status = 'failed'"
        + (" AND account_id = :a" if account_id is not None else "") + " GROUP BY account_id"),
        {"a": account_id}).all()
    return [{"alert_id": None, "account_id": r.account_id, "code": "order_creation_failed", "severity": "error",
             "message": f"{r.n} Amazon order(s) could not be created in Magento, e.g.: {r.example or 'see the order'}",
             "action": alerts.ACTIONS["order_creation_failed"], "details": {"orders": r.n},
             "started_at": (r.since or now).isoformat() + "Z",
             "updated_at": now.replace(microsecond=0).isoformat() + "Z"} for r in rows]


def current_alerts(conn, account_id: int | None = None, now: datetime | None = None) -> list[dict]:
    now = now or datetime.utcnow()
    found = alerts.active_alerts(conn, account_id)
    found.extend(failed_orders(conn, account_id, now))
    late = [a for a in stalled_accounts(conn, now, settings().sync_interval)
            if account_id is None or a["account_id"] == account_id]
    if late:
        oldest = min(a["since"] for a in late)
        found.append({
            "alert_id": None, "account_id": None, "code": "worker_stalled", "severity": "error",
            "message": (f"No sync cycle has finished for {', '.join(a['name'] for a in late)} since "
                        f"{oldest.isoformat()}Z: the workers or the scheduler are not running."),
            "action": alerts.ACTIONS["worker_stalled"], "details": {"accounts": [a["account_id"] for a in late]},
            "started_at": oldest.isoformat() + "Z", "updated_at": now.replace(microsecond=0).isoformat() + "Z"})
    return found


@bp.get("/alerts")
@requires("view")
def list_alerts():
    raw = request.args.get("account_id")
    if raw is not None and not raw.isdigit():
        raise BadRequest("account_id must be a whole number", {"parameter": "account_id"})
    found = current_alerts(db.session.connection(), int(raw) if raw else None)
    return jsonify({"alerts": found, "health": alerts.health(found)})


@bp.get("/accounts/<int:account_id>/steps")
@requires("view")
def steps(account_id):
    account(account_id)
    rows = db.session.connection().execute(text(
        "SELECT step, status, message, started_at, finished_at, last_ok_at, failures FROM channel_amazon_sync_step"
        " WHERE account_id = :a ORDER BY finished_at, step"), {"a": account_id}).mappings().all()
    found = current_alerts(db.session.connection(), account_id)
    return jsonify({"steps": [{k: (v.isoformat() + "Z" if isinstance(v, datetime) else v) for k, v in r.items()}
                              for r in rows], "health": alerts.health(found)})


@bp.get("/accounts/<int:account_id>/held-report")
@requires("view")
def held_report(account_id):
    account(account_id)
    row = _held(account_id)
    return jsonify({"held_report": row})


@bp.post("/accounts/<int:account_id>/held-report/accept")
@requires("accounts")
def accept_held_report(account_id):
    """The merchant says the held report is right: the next cycle applies that same document."""
    account(account_id)
    row = _held(account_id)
    if row is None or row["accepted_at"]:
        raise Conflict("there is no held listings report waiting for a decision", {"account_id": account_id})
    db.session.execute(text(
        "UPDATE channel_amazon_held_report SET accepted_at = UTC_TIMESTAMP(), accepted_by = :u"
        " WHERE held_report_id = :h"), {"u": g.caller.user[:255], "h": row["held_report_id"]})
    db.session.commit()
    job_id = jobs.enqueue_sync(redis(), account_id, "merchant:accept_report")
    return jsonify({"held_report_id": row["held_report_id"], "job_id": job_id, "status": "queued"}), 202


def _held(account_id: int) -> dict | None:
    row = db.session.connection().execute(text(
        "SELECT held_report_id, report_id, reason, message, rows_read, rows_expected, held_at, accepted_at,"
        " accepted_by FROM channel_amazon_held_report WHERE account_id = :a AND applied_at IS NULL"
        " AND superseded_at IS NULL ORDER BY held_report_id DESC LIMIT 1"), {"a": account_id}).mappings().first()
    if row is None:
        return None
    return {k: (v.isoformat() + "Z" if isinstance(v, datetime) else v) for k, v in row.items()}
