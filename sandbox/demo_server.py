"""``python -m sandbox.demo_server``: the standalone bridge as ``make demo`` runs it.

The same app as ``python -m bridge --standalone``, with a login that lasts: the link the
demo prints can be opened again until it expires (a browser restarted, a second
browser), the session cookie outlives the browser session for that long, and both are
kept by the demo between starts (``--keep``), so a bookmarked link still works. Each
demo has its own cookie name, so two demos on this machine do not log each other out
(cookies do not tell ports apart). The demo passes all this in the environment:
``CHANNEL_DEMO_LOGIN_TOKEN``, ``CHANNEL_DEMO_LOGIN_EXPIRES`` (Unix time),
``CHANNEL_DEMO_SESSION`` and ``CHANNEL_DEMO_COOKIE``.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import time
from datetime import timedelta

from flask import Flask, request, session

from bridge import create_app
from channel.settings import Settings


def build_app(settings: Settings, token: str, expires: float, session_id: str, cookie_name: str,
              now=time.time) -> Flask:
    """The standalone app whose login link works until ``expires``, not once."""
    lifetime = max(60, int(expires - now()))
    app = create_app(settings.replace(standalone=True), STANDALONE_TOKEN=token, STANDALONE_SESSION=session_id,
                     SESSION_COOKIE_NAME=cookie_name, PERMANENT_SESSION_LIFETIME=timedelta(seconds=lifetime))

    @app.before_request
    def reusable_login_link():
        if request.path == "/ui/login":
            given = request.args.get("token", "")
            valid = now() < expires and secrets.compare_digest(given.encode(), token.encode())
            app.config["STANDALONE_TOKEN"] = token if valid else None

    @app.after_request
    def lasting_session(response):
        if request.path == "/ui/login" and response.status_code in (301, 302, 303):
            session.permanent = True  # a cookie with an expiry: it survives a browser restart
        return response

    return app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bridge %(levelname)s %(message)s")
    settings = Settings.from_env()
    token = os.environ["CHANNEL_DEMO_LOGIN_TOKEN"]
    expires = float(os.environ["CHANNEL_DEMO_LOGIN_EXPIRES"])
    app = build_app(settings, token, expires, os.environ["CHANNEL_DEMO_SESSION"],
                    os.environ.get("CHANNEL_DEMO_COOKIE", "channel_demo"))
    from bridge.__main__ import serve

    host = settings.bridge_host
    if host not in ("127.0.0.1", "localhost", "::1"):
        print("standalone mode only listens on loopback", file=sys.stderr)
        return 2
    return serve(app, host, settings.bridge_port, "login link")


if __name__ == "__main__":
    sys.exit(main())
