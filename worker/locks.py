"""The Locker: one account's cycle never runs twice at once, on any number of machines.

A Redis key set with NX and an expiry holds a random token; only the holder may
extend or release it (checked atomically in Lua). While held, a heartbeat thread
extends it every third of its ``ttl``, so the lock outlives any wait inside the cycle
(a report Amazon takes 30 minutes to build, a feed to process) however long it is.
A worker killed with SIGKILL takes its heartbeat with it and leaves the lock to
expire, so the next cycle runs after at most ``ttl`` seconds.
"""

from __future__ import annotations

import logging
import threading
import uuid

logger = logging.getLogger(__name__)

_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"
_EXTEND = ("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2])"
           " else return 0 end")


class LockBusy(Exception):
    """Another worker holds the account's lock."""


class AccountLock:
    def __init__(self, redis, account_id: int, ttl: int = 600, heartbeat: bool = True):
        if ttl < 1:
            raise ValueError("ttl must be positive")
        self.redis = redis
        self.key = f"channel:lock:account:{int(account_id)}"
        self.ttl = ttl
        self.token = uuid.uuid4().hex
        self.heartbeat = heartbeat
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> "AccountLock":
        if not self.redis.set(self.key, self.token, nx=True, ex=self.ttl):
            raise LockBusy(f"a cycle already runs for this account ({self.key})")
        if self.heartbeat:
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, name=f"lock-heartbeat-{self.key}", daemon=True)
            self._thread.start()
        return self

    def _beat(self) -> None:
        interval = max(self.ttl / 3, 0.05)
        while not self._stop.wait(interval):
            try:
                if not self.extend():
                    self.lost = True
                    logger.error("Lock %s was lost (expired or taken over); heartbeat stops", self.key)
                    return
            except Exception:  # Redis unreachable for a moment: try again next beat
                logger.warning("Lock %s could not be extended; trying again", self.key, exc_info=True)

    def extend(self) -> bool:
        return bool(self.redis.eval(_EXTEND, 1, self.key, self.token, self.ttl))

    def release(self) -> bool:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        return bool(self.redis.eval(_RELEASE, 1, self.key, self.token))

    def __enter__(self) -> "AccountLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
