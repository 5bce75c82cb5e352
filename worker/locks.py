"""The Locker: one account's cycle never runs twice at once, on any number of machines.

A Redis key set with NX and an expiry holds a random token; only the holder may
extend or release it (checked atomically in Lua). A worker killed with SIGKILL leaves
the lock to expire, so the next cycle runs after at most ``ttl`` seconds.
"""

from __future__ import annotations

import uuid

_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"
_EXTEND = ("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2])"
           " else return 0 end")


class LockBusy(Exception):
    """Another worker holds the account's lock."""


class AccountLock:
    def __init__(self, redis, account_id: int, ttl: int = 600):
        if ttl < 1:
            raise ValueError("ttl must be positive")
        self.redis = redis
        self.key = f"channel:lock:account:{int(account_id)}"
        self.ttl = ttl
        self.token = uuid.uuid4().hex

    def acquire(self) -> "AccountLock":
        if not self.redis.set(self.key, self.token, nx=True, ex=self.ttl):
            raise LockBusy(f"a cycle already runs for this account ({self.key})")
        return self

    def extend(self) -> bool:
        return bool(self.redis.eval(_EXTEND, 1, self.key, self.token, self.ttl))

    def release(self) -> bool:
        return bool(self.redis.eval(_RELEASE, 1, self.key, self.token))

    def __enter__(self) -> "AccountLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
