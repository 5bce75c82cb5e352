"""Run the sandbox in-process on a free port, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import logging
import threading

import requests
from werkzeug.serving import make_server

from sandbox.app import create_app
from sandbox.state import Clock, Marketplace


class RunningSandbox:
    def __init__(self, market: Marketplace, url: str):
        self.market = market
        self.url = url

    @property
    def lwa_url(self) -> str:
        return self.url + "/auth/o2/token"

    def admin(self, method: str, path: str, **kw):
        resp = requests.request(method, self.url + "/_sandbox" + path, timeout=10, **kw)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def listings(self, seller_id: str) -> dict:
        return self.admin("GET", f"/sellers/{seller_id}/listings")

    def fault(self, **fault) -> None:
        self.admin("POST", "/faults", json=fault)


@contextlib.contextmanager
def running_sandbox(seed: dict | None = None, time_scale: float = 1.0, throttle: bool = True):
    market = Marketplace(Clock(time_scale), throttle=throttle)
    if seed:
        market.load(seed)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, create_app(market), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningSandbox(market, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
