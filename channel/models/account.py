"""The Backend: one Amazon seller account on one marketplace, bound to a Magento website."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Mapped, column_property

from channel import tables
from channel.crypto import Vault
from channel.db import Base

REGIONS = ("na", "eu", "fe")
STATUSES = ("active", "paused")


class Account(Base):
    __table__ = tables.account

    # The columns are those of ``tables.account``; these annotations type them.
    account_id: Mapped[int]
    name: Mapped[str]
    region: Mapped[str]
    marketplace_id: Mapped[str]
    seller_id: Mapped[str]
    lwa_client_id: Mapped[str]
    lwa_client_secret_enc: Mapped[str]
    refresh_token_enc: Mapped[str]
    secret_rotated_at: Mapped[datetime | None]
    website_id: Mapped[int]
    status: Mapped[str]
    read_only: Mapped[int]
    read_only_reason: Mapped[str | None]
    install_fingerprint: Mapped[str | None]
    settings_json: Mapped[str | None] = column_property(tables.account.c.settings)
    identifier_mapping_json: Mapped[str | None] = column_property(tables.account.c.identifier_mapping)
    listing_rule_json: Mapped[str | None] = column_property(tables.account.c.listing_rule)
    credential_status: Mapped[str]
    credential_message: Mapped[str | None]
    credential_checked_at: Mapped[datetime | None]
    sync_interval: Mapped[int]
    last_sync_at: Mapped[datetime | None]
    last_sync_status: Mapped[str | None]
    last_sync_message: Mapped[str | None]
    next_sync_at: Mapped[datetime | None]
    order_cursor: Mapped[datetime | None]
    orders_last_run_at: Mapped[datetime | None]
    orders_status: Mapped[str | None]
    orders_message: Mapped[str | None]
    orders_next_run_at: Mapped[datetime | None]
    order_search_after: Mapped[str | None]
    order_search_token: Mapped[str | None]
    order_search_saved_at: Mapped[datetime | None]
    connected_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

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
