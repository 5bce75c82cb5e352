"""Accounts (the Backend): create, update, pause, rotate the client secret, read-only mode.

Secrets are encrypted with the Vault before they touch the table and never leave
this module in clear except to build an SP-API client. Read-only mode switches on by
itself when the database looks copied: the install fingerprint (base URL and Magento
root) differs from the one recorded when the account was connected, as on a staging
copy of production; then no state-changing Amazon call is made until an admin
confirms.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal, overload

from sqlalchemy import select, text
from sqlalchemy.orm import Session, scoped_session

from channel import marketplaces
from channel.crypto import Vault
from channel.errors import InvalidInput, NotFound
from channel.matching import normalize_mapping
from channel.models import Account
from channel.pricing import AccountSettings
from channel.rules import dump_rule, parse_for_catalog

#: A session, or the bridge's scoped one (Flask-SQLAlchemy's ``db.session``).
AnySession = Session | scoped_session[Any]

EDITABLE = ("name", "website_id", "sync_interval", "lwa_client_id")


def fingerprint(conn, prefix: str, magento_root: str | None) -> str:
    base_url = conn.execute(text(
        f"SELECT value FROM `{prefix}core_config_data` WHERE path = 'web/secure/base_url' AND scope = 'default'"
        f" ORDER BY config_id LIMIT 1")).scalar() or ""
    return hashlib.sha256(f"{base_url}|{magento_root or ''}".encode()).hexdigest()[:32]


def public(account: Account) -> dict:
    """What the API shows of an account: never a secret."""
    m = marketplaces.MARKETPLACES.get(account.marketplace_id)
    return {
        "account_id": account.account_id, "name": account.name, "region": account.region,
        "marketplace_id": account.marketplace_id, "marketplace": m.name if m else account.marketplace_id,
        "currency": m.currency if m else None, "seller_id": account.seller_id,
        "lwa_client_id": account.lwa_client_id, "website_id": account.website_id, "status": account.status,
        "read_only": bool(account.read_only), "read_only_reason": account.read_only_reason,
        "credential_status": account.credential_status, "credential_message": account.credential_message,
        "credential_checked_at": _iso(account.credential_checked_at),
        "secret_rotated_at": _iso(account.secret_rotated_at), "sync_interval": account.sync_interval,
        "last_sync_at": _iso(account.last_sync_at), "last_sync_status": account.last_sync_status,
        "last_sync_message": account.last_sync_message, "next_sync_at": _iso(account.next_sync_at),
        "connected_at": _iso(account.connected_at), "created_at": _iso(account.created_at),
        "updated_at": _iso(account.updated_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@overload
def text_field(data: dict, key: str, max_len: int, required: Literal[True] = True) -> str: ...


@overload
def text_field(data: dict, key: str, max_len: int, required: bool) -> str | None: ...


def text_field(data: dict, key: str, max_len: int, required: bool = True) -> str | None:
    """A text field of a request body, stripped; refused with its path when missing or too long."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"'{key}' is required", {"path": key})
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise InvalidInput(f"'{key}' must be text of at most {max_len} characters", {"path": key})
    return value.strip()


def _website(session: AnySession, prefix: str, website_id) -> int:
    if isinstance(website_id, bool) or not isinstance(website_id, int) or website_id < 1:
        raise InvalidInput("'website_id' must be the id of a Magento website", {"path": "website_id"})
    found = session.execute(text(f"SELECT 1 FROM `{prefix}store_website` WHERE website_id = :w"),
                            {"w": website_id}).first()
    if not found:
        raise InvalidInput(f"Magento has no website {website_id}", {"path": "website_id"})
    return website_id


def create(session: AnySession, vault: Vault, prefix: str, data: dict, magento_root: str | None = None) -> Account:
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", {"path": "$"})
    market = marketplaces.get(text_field(data, "marketplace_id", 20))
    account = Account(
        name=text_field(data, "name", 255), region=market.region, marketplace_id=market.marketplace_id,
        seller_id=text_field(data, "seller_id", 32), lwa_client_id=text_field(data, "lwa_client_id", 255),
        website_id=_website(session, prefix, data.get("website_id")), lwa_client_secret_enc="",
        refresh_token_enc="", status="pending",
    )
    account.set_credentials(vault, client_secret=text_field(data, "lwa_client_secret", 2048),
                            refresh_token=text_field(data, "refresh_token", 4096))
    account.settings = AccountSettings.from_json(data.get("settings") or {}).to_json()
    account.identifier_mapping = normalize_mapping(data.get("identifier_mapping"))
    account.install_fingerprint = fingerprint(session, prefix, magento_root)
    exists = session.execute(select(Account).where(Account.seller_id == account.seller_id,
                                                   Account.marketplace_id == account.marketplace_id)).first()
    if exists:
        from channel.errors import Conflict

        raise Conflict("this seller is already connected for this marketplace", {"path": "seller_id"})
    session.add(account)
    session.flush()
    return account


def get(session: AnySession, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} does not exist", {"account_id": account_id})
    return account


def update(session: AnySession, prefix: str, account: Account, data: dict) -> Account:
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", {"path": "$"})
    unknown = set(data) - set(EDITABLE) - {"status", "read_only"}
    if unknown:
        raise InvalidInput(f"these fields cannot be changed here: {', '.join(sorted(unknown))}",
                           {"path": sorted(unknown)[0]})
    if "name" in data:
        account.name = text_field(data, "name", 255)
    if "lwa_client_id" in data:
        account.lwa_client_id = text_field(data, "lwa_client_id", 255)
    if "website_id" in data:
        account.website_id = _website(session, prefix, data["website_id"])
    if "sync_interval" in data:
        value = data["sync_interval"]
        if isinstance(value, bool) or not isinstance(value, int) or not 60 <= value <= 86400:
            raise InvalidInput("'sync_interval' must be between 60 and 86400 seconds", {"path": "sync_interval"})
        account.sync_interval = value
    if "status" in data:
        if data["status"] not in ("active", "paused"):
            raise InvalidInput("'status' must be active or paused", {"path": "status"})
        # Only credentials Amazon accepted make an account active; others wait for the check.
        wanted = data["status"]
        if wanted == "active" and account.credential_status != "ok":
            wanted = "pending"
        account.status = wanted
    if data.get("read_only") is False:
        account.read_only = 0
        account.read_only_reason = None
        account.install_fingerprint = None  # re-recorded at the next check
    return account


def credentials_checked(account: Account, ok: bool, message: str) -> Account:
    """Record the credential check; a pending account becomes active only when Amazon accepted."""
    account.credential_status = "ok" if ok else "failed"
    account.credential_message = message[:1024]
    account.credential_checked_at = datetime.utcnow()
    if ok and account.status == "pending":
        account.status = "active"
    return account


def rotate_secret(account: Account, vault: Vault, client_secret) -> Account:
    """Amazon makes LWA client secrets expire every 180 days: replace it, keep everything else."""
    if not isinstance(client_secret, str) or len(client_secret.strip()) < 8:
        raise InvalidInput("'lwa_client_secret' must be the new client secret", {"path": "lwa_client_secret"})
    account.set_credentials(vault, client_secret=client_secret.strip())
    account.secret_rotated_at = datetime.utcnow()
    account.credential_status = "unchecked"
    return account


def set_mapping(account: Account, reader, mapping: dict) -> dict:
    account.identifier_mapping = normalize_mapping(mapping, reader)
    return account.identifier_mapping


def set_rule(account: Account, rule, reader) -> dict:
    """Save the listing rule only if this Magento can evaluate it (same check as preview and sync)."""
    parsed = parse_for_catalog(rule, reader)
    account.listing_rule = dump_rule(parsed) if parsed else None
    return dump_rule(parsed)


def set_settings(account: Account, settings: dict) -> dict:
    from channel.orders import order_settings

    merged = {**account.settings, **(settings or {})} if isinstance(settings, dict) else settings
    validated = AccountSettings.from_json(merged).to_json()
    order_settings(type("Draft", (), {"settings": validated})())  # refuses bad order settings with their path
    account.settings = validated
    return account.settings


def check_install(session: AnySession, account: Account, prefix: str, magento_root: str | None) -> bool:
    """Switch read-only mode on when the install looks copied; returns True when it did."""
    current = fingerprint(session, prefix, magento_root)
    if account.install_fingerprint is None:
        account.install_fingerprint = current
        return False
    if current != account.install_fingerprint and not account.read_only:
        account.read_only = 1
        account.read_only_reason = ("The Magento base URL or install changed since this account was connected;"
                                    " this looks like a copy of the store. Confirm to sync with Amazon again.")
        return True
    return False
