"""Connect to Amazon: start the website authorization workflow (Seller Central's consent page).

``POST /connect`` keeps the merchant's choices and answers the consent URL to send the
browser to; Amazon's callback lands on the onboarding page (``bridge.views.pages``),
which hands the code to a worker job. Entering a refresh token by hand
(``POST /accounts``) stays for self-authorized private apps.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode

from flask import current_app, g, jsonify, render_template_string, request, session
from sqlalchemy import text

from bridge import db
from bridge.api import bp
from bridge.api.common import body, redis, settings, vault
from bridge.auth import requires
from bridge.errors import BadRequest, Forbidden
from channel import jobs, lwa_oauth
from channel.errors import InvalidInput

#: Where Amazon sends the browser back to a standalone bridge (the demo); inside Magento it
#: is the module's onboarding page, which hands the parameters to the onboarding fragment.
STANDALONE_CALLBACK = "/connect/callback"
STANDALONE_USER = "standalone-admin"


@bp.post("/connect")
@requires("accounts")
def start_connect():
    data = body()
    website_id = data.get("website_id")
    if isinstance(website_id, int) and not isinstance(website_id, bool):
        found = db.session.execute(text(f"SELECT 1 FROM `{settings().table_prefix}store_website`"
                                        " WHERE website_id = :w AND website_id > 0"), {"w": website_id}).first()
        if not found:
            raise BadRequest(f"Magento has no website {website_id}", {"path": "website_id"})
    if g.get("standalone"):
        data["redirect_uri"] = request.host_url.rstrip("/") + STANDALONE_CALLBACK
    out = lwa_oauth.start(redis(), vault(), str(settings().bridge_secret), data, settings().lwa_endpoint,
                          user=g.caller.user)
    return jsonify(out), 201


def enqueue_exchange(nonce: str) -> str:
    """The worker job that exchanges the code (Amazon is never called inside a request)."""
    return jobs.queue(redis()).enqueue(lwa_oauth.CONNECT_JOB, nonce, job_timeout=120, result_ttl=3600,
                                       failure_ttl=86400, meta={"step": "queued", "done": 0, "total": 0}).id


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0;url={{ target }}"><title>Connecting to Amazon</title></head>
<body><p>Back from Amazon. <a href="{{ target }}">Continue</a></p></body></html>"""


def standalone_callback():
    """Amazon's redirect back to the standalone bridge. The state (signed, single-use, bound
    to the admin who started it) is what makes it safe, since the request comes from
    Seller Central's site; then a page of ours moves on to the onboarding page, so that
    request is a same-origin one as standalone mode wants."""
    current = settings()
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not (current.standalone and loopback
            and session.get("standalone") == current_app.config.get("STANDALONE_SESSION")):
        raise Forbidden("open the admin with the login link first, then connect again")
    try:
        nonce = lwa_oauth.accept_callback(redis(), vault(), str(current.bridge_secret), request.args,
                                          user=STANDALONE_USER)
        query = {"connect_job": enqueue_exchange(nonce)}
    except InvalidInput as exc:
        query = {"connect_error": (exc.details or {}).get("reason", "forged")}
    return render_template_string(PAGE, target="/ui/onboarding?" + urlencode(query))


@bp.record_once
def _register_callback(state) -> None:
    state.app.add_url_rule(STANDALONE_CALLBACK, "connect_callback", standalone_callback, methods=["GET"])
