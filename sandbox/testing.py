"""Run the sandbox in-process on a free port, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import logging
import threading

import requests
from werkzeug.serving import make_server

from sandbox.app import create_app
from sandbox.state import Clock, Marketplace


class SandboxHttp:
    """A running sandbox as its clients see it: its URL and its admin endpoints."""

    url: str

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


class RunningSandbox(SandboxHttp):
    """The sandbox in this process: its state is at hand (``market``)."""

    def __init__(self, market: Marketplace, url: str):
        self.market = market
        self.url = url


@contextlib.contextmanager
def running_sandbox(seed: dict | None = None, time_scale: float = 1.0, throttle: bool = True, offset=None,
                    sqs_endpoint: str | None = None):
    """``offset``: a callable adding seconds to the sandbox clock (a clock shared with the worker);
    ``sqs_endpoint``: the SQS API notifications are delivered to (``localservices.Sqs``)."""
    market = Marketplace(Clock(time_scale, offset=offset), throttle=throttle)
    market.notifications.sqs_endpoint = sqs_endpoint
    if seed:
        market.load(seed)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, create_app(market), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningSandbox(market, f"http://127.0.0.1:{server.server_port}")
    finally:
        market.notifications.close()
        server.shutdown()
        thread.join(timeout=5)


class SandboxProcess(SandboxHttp):
    """The sandbox in a process of its own (its answers cost the caller no CPU time of its own)."""

    def __init__(self, url: str, process):
        self.url = url
        self.process = process

    @property
    def market(self):  # pragma: no cover - the state lives in the other process
        raise AttributeError("the sandbox runs in another process: read it through admin()")

    def stats(self) -> dict:
        """Calls, 429 answers, the clock and the last applied offer change (``/_sandbox/stats``)."""
        return self.admin("GET", "/stats")


@contextlib.contextmanager
def sandbox_process(seed: dict | None = None, time_scale: float = 1.0, throttle: bool = True,
                    shared_clock: str | None = None, seed_file: str | None = None):
    """``python -m sandbox`` on a free port, seeded (``seed``, or a JSON file ``seed_file``
    the caller wrote and removes); ``shared_clock``: the Redis URL of the clock shared
    with the worker (``worker.amazon.clock.SharedClock``)."""
    import json
    import subprocess
    import sys
    import tempfile

    if seed_file is None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(seed or {}, f)
        path, owned = f.name, True
    else:
        path, owned = seed_file, False
    args = [sys.executable, "-m", "sandbox", "--port", "0", "--seed", path, "--time-scale", str(time_scale),
            "--quiet"]
    if not throttle:
        args.append("--no-throttle")
    if shared_clock:
        args += ["--shared-clock", shared_clock]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None  # stdout=PIPE
    try:
        line = process.stdout.readline()
        if "http://" not in line:
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        yield SandboxProcess(line.split()[3], process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        import os

        if owned:
            os.unlink(path)
