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
    """The catalog reader on this request's connection. The Magento shape (Open Source or
    Commerce) is detected once per process: it does not change while Magento runs."""
    from channel.magento.catalog import AUTO, CatalogReader
    from channel.magento.schema import MagentoSchema

    current = settings()
    conn = db.session.connection()
    shapes = current_app.extensions.setdefault("channel_magento_schema", {})
    schema = shapes.get(current.table_prefix)
    if schema is None:
        schema = shapes[current.table_prefix] = MagentoSchema.detect(conn, current.table_prefix)
    return CatalogReader(conn, schema, magento_root=getattr(current, "magento_root", None),
                         stock_model=getattr(current, "stock_model", AUTO) or AUTO)
