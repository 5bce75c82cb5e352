"""Alerts: whatever the merchant must act on, until its cause is gone.

An alert is keyed by account and a stable code (``report_held``, ``rule_invalid``,
``credentials_rejected``, ...). Raising an active alert again only refreshes its
message and ``updated_at``; its ``started_at`` stays the time the cause first
appeared. Clearing sets ``cleared_at``; the row stays as history. The code that
finds a cause raises the alert, and the code that sees the cause gone clears it, so
an alert never outlives its reason and never hides one. Every raise also writes one
communication-log row, so the log never says "All quiet" while an alert is open.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Connection

from channel.models.log import write_log

TABLE = "channel_amazon_alert"
#: Account id of alerts about the whole installation (worker, cron, module version).
INSTALLATION = 0
SEVERITIES = ("error", "warning")

#: What the merchant should do, per code; the message says what happened.
ACTIONS = {
    "report_held": "Check the listings on Seller Central. If the report is right, accept it; "
                   "otherwise nothing is changed and the next report is judged again.",
    "rule_invalid": "Open the listing rule, fix the condition named in the message and save it.",
    "credentials_rejected": "Reconnect the account or rotate its client secret; Amazon refused the credentials.",
    "step_failing": "Read the communication log for this account; the step is retried every cycle.",
    "value_rejected": "Open the product and correct the value Amazon rejects; it is not sent again unchanged.",
    "order_creation_failed": "Open the order, fix the cause (product, stock, address) and retry it.",
    "version_mismatch": "Install the same version of the Magento module and the bridge.",
    "worker_stalled": "Start the workers and the scheduler (supervisord or docker compose) and check their logs.",
    "orders_failing": "Read the communication log; order import is retried on its own schedule.",
    "secret_expiring": "Generate a new client secret for the app in Seller Central and rotate it on the account.",
}


def _now() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def raise_alert(conn: Connection, account_id: int | None, code: str, message: str, *, severity: str = "error",
                action: str | None = None, details: dict | None = None, now: datetime | None = None) -> bool:
    """Open (or refresh) the alert ``code`` for the account; True when it is new.

    Writes one log row when the alert opens, so the log tells the same story."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")
    now = now or _now()
    account = int(account_id or INSTALLATION)
    params = {"a": account, "c": code[:64], "s": severity, "m": message[:1024],
              "x": (action if action is not None else ACTIONS.get(code, ""))[:1024],
              "d": json.dumps(details, default=str) if details else None, "t": now}
    updated = conn.execute(text(
        f"UPDATE {TABLE} SET severity = :s, message = :m, action = :x, details = :d, updated_at = :t"
        f" WHERE account_id = :a AND code = :c AND cleared_at IS NULL"), params).rowcount
    if updated or not _insert(conn, params):
        return False
    write_log(conn, account_id=account or None, operation=f"alert:{code}"[:64], level=severity,
              message=message)
    return True


def _insert(conn: Connection, params: dict) -> bool:
    """Insert the active alert; False when another process opened it first (the orders job
    and the cycle may raise the same alert at once: the unique key decides)."""
    try:
        with conn.begin_nested():
            conn.execute(text(
                f"INSERT INTO {TABLE} (account_id, code, severity, message, action, details, started_at, updated_at)"
                f" VALUES (:a, :c, :s, :m, :x, :d, :t, :t)"), params)
    except IntegrityError:
        return False
    return True


def clear_alert(conn: Connection, account_id: int | None, code: str, now: datetime | None = None) -> bool:
    """Close the alert ``code`` for the account, if open; True when one was closed."""
    return bool(conn.execute(text(
        f"UPDATE {TABLE} SET cleared_at = :t WHERE account_id = :a AND code = :c AND cleared_at IS NULL"),
        {"a": int(account_id or INSTALLATION), "c": code, "t": now or _now()}).rowcount)


def clear_alerts_like(conn: Connection, account_id: int | None, prefix: str, keep: Collection[str] = frozenset(),
                      now: datetime | None = None) -> int:
    """Close the account's open alerts whose code starts with ``prefix``, except ``keep``."""
    stmt = text(f"UPDATE {TABLE} SET cleared_at = :t WHERE account_id = :a AND cleared_at IS NULL"
                f" AND code LIKE :p" + (" AND code NOT IN :keep" if keep else ""))
    params: dict = {"a": int(account_id or INSTALLATION), "p": prefix.replace("%", r"\%") + "%", "t": now or _now()}
    if keep:
        stmt = stmt.bindparams(bindparam("keep", expanding=True))
        params["keep"] = sorted(keep)
    return conn.execute(stmt, params).rowcount


def active_alerts(conn: Connection, account_id: int | None = None) -> list[dict]:
    """Open alerts, errors first, newest first; of one account (and the installation's) or all."""
    where, params = "cleared_at IS NULL", {}
    if account_id is not None:
        where += " AND account_id IN (:a, 0)"
        params["a"] = int(account_id)
    rows = conn.execute(text(
        f"SELECT alert_id, account_id, code, severity, message, action, details, started_at, updated_at"
        f" FROM {TABLE} WHERE {where} ORDER BY severity = 'error' DESC, started_at DESC, alert_id DESC"),
        params).mappings().all()
    out = []
    for row in rows:
        item = dict(row)
        item["account_id"] = item["account_id"] or None
        item["details"] = json.loads(item["details"]) if item["details"] else None
        for key in ("started_at", "updated_at"):
            item[key] = item[key].isoformat() + "Z"
        out.append(item)
    return out


def health(alerts: list[dict]) -> str:
    """red with an open error, amber with only warnings, green with none."""
    if any(a["severity"] == "error" for a in alerts):
        return "red"
    return "amber" if alerts else "green"
