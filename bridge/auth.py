"""Who is calling: a signed Magento admin request, or the standalone demo session.

Every ``/api/`` and ``/fragments/`` request must carry a valid signature (see
``bridge.signing``); request ids are remembered in Redis for the tolerance window so
a replay is refused. Standalone mode (the demo) is only on loopback, entered through
a one-time token URL printed at start, which sets a session cookie.
"""

from __future__ import annotations

import functools
import ipaddress
import secrets
import time

from flask import Flask, current_app, g, redirect, request, session

from bridge.errors import Forbidden
from bridge.signing import Caller, MissingSignature, verify

#: Magento ACL resources of the module (``etc/acl.xml``), by what they allow. A grant
#: counts only when it is exactly the resource an endpoint names: no wildcard grant.
RESOURCES = {
    "view": "Channel_Amazon::listings",
    "act": "Channel_Amazon::listings_actions",
    "accounts": "Channel_Amazon::accounts",
    "orders": "Channel_Amazon::orders",
    "orders_act": "Channel_Amazon::orders_actions",
    "orders_pii": "Channel_Amazon::orders_buyer_data",
    "logs": "Channel_Amazon::logs",
}
ALL_GRANTS = frozenset(RESOURCES.values()) | {"Channel_Amazon::amazon"}
OPEN = ("/api/v1/openapi.json", "/api/v1/health", "/ui/login", "/static/")


def _loopback() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _seen(request_id: str) -> bool:
    settings = current_app.extensions["channel_settings"]
    key = f"channel:bridge:seen:{request_id[:128]}"
    fresh = current_app.extensions["channel_redis"].set(key, 1, nx=True, ex=2 * settings.signature_tolerance + 5)
    return not fresh


def authenticate() -> None:
    path = request.path
    if path.startswith(OPEN) or not path.startswith(("/api/", "/fragments/", "/ui/")):
        return
    settings = current_app.extensions["channel_settings"]
    if settings.standalone and _loopback() and session.get("standalone") == current_app.config["STANDALONE_SESSION"]:
        g.caller = Caller("standalone-admin", ALL_GRANTS)
        g.standalone = True
        return
    if path.startswith("/ui/"):
        raise MissingSignature("open the one-time URL the bridge printed at start")
    body = request.get_data(cache=True)
    g.caller = verify(str(settings.bridge_secret), request.headers, request.method, path,
                      list(request.args.items(multi=True)), body, now=time.time(),
                      tolerance=settings.signature_tolerance, seen=_seen)
    g.standalone = False


def requires(what: str):
    """The caller's Magento ACL grants must include the resource for ``what``."""
    resource = RESOURCES[what]

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not g.caller.allows(resource):
                raise Forbidden(f"your Magento role does not allow this ({resource})", {"resource": resource})
            return view(*args, **kwargs)
        return wrapper
    return decorate


def init_app(app: Flask) -> None:
    app.before_request(authenticate)
    app.config.setdefault("STANDALONE_SESSION", secrets.token_hex(16))
    app.config.setdefault("STANDALONE_TOKEN", secrets.token_urlsafe(24))

    @app.get("/ui/login")
    def standalone_login():
        settings = app.extensions["channel_settings"]
        token = app.config.get("STANDALONE_TOKEN")
        if not settings.standalone or not _loopback():
            raise Forbidden("standalone mode is off or you are not on this machine")
        if not token or not secrets.compare_digest(request.args.get("token", ""), token):
            raise Forbidden("this login link is not valid; use the one the bridge printed")
        app.config["STANDALONE_TOKEN"] = None  # one time
        session["standalone"] = app.config["STANDALONE_SESSION"]
        session["standalone_origin"] = request.host_url.rstrip("/").lower()  # bound to this origin
        return redirect("/ui/overview")


def standalone_url(app: Flask, host: str, port: int) -> str:
    return f"http://{host}:{port}/ui/login?token={app.config['STANDALONE_TOKEN']}"
