"""Signatures on module-to-bridge requests (HMAC-SHA256, Standard Webhooks style, extended).

The Magento module signs, the bridge verifies; both follow this one definition and are
tested against ``tests/fixtures/signing_vectors.json``. The string to sign joins with
``\\n``: ``v1``, the request id, the Unix timestamp, the upper-case method, the path (percent-decoded), the
canonical query (pairs sorted by key then value, RFC 3986 percent-encoded, ``k=v`` joined
by ``&``), the admin user, the ACL header (comma-joined, sorted resource ids), and the
lower-case hex SHA-256 of the raw body. Header ``X-Channel-Signature: v1,<base64 HMAC>``.
A request is valid for ``tolerance`` seconds either side of its timestamp, once.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import Protocol
from urllib.parse import quote

VERSION = "v1"
HEADERS = ("X-Channel-Id", "X-Channel-Timestamp", "X-Channel-User", "X-Channel-Acl", "X-Channel-Signature")


class SignatureError(Exception):
    code = "bad_signature"
    status = 401

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MissingSignature(SignatureError):
    code = "missing_signature"


class ExpiredSignature(SignatureError):
    code = "expired_signature"


class BadSignature(SignatureError):
    code = "bad_signature"


class ReplayedRequest(SignatureError):
    code = "replayed_request"


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who is asking: the Magento admin user and the ACL resources Magento grants them."""

    user: str
    grants: frozenset

    def allows(self, resource: str) -> bool:
        """Exactly the resource asked for: a grant is never a wildcard for others."""
        return resource in self.grants


def _enc(value: str) -> str:
    return quote(value, safe="-_.~")


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted((str(k), str(v)) for k, v in pairs))


def acl_header(grants: Iterable[str]) -> str:
    return ",".join(sorted(set(grants)))


def string_to_sign(request_id: str, timestamp: str, method: str, path: str, query_pairs, user: str, acl: str,
                   body: bytes) -> str:
    return "\n".join([VERSION, request_id, str(timestamp), method.upper(), path, canonical_query(query_pairs),
                      user, acl, hashlib.sha256(body or b"").hexdigest()])


def sign(secret: str, request_id: str, timestamp: str, method: str, path: str, query_pairs, user: str,
         acl: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), string_to_sign(request_id, timestamp, method, path, query_pairs, user,
                                                          acl, body).encode("utf-8"), hashlib.sha256)
    return f"{VERSION}," + base64.b64encode(mac.digest()).decode()


def signed_headers(secret: str, method: str, path: str, query_pairs=(), body: bytes = b"", user: str = "admin",
                   grants: Iterable[str] = (), request_id: str | None = None, timestamp: int | None = None) -> dict:
    """Headers for a signed request (what the module sends; used by tests and tools)."""
    import time
    import uuid

    request_id = request_id or uuid.uuid4().hex
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    acl = acl_header(grants)
    return {"X-Channel-Id": request_id, "X-Channel-Timestamp": stamp, "X-Channel-User": user,
            "X-Channel-Acl": acl,
            "X-Channel-Signature": sign(secret, request_id, stamp, method, path, query_pairs, user, acl, body)}


class HeaderSource(Protocol):
    """Request headers by name: a dict, or Flask's ``request.headers``."""

    def get(self, key: str, /) -> str | None: ...


def verify(secret: str, headers: HeaderSource, method: str, path: str, query_pairs, body: bytes, now: float,
           tolerance: int = 300, seen: Callable[[str], bool] | None = None) -> Caller:
    """The verified caller, or a SignatureError saying what is wrong.

    ``seen(request_id)`` records the id and returns True when it was already used."""
    values = {h: headers.get(h) for h in HEADERS}
    if not secret:
        raise BadSignature("the bridge has no shared secret configured")
    if not values["X-Channel-Signature"] or not values["X-Channel-Id"] or not values["X-Channel-Timestamp"]:
        raise MissingSignature("the request is not signed")
    try:
        timestamp = int(values["X-Channel-Timestamp"])
    except ValueError:
        raise BadSignature("the signature timestamp is not a number") from None
    if abs(now - timestamp) > tolerance:
        raise ExpiredSignature("the signature is outside the allowed time window; check both clocks")
    user, acl = values["X-Channel-User"] or "", values["X-Channel-Acl"] or ""
    expected = sign(secret, values["X-Channel-Id"], values["X-Channel-Timestamp"], method, path, query_pairs, user,
                    acl, body)
    given = values["X-Channel-Signature"]
    if not any(hmac.compare_digest(expected.encode(), part.strip().encode()) for part in given.split(" ")):
        raise BadSignature("the signature does not match the request")
    if seen is not None and seen(values["X-Channel-Id"]):
        raise ReplayedRequest("this request id was already used")
    return Caller(user, frozenset(g for g in acl.split(",") if g))
