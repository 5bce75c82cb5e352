"""The worker process's shared handles: settings, one engine, one Redis, built once.

Built at first use inside the worker process (never at import), from the same
``Settings.from_env()`` the entry point uses.
"""

from __future__ import annotations

import functools

import redis

from channel.db import make_engine
from channel.settings import Settings


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@functools.lru_cache(maxsize=1)
def engine():
    return make_engine(settings().database_url, settings().table_prefix, pool_size=3, max_overflow=2)


@functools.lru_cache(maxsize=1)
def redis_conn() -> redis.Redis:
    return redis.Redis.from_url(settings().redis_url)


def reset() -> None:
    """Forget cached handles (tests switch databases between runs)."""
    for f in (settings, engine, redis_conn):
        f.cache_clear()
