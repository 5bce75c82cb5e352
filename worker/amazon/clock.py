"""The clock the SP-API client waits on: real time, or a simulated clock shared with the sandbox.

``RealClock`` is the production clock. ``SharedClock`` is real time plus an offset kept
in Redis, read by the worker and by the sandbox (``python -m sandbox --shared-clock``):
local work runs at real speed, and a wait (a rate-limit token, a feed being processed,
a backoff) moves the shared clock forward to its end instead of sleeping. The
benchmarks measure on it how long Amazon's own limits make an export or an import
take, in seconds of Amazon's clock, at the cost of the local work only.

Waits that overlap (several calls in flight) end at the latest of their ends, not at
their sum: a wait moves the clock forward to its end only when the clock is not already
past that point.
"""

from __future__ import annotations

import time

#: The Redis key of the shared offset (seconds added to real time).
OFFSET_KEY = "channel:clock:offset"

#: Moves the offset so that real time + offset reaches the target, never backwards.
_ADVANCE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted = tonumber(ARGV[1]) - tonumber(ARGV[2])
if wanted > current then
  redis.call('SET', KEYS[1], tostring(wanted))
  return tostring(wanted)
end
return tostring(current)
"""


class RealClock:
    """Wall time and real sleeps."""

    simulated = False

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def sleep_until(self, moment: float) -> None:
        self.sleep(moment - time.time())


class SharedClock:
    """Real time plus an offset shared through Redis; sleeping advances the offset."""

    simulated = True

    def __init__(self, redis, key: str = OFFSET_KEY):
        self.redis = redis
        self.key = key
        self._advance = redis.register_script(_ADVANCE)

    def offset(self) -> float:
        value = self.redis.get(self.key)
        return float(value) if value is not None else 0.0

    def time(self) -> float:
        return time.time() + self.offset()

    def monotonic(self) -> float:
        return self.time()

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass on the shared clock at once."""
        if seconds > 0:
            self.sleep_until(self.time() + seconds)

    def sleep_until(self, moment: float) -> None:
        """Move the shared clock to ``moment`` unless it is there already (never backwards):
        waits that began together end at the latest of their ends."""
        self._advance(keys=[self.key], args=[repr(moment), repr(time.time())])

    def reset(self) -> None:
        self.redis.delete(self.key)


def offset_reader(redis_url: str, key: str = OFFSET_KEY):
    """For the sandbox: a callable returning the shared offset in seconds."""
    import redis as redis_lib

    client = redis_lib.Redis.from_url(redis_url)

    def read() -> float:
        value = client.get(key)
        return float(value) if value is not None else 0.0

    return read
