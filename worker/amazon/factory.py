"""Builds the SP-API client for one account from the settings: Amazon, Amazon's
sandbox or our sandbox, the same code."""

from __future__ import annotations

from channel import marketplaces
from channel.crypto import Vault
from worker.amazon import dry_run
from worker.amazon.auth import TokenProvider
from worker.amazon.client import SpApiClient
from worker.amazon.throttle import Throttle


def client_for(account, settings, redis, on_failure=None, rate_scale: float = 1.0, clock=None,
               **kwargs) -> SpApiClient:
    """``clock``: the clock waits run on (real time unless a benchmark shares one with the sandbox)."""
    vault = Vault(settings.encryption_key)
    base = settings.spapi_endpoint or marketplaces.HOSTS[account.region]
    lwa = settings.lwa_endpoint or marketplaces.LWA_ENDPOINT
    tokens = TokenProvider(redis, lwa, account.lwa_client_id, account.client_secret(vault),
                           account.refresh_token(vault), vault=vault, clock=clock)
    if kwargs.get("session") is None:  # dry run: writes recorded, not sent (worker.amazon.dry_run)
        kwargs["session"] = dry_run.session_for(account, settings)
    return SpApiClient(base, account.seller_id, account.region, account.marketplace_id, tokens,
                       Throttle(redis, scale=rate_scale, clock=clock), on_failure=on_failure, clock=clock, **kwargs)
