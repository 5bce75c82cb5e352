"""Connect to Amazon: start the website authorization workflow (Seller Central's consent page).

``POST /connect`` keeps the merchant's choices and answers the consent URL to send the
browser to; Amazon's callback lands on the onboarding page (``bridge.views.pages``),
which hands the code to a worker job. Entering a refresh token by hand
(``POST /accounts``) stays for self-authorized private apps.
"""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import text

from bridge import db
from bridge.api import bp
from bridge.api.common import body, redis, settings, vault
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import lwa_oauth


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
    data.setdefault("redirect_uri", request.host_url.rstrip("/") + "/ui/onboarding")
    out = lwa_oauth.start(redis(), vault(), str(settings().bridge_secret), data, settings().lwa_endpoint)
    return jsonify(out), 201
