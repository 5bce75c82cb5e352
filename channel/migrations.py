"""Applies the ordered, forward-only migrations in ``sql/`` and records each version.

``sql/NNNN_name.sql`` files run in number order; each applied version is recorded in
``channel_amazon_schema_version``. Running again applies only what is missing; a
database that records a version this code does not know is refused, since it was
upgraded by newer code.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from channel.errors import Conflict, ConfigurationError

logger = logging.getLogger(__name__)

VERSION_TABLE = "channel_amazon_schema_version"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def sql_dir(configured: str | None = None) -> Path:
    """The migrations folder: ``configured`` (``Settings.sql_dir``, for an installed
    package) or ``sql/`` next to the packages in a checkout."""
    path = Path(configured) if configured else Path(__file__).resolve().parents[1] / "sql"
    if not path.is_dir():
        raise ConfigurationError(f"migrations folder {path} not found (set CHANNEL_SQL_DIR)")
    return path


def available(path: Path | None = None) -> list[tuple[int, str, Path]]:
    found = []
    for f in sorted((path or sql_dir()).iterdir()):
        m = _NAME.match(f.name)
        if m:
            found.append((int(m.group(1)), m.group(2), f))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise ConfigurationError("two migrations share a number")
    return found


def statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", body) if s.strip()]


def applied(engine: Engine) -> list[int]:
    with engine.begin() as conn:
        conn.execute(text(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
            " version int UNSIGNED NOT NULL COMMENT 'Migration number',"
            " name varchar(255) NOT NULL COMMENT 'Migration name',"
            " applied_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'When it was applied',"
            " PRIMARY KEY (version)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
            " COMMENT='Applied channel_amazon migrations'"))
        return [r[0] for r in conn.execute(text(f"SELECT version FROM {VERSION_TABLE} ORDER BY version"))]


def upgrade(engine: Engine, path: Path | None = None) -> list[int]:
    """Apply what is missing; returns the versions applied now."""
    known = available(path)
    done = applied(engine)
    newest_known = max((v for v, _, _ in known), default=0)
    if done and max(done) > newest_known:
        raise Conflict(
            f"the database is at schema version {max(done)}, newer than this code knows "
            f"({newest_known}); upgrade the channel before running it against this database")
    ran = []
    for version, name, file in known:
        if version in done:
            continue
        logger.info("Applying migration %04d_%s", version, name)
        with engine.begin() as conn:
            for stmt in statements(file.read_text(encoding="utf-8")):
                conn.exec_driver_sql(stmt)
            conn.execute(text(f"INSERT INTO {VERSION_TABLE} (version, name) VALUES (:v, :n)"),
                         {"v": version, "n": name})
        ran.append(version)
    return ran
