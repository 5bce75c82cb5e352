"""Records the day's snapshot per account (listings per tab, sales) and prunes old logs."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection


def tab_counts(conn: Connection, account_id: int) -> dict[str, int]:
    rows = conn.execute(text("SELECT tab, COUNT(*) FROM channel_amazon_listing WHERE account_id = :a"
                             " AND tab <> 'not_eligible' GROUP BY tab"), {"a": account_id})
    return {tab: int(n) for tab, n in rows}


def sales(conn: Connection, account_id: int, day: date) -> tuple[int, int, float]:
    """(orders, units, revenue) purchased that day, when the orders tables exist."""
    exists = conn.execute(text("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                               " AND table_name = 'channel_amazon_order'")).scalar()
    if not exists:
        return 0, 0, 0.0
    row = conn.execute(text(
        "SELECT COUNT(DISTINCT o.order_id), COALESCE(SUM(i.qty_ordered), 0), COALESCE(SUM(i.qty_ordered * i.price), 0)"
        " FROM channel_amazon_order o LEFT JOIN channel_amazon_order_item i ON i.order_id = o.order_id"
        " WHERE o.account_id = :a AND o.purchase_date >= :d AND o.purchase_date < :n"
        " AND o.amazon_status NOT IN ('CANCELLED', 'Canceled')"),
        {"a": account_id, "d": day, "n": day + timedelta(days=1)}).one()
    return int(row[0] or 0), int(row[1] or 0), float(row[2] or 0)


def record_snapshot(conn: Connection, account_id: int, now: datetime) -> dict:
    counts = tab_counts(conn, account_id)
    orders, units, revenue = sales(conn, account_id, now.date())
    conn.execute(text(
        "INSERT INTO channel_amazon_trend (account_id, day, tab_counts, orders, units, revenue)"
        " VALUES (:a, :d, :c, :o, :u, :r) ON DUPLICATE KEY UPDATE tab_counts = VALUES(tab_counts),"
        " orders = VALUES(orders), units = VALUES(units), revenue = VALUES(revenue)"),
        {"a": account_id, "d": now.date(), "c": json.dumps(counts, sort_keys=True), "o": orders, "u": units,
         "r": revenue})
    return counts


def prune_logs(conn: Connection, retention_days: int, now: datetime) -> int:
    cutoff = now - timedelta(days=retention_days)
    removed = conn.execute(text("DELETE FROM channel_amazon_log WHERE created_at < :c LIMIT 10000"),
                           {"c": cutoff}).rowcount
    removed += conn.execute(text("DELETE FROM channel_amazon_listing_change WHERE created_at < :c LIMIT 10000"),
                            {"c": cutoff - timedelta(days=60)}).rowcount
    return removed
