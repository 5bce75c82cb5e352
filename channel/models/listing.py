"""The Binding: a Magento product and its Amazon listing for one account, with tab and reason."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, Numeric, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from channel.db import Base


class Listing(Base):
    __tablename__ = "channel_amazon_listing"

    listing_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_amazon_account.account_id"))
    product_id: Mapped[int | None] = mapped_column(Integer)
    magento_sku: Mapped[str | None] = mapped_column(String(64))
    seller_sku: Mapped[str] = mapped_column(String(255))
    asin: Mapped[str | None] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(64))
    external_id_type: Mapped[str | None] = mapped_column(String(8))
    product_name: Mapped[str | None] = mapped_column(String(500))
    match_status: Mapped[str] = mapped_column(String(24), default="matched")
    match_candidates: Mapped[str | None] = mapped_column(String(1024))
    matched_by: Mapped[str | None] = mapped_column(String(16))
    tab: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(64))
    reason_detail: Mapped[str | None] = mapped_column(Text)
    state_changed_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    amazon_status: Mapped[str | None] = mapped_column(String(32))
    amazon_issues: Mapped[str | None] = mapped_column(Text)
    amazon_price: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    amazon_qty: Mapped[int | None] = mapped_column(Integer)
    fulfillment_channel: Mapped[str] = mapped_column(String(16), default="DEFAULT")
    listed_at: Mapped[datetime | None] = mapped_column(DateTime)
    pending_action: Mapped[str | None] = mapped_column(String(16))
    ended_by_merchant: Mapped[bool] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    submission_ref: Mapped[str | None] = mapped_column(String(64))
    calc_price: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    calc_qty: Mapped[int | None] = mapped_column(Integer)
    pushed_price: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    pushed_qty: Mapped[int | None] = mapped_column(Integer)
    pushed_at: Mapped[datetime | None] = mapped_column(DateTime)
    seen_in_report_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())


class ListingChange(Base):
    __tablename__ = "channel_amazon_listing_change"

    change_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    listing_id: Mapped[int] = mapped_column(BigInteger)
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_amazon_account.account_id"))
    from_tab: Mapped[str | None] = mapped_column(String(32))
    to_tab: Mapped[str] = mapped_column(String(32))
    from_reason: Mapped[str | None] = mapped_column(String(64))
    to_reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
