"""Malformed requests answer 4xx in the error shape, never 500: bad JSON, bad UTF-8, huge
numbers, wrong content types and charsets, on every operation of the OpenAPI document.
JSON bodies are decoded per RFC 8259 (UTF-8, optional byte-order mark)."""

import re

import pytest

from bridge.signing import signed_headers
from security.test_acl import SPEC, operations

from api.conftest import SECRET

HUGE = "1" + "0" * 40
BODIES = [
    (b'{"name": ', "application/json"),
    (b'{"name": "\xff\xfe"}', "application/json"),
    (b'{"website_id": ' + HUGE.encode() + b"}", "application/json"),
    (b'{"website_id": 1e999}', "application/json"),
    (b'{"website_id": NaN}', "application/json"),
    (b'{"ok": true, "increment_id": "1", "magento_order_id": ' + HUGE.encode() + b"}", "application/json"),
    (b'{"listing_ids": [' + HUGE.encode() + b'], "action": "end"}', "application/json"),
    (b"[" * 50000 + b"]" * 50000, "application/json"),
    (b'{"a": 1}', "text/plain"),
    (b"a=1", "application/x-www-form-urlencoded"),
    (b'{"a": 1}', "application/json; charset=latin-1"),
    (b"\xff\xfe{\x00}\x00", "application/json; charset=utf-16"),
]
#: Well-formed JSON that is not what an operation takes: refused or ignored, never a 500.
ODD = [b"[]", b'"text"', b"null", b"{}", b'{"conditions": {"a": [1, {"b": null}]}, "name": 12}']


def send(client, method, path, body=b"", content_type=None, query=(), grants=None):
    headers = signed_headers(SECRET, method, path, list(query), body, grants=grants or [])
    if content_type:
        headers["Content-Type"] = content_type
    url = path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
    return client.open(url, method=method, data=body, headers=headers)


def _fill(path, account_id):
    return re.sub(r"\{(\w+)\}", lambda m: str(account_id) if m.group(1) == "account_id" else "1", path)


def assert_error_shape(resp, what):
    assert 400 <= resp.status_code < 500, f"{what}: {resp.status_code} {resp.data[:300]!r}"
    error = resp.get_json()["error"]
    assert error["code"] and error["message"], what


def test_bad_bodies_on_every_write_answer_4xx_with_the_error_shape(app, account_id):
    client = app.test_client()
    for method, path, op in operations():
        if method == "GET" or method == "DELETE":
            continue
        url = _fill(path, account_id)
        for body, content_type in BODIES:
            resp = send(client, method, url, body, content_type, grants=[op["x-acl"]])
            assert_error_shape(resp, f"{method} {path} {content_type} {body[:40]!r}")
        for body in ODD:
            resp = send(client, method, url, body, "application/json", grants=[op["x-acl"]])
            assert resp.status_code < 500, f"{method} {path} {body!r}: {resp.status_code} {resp.data[:300]!r}"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=iso-8859-1", "application/json; charset=utf-16"])
def test_writes_refuse_other_media_types_and_charsets_with_415(app, account_id, content_type):
    resp = send(app.test_client(), "POST", f"/api/v1/accounts/{account_id}/pause", b'{}', content_type,
                grants=["Channel_Amazon::accounts"])
    assert resp.status_code == 415 and resp.get_json()["error"]["code"] == "unsupported_media_type"


def test_huge_numbers_in_paths_and_queries_answer_4xx(app, account_id):
    client = app.test_client()
    for method, path, op in operations():
        if method != "GET":
            continue
        params = [p.get("name") for p in op.get("parameters", []) if isinstance(p, dict)]
        refs = [p["$ref"].rsplit("/", 1)[-1] for p in op.get("parameters", []) if "$ref" in p]
        params += [SPEC["components"]["parameters"][r]["name"] for r in refs]
        for name in [n for n in params if n] + ["page", "days", "limit", "offset"]:
            resp = send(client, "GET", _fill(path, account_id), query=[(name, HUGE)], grants=[op["x-acl"]])
            assert resp.status_code < 500, f"GET {path}?{name}=HUGE: {resp.status_code} {resp.data[:300]!r}"
        huge_path = re.sub(r"\{\w+\}", HUGE, path)
        resp = send(client, "GET", huge_path, grants=[op["x-acl"]])
        assert resp.status_code < 500, f"GET {huge_path}: {resp.status_code} {resp.data[:300]!r}"


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"])
def test_json_body_is_utf8_with_an_optional_byte_order_mark(app, api, account_id, prefix):
    name = "Caf\u00e9 \u6771\u4eac \U0001f600"
    body = prefix + ('{"name": "' + name + '"}').encode("utf-8")
    resp = send(app.test_client(), "PATCH", f"/api/v1/accounts/{account_id}", body,
                "application/json; charset=utf-8", grants=["Channel_Amazon::accounts"])
    assert resp.status_code == 200, resp.get_json()
    assert api.get(f"/api/v1/accounts/{account_id}").get_json()["name"] == name
    latin = ('{"name": "' + name[:4] + '"}').encode("latin-1")
    refused = send(app.test_client(), "PATCH", f"/api/v1/accounts/{account_id}", latin, "application/json",
                   grants=["Channel_Amazon::accounts"])
    assert refused.status_code == 400 and "UTF-8" in refused.get_json()["error"]["message"]


def test_admin_fragments_answer_4xx_for_odd_queries(app, account_id):
    from bridge.views import VIEWS

    client = app.test_client()
    odd = [("page", HUGE), ("per_page", HUGE), ("account_id", HUGE), ("account_id", "x"), ("sort", "'; --"),
           ("tab", "\u0000"), ("status", HUGE), ("page", "-1"), ("days", HUGE), ("q", "%ff")]
    for view in VIEWS:
        for name, value in odd:
            resp = send(client, "GET", f"/fragments/{view}", query=[(name, value)], grants=sorted(
                {"Channel_Amazon::listings", "Channel_Amazon::accounts", "Channel_Amazon::orders",
                 "Channel_Amazon::logs", "Channel_Amazon::listings_actions"}))
            assert resp.status_code < 500, f"/fragments/{view}?{name}={value!r}: {resp.status_code}"


@pytest.mark.parametrize("name, value", [("X-Channel-Timestamp", "9" * 5000), ("X-Channel-Timestamp", "1e9"),
                                         ("X-Channel-Timestamp", "-" + HUGE), ("X-Channel-Signature", "v1,\u00ff" * 50),
                                         ("X-Channel-Id", "x" * 10000), ("X-Channel-Acl", "\u00e9,," * 100),
                                         ("X-Channel-User", "\u00e9" * 1000)])
def test_garbled_signature_headers_answer_401(app, name, value):
    headers = signed_headers(SECRET, "GET", "/api/v1/accounts", [], b"", grants=["Channel_Amazon::listings"])
    headers[name] = value
    resp = app.test_client().get("/api/v1/accounts", headers=headers)
    assert resp.status_code == 401 and resp.get_json()["error"]["code"]
