import json
from pathlib import Path

import pytest

from bridge.signing import (BadSignature, ExpiredSignature, MissingSignature, ReplayedRequest, sign, string_to_sign,
                            verify)

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "signing_vectors.json").read_text())
CASES = {c["name"]: c for c in VECTORS["cases"]}


def headers(c, **over):
    h = {"X-Channel-Id": c["id"], "X-Channel-Timestamp": c["timestamp"], "X-Channel-User": c["user"],
         "X-Channel-Acl": c["acl"], "X-Channel-Signature": c["signature"]}
    h.update(over)
    return h


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_vectors_reproduce_exactly(case):
    body = case["body"].encode()
    query = [tuple(p) for p in case["query"]]
    assert string_to_sign(case["id"], case["timestamp"], case["method"], case["path"], query, case["user"],
                          case["acl"], body) == case["string_to_sign"]
    assert sign(case["secret"], case["id"], case["timestamp"], case["method"], case["path"], query, case["user"],
                case["acl"], body) == case["signature"]
    caller = verify(case["secret"], headers(case), case["method"], case["path"], query, body,
                    now=int(case["timestamp"]) + 10)
    assert caller.user == case["user"] and caller.grants == frozenset(g for g in case["acl"].split(",") if g)


@pytest.mark.parametrize("neg", VECTORS["negative"], ids=lambda n: n["name"])
def test_tampered_requests_are_refused(neg):
    c = CASES[neg["base"]]
    body = neg.get("body", c["body"]).encode()
    query = [tuple(p) for p in neg.get("query", c["query"])]
    h = headers(c, **({"X-Channel-Acl": neg["acl"]} if "acl" in neg else {}))
    with pytest.raises(BadSignature):
        verify(c["secret"], h, c["method"], c["path"], query, body, now=int(c["timestamp"]))


def test_missing_expired_and_replayed():
    c = CASES["post json"]
    body, now = c["body"].encode(), int(c["timestamp"])
    with pytest.raises(MissingSignature):
        verify(c["secret"], {}, "POST", c["path"], [], body, now=now)
    with pytest.raises(ExpiredSignature):
        verify(c["secret"], headers(c), "POST", c["path"], [], body, now=now + 301)
    used = set()

    def seen(request_id):
        was = request_id in used
        used.add(request_id)
        return was
    verify(c["secret"], headers(c), "POST", c["path"], [], body, now=now, seen=seen)
    with pytest.raises(ReplayedRequest):
        verify(c["secret"], headers(c), "POST", c["path"], [], body, now=now, seen=seen)


def test_wrong_secret_is_refused():
    c = CASES["get with query"]
    with pytest.raises(BadSignature):
        verify("another secret", headers(c), c["method"], c["path"], [tuple(p) for p in c["query"]], b"",
               now=int(c["timestamp"]))
