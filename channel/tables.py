"""Our tables under Magento's table prefix, as Magento's ``getTableName()`` names them.

A Magento install with a table prefix (``db/table_prefix`` in env.php) expects every
table in its database to carry it, ours included, so two installs can share one
database. Our SQL is written with the plain names (``channel_amazon_listing``); an
engine bound to a prefix rewrites them in every statement it sends, DDL and foreign
key names included (long ones hashed to 64 characters, as Magento does). Code that
writes through a raw DBAPI cursor asks ``name()`` for the table.
"""

from __future__ import annotations

import hashlib
import re
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

#: Our table names in SQL text; never a column (none starts so) nor an upper-case index name.
_TABLE = re.compile(r"(?<![\w$])channel_amazon_[a-z_]+")
_CONSTRAINT = re.compile(r"\b(CONSTRAINT\s+`?)(CHANNEL_AMAZON_[A-Z0-9_]+)")
MAX_IDENTIFIER = 64
_PREFIXES: "weakref.WeakKeyDictionary[Engine, str]" = weakref.WeakKeyDictionary()


def _check(prefix: str) -> str:
    if not all(c.isalnum() or c == "_" for c in prefix):
        raise ValueError("table prefix may hold letters, digits and '_' only")
    return prefix


def constraint_name(prefix: str, name: str) -> str:
    """A foreign key name unique per database: prefixed, hashed when too long."""
    full = prefix.upper() + name
    if len(full) <= MAX_IDENTIFIER:
        return full
    return "FK_" + hashlib.sha1(full.encode()).hexdigest().upper()


def rewrite(prefix: str, statement: str) -> str:
    """``statement`` with our table (and foreign key) names under ``prefix``."""
    if not prefix:
        return statement
    statement = _TABLE.sub(lambda m: prefix + m.group(0), statement)
    return _CONSTRAINT.sub(lambda m: m.group(1) + constraint_name(prefix, m.group(2)), statement)


def bind_prefix(engine: Engine, prefix: str) -> Engine:
    """Make ``engine`` use our tables under ``prefix`` (idempotent)."""
    prefix = _check(prefix or "")
    if engine in _PREFIXES:
        if _PREFIXES[engine] != prefix:
            raise ValueError("this engine is already bound to another table prefix")
        return engine
    _PREFIXES[engine] = prefix
    if prefix:
        @event.listens_for(engine, "before_cursor_execute", retval=True)
        def _prefixed(conn, cursor, statement, parameters, context, executemany):
            return rewrite(prefix, statement), parameters
    return engine


def prefix_of(bind: Engine | Connection) -> str:
    engine = bind.engine if isinstance(bind, Connection) else bind
    return _PREFIXES.get(engine, "")


def name(bind: Engine | Connection, table: str) -> str:
    """The real name of our ``table`` for a raw DBAPI statement on ``bind``."""
    if not table.startswith("channel_amazon_"):
        raise ValueError(f"{table!r} is not one of our tables")
    return prefix_of(bind) + table
