"""The Flask bridge: the signed JSON API and the admin fragments the Magento module embeds.

``create_app(settings)`` binds the parts in ``init_app`` style: the database (Flask-
SQLAlchemy over the shared ``channel.db.Base``), Redis, request authentication, the
error handlers, the ``api`` blueprint (``/api/v1``) and the ``admin`` blueprint
(``/fragments/<view>`` for the module, ``/ui/<view>`` standalone for the demo).
"""

from __future__ import annotations

import secrets

import redis
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event

from channel.db import Base
from channel.settings import Settings
from channel.tables import bind_prefix

db = SQLAlchemy(model_class=Base)

#: Seconds a request waits for a row a sync holds before it answers 503 ``database_busy``
#: ("nothing was changed, try again"): well under the module's bridge timeout (15 s by
#: default), so the admin is told, never left with a timeout while the write may still land.
LOCK_WAIT_S = 8


def create_app(settings: Settings | None = None, **config) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        # No rollback when a connection goes back to the pool: the request's session, or the
        # ``with engine.connect()`` that took it, has just rolled its transaction back, and a
        # second rollback is one more round trip for every request.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_recycle": 3600, "pool_reset_on_return": None},
        SECRET_KEY=str(settings.bridge_secret) or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.config.update(config)
    app.extensions["channel_settings"] = settings
    app.extensions["channel_redis"] = redis.Redis.from_url(settings.redis_url)
    db.init_app(app)
    with app.app_context():  # our tables under Magento's table prefix
        bind_prefix(db.engine, settings.table_prefix)
        event.listen(db.engine, "connect", _session_settings)

    from bridge import auth, errors, security
    from bridge.api import bp as api_bp
    from bridge.views import bp as admin_bp

    errors.init_app(app)
    auth.init_app(app)
    security.init_app(app)  # after auth: the caller is known
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    return app


def _session_settings(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SET SESSION innodb_lock_wait_timeout = {int(LOCK_WAIT_S)}")
    finally:
        cursor.close()


def settings_of(app: Flask) -> Settings:
    return app.extensions["channel_settings"]
