"""Small helpers the API modules share: the session, the body, the Redis handle."""

from __future__ import annotations

from flask import current_app

from bridge import db
from bridge.errors import BadRequest
from channel import accounts as account_service
from channel.crypto import Vault


def body() -> dict:
    from bridge.security import json_body

    data = json_body()
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object", {"parameter": "body"})
    return data


def settings():
    return current_app.extensions["channel_settings"]


def redis():
    return current_app.extensions["channel_redis"]


def vault() -> Vault:
    return Vault(str(settings().encryption_key))


def account(account_id: int):
    return account_service.get(db.session, account_id)


def reader():
    from channel.magento.catalog import CatalogReader

    return CatalogReader.from_settings(db.session.connection(), settings())
