"""``make soak`` for the bridge: 1,000+ generated requests, and a bounded load from 50
concurrent clients on loopback with zero errors; both print their figures."""

import threading
import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from werkzeug.serving import make_server

from bridge.auth import ALL_GRANTS
from bridge.signing import signed_headers

from .conftest import SECRET
from .test_api import ACCOUNT  # noqa: F401
from .test_schemathesis import ModuleSigner

pytestmark = pytest.mark.slow


def test_thousand_generated_requests(app, account_id):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", ModuleSigner(app))
    tried = [0]
    for result in schema.get_all_operations():
        @given(result.ok().as_strategy())
        @settings(max_examples=45, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case):
            tried[0] += 1
            case.call_and_validate(checks=[not_a_server_error, status_code_conformance, response_schema_conformance])

        run()
    print(f"schemathesis soak: {tried[0]} requests, no failure")
    assert tried[0] >= 1000


def test_fifty_clients_for_sixty_seconds(app, listed):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    path = f"/api/v1/accounts/{listed}/listings"
    latencies, errors = [], []
    lock = threading.Lock()
    stop = time.monotonic() + 60

    def client(n):
        session = requests.Session()
        while time.monotonic() < stop:
            query = [("tab", "incomplete"), ("sort", "-sku"), ("page", str(1 + n % 3))]
            headers = signed_headers(SECRET, "GET", path, query, b"", grants=ALL_GRANTS)
            t = time.perf_counter()
            try:
                ok = session.get(base + path, params=query, headers=headers, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                (latencies if ok else errors).append(time.perf_counter() - t)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(50)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    server.shutdown()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0
    print(f"load: {len(latencies)} requests in 60 s ({len(latencies) / 60:.1f}/s), p99 {p99:.0f} ms, "
          f"{len(errors)} errors")
    assert errors == [] and len(latencies) > 100
