"""What every answer and every request of the bridge must respect, apart from signatures.

- Security headers on every answer: a Content-Security-Policy without inline script
  (pages load ``/static/channel.js``; only the fragment the module embeds carries the
  script inline, and Magento's own policy governs it there), ``frame-ancestors`` allowing
  only the Magento admin origin when configured, ``nosniff`` and ``same-origin`` referrers.
- The standalone session is bound to the origin it logged in from: another port or host
  on the same machine, or a cross-site request, is refused; a state-changing request
  must come from that origin (``Origin``, else ``Sec-Fetch-Site: same-origin``) and carry
  the session's CSRF token in ``X-CSRF-Token``: a random token kept in the signed session
  cookie, given to the page in ``<meta name="channel-csrf">`` and compared in constant time.
  Signed requests from the Magento module have their signature instead (and Magento's own
  form key in the admin).
- API writes carry ``application/json`` (a signed write without a body may omit it);
  their body is decoded as RFC 8259 says: UTF-8,
  an optional byte-order mark, nothing else (415), and bad JSON, bad UTF-8 or numbers
  past what anything here could hold are a 400 in the error shape, never a 500.
"""

from __future__ import annotations

import json
import math
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session

from bridge.errors import BadRequest, Forbidden, UnsupportedMediaType

WRITES = ("POST", "PUT", "PATCH", "DELETE")
#: The header a standalone write carries its session's CSRF token in.
CSRF_HEADER = "X-CSRF-Token"
BOM = b"\xef\xbb\xbf"
#: Integers in a body beyond this many digits are refused (no id, count or price needs more).
MAX_INT_DIGITS = 18


def safe_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) URL or a path on this origin, else None."""
    if not value or any(c in value for c in "\r\n\t\\") or value.strip() != value:
        return None
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return value
    if not parts.scheme and not parts.netloc and value.startswith("/") and not value.startswith("//"):
        return value
    return None


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def csp(frame_origin: str | None) -> str:
    ancestors = f"'self' {frame_origin}" if frame_origin else "'none'"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
            f" font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")


def add_headers(response):
    settings = current_app.extensions["channel_settings"]
    response.headers.setdefault("Content-Security-Policy", csp(getattr(settings, "admin_origin", None)))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not getattr(settings, "admin_origin", None):
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def check_standalone_origin() -> None:
    """A standalone (cookie) request: same host as at login, never from another site or port."""
    if not g.get("standalone"):
        return
    bound = session.get("standalone_origin")
    here = request.host_url.rstrip("/").lower()
    if bound and bound != here:
        raise Forbidden("this standalone session belongs to another address; open the one-time URL again")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site in ("cross-site", "same-site"):
        raise Forbidden("requests from other sites or ports are not accepted in standalone mode")
    if request.method in WRITES:
        origin = request.headers.get("Origin")
        if origin is not None:
            if origin.lower() != here:
                raise Forbidden("the request comes from another origin", {"origin": origin[:200]})
        elif fetch_site != "same-origin":
            raise Forbidden("a change in standalone mode must come from the admin page itself")


def csrf_token() -> str:
    """This standalone session's CSRF token, made on first use ("" outside standalone mode)."""
    if not g.get("standalone"):
        return ""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """A standalone write must carry the session's token in ``X-CSRF-Token``."""
    if not g.get("standalone") or request.method not in WRITES:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        raise Forbidden(f"a change in standalone mode needs the page's CSRF token in the {CSRF_HEADER}"
                        " header; reload the page and try again", {"header": CSRF_HEADER})
    expected = session.get("csrf") or ""
    if not expected or not secrets.compare_digest(sent.encode("utf-8", "replace"), expected.encode("ascii")):
        raise Forbidden("the CSRF token does not belong to this session; reload the page and try again",
                        {"header": CSRF_HEADER})


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError("number too large")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number too large")
    return value


def _constant(name: str):
    raise ValueError(f"{name} is not JSON")


def decode_json(raw: bytes):
    """RFC 8259: UTF-8 with an optional BOM; bounded numbers; NaN and Infinity refused."""
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the request body is not UTF-8 (byte {exc.start})", {"parameter": "body"}) from None
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"the request body is not valid JSON: {str(exc)[:200]}", {"parameter": "body"}) from None


def check_api_body() -> None:
    """API writes: JSON only, UTF-8 only; the decoded body is kept for ``json_body()``."""
    if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    raw = request.get_data(cache=True)
    mimetype, charset = request.mimetype, request.mimetype_params.get("charset")
    # A signed write without a body (the module's DELETE) may carry its HTTP client's default
    # type; a cookie (standalone) write always needs JSON, which no cross-site form can send.
    if raw or g.get("standalone"):
        if mimetype != "application/json" and not (mimetype.startswith("application/") and
                                                   mimetype.endswith("+json")):
            raise UnsupportedMediaType("the API takes application/json", {"content_type": (request.content_type
                                                                                           or "")[:100]})
        if charset is not None and charset.lower().replace("-", "") != "utf8":
            raise UnsupportedMediaType("JSON bodies are UTF-8 (RFC 8259); send charset=utf-8 or none",
                                       {"charset": charset[:50]})
    g.json_body = decode_json(raw) if raw.strip() else None


def json_body():
    """The decoded JSON body of this request (None when it had none)."""
    if "json_body" not in g:
        raw = request.get_data(cache=True)
        g.json_body = decode_json(raw) if raw.strip() else None
    return g.json_body


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
    # After authentication (registered before): the caller is known, standalone or signed.
    app.before_request(check_standalone_origin)
    app.before_request(check_csrf)
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.before_request(check_api_body)
