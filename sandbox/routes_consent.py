"""Seller Central's consent page and Login with Amazon's ``authorization_code`` grant.

``GET /apps/authorize/consent?application_id&state[&redirect_uri][&version=beta]`` shows
a page where the (sandbox) seller authorizes the app; confirming redirects the browser
to ``redirect_uri`` with ``spapi_oauth_code``, ``state`` and ``selling_partner_id``, as
Amazon's website authorization workflow does. The code is good once, for five minutes,
and only with the seller's app credentials.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode, urlsplit

from flask import jsonify, redirect, render_template_string, request

#: Seconds an authorization code is valid (Amazon: a few minutes), in wall-clock time.
CODE_LIFETIME = 300

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize an app · Seller Central
(sandbox)</title></head><body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>Seller Central (sandbox)</h1>
{% if error %}<p role="alert" id="consent-error">{{ error }}</p>{% else %}
<p>The app <strong id="consent-app">{{ application_id }}</strong>{% if beta %} (draft){% endif %} asks to access
your Amazon seller account.</p>
<form method="post" action="/apps/authorize/confirm">
  <input type="hidden" name="application_id" value="{{ application_id }}">
  <input type="hidden" name="state" value="{{ state }}">
  <input type="hidden" name="redirect_uri" value="{{ redirect_uri }}">
  <label>Signed in as <select name="selling_partner_id" id="consent-seller">
    {% for s in sellers %}<option value="{{ s }}">{{ s }}</option>{% endfor %}</select></label>
  <p><button type="submit" name="decision" value="confirm" id="consent-confirm">Confirm</button>
     <button type="submit" name="decision" value="cancel">Cancel</button></p>
</form>{% endif %}</body></html>"""


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    codes: dict[str, tuple[str, str, float]] = {}  # code -> (seller_id, application_id, expires)
    app.extensions["sandbox_consent_codes"] = codes

    @app.get("/apps/authorize/consent")
    def consent():
        args = request.args
        error = None
        if not args.get("application_id") or not args.get("state"):
            error = "The authorization link is missing application_id or state."
        elif not args.get("redirect_uri") or urlsplit(args["redirect_uri"]).scheme not in ("http", "https"):
            error = "MD5101: the redirect URI is not one of the app's redirect URIs."
        return render_template_string(PAGE, error=error, application_id=args.get("application_id", ""),
                                      state=args.get("state", ""), redirect_uri=args.get("redirect_uri", ""),
                                      beta=args.get("version") == "beta", sellers=sorted(market.sellers)), (
            400 if error else 200)

    @app.post("/apps/authorize/confirm")
    def confirm():
        form = request.form
        seller_id = form.get("selling_partner_id", "")
        if form.get("decision") != "confirm" or seller_id not in market.sellers:
            return render_template_string(PAGE, error="You did not authorize the app.", sellers=[]), 200
        code = "ANsandbox" + secrets.token_urlsafe(16)
        with market.lock:
            codes[code] = (seller_id, form.get("application_id", ""), time.time() + CODE_LIFETIME)
        query = urlencode({"spapi_oauth_code": code, "state": form.get("state", ""),
                           "selling_partner_id": seller_id})
        target = form.get("redirect_uri", "")
        return redirect(target + ("&" if "?" in target else "?") + query)


def exchange_code(app, market, form):
    """``grant_type=authorization_code``: the seller's refresh token, once per code."""
    codes = app.extensions.get("sandbox_consent_codes", {})
    with market.lock:
        market.calls["lwa_authorization_code"] = market.calls.get("lwa_authorization_code", 0) + 1
        found = codes.pop(form.get("code", ""), None)
    if found is None or found[2] < time.time():
        return jsonify({"error": "invalid_grant",
                        "error_description": "The authorization code is invalid, expired or already used"}), 400
    seller = market.sellers[found[0]]
    if (form.get("client_id"), form.get("client_secret")) != (seller.client_id, seller.client_secret):
        return jsonify({"error": "invalid_client", "error_description": "Client authentication failed"}), 401
    token, lifetime = market.issue_token(seller.seller_id)
    return jsonify({"access_token": token, "token_type": "bearer", "expires_in": lifetime,
                    "refresh_token": seller.refresh_token})
