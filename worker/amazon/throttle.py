"""Token buckets per (seller, region, operation), shared by every worker through Redis.

Primed with each operation's documented rate and burst, then kept to the rate Amazon
says it applied: ``x-amzn-RateLimit-Limit`` on 2xx, 400 and 404 answers is recorded in
the bucket (``observe``), so a seller whose usage plan differs is paced by it. A 429
empties the bucket for every worker (``drain``): nobody calls again before a token has
been earned back. ``acquire`` waits (bounded) for a token; when the wait would be longer
than the caller allows it raises ``Throttled`` so the job is re-queued instead of holding
a worker.

Besides the operations, ``JSON_LISTINGS_FEED`` has a bucket of its own: Amazon accepts 5
such feeds per 5 minutes per seller and region, whatever createFeed's own rate says.

Buckets refill at ``PACE`` (95 %) of Amazon's rate: calls sent at exactly Amazon's rate
meet a bucket that is empty to the millisecond, and network jitter turns a share of
them into 429s. A new bucket of an operation allowed once a second or more starts one
token short of Amazon's burst: Amazon's bucket starts when our first call arrives, ours
when it leaves, and the token kept back covers that latency until the pace's margin
has grown (slower operations' margin is seconds from their first refill on). Waits run on the client's clock (``clock``): real
time in production, the clock shared with the sandbox in the benchmarks.
"""

from __future__ import annotations

import time

from worker.amazon.clock import RealClock
from worker.amazon.errors import Throttled

#: Share of Amazon's rate the buckets refill at.
PACE = 0.95
#: Amazon's default (rate per second, burst) per operation.
RATES = {
    "getMarketplaceParticipations": (0.016, 15), "createReport": (0.0167, 15), "getReport": (2.0, 15),
    "getReports": (0.0222, 10), "getReportDocument": (0.0167, 15), "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15), "getFeed": (2.0, 15), "getFeeds": (0.0222, 10), "getFeedDocument": (0.0222, 10),
    "getListingsItem": (5.0, 10), "putListingsItem": (5.0, 10), "patchListingsItem": (5.0, 5),
    "deleteListingsItem": (5.0, 5), "searchCatalogItems": (2.0, 2), "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30), "confirmShipment": (2.0, 10), "searchDefinitionsProductTypes": (5.0, 10),
    "getDefinitionsProductType": (5.0, 10), "getListingsRestrictions": (5.0, 10),
    "createDestination": (1.0, 5), "getDestinations": (1.0, 5), "getDestination": (1.0, 5),
    "deleteDestination": (1.0, 5), "createSubscription": (1.0, 5), "getSubscription": (1.0, 5),
    "getSubscriptionById": (1.0, 5), "deleteSubscriptionById": (1.0, 5), "getItemOffersBatch": (0.1, 1),
    "getCompetitiveSummary": (0.033, 1),
    # Not an operation: the JSON_LISTINGS_FEED submission limit (5 per 300 s, per region).
    "JSON_LISTINGS_FEED": (5 / 300, 5),
}

#: Bucket state: t = tokens (may go into debt), s = stamp, r = the rate Amazon reported.
_LUA = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 't'))
local stamp = tonumber(redis.call('HGET', KEYS[1], 's'))
local reported = tonumber(redis.call('HGET', KEYS[1], 'r'))
local rate, burst, now, scale = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if reported ~= nil and reported > 0 then rate = reported * scale * tonumber(ARGV[5]) end
if tokens == nil then tokens = math.max(1, burst - tonumber(ARGV[6])); stamp = now end
-- The bucket's state is as of the later of its stamp and our now: a caller whose clock
-- reading is older than another's (both reserving at once) waits from that later time.
local base = math.max(now, stamp)
tokens = math.min(burst, tokens + (base - stamp) * rate) - 1
redis.call('HSET', KEYS[1], 't', tostring(tokens), 's', tostring(base))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 3600)
if tokens >= 0 then return tostring(base - now) end
return tostring(base - now - tokens / rate)
"""

#: After a 429 the bucket holds no token; refilled tokens are counted from now.
_DRAIN = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 't'))
if tokens == nil or tokens > 0 then tokens = 0 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 's', ARGV[1])
redis.call('EXPIRE', KEYS[1], 3600)
return 1
"""


class Throttle:
    def __init__(self, redis, scale: float = 1.0, rates: dict | None = None, sleep=None, clock=None,
                 pace: float = PACE):
        """``scale`` multiplies every rate (the sandbox's time scale in tests); ``clock`` gives
        the time and the waits (``RealClock`` unless told); ``sleep`` replaces its waits."""
        if scale <= 0:
            raise ValueError("scale must be positive")
        if not 0 < pace <= 1:
            raise ValueError("pace must be in (0, 1]")
        self.redis = redis
        self.scale = scale
        self.rates = rates or RATES
        self.clock = clock or RealClock()
        self.sleep = sleep
        self.pace = pace
        self._script = redis.register_script(_LUA)
        self._drain = redis.register_script(_DRAIN)
        self._reported: dict[str, tuple[float, float]] = {}  # key -> (rate, when) this process recorded

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
        now = self.clock.time()
        headroom = 1 if rate >= 1.0 else 0
        wait = float(self._script(keys=[key], args=[rate * self.scale * self.pace, burst, now, self.scale,
                                                    self.pace, headroom]))
        if wait > max_wait:
            self.redis.hincrbyfloat(key, "t", 1)
            raise Throttled(f"{operation} is rate-limited for {wait:.0f}s more", operation=operation, status=429)
        if wait > 0 and self.sleep is not None:
            self.sleep(wait)
        elif wait > 0:  # until the token's moment: waits of calls in flight overlap, they do not add up
            self.clock.sleep_until(now + wait)
        return wait

    def refund(self, seller_id: str, region: str, operation: str) -> None:
        """Give back a token reserved for a call that was not sent."""
        if operation in self.rates:
            self.redis.hincrbyfloat(self.key(seller_id, region, operation), "t", 1)

    def observe(self, seller_id: str, region: str, operation: str, header: str | None) -> float | None:
        """Record the rate Amazon applied (``x-amzn-RateLimit-Limit``); returns it, or None."""
        if operation not in self.rates or not header:
            return None
        try:
            rate = float(header)
        except ValueError:
            return None
        if rate <= 0:
            return None
        key = self.key(seller_id, region, operation)
        last = self._reported.get(key)
        if last is None or last[0] != rate or time.monotonic() - last[1] > 60:
            self.redis.hset(key, "r", repr(rate))
            self._reported[key] = (rate, time.monotonic())
        return rate

    def reported_rate(self, seller_id: str, region: str, operation: str) -> float | None:
        value = self.redis.hget(self.key(seller_id, region, operation), "r")
        return None if value is None else float(value)

    def drain(self, seller_id: str, region: str, operation: str) -> None:
        """Amazon answered 429: the shared bucket is empty for every worker."""
        if operation in self.rates:
            self._drain(keys=[self.key(seller_id, region, operation)], args=[self.clock.time()])
