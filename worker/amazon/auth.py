"""Login with Amazon: refresh-token grant, access token cached in Redis (encrypted with the vault) for all workers.

One refresh at a time per (client id, refresh token): the worker that takes the Redis
refresh lock asks Login with Amazon, the others wait for the token it caches (single
flight), so a hundred workers starting together make one LWA call, not a hundred.
LWA answering 429 is throttling (retry later), not refused credentials; 5xx and network
failures are retryable too. Only a 4xx that is not 429 means the credentials are wrong.

Amazon makes every application's LWA client secret expire 180 days after it was set;
``secret_expiry_warning`` says so from 30 days before, for the alerts.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from datetime import datetime, timedelta

import requests

from channel.errors import ChannelError
from worker.amazon.errors import AmazonUnavailable, LoginFailed, Throttled

logger = logging.getLogger(__name__)

#: Refresh this many seconds before Amazon's expiry, so no call goes out with a dying token.
EXPIRY_MARGIN = 300
#: How long one worker may hold the refresh lock (longer than an LWA call may take).
REFRESH_LOCK_TTL = 30
#: Amazon expires LWA client secrets this long after they were set.
SECRET_LIFETIME = timedelta(days=180)
#: Warn this long before the client secret expires.
SECRET_WARNING = timedelta(days=30)

_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"


def secret_expiry_warning(account, now: datetime | None = None) -> str | None:
    """A sentence for the merchant when the account's LWA client secret expires within 30
    days (or has expired), else None. The secret's age counts from ``secret_rotated_at``,
    or from when the account was connected if it was never rotated."""
    now = now or datetime.utcnow()
    since = getattr(account, "secret_rotated_at", None) or getattr(account, "connected_at", None)
    if since is None:
        return None
    expires = since + SECRET_LIFETIME
    if now < expires - SECRET_WARNING:
        return None
    if now >= expires:
        return (f"The Login with Amazon client secret expired on {expires:%Y-%m-%d}: Amazon refuses this account's"
                f" calls until a new secret is generated in Seller Central and saved here.")
    days = max(0, (expires - now).days)
    return (f"The Login with Amazon client secret expires on {expires:%Y-%m-%d} (in {days} days): generate a new"
            f" one in Seller Central (Develop Apps) and save it here before then.")


class TokenProvider:
    """Access tokens per (client id, refresh token), shared through Redis."""

    def __init__(self, redis, endpoint: str, client_id: str, client_secret: str, refresh_token: str,
                 timeout: float = 15, sleep=time.sleep, vault=None, clock=None):
        """``clock``: a simulated clock shared with the sandbox (``worker.amazon.clock``); the
        token then expires on it, not only by Redis' real-time expiry."""
        self.redis = redis
        self.clock = clock if getattr(clock, "simulated", False) else None
        self._vault = vault  # access tokens are stored encrypted in Redis when given
        self.endpoint = endpoint
        self.client_id = client_id
        self._secret = client_secret
        self._refresh = refresh_token
        self.timeout = timeout
        self.sleep = sleep
        digest = hashlib.sha256(f"{client_id}:{refresh_token}".encode()).hexdigest()[:32]
        self.key = f"channel:lwa:{digest}"
        self.lock_key = f"channel:lwa-refresh:{digest}"

    def __repr__(self) -> str:
        return f"TokenProvider(client_id={self.client_id!r})"

    def _sealed(self) -> str | None:
        if self.clock is not None:
            until = self.redis.get(self.key + ":until")
            if until is None or float(until) <= self.clock.time():
                return None
        cached = self.redis.get(self.key)
        if cached:
            return cached.decode() if isinstance(cached, bytes) else cached
        return None

    def _cached(self) -> str | None:
        sealed = self._sealed()
        if not sealed or self._vault is None:
            return sealed
        try:
            return self._vault.decrypt(sealed)
        except ChannelError:  # clear text from before, or another key: fetch a fresh token
            return None

    def token(self) -> str:
        """The cached token, or one fetched by exactly one worker while the others wait."""
        cached = self._cached()
        if cached:
            return cached
        deadline = time.monotonic() + self.timeout + REFRESH_LOCK_TTL
        pause = 0.02
        while True:
            holder = uuid.uuid4().hex
            if self.redis.set(self.lock_key, holder, nx=True, ex=REFRESH_LOCK_TTL):
                try:
                    cached = self._cached()  # refreshed between our read and our lock
                    return cached or self.refresh()
                finally:
                    self.redis.eval(_RELEASE, 1, self.lock_key, holder)
            self.sleep(pause)
            pause = min(pause * 2, 0.5)
            cached = self._cached()
            if cached:
                return cached
            if time.monotonic() > deadline:
                raise AmazonUnavailable("Login with Amazon: another worker's token refresh did not finish",
                                        operation="lwa_token")

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token; given the token Amazon refused, only if it is still the
        cached one (another worker may already have put a fresh one there)."""
        if token is None:
            self.redis.delete(self.key)
        elif self._vault is None:
            self.redis.eval(_RELEASE, 1, self.key, token)
        else:
            sealed = self._sealed()
            if sealed and self._cached() == token:
                self.redis.eval(_RELEASE, 1, self.key, sealed)

    def grant(self) -> dict:
        """The form sent to Login with Amazon for a new access token."""
        return {"grant_type": "refresh_token", "refresh_token": self._refresh, "client_id": self.client_id,
                "client_secret": self._secret}

    def refresh(self) -> str:
        try:
            resp = requests.post(self.endpoint, timeout=self.timeout, data=self.grant())
        except requests.RequestException as exc:
            raise AmazonUnavailable(f"Login with Amazon unreachable: {type(exc).__name__}",
                                    operation="lwa_token") from None
        if resp.status_code == 429:
            raise Throttled("Login with Amazon is throttling token requests; retrying later",
                            operation="lwa_token", status=429)
        if resp.status_code >= 500:
            raise AmazonUnavailable(f"Login with Amazon answered {resp.status_code}", operation="lwa_token",
                                    status=resp.status_code)
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if resp.status_code != 200 or "access_token" not in data:
            reason = data.get("error_description") or data.get("error") or f"HTTP {resp.status_code}"
            raise LoginFailed(f"Login with Amazon refused the credentials: {reason}", operation="lwa_token",
                              status=resp.status_code, errors=[{"code": data.get("error"), "message": reason}])
        ttl = max(int(data.get("expires_in", 3600)) - EXPIRY_MARGIN, 30)
        sealed = self._vault.encrypt(data["access_token"]) if self._vault is not None else data["access_token"]
        self.redis.set(self.key, sealed, ex=ttl)
        if self.clock is not None:
            self.redis.set(self.key + ":until", repr(self.clock.time() + ttl), ex=ttl)
        logger.info("Refreshed access token for client %s (valid %d s)", self.client_id, ttl)
        return data["access_token"]


class GrantlessTokenProvider(TokenProvider):
    """Access tokens for grantless operations (the Notifications API's destinations): the
    ``client_credentials`` grant with the operation's scope, for the application itself."""

    def __init__(self, redis, endpoint: str, client_id: str, client_secret: str, scope: str, **kwargs):
        super().__init__(redis, endpoint, client_id, client_secret, f"grantless:{scope}", **kwargs)
        self.scope = scope

    def grant(self) -> dict:
        return {"grant_type": "client_credentials", "scope": self.scope, "client_id": self.client_id,
                "client_secret": self._secret}
