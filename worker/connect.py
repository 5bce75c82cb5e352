"""Connect to Amazon, the worker's half: exchange the consent's code for a refresh token.

The bridge's callback (``channel.lwa_oauth.accept_callback``) left the pending connection
in Redis under a nonce and enqueued ``connect_account(nonce)``. Here Login with Amazon
turns ``spapi_oauth_code`` into a refresh token (``grant_type=authorization_code``), the
seller's marketplace participations say where they sell, and an account is created per
marketplace chosen (or re-authorized when it exists), then the normal credential check
is enqueued for each: a new account stays pending until Amazon accepts it.
"""

from __future__ import annotations

import logging

import requests
from rq import get_current_job
from sqlalchemy import select
from sqlalchemy.orm import Session

from channel import jobs as contract
from channel import lwa_oauth, marketplaces
from channel.crypto import Vault
from channel.errors import ChannelError
from worker import runtime

logger = logging.getLogger(__name__)

#: Seconds Login with Amazon may take to answer the code exchange.
EXCHANGE_TIMEOUT = 15


class ExchangeRefused(Exception):
    """Login with Amazon did not give a refresh token for the code; the message says why."""


def exchange_code(endpoint: str, code: str, client_id: str, client_secret: str,
                  redirect_uri: str | None = None) -> str:
    """The refresh token for an authorization code (valid a few minutes, good once)."""
    data = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
            "client_secret": client_secret}
    if redirect_uri:
        data["redirect_uri"] = redirect_uri
    try:
        resp = requests.post(endpoint, data=data, timeout=EXCHANGE_TIMEOUT)
    except requests.RequestException as exc:
        raise ExchangeRefused(f"Login with Amazon could not be reached ({type(exc).__name__}); connect again"
                              " in a moment.") from None
    try:
        body = resp.json()
    except ValueError:
        body = {}
    if resp.status_code != 200 or not body.get("refresh_token"):
        reason = body.get("error_description") or body.get("error") or f"HTTP {resp.status_code}"
        raise ExchangeRefused(f"Login with Amazon refused the authorization: {reason}.")
    return body["refresh_token"]


def _step(step: str) -> None:
    job = get_current_job()
    if job is not None:
        job.meta["step"] = step
        job.save_meta()


def connect_account(nonce: str) -> dict:
    """Exchange, read participations, create or re-authorize the accounts, enqueue checks."""
    settings, redis = runtime.settings(), runtime.redis_conn()
    record = lwa_oauth.take(redis, str(nonce))
    if record is None or "code_enc" not in record:
        return {"ok": False, "message": "This authorization expired or was already used. Connect again."}
    vault = Vault(str(settings.encryption_key))
    client_secret = vault.decrypt(record["lwa_client_secret_enc"])
    _step("exchanging the authorization code")
    try:
        refresh_token = exchange_code(settings.lwa_endpoint or marketplaces.LWA_ENDPOINT,
                                      vault.decrypt(record["code_enc"]), record["lwa_client_id"], client_secret,
                                      record.get("redirect_uri"))
    except ExchangeRefused as exc:
        return {"ok": False, "message": str(exc)}
    _step("reading the seller's marketplaces")
    try:
        selling = _participations(settings, redis, record, client_secret, refresh_token)
    except Exception as exc:  # noqa: BLE001 - Amazon's refusal, told to the merchant
        message = getattr(exc, "message", None) or str(exc)
        return {"ok": False, "message": f"Amazon gave the authorization but refused to list the seller's"
                                        f" marketplaces: {message}"}
    wanted = [record["marketplace_id"]] if record.get("marketplace_id") else selling
    missing = [m for m in wanted if m not in selling]
    if missing or not wanted:
        names = ", ".join(marketplaces.MARKETPLACES[m].name for m in selling) or "none in this region"
        chosen = ", ".join(marketplaces.MARKETPLACES[m].name for m in missing) if missing else "this region"
        return {"ok": False, "message": f"The seller does not sell on {chosen}; Amazon lists: {names}."
                                        " Choose one of those and connect again."}
    _step("creating the account")
    try:
        accounts = _save(settings, vault, record, wanted, client_secret, refresh_token)
    except ChannelError as exc:
        return {"ok": False, "message": str(exc)}
    for acc in accounts:
        acc["check_job"] = contract.queue(redis).enqueue("worker.jobs.check_credentials", acc["account_id"],
                                                         job_timeout=120, result_ttl=3600,
                                                         failure_ttl=86400).id
    logger.info("Seller %s authorized; accounts %s", record["seller_id"], [a["account_id"] for a in accounts])
    return {"ok": True, "seller_id": record["seller_id"], "accounts": accounts,
            "message": f"Amazon authorized seller {record['seller_id']}; checking the credentials."}


def _participations(settings, redis, record: dict, client_secret: str, refresh_token: str) -> list[str]:
    """Retail marketplaces of the chosen region the seller participates in."""
    from worker.amazon import sellers
    from worker.amazon.auth import TokenProvider
    from worker.amazon.client import SpApiClient
    from worker.amazon.throttle import Throttle

    region = record["region"]
    tokens = TokenProvider(redis, settings.lwa_endpoint or marketplaces.LWA_ENDPOINT, record["lwa_client_id"],
                           client_secret, refresh_token)
    first = record.get("marketplace_id") or next(m.marketplace_id for m in marketplaces.MARKETPLACES.values()
                                                 if m.region == region)
    tokens.refresh()  # a fresh token for the new refresh token, never one cached for an earlier grant
    client = SpApiClient(settings.spapi_endpoint or marketplaces.HOSTS[region], record["seller_id"], region, first,
                         tokens, Throttle(redis), max_attempts=2)
    found: list[str] = []
    for p in sellers.marketplace_participations(client):
        mid = (p.get("marketplace") or {}).get("id")
        market = marketplaces.MARKETPLACES.get(mid) if mid else None
        if mid and market and market.region == region and (p.get("participation") or {}).get("isParticipating"):
            found.append(mid)
    return found


def _save(settings, vault: Vault, record: dict, wanted: list[str], client_secret: str,
          refresh_token: str) -> list[dict]:
    from channel import accounts as service
    from channel.models import Account

    out = []
    with Session(runtime.engine()) as session:
        for mid in wanted:
            existing = session.execute(select(Account).where(Account.seller_id == record["seller_id"],
                                                             Account.marketplace_id == mid)).scalar_one_or_none()
            if existing is not None:  # re-authorization: new token, the rest as it was
                existing.lwa_client_id = record["lwa_client_id"]
                existing.set_credentials(vault, client_secret=client_secret, refresh_token=refresh_token)
                existing.credential_status = "unchecked"
                session.flush()
                out.append({"account_id": existing.account_id, "name": existing.name, "new": False})
                continue
            name = record["name"] if len(wanted) == 1 else f"{record['name']} {marketplaces.get(mid).country}"
            created = service.create(session, vault, settings.table_prefix, {
                "name": name, "marketplace_id": mid, "seller_id": record["seller_id"],
                "lwa_client_id": record["lwa_client_id"], "lwa_client_secret": client_secret,
                "refresh_token": refresh_token, "website_id": record["website_id"]}, settings.magento_root)
            out.append({"account_id": created.account_id, "name": created.name, "new": True})
        session.commit()
    return out
