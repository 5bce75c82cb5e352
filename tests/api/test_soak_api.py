"""``make soak`` for the bridge: 10,000+ generated requests over every operation, signed
with each single ACL grant in turn, without one server error or undocumented answer;
and a bounded load from 50 concurrent clients on loopback with zero errors. Both print
their figures."""

import re
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

#: Generated requests the soak must reach, all operations and grants together.
SOAK_REQUESTS = 10_000
#: Examples per operation with the grant it documents, and with each other single grant.
WITH_DOCUMENTED, WITH_OTHER = 170, 14


class OneGrantSigner(ModuleSigner):
    """Signs every request with the one grant set for the current run."""

    grant: str | None = None

    def grants(self, method: str, path: str) -> list[str]:
        return [self.grant] if self.grant else []


def _documented(signer: ModuleSigner, operation) -> str | None:
    """The grant the operation documents (``x-acl``)."""
    path = re.sub(r"\{\w+\}", "1", operation.path)
    return next((acl for m, pattern, acl in signer.acl if m == operation.method.upper() and pattern.match(path)), None)


def test_ten_thousand_generated_requests_with_each_single_grant(app, account_id):
    signer = OneGrantSigner(app)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", signer)
    operations = [result.ok() for result in schema.get_all_operations()]
    tried, by_grant, rounds = [0], dict.fromkeys(sorted(ALL_GRANTS), 0), 0

    def drive(operation, grant, examples):
        @given(operation.as_strategy())
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case):
            tried[0] += 1
            by_grant[grant] += 1
            case.call_and_validate(checks=[not_a_server_error, status_code_conformance, response_schema_conformance])

        signer.grant = grant
        run()

    while tried[0] < SOAK_REQUESTS and rounds < 3:  # operations with few distinct inputs end early
        rounds += 1
        for operation in operations:
            documented = _documented(signer, operation)
            for grant in sorted(ALL_GRANTS):
                drive(operation, grant, WITH_DOCUMENTED if grant == documented or documented == "signed"
                      and grant == "Channel_Amazon::amazon" else WITH_OTHER)
    print(f"schemathesis soak: {tried[0]} requests over {len(operations)} operations in {rounds} round(s),"
          f" by grant {by_grant}, no failure")
    assert tried[0] >= SOAK_REQUESTS and min(by_grant.values()) > len(operations)


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
