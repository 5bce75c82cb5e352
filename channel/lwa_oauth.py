"""Connect to Amazon: the SP-API website authorization workflow, up to the callback.

The merchant presses "Connect to Amazon"; we keep what they chose (name, marketplace or
region, Magento website, the app's LWA credentials) in Redis under a random nonce and
send them to Seller Central's consent page with a ``state`` that carries the nonce,
its expiry and an HMAC-SHA256 with the bridge secret. Amazon sends the browser back with
``state``, ``selling_partner_id`` and ``spapi_oauth_code``; the callback checks the
signature and the expiry, marks the nonce used (``SET NX``: a second arrival is refused)
and hands the code to a worker job, which exchanges it with Login with Amazon
(``worker.connect``). The code and the client secret are encrypted in Redis, never in a
job argument. Nothing here talks to Amazon.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import urlencode, urlsplit

from channel import marketplaces
from channel.accounts import text_field
from channel.crypto import Vault
from channel.errors import InvalidInput

#: Seconds a consent round trip may take, from the button to the callback.
STATE_TTL = 900
#: Seconds a used nonce is remembered (longer than any state can live).
USED_TTL = STATE_TTL + 60
#: The job that exchanges the code (``worker.connect``), enqueued by name.
CONNECT_JOB = "worker.connect.connect_account"
KEY = "channel:connect:{}"
USED_KEY = "channel:connect-used:{}"

#: Seller Central per marketplace: where the consent page of a seller of that country is.
SELLER_CENTRAL = {
    "US": "https://sellercentral.amazon.com", "CA": "https://sellercentral.amazon.ca",
    "MX": "https://sellercentral.amazon.com.mx", "BR": "https://sellercentral.amazon.com.br",
    "GB": "https://sellercentral-europe.amazon.com", "DE": "https://sellercentral-europe.amazon.com",
    "FR": "https://sellercentral-europe.amazon.com", "IT": "https://sellercentral-europe.amazon.com",
    "ES": "https://sellercentral-europe.amazon.com", "NL": "https://sellercentral.amazon.nl",
    "BE": "https://sellercentral.amazon.com.be", "SE": "https://sellercentral.amazon.se",
    "PL": "https://sellercentral.amazon.pl", "IE": "https://sellercentral.amazon.ie",
    "TR": "https://sellercentral.amazon.com.tr", "AE": "https://sellercentral.amazon.ae",
    "SA": "https://sellercentral.amazon.sa", "EG": "https://sellercentral.amazon.eg",
    "ZA": "https://sellercentral.amazon.co.za", "IN": "https://sellercentral.amazon.in",
    "JP": "https://sellercentral.amazon.co.jp", "AU": "https://sellercentral.amazon.com.au",
    "SG": "https://sellercentral.amazon.sg",
}
#: Seller Central of a region when the merchant picked no marketplace.
REGION_SELLER_CENTRAL = {"na": SELLER_CENTRAL["US"], "eu": SELLER_CENTRAL["DE"], "fe": SELLER_CENTRAL["JP"]}
REGIONS = {"na": "North America", "eu": "Europe", "fe": "Far East"}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_state(secret: str, nonce: str, now: float | None = None, ttl: int = STATE_TTL) -> str:
    """``<payload>.<mac>``: the nonce and the expiry, signed with the bridge secret."""
    if not secret:
        raise InvalidInput("the bridge has no secret to sign the authorization with", {"path": "bridge_secret"})
    payload = _b64(json.dumps({"n": nonce, "exp": int((now or time.time()) + ttl)}).encode())
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify_state(secret: str, state: str, now: float | None = None) -> str:
    """The nonce of a state we signed and that has not expired; else InvalidInput saying why."""
    try:
        payload, mac = state.split(".", 1)
        expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
        if not secret or not hmac.compare_digest(_unb64(mac), expected):
            raise ValueError("signature")
        data = json.loads(_unb64(payload))
        nonce, expires = str(data["n"]), int(data["exp"])
    except (ValueError, KeyError, TypeError):
        raise _refused("forged") from None
    if (now or time.time()) > expires:
        raise _refused("expired")
    return nonce


#: Why a callback is refused, by stable code: the code may travel in a URL, the sentence never does.
REFUSALS = {
    "forged": "This authorization did not start here (its state is not ours). Connect again.",
    "expired": "This authorization took too long and expired. Connect again.",
    "used": "This authorization was already used. Connect again to authorize anew.",
    "no_code": "Amazon sent no authorization code back: the authorization was not given. Connect again.",
    "other_user": "This authorization was started by another admin user. Connect again yourself.",
}


def _refused(reason: str) -> InvalidInput:
    return InvalidInput(REFUSALS[reason], {"path": "state", "reason": reason})


def seller_central(marketplace_id: str | None, region: str, lwa_endpoint: str | None = None) -> str:
    """Seller Central for the marketplace (or region); a stand-in Login with Amazon (the
    sandbox, in tests and the demo) stands in for Seller Central too."""
    if lwa_endpoint and urlsplit(lwa_endpoint).hostname != urlsplit(marketplaces.LWA_ENDPOINT).hostname:
        parts = urlsplit(lwa_endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    if marketplace_id:
        return SELLER_CENTRAL[marketplaces.get(marketplace_id).country]
    return REGION_SELLER_CENTRAL[region]


def consent_url(base: str, application_id: str, state: str, redirect_uri: str | None, beta: bool) -> str:
    params = {"application_id": application_id, "state": state}
    if redirect_uri:
        params["redirect_uri"] = redirect_uri
    if beta:  # an app still in draft is authorized with version=beta
        params["version"] = "beta"
    return f"{base}/apps/authorize/consent?{urlencode(params)}"


def _web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def start(redis, vault: Vault, secret: str, data: dict, lwa_endpoint: str | None = None,
          now: float | None = None, user: str | None = None) -> dict:
    """Keep the merchant's choices under a fresh nonce; the consent URL to send them to."""
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", {"path": "$"})
    marketplace_id = text_field(data, "marketplace_id", 20, required=False)
    if marketplace_id:
        region = marketplaces.get(marketplace_id).region
    else:
        region = text_field(data, "region", 2) or ""
        if region not in REGIONS:
            raise InvalidInput("'region' must be na, eu or fe", {"path": "region", "allowed": sorted(REGIONS)})
    website_id = data.get("website_id")
    if isinstance(website_id, bool) or not isinstance(website_id, int) or website_id < 1:
        raise InvalidInput("'website_id' must be the id of a Magento website", {"path": "website_id"})
    beta = data.get("beta", True)
    if not isinstance(beta, bool):
        raise InvalidInput("'beta' must be true or false", {"path": "beta"})
    redirect_uri = text_field(data, "redirect_uri", 1024, required=False)
    if redirect_uri and not _web_url(redirect_uri):
        raise InvalidInput("'redirect_uri' must be an http(s) URL", {"path": "redirect_uri"})
    application_id = text_field(data, "application_id", 255)
    record = {
        "name": text_field(data, "name", 200), "marketplace_id": marketplace_id, "region": region,
        "website_id": website_id, "application_id": application_id,
        "lwa_client_id": text_field(data, "lwa_client_id", 255),
        "lwa_client_secret_enc": vault.encrypt(text_field(data, "lwa_client_secret", 2048)),
        "redirect_uri": redirect_uri, "user": user,
    }
    nonce = secrets.token_urlsafe(18)
    state = sign_state(secret, nonce, now)
    redis.set(KEY.format(nonce), json.dumps(record), ex=STATE_TTL)
    base = seller_central(marketplace_id, region, lwa_endpoint)
    return {"consent_url": consent_url(base, application_id, state, redirect_uri, beta),
            "expires_in": STATE_TTL}


def accept_callback(redis, vault: Vault, secret: str, args, now: float | None = None,
                    user: str | None = None) -> str:
    """Check the callback's state, use it up and keep the code for the job; the nonce
    (the job's only argument). The admin user who started it must be the one back.
    Raises InvalidInput with a sentence for the merchant and a ``reason`` code."""
    state = args.get("state") or ""
    nonce = verify_state(secret, state, now)
    code = (args.get("spapi_oauth_code") or "").strip()
    seller_id = (args.get("selling_partner_id") or "").strip()
    if not code or not seller_id or len(code) > 2048 or len(seller_id) > 32:
        raise _refused("no_code")
    raw = redis.get(KEY.format(nonce))
    if raw is not None and json.loads(raw).get("user") not in (None, user):
        raise _refused("other_user")
    if not redis.set(USED_KEY.format(nonce), 1, nx=True, ex=USED_TTL):
        raise _refused("used")
    if raw is None:
        raise _refused("expired")
    record = json.loads(raw)
    record["seller_id"] = seller_id
    record["code_enc"] = vault.encrypt(code)
    redis.set(KEY.format(nonce), json.dumps(record), ex=STATE_TTL)
    return nonce


def take(redis, nonce: str) -> dict | None:
    """The pending connection, removed: the code in it is good for one exchange."""
    key = KEY.format(nonce)
    pipe = redis.pipeline()
    pipe.get(key)
    pipe.delete(key)
    raw, _ = pipe.execute()
    return json.loads(raw) if raw else None
