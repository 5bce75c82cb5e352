"""The communication log: one row per failed Amazon call or notable sync event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, func, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from channel.db import Base


class LogEntry(Base):
    __tablename__ = "channel_amazon_log"

    log_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8), default="error")
    operation: Mapped[str] = mapped_column(String(64))
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    job_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


def write_log(conn: Connection, *, account_id: int | None, operation: str, message: str,
              level: str = "error", http_status: int | None = None, error_code: str | None = None,
              request_id: str | None = None, job_id: str | None = None) -> None:
    """Append one communication log row (never raises on over-long text: it is cut)."""
    conn.execute(insert(LogEntry).values(
        account_id=account_id, level=level, operation=operation[:64], message=(message or "")[:65000],
        http_status=http_status, error_code=(error_code or None) and error_code[:64],
        request_id=request_id and request_id[:64], job_id=job_id and job_id[:64]))
