"""An account's notifications (Amazon's events to an SQS queue) and repricing rule.

Settings only: the notifications worker subscribes the account once it reads the new
setting, and repricing decides prices in the worker; both say what they did through
the state they keep (subscription status, decisions)."""

from __future__ import annotations

from flask import jsonify

from bridge import db
from bridge.api import bp
from bridge.api.common import account, body, reader
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import notifications, repricing


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def _subscription(account_id: int) -> dict:
    """The subscription, its health per notification type and its fallback, times in UTC."""
    sub = notifications.overview(db.session.connection(), account_id)
    for key in ("last_event_at", "last_poll_at", "checked_at"):
        sub[key] = _iso(sub[key])
    for row in sub["types"]:
        row["last_event_at"] = _iso(row["last_event_at"])
    if sub["fallback"]:
        sub["fallback"]["since"] = _iso(sub["fallback"]["since"])
    return sub


@bp.get("/accounts/<int:account_id>/notifications")
@requires("view")
def get_notifications(account_id):
    account(account_id)
    return jsonify(_subscription(account_id))


@bp.put("/accounts/<int:account_id>/notifications")
@requires("accounts")
def put_notifications(account_id):
    account(account_id)
    data = body()
    if not isinstance(data.get("enabled"), bool):
        raise BadRequest("'enabled' must be true or false", {"parameter": "enabled"})
    for key in ("queue_arn", "queue_url"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise BadRequest(f"'{key}' must be a string", {"parameter": key})
    arn, url = (data.get(key) or None for key in ("queue_arn", "queue_url"))
    notifications.configure(db.session.connection(), account_id, data["enabled"],
                            arn.strip() if arn else None, url.strip() if url else None)
    db.session.commit()
    return jsonify(_subscription(account_id))


def _repricing(account_id: int) -> dict:
    """The account's rule (None: off), its groups, the competition source and the last run."""
    conn = db.session.connection()
    rule_set = repricing.rules_of(conn, account_id)
    out: dict = {"account_id": account_id, "rule": None, "groups": [], "competition_source": "both",
                 "last_run": repricing.last_run(conn, account_id)}
    return {**out, **rule_set.to_json()} if rule_set else out


@bp.get("/accounts/<int:account_id>/repricing")
@requires("view")
def get_repricing(account_id):
    account(account_id)
    return jsonify(_repricing(account_id))


@bp.put("/accounts/<int:account_id>/repricing")
@requires("accounts")
def put_repricing(account_id):
    """``rule`` (null: repricing off), and optionally ``groups`` and ``competition_source``:
    absent, they stay as they are, so a caller that only knows ``rule`` changes only it."""
    account(account_id)
    data = {k: v for k, v in body().items() if k in ("rule", "groups", "competition_source")}
    # A refused setting is a 422 naming its place (details.path), as the account's settings are.
    repricing.save_rules(db.session.connection(), account_id, data, reader())
    db.session.commit()
    return jsonify(_repricing(account_id))
