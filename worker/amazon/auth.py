"""Login with Amazon: refresh-token grant, access token cached in Redis for all workers."""

from __future__ import annotations

import hashlib
import logging

import requests

from worker.amazon.errors import AmazonUnavailable, LoginFailed

logger = logging.getLogger(__name__)

#: Refresh this many seconds before Amazon's expiry, so no call goes out with a dying token.
EXPIRY_MARGIN = 300


class TokenProvider:
    """Access tokens per (client id, refresh token), shared through Redis."""

    def __init__(self, redis, endpoint: str, client_id: str, client_secret: str, refresh_token: str,
                 timeout: float = 15):
        self.redis = redis
        self.endpoint = endpoint
        self.client_id = client_id
        self._secret = client_secret
        self._refresh = refresh_token
        self.timeout = timeout
        digest = hashlib.sha256(f"{client_id}:{refresh_token}".encode()).hexdigest()[:32]
        self.key = f"channel:lwa:{digest}"

    def __repr__(self) -> str:
        return f"TokenProvider(client_id={self.client_id!r})"

    def token(self) -> str:
        cached = self.redis.get(self.key)
        if cached:
            return cached.decode() if isinstance(cached, bytes) else cached
        return self.refresh()

    def invalidate(self) -> None:
        self.redis.delete(self.key)

    def refresh(self) -> str:
        try:
            resp = requests.post(self.endpoint, timeout=self.timeout, data={
                "grant_type": "refresh_token", "refresh_token": self._refresh,
                "client_id": self.client_id, "client_secret": self._secret})
        except requests.RequestException as exc:
            raise AmazonUnavailable(f"Login with Amazon unreachable: {type(exc).__name__}",
                                    operation="lwa_token") from None
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
        self.redis.set(self.key, data["access_token"], ex=ttl)
        logger.info("Refreshed access token for client %s (valid %d s)", self.client_id, ttl)
        return data["access_token"]
