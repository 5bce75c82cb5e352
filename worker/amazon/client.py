"""SpApiClient: one SP-API call with auth, throttling, bounded retries and typed errors.

Retries 429, 5xx, timeouts and connection errors with exponential backoff and full
jitter up to ``max_attempts``, then raises a ``Retryable`` error so the job is
re-queued later. 400/404 and refused credentials are never retried; a 403 for an
expired token refreshes the token once. Every failed attempt is reported to
``on_failure`` (the communication log); tokens and secrets never reach a log.

Operations that create something (``NON_IDEMPOTENT``: createFeed, createReport) are
retried only when Amazon certainly did not act on them: a 429, or a connection that
was never made. A timeout, a dropped connection or a 5xx after the request went out
raises ``OutcomeUnknown`` at once, so a feed is never submitted twice by a blind retry.

Every answer's ``x-amzn-RateLimit-Limit`` is recorded in the shared token bucket, and a
429 empties it for all workers.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Callable
from urllib.parse import quote

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from worker.amazon.auth import TokenProvider
from worker.amazon.clock import RealClock
from worker.amazon.errors import AmazonUnavailable, OutcomeUnknown, Throttled, Unauthorized, for_status
from worker.amazon.throttle import Throttle

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
#: POSTs that create a resource: a retry after an unanswered attempt could create it twice.
NON_IDEMPOTENT = frozenset({"createFeed", "createReport"})
USER_AGENT = "channel-amazon/0.1 (Language=Python)"


@dataclasses.dataclass(frozen=True)
class Failure:
    """What the communication log records of one failed call."""

    operation: str
    status: int | None
    code: str | None
    message: str
    request_id: str | None
    final: bool


class SpApiClient:
    def __init__(self, base_url: str, seller_id: str, region: str, marketplace_id: str, tokens: TokenProvider,
                 throttle: Throttle, on_failure: Callable[[Failure], None] | None = None,
                 max_attempts: int = 5, backoff_base: float = 1.0, backoff_cap: float = 30.0,
                 timeout: tuple[float, float] = (5.0, 60.0), max_throttle_wait: float = 60.0,
                 session: requests.Session | None = None, sleep: Callable[[float], None] | None = None,
                 clock=None):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.seller_id = seller_id
        self.region = region
        self.marketplace_id = marketplace_id
        self.tokens = tokens
        self.throttle = throttle
        self.on_failure = on_failure
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.timeout = timeout
        self.max_throttle_wait = max_throttle_wait
        self.session = session or requests.Session()
        #: Real time, or the clock shared with the sandbox (``worker.amazon.clock``).
        self.clock = clock or getattr(throttle, "clock", None) or RealClock()
        self.sleep = sleep or self.clock.sleep
        self.calls: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"SpApiClient({self.base_url!r}, seller={self.seller_id!r})"

    @staticmethod
    def quote(segment: str) -> str:
        return quote(segment, safe="")

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform(0, min(cap, base * 2**attempt))."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** attempt))

    def call(self, operation: str, method: str, path: str, *, params: dict | None = None,
             json: dict | None = None, quotas: tuple[str, ...] = (),
             expected: tuple[int, ...] = ()) -> tuple[dict, requests.Response]:
        """One operation. ``quotas`` names extra buckets the call must also pay a token
        from (``JSON_LISTINGS_FEED`` for a listings feed's createFeed). ``expected``:
        error statuses that are an answer, not a failure (404 while tracking a new SKU),
        raised as usual but not written to the communication log."""
        refreshed = False
        attempt = 0
        once = operation in NON_IDEMPOTENT
        while True:
            attempt += 1
            self.throttle.acquire(self.seller_id, self.region, operation, self.max_throttle_wait)
            for n, quota in enumerate(quotas):
                try:
                    self.throttle.acquire(self.seller_id, self.region, quota, self.max_throttle_wait)
                except Throttled:
                    for taken in (operation, *quotas[:n]):  # nothing was sent: give the tokens back
                        self.throttle.refund(self.seller_id, self.region, taken)
                    raise
            token = self.tokens.token()
            headers = {"x-amz-access-token": token, "user-agent": USER_AGENT, "accept": "application/json"}
            self.calls[operation] = self.calls.get(operation, 0) + 1
            try:
                resp = self.session.request(method, self.base_url + path, params=params, json=json,
                                            headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                message = f"{type(exc).__name__} calling {operation}"
                if once and not _never_sent(exc):
                    message += "; it may have been applied, so it is not sent again"
                    self._report(operation, None, None, message, None, final=True)
                    raise OutcomeUnknown(message, operation=operation) from None
                if attempt >= self.max_attempts:
                    self._report(operation, None, None, message, None, final=True)
                    raise AmazonUnavailable(message, operation=operation) from None
                self._report(operation, None, None, message, None, final=False)
                self.sleep(self.backoff(attempt))
                continue
            request_id = resp.headers.get("x-amzn-RequestId")
            self.throttle.observe(self.seller_id, self.region, operation, resp.headers.get("x-amzn-RateLimit-Limit"))
            if resp.status_code == 429:
                for bucket in (operation, *quotas):
                    self.throttle.drain(self.seller_id, self.region, bucket)
            if resp.status_code < 300:
                return (resp.json() if resp.content else {}), resp
            errors = _errors(resp)
            message = "; ".join(str(e.get("message") or e.get("code")) for e in errors) or f"HTTP {resp.status_code}"
            details = " ".join(str(e.get("details", "")) for e in errors)
            if resp.status_code == 403 and "expired" in (message + details).lower() and not refreshed:
                refreshed = True
                self.tokens.invalidate(token)
                self._report(operation, 403, "Unauthorized", "access token expired; refreshed", request_id, False)
                continue
            if once and resp.status_code >= 500:
                self._report(operation, resp.status_code, _code(errors), message, request_id, final=True)
                raise OutcomeUnknown(f"{operation} answered {resp.status_code}: {message}; it may have been"
                                     f" applied, so it is not sent again", operation=operation,
                                     status=resp.status_code, errors=errors, request_id=request_id)
            if resp.status_code in RETRY_STATUSES and attempt < self.max_attempts:
                self._report(operation, resp.status_code, _code(errors), message, request_id, final=False)
                self.sleep(self.backoff(attempt))
                continue
            if resp.status_code not in expected:
                self._report(operation, resp.status_code, _code(errors), message, request_id, final=True)
            cls = for_status(resp.status_code)
            raise cls(f"{operation} failed: {message}", operation=operation, status=resp.status_code,
                      errors=errors, request_id=request_id)

    def _report(self, operation, status, code, message, request_id, final: bool) -> None:
        level = logging.WARNING if not final else logging.ERROR
        logger.log(level, "SP-API %s failed (status %s, request %s): %s%s", operation, status, request_id, message,
                   "" if final else "; retrying")
        if self.on_failure is not None:
            self.on_failure(Failure(operation, status, code, message[:1000], request_id, final))

    def download(self, url: str, operation: str) -> requests.Response:
        """Pre-signed document URLs take no SP-API headers."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                resp = requests.get(url, timeout=self.timeout, stream=True)
            except requests.RequestException as exc:
                if attempt == self.max_attempts:
                    self._report(operation, None, None, f"{type(exc).__name__} downloading", None, True)
                    raise AmazonUnavailable(f"document download failed: {type(exc).__name__}",
                                            operation=operation) from None
                self.sleep(self.backoff(attempt))
                continue
            if resp.status_code == 200:
                return resp
            if resp.status_code < 500 or attempt == self.max_attempts:
                expired = resp.status_code == 403 and b"expired" in resp.content[:2000]
                # An expired pre-signed URL is asked for again by the caller: a warning, not a failure.
                self._report(operation, resp.status_code, None,
                             "document URL expired" if expired else "document download refused", None, not expired)
                raise for_status(resp.status_code)("document URL expired" if expired else "document download failed",
                                                   operation=operation, status=resp.status_code)
            self.sleep(self.backoff(attempt))
        raise Unauthorized("unreachable", operation=operation)  # pragma: no cover


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly did not reach Amazon (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.ReadTimeout):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


def _errors(resp: requests.Response) -> list:
    try:
        body = resp.json()
    except ValueError:
        return [{"code": f"HTTP{resp.status_code}", "message": resp.text[:300]}]
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors if isinstance(errors, list) else [{"code": f"HTTP{resp.status_code}", "message": str(body)[:300]}]


def _code(errors: list) -> str | None:
    return errors[0].get("code") if errors and isinstance(errors[0], dict) else None
