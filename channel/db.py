"""Database plumbing shared by bridge and worker: the declarative Base and engines.

Flask-SQLAlchemy needs an app context, so models subclass ``Base`` here; the bridge
wraps it (``SQLAlchemy(model_class=Base)``) and the worker opens its own engine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "%(table_name)s_%(column_0_N_name)s",
    "uq": "%(table_name)s_%(column_0_N_name)s",
    "fk": "%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, table_prefix: str = "", **kwargs) -> Engine:
    """An engine with sane pooling for long-lived workers and gunicorn processes, using
    our tables under Magento's table prefix (``channel.tables``)."""
    from channel.tables import bind_prefix

    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_recycle", 3600)
    return bind_prefix(create_engine(url, **kwargs), table_prefix)


@contextlib.contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        yield conn
