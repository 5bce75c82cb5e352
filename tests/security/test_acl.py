"""Least privilege on every endpoint: each operation of the OpenAPI document, signed with
each single ACL grant, passes with exactly the grant it documents (``x-acl``) and is
refused (403) with any other; the module's map (``Model/ApiAcl.php``) and ACL file
(``etc/acl.xml``) agree with the document."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from bridge.auth import ALL_GRANTS, RESOURCES

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "bridge" / "openapi.yaml").read_text())
METHODS = ("get", "post", "put", "patch", "delete")
DECLARED = {el.get("id") for el in ET.parse(ROOT / "magento_module" / "etc" / "acl.xml").iter("resource")
            if el.get("id", "").startswith("Channel_Amazon::")}
#: Single grants tried on every operation: each resource of the module, its parent and
#: names that are not declared anywhere (a wildcard must not exist).
TRIED = sorted(DECLARED | {"Channel_Amazon::amazon_all", "Magento_Backend::admin", "Channel_Amazon::*"})


def operations():
    for path, item in SPEC["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is not None and op.get("security", SPEC.get("security")):
                yield method.upper(), path, op


def test_every_signed_operation_names_one_declared_acl_resource():
    for method, path, op in operations():
        acl = op.get("x-acl")
        assert acl == "signed" or acl in DECLARED, f"{method} {path}: x-acl {acl!r} is not in etc/acl.xml"
        if acl != "signed":
            assert f"`{acl}`" in op.get("description", ""), f"{method} {path}: description names another resource"
    assert set(RESOURCES.values()) <= DECLARED
    assert ALL_GRANTS <= DECLARED


def test_every_api_route_of_the_bridge_is_in_the_document(app):
    documented = {(m, re.sub(r"\{(\w+)\}", r"<\1>", p)) for m, p, _ in operations()}
    documented |= {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/health")}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
            routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed - documented == set(), "routes without an OpenAPI operation (and so without a tested ACL)"


def _apiacl_rules() -> list[tuple[str, str, str]]:
    php = (ROOT / "magento_module" / "Model" / "ApiAcl.php").read_text()
    consts = dict(re.findall(r"public const (\w+) = '([^']+)';", php))
    rules = re.findall(r"\['([A-Z*]+)', '#(.+?)#', self::(\w+)\]", php)
    return [(verb, pattern.replace("\\\\", "\\"), consts[name]) for verb, pattern, name in rules]


def _php_resource_for(method: str, path: str) -> str:
    for verb, pattern, resource in _apiacl_rules():
        if verb in ("*", method) and re.search(pattern, path):
            return resource
    return "Channel_Amazon::accounts"


def _example(path: str) -> str:
    return path.replace("{account_id}", "7").replace("{listing_id}", "3").replace("{order_id}", "5") \
        .replace("{job_id}", "abc").replace("{product_id}", "9")


def test_module_acl_map_agrees_with_the_document():
    for method, path, op in operations():
        if op["x-acl"] != "signed":
            assert _php_resource_for(method, _example(path)) == op["x-acl"], f"{method} {path}"


def _fill(path: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def test_each_operation_passes_with_exactly_its_documented_grant(api, account_id):
    ids = {"account_id": account_id, "listing_id": 1, "order_id": 1, "job_id": "none"}
    checked = 0
    # Destructive operations last, so the account is there for the others.
    ordered = sorted(operations(), key=lambda o: o[0] == "DELETE")
    for method, path, op in ordered:
        url = _fill(path, ids)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        for grant in TRIED:
            resp = api.open(method, url, json=body, grants=[grant])
            allowed = op["x-acl"] == "signed" or grant == op["x-acl"]
            if allowed:
                assert resp.status_code not in (401, 403), f"{method} {path} refused with {grant}: {resp.data!r}"
            else:
                assert resp.status_code == 403, f"{method} {path} answered {resp.status_code} with {grant}"
                assert resp.get_json()["error"]["code"] == "forbidden"
            checked += 1
        if op["x-acl"] != "signed":
            nothing = api.open(method, url, json=body, grants=[])
            assert nothing.status_code == 403, f"{method} {path} without any grant"
    assert checked >= 35 * len(TRIED)


def test_orders_only_grant_cannot_mark_an_order_created(api, account_id):
    for action in ("magento-result", "claim", "retry"):
        resp = api.post(f"/api/v1/orders/1/{action}", json={"ok": True, "increment_id": "1"},
                        grants=["Channel_Amazon::orders"])
        assert resp.status_code == 403
        assert resp.get_json()["error"]["details"]["resource"] == "Channel_Amazon::orders_actions"


@pytest.mark.parametrize("grant", ["Channel_Amazon::amazon_all", "Channel_Amazon::amazon"])
def test_no_grant_is_a_wildcard(api, account_id, grant):
    assert api.delete(f"/api/v1/accounts/{account_id}", grants=[grant]).status_code == 403
    assert api.get(f"/api/v1/accounts/{account_id}", grants=[grant]).status_code == 403


def test_orders_page_offers_retry_only_with_the_orders_actions_grant(api, channel_db, account_id):
    from sqlalchemy import text

    with channel_db.engine.begin() as conn:
        conn.execute(text("INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date,"
                          " last_update_date, magento_status) VALUES (:a, '111-1', 'UNSHIPPED', NOW(), NOW(),"
                          " 'failed')"), {"a": account_id})
    viewer = api.get("/fragments/orders", grants=["Channel_Amazon::orders"]).get_data(as_text=True)
    actor = api.get("/fragments/orders", grants=["Channel_Amazon::orders", "Channel_Amazon::orders_actions"])
    assert "/retry" not in viewer and "/retry" in actor.get_data(as_text=True)
