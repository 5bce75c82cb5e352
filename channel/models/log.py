"""The communication log: one row per failed Amazon call or notable sync event."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from channel.tables import log


def write_log(conn: Connection, *, account_id: int | None, operation: str, message: str,
              level: str = "error", http_status: int | None = None, error_code: str | None = None,
              request_id: str | None = None, job_id: str | None = None) -> None:
    """Append one communication log row (never raises on over-long text: it is cut)."""
    conn.execute(insert(log).values(
        account_id=account_id, level=level, operation=operation[:64], message=(message or "")[:65000],
        http_status=http_status, error_code=(error_code or None) and error_code[:64],
        request_id=request_id and request_id[:64], job_id=job_id and job_id[:64]))
