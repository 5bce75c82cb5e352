"""Generated requests against the bridge's own OpenAPI document: no 5xx, and every
response inside the document. A WSGI wrapper signs each generated request exactly as
the Magento module does, with the one ACL grant the operation documents (``x-acl``),
and every fifth with another grant, so the fuzzing reaches the handlers behind
authentication with least privilege and meets refusals too."""

import io
import itertools
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl

import yaml

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from bridge.auth import ALL_GRANTS
from bridge.signing import signed_headers

from .conftest import SECRET

MAX_EXAMPLES = 8  # per operation in `make test`; `make soak` runs more


class ModuleSigner:
    """Plays the Magento module: signs whatever request passes through."""

    def __init__(self, app):
        self.app = app
        self.count = itertools.count()
        spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "bridge" / "openapi.yaml").read_text())
        self.acl = [(method.upper(), re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", path) + "$"), op.get("x-acl"))
                    for path, item in spec["paths"].items() for method, op in item.items()
                    if isinstance(op, dict) and op.get("x-acl")]

    def grants(self, method: str, path: str) -> list[str]:
        documented = next((acl for m, pattern, acl in self.acl if m == method and pattern.match(path)), None)
        if documented in (None, "signed"):
            return []
        if next(self.count) % 5 == 4:
            return [next(g for g in sorted(ALL_GRANTS) if g != documented)]
        return [documented]

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        headers = signed_headers(SECRET, environ["REQUEST_METHOD"], environ["PATH_INFO"], query, body,
                                 grants=self.grants(environ["REQUEST_METHOD"], environ["PATH_INFO"]),
                                 timestamp=int(time.time()))
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        return self.app(environ, start_response)


def test_generated_requests_get_no_5xx_and_documented_answers(app, account_id):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", ModuleSigner(app))
    tried = {"requests": 0, "operations": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        tried["operations"] += 1

        @given(operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            tried["requests"] += 1
            case.call_and_validate(checks=[not_a_server_error, status_code_conformance, response_schema_conformance])

        run()
    print(f"schemathesis: {tried['requests']} requests over {tried['operations']} operations, no failure")
    assert tried["operations"] >= 25 and tried["requests"] >= tried["operations"]
