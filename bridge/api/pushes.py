"""An account's notifications (Amazon's events to an SQS queue) and repricing rule.

Settings only: the notifications worker subscribes the account once it reads the new
setting, and repricing decides prices in the worker; both say what they did through
the state they keep (subscription status, decisions)."""

from __future__ import annotations

from flask import jsonify

from bridge import db
from bridge.api import bp
from bridge.api.common import account, body
from bridge.auth import requires
from channel import notifications, repricing


def _subscription(account_id: int) -> dict:
    sub = notifications.subscription(db.session.connection(), account_id)
    for key in ("last_event_at", "last_poll_at", "checked_at"):
        sub[key] = sub[key].isoformat() + "Z" if sub[key] is not None else None
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
    arn, url = data.get("queue_arn"), data.get("queue_url")
    notifications.configure(db.session.connection(), account_id, data.get("enabled") is True,
                            arn if isinstance(arn, str) else None, url if isinstance(url, str) else None)
    db.session.commit()
    return jsonify(_subscription(account_id))


@bp.get("/accounts/<int:account_id>/repricing")
@requires("view")
def get_repricing(account_id):
    account(account_id)
    rule = repricing.rule_of(db.session.connection(), account_id)
    return jsonify({"account_id": account_id, "rule": rule.to_json() if rule else None})


@bp.put("/accounts/<int:account_id>/repricing")
@requires("accounts")
def put_repricing(account_id):
    account(account_id)
    rule = repricing.save_rule(db.session.connection(), account_id, body().get("rule"))
    db.session.commit()
    return jsonify({"account_id": account_id, "rule": rule.to_json() if rule else None})
