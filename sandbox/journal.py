"""A journal of the requests the sandbox received that change something (anything but
GET), with their bodies, served back at ``GET /_sandbox/requests``: what Amazon got,
byte for byte, for tests that compare it with what the admin showed.

It wraps the sandbox's WSGI app (``Journal(app.wsgi_app)``), so it sees each request as
it arrived, before any route reads it.
"""

from __future__ import annotations

import io
import json
import threading
from urllib.parse import unquote


class Journal:
    PATH = "/_sandbox/requests"

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.lock = threading.Lock()
        self.entries: list[dict] = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == self.PATH and environ.get("REQUEST_METHOD") == "GET":
            with self.lock:
                payload = json.dumps(self.entries).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]
        method = environ.get("REQUEST_METHOD", "GET")
        if method != "GET" and not path.startswith("/_sandbox/"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with self.lock:
                self.entries.append({"method": method, "path": unquote(path),
                                     "query": environ.get("QUERY_STRING", ""), "body": body})
        return self.wsgi_app(environ, start_response)


def install(app) -> Journal:
    """Journal every changing request ``app`` receives."""
    journal = Journal(app.wsgi_app)
    app.wsgi_app = journal
    return journal
