"""Token buckets per (seller, region, operation), shared by every worker through Redis.

Primed with each operation's documented rate and burst. ``acquire`` waits (bounded)
for a token; when the wait would be longer than the caller allows it raises
``Throttled`` so the job is re-queued instead of holding a worker.
"""

from __future__ import annotations

import time

from worker.amazon.errors import Throttled

#: Amazon's default (rate per second, burst) per operation.
RATES = {
    "getMarketplaceParticipations": (0.016, 15), "createReport": (0.0167, 15), "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15), "createFeedDocument": (0.5, 15), "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15), "getFeedDocument": (0.0222, 10), "getListingsItem": (5.0, 10),
    "putListingsItem": (5.0, 10), "patchListingsItem": (5.0, 5), "deleteListingsItem": (5.0, 5),
    "searchCatalogItems": (2.0, 2), "searchOrders": (0.0056, 20), "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
}

_LUA = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 't'))
local stamp = tonumber(redis.call('HGET', KEYS[1], 's'))
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if tokens == nil then tokens = burst; stamp = now end
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate) - 1
redis.call('HSET', KEYS[1], 't', tostring(tokens), 's', tostring(math.max(now, stamp)))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
if tokens >= 0 then return '0' end
return tostring(-tokens / rate)
"""


class Throttle:
    def __init__(self, redis, scale: float = 1.0, rates: dict | None = None):
        """``scale`` multiplies every rate (the sandbox's time scale in tests)."""
        self.redis = redis
        self.scale = scale
        self.rates = rates or RATES
        self._script = redis.register_script(_LUA)

    def key(self, seller_id: str, region: str, operation: str) -> str:
        return f"channel:bucket:{seller_id}:{region}:{operation}"

    def acquire(self, seller_id: str, region: str, operation: str, max_wait: float = 30.0) -> float:
        """Reserve one token (the bucket may go into debt) and sleep until it is due.

        Returns the seconds slept. When the token would come later than ``max_wait``,
        the reservation is given back and ``Throttled`` is raised: the job is re-queued."""
        if operation not in self.rates:
            return 0.0
        rate, burst = self.rates[operation]
        key = self.key(seller_id, region, operation)
        wait = float(self._script(keys=[key], args=[rate * self.scale, burst, time.time()]))
        if wait > max_wait:
            self.redis.hincrbyfloat(key, "t", 1)
            raise Throttled(f"{operation} is rate-limited for {wait:.0f}s more", operation=operation, status=429)
        if wait > 0:
            time.sleep(wait)
        return wait
