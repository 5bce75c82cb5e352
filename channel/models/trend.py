"""Daily snapshots per account: listings per tab and sales, for the dashboard charts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from channel.db import Base


class Trend(Base):
    __tablename__ = "channel_amazon_trend"

    trend_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_amazon_account.account_id"))
    day: Mapped[date] = mapped_column(Date)
    tab_counts: Mapped[str] = mapped_column(String(2048), default="{}")
    orders: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)
    revenue: Mapped[Decimal] = mapped_column(Numeric(20, 4), default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())
