"""One frozen ``Settings`` built at the entry point and passed down.

Read from the environment (prefix ``CHANNEL_``) and, when ``CHANNEL_MAGENTO_ROOT`` points
at a Magento install, the database connection and table prefix come from its
``app/etc/env.php``. ``Settings.from_env`` is the only reader of the environment in the
product packages (``channel``, ``bridge``, ``worker``; a static check holds it), and
nothing reads it at import time.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from channel.errors import ConfigurationError
from channel.magento.env import read_env_php

PREFIX = "CHANNEL_"

#: Seconds between two sync cycles of one account, unless the account says otherwise.
DEFAULT_SYNC_INTERVAL = 300
#: Seconds between two runs of one account's orders job (import, shipments), apart from the cycle.
DEFAULT_ORDERS_INTERVAL = 120
#: Days the communication log and the change history are kept.
DEFAULT_LOG_RETENTION_DAYS = 30
#: Bridge listens on loopback unless told otherwise.
DEFAULT_BRIDGE_HOST = "127.0.0.1"
DEFAULT_BRIDGE_PORT = 8765
#: Seconds a signed bridge request stays valid.
DEFAULT_SIGNATURE_TOLERANCE = 300
#: Redis used for queues, locks, tokens and throttling.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class Secret(str):
    """A string that masks itself in ``repr`` so it never reaches a log by accident."""

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"


@dataclasses.dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str = DEFAULT_REDIS_URL
    table_prefix: str = ""
    magento_root: str | None = None
    #: Which stock Magento runs: ``auto`` (app/etc/config.php, else the database), ``msi`` or ``legacy``.
    stock_model: str = "auto"
    #: Key for encryption at rest of credentials and buyer data: a Fernet key (urlsafe base64
    #: of 32 random bytes) or a passphrase of 20+ characters, stretched with scrypt.
    #: Held as a ``Secret`` whatever string is given.
    encryption_key: str = Secret("")
    #: Shared secret between the Magento module and the bridge (HMAC-SHA256), 32+ random characters.
    bridge_secret: str = Secret("")
    bridge_host: str = DEFAULT_BRIDGE_HOST
    bridge_port: int = DEFAULT_BRIDGE_PORT
    signature_tolerance: int = DEFAULT_SIGNATURE_TOLERANCE
    sync_interval: int = DEFAULT_SYNC_INTERVAL
    orders_interval: int = DEFAULT_ORDERS_INTERVAL
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    #: Overrides of Amazon's endpoints: our sandbox, Amazon's sandbox or production.
    spapi_endpoint: str | None = None
    lwa_endpoint: str | None = None
    #: The SQS API Amazon's notifications are read from: unset for AWS itself (region from
    #: the queue's ARN), a local one (moto) for the sandbox and the demo.
    sqs_endpoint: str | None = None
    #: The standalone admin (demo) is allowed; only on loopback.
    standalone: bool = False
    #: Origin of the Magento admin (``https://shop.example``), the only one allowed to frame bridge pages.
    admin_origin: str | None = None
    #: Folder of the ``sql/`` migrations when the packages are installed apart from it (the image).
    sql_dir: str | None = None
    #: How many times faster than Amazon the marketplace runs: our sandbox in dry runs and
    #: the demo; the worker polls and paces itself that much faster. 1 against Amazon.
    sandbox_time_scale: float = 1.0

    def __post_init__(self) -> None:
        if not self.database_url:
            raise ConfigurationError("CHANNEL_DATABASE_URL or CHANNEL_MAGENTO_ROOT is required")
        if self.sync_interval < 60:
            raise ConfigurationError("sync interval must be at least 60 seconds")
        if self.stock_model not in ("auto", "msi", "legacy"):
            raise ConfigurationError("stock model must be auto, msi or legacy")
        if self.orders_interval < 30:
            raise ConfigurationError("orders interval must be at least 30 seconds")
        if not self.sandbox_time_scale > 0:
            raise ConfigurationError("sandbox time scale must be a positive number")
        for name in ("encryption_key", "bridge_secret"):
            value = getattr(self, name)
            if not isinstance(value, Secret):
                object.__setattr__(self, name, Secret(value or ""))
        if self.admin_origin is not None and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", self.admin_origin):
            raise ConfigurationError("CHANNEL_ADMIN_ORIGIN must be an origin such as https://shop.example")
        from channel.crypto import check_bridge_secret, check_encryption_key

        check_bridge_secret(str(self.bridge_secret))
        check_encryption_key(str(self.encryption_key))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        env = dict(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            return env.get(PREFIX + name)

        values: dict[str, Any] = {}
        root = get("MAGENTO_ROOT")
        if root:
            magento = read_env_php(Path(root) / "app" / "etc" / "env.php")
            values["database_url"] = magento.database_url()
            values["table_prefix"] = magento.table_prefix
            values["magento_root"] = root
        database_url, table_prefix = get("DATABASE_URL"), get("TABLE_PREFIX")
        if database_url:
            values["database_url"] = database_url
        if table_prefix is not None:
            values["table_prefix"] = table_prefix
        conversions: tuple[tuple[str, type], ...] = (
            ("REDIS_URL", str),
            ("ENCRYPTION_KEY", Secret),
            ("BRIDGE_SECRET", Secret),
            ("BRIDGE_HOST", str),
            ("BRIDGE_PORT", int),
            ("SIGNATURE_TOLERANCE", int),
            ("SYNC_INTERVAL", int),
            ("ORDERS_INTERVAL", int),
            ("LOG_RETENTION_DAYS", int),
            ("SPAPI_ENDPOINT", str),
            ("LWA_ENDPOINT", str),
            ("SQS_ENDPOINT", str),
            ("STOCK_MODEL", str),
            ("ADMIN_ORIGIN", str),
            ("SQL_DIR", str),
            ("SANDBOX_TIME_SCALE", float),
        )
        for key, conv in conversions:
            raw = get(key)
            if raw is not None and raw != "":
                try:
                    values[key.lower()] = conv(raw)
                except ValueError as exc:
                    raise ConfigurationError(f"{PREFIX}{key} is not valid: {exc}") from None
        standalone = get("STANDALONE")
        if standalone:
            values["standalone"] = standalone.lower() in ("1", "true", "yes")
        values.setdefault("database_url", "")
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

