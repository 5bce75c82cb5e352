"""The Backend: one Amazon seller account on one marketplace, bound to a Magento website."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from channel.crypto import Vault
from channel.db import Base

REGIONS = ("na", "eu", "fe")
STATUSES = ("active", "paused")


class Account(Base):
    __tablename__ = "channel_amazon_account"

    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(2))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    seller_id: Mapped[str] = mapped_column(String(32))
    lwa_client_id: Mapped[str] = mapped_column(String(255))
    lwa_client_secret_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str] = mapped_column(Text)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(DateTime)
    website_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active")
    read_only: Mapped[bool] = mapped_column(Integer, default=0)
    read_only_reason: Mapped[str | None] = mapped_column(String(255))
    install_fingerprint: Mapped[str | None] = mapped_column(String(64))
    settings_json: Mapped[str | None] = mapped_column("settings", Text)
    identifier_mapping_json: Mapped[str | None] = mapped_column("identifier_mapping", Text)
    listing_rule_json: Mapped[str | None] = mapped_column("listing_rule", Text)
    credential_status: Mapped[str] = mapped_column(String(16), default="unchecked")
    credential_message: Mapped[str | None] = mapped_column(String(1024))
    credential_checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    sync_interval: Mapped[int] = mapped_column(Integer, default=300)
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sync_status: Mapped[str | None] = mapped_column(String(16))
    last_sync_message: Mapped[str | None] = mapped_column(String(1024))
    next_sync_at: Mapped[datetime | None] = mapped_column(DateTime)
    order_cursor: Mapped[datetime | None] = mapped_column(DateTime)
    connected_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    def __repr__(self) -> str:
        return f"Account({self.account_id}, {self.name!r}, {self.seller_id}@{self.marketplace_id})"

    def set_credentials(self, vault: Vault, client_secret: str | None = None,
                        refresh_token: str | None = None) -> None:
        if client_secret is not None:
            self.lwa_client_secret_enc = vault.encrypt(client_secret)
        if refresh_token is not None:
            self.refresh_token_enc = vault.encrypt(refresh_token)

    def client_secret(self, vault: Vault) -> str:
        return vault.decrypt(self.lwa_client_secret_enc)

    def refresh_token(self, vault: Vault) -> str:
        return vault.decrypt(self.refresh_token_enc)

    @staticmethod
    def _load(raw: str | None, default):
        return json.loads(raw) if raw else default

    @property
    def settings(self) -> dict:
        return self._load(self.settings_json, {})

    @settings.setter
    def settings(self, value: dict) -> None:
        self.settings_json = json.dumps(value, sort_keys=True)

    @property
    def identifier_mapping(self) -> dict:
        return self._load(self.identifier_mapping_json, {})

    @identifier_mapping.setter
    def identifier_mapping(self, value: dict) -> None:
        self.identifier_mapping_json = json.dumps(value, sort_keys=True)

    @property
    def listing_rule(self) -> dict | None:
        return self._load(self.listing_rule_json, None)

    @listing_rule.setter
    def listing_rule(self, value: dict | None) -> None:
        self.listing_rule_json = json.dumps(value, sort_keys=True) if value else None
