"""``python -m bench security``: the security checks, run live, written to bench/security.json.

One private MariaDB and Redis (``bench.scenarios.Stack``), a sample catalog, a sandbox
marketplace, and the bridge served over HTTP on loopback twice: as the Magento module
reaches it (signed requests) and standalone (a session cookie). Each check counts the
cases it tried and those that failed:

- ``grant_matrix``: every operation of the OpenAPI document with each single grant (the
  module's ACL resources and names that are declared nowhere) and with none;
- ``fuzz``: schemathesis-generated requests to every operation, signed with each single
  grant in turn: no 5xx, every answer as documented;
- ``pii_at_rest_and_retention``: orders imported from the sandbox leave no buyer name,
  e-mail or address in clear in the raw table; past the retention they are gone, before
  it they are kept, and the communication log says how many;
- ``secrets_and_kdf``: weak bridge secrets and passphrases refused with how to make one,
  strong ones taken, a passphrase salted through scrypt, no secret in API answers,
  tables or Redis, and a key rotation after which nothing opens with the old key;
- ``xss_planting``: payloads planted in product names, issue texts, the listing rule,
  account names, alerts, order addresses and buyer names, item titles and log messages,
  every admin page opened in headless Chromium: nothing runs;
- ``csv``: cells a spreadsheet would evaluate are exported as text;
- ``csrf_and_headers``: cross-site, other-origin, non-JSON and origin-less writes of a
  standalone session refused with and without its CSRF token; same-origin JSON writes with
  a missing, empty, wrong, altered or another session's token refused; a same-origin one
  with the token taken; every answer with its security
  headers; links from module headers only http(s) or paths.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, text

ROOT = Path(__file__).resolve().parents[1]
RESULT = Path(__file__).resolve().parent / "security.json"
SEED_ORDERS = 12
FUZZ_EXAMPLES = 6  # per operation and single grant
PAYLOADS = (
    "<img src=x onerror=window.__xss=1>",
    '"><script>window.__xss=1</script>',
    "javascript:window.__xss=1",
    "'><svg onload=window.__xss=1><img src=x onerror=alert(1)>",
    '</textarea></title><iframe src="javascript:window.__xss=1"></iframe>',
    '{{7*7}}${window.__xss=1}<a href="javascript:window.__xss=1">x</a>',
)


class Check:
    """Counts one check's cases; a failed case is printed with what was seen."""

    def __init__(self, name: str):
        self.name, self.tried, self.failed = name, 0, 0

    def case(self, ok: bool, what: str) -> bool:
        self.tried += 1
        if not ok:
            self.failed += 1
            print(f"  FAILED {self.name}: {what}", flush=True)
        return ok

    def result(self) -> dict:
        return {"name": self.name, "cases_tried": self.tried, "cases_failed": self.failed}


class Live:
    """A WSGI app served over HTTP on loopback."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()


def _operations():
    import yaml

    spec = yaml.safe_load((ROOT / "bridge" / "openapi.yaml").read_text())
    for path, item in spec["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            op = item.get(method)
            if op is not None and op.get("security", spec.get("security")):
                yield method.upper(), path, op


def _signed(secret: str, method: str, base: str, path: str, grants, body: bytes = b"", query=()):
    import requests

    from bridge.signing import signed_headers

    headers = signed_headers(secret, method, path, list(query), body, grants=list(grants))
    if body:
        headers["Content-Type"] = "application/json"
    return requests.request(method, base + path, params=list(query), data=body or None, headers=headers, timeout=60)


def grant_matrix(live: Live, secret: str, account_id: int) -> dict:
    check = Check("grant_matrix")
    declared = {el.get("id", "") for el in ET.parse(ROOT / "magento_module" / "etc" / "acl.xml").iter("resource")
                if el.get("id", "").startswith("Channel_Amazon::")}
    tried = sorted(declared | {"Channel_Amazon::amazon_all", "Magento_Backend::admin", "Channel_Amazon::*"})
    ids = {"account_id": account_id, "listing_id": 1, "order_id": 1, "job_id": "none"}
    for method, path, op in sorted(_operations(), key=lambda o: o[0] == "DELETE"):
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
        body = b"{}" if method in ("POST", "PUT", "PATCH") else b""
        for grant in [*tried, None]:
            resp = _signed(secret, method, live.base, url, [grant] if grant else [], body)
            allowed = op["x-acl"] == "signed" or grant == op["x-acl"]
            ok = resp.status_code < 500 and ((resp.status_code not in (401, 403)) if allowed
                                             else resp.status_code == 403)
            check.case(ok, f"{method} {path} with {grant}: {resp.status_code}")
    return check.result()


def fuzz(app, secret: str) -> dict:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
    from schemathesis.core.result import Err

    from bridge.auth import ALL_GRANTS
    from bridge.signing import signed_headers

    check = Check("fuzz")
    current: dict[str, str | None] = {"grant": None}

    def signer(environ, start_response):
        from urllib.parse import parse_qsl

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        headers = signed_headers(secret, environ["REQUEST_METHOD"], environ["PATH_INFO"], query, body,
                                 grants=[current["grant"]] if current["grant"] else [], timestamp=int(time.time()))
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        return app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", signer)
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            check.case(False, f"an operation of the document cannot be loaded: {result.err()}")
            continue
        operation = result.ok()
        for grant in sorted(ALL_GRANTS):
            current["grant"] = grant
            _fuzz_operation(operation, grant, check, given, settings, HealthCheck,
                            [not_a_server_error, status_code_conformance, response_schema_conformance])
    return check.result()


def _fuzz_operation(operation, grant: str, check: Check, given, settings, health, checks) -> None:
    @given(operation.as_strategy())
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, suppress_health_check=list(health))
    def run(case):
        try:
            case.call_and_validate(checks=checks)
            ok, what = True, ""
        except Exception as exc:  # noqa: BLE001 - a failed generated case is counted, not raised
            ok, what = False, f"{case.method} {case.path} with {grant}: {str(exc)[:300]}"
        check.case(ok, what)

    run()


def pii_at_rest_and_retention(stack, sandbox, settings, account_id: int) -> dict:
    from channel import pii
    from channel.crypto import Vault
    from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer
    from worker.sync.pii import protect_buyer_data

    from bench.scenarios import SELLER

    check = Check("pii_at_rest_and_retention")
    clear = ("Jane Buyer", "buyer@marketplace.amazon.com", "1 Main Street")
    for i in range(SEED_ORDERS):
        sandbox.admin("POST", f"/sellers/{SELLER}/orders",
                      json={"items": [{"sku": f"MG-{i + 1:07d}", "quantity": 1, "price": "19.99"}]})
    OrdersSynchronizer(stack.engine, stack.redis_client, settings, account_id,
                       OrdersOptions(rate_scale=200, client_kwargs={"backoff_base": 0.01, "backoff_cap": 0.05})).run()
    with stack.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(text("SELECT * FROM channel_amazon_order")).mappings()]
    check.case(len(rows) >= SEED_ORDERS, f"{len(rows)} orders imported of {SEED_ORDERS}")
    vault = Vault(str(settings.encryption_key))
    for row in rows:
        dump = repr(row)
        for value in clear:
            check.case(value not in dump, f"order {row['amazon_order_id']}: {value!r} in clear")
        check.case(pii.open_value(vault, row["buyer_name"]) == clear[0], f"order {row['amazon_order_id']} unreadable")
    now = datetime.utcnow()
    old = [r["order_id"] for r in rows[: len(rows) // 2]]
    with stack.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_order SET amazon_status = 'SHIPPED', closed_at = :c"
                          " WHERE order_id IN :ids").bindparams(bindparam("ids", expanding=True)),
                     {"c": now - timedelta(days=31), "ids": old})
        done = protect_buyer_data(conn, vault, now)
    check.case(done["purged"] == len(old), f"purged {done['purged']} of {len(old)}")
    with stack.engine.connect() as conn:
        after = {r["order_id"]: r for r in conn.execute(text(
            "SELECT order_id, buyer_name, buyer_email, shipping_address, buyer_data_purged_at"
            " FROM channel_amazon_order")).mappings()}
        logged = conn.execute(text("SELECT message FROM channel_amazon_log WHERE operation = 'buyer_data_retention'"
                                   " AND account_id = :a"), {"a": account_id}).scalars().all()
    for order_id, row in after.items():
        gone = row["buyer_name"] is None and row["buyer_email"] is None and row["shipping_address"] is None
        check.case(gone == (order_id in old), f"order {order_id}: buyer data {'kept' if not gone else 'gone'}")
    check.case(len(logged) == 1 and f"{len(old)} order(s)" in logged[0]
               and not any(v in logged[0] for v in clear), f"log: {logged}")
    return check.result()


def secrets_and_kdf(stack, live: Live, secret: str, settings, account_id: int) -> dict:
    import base64
    import secrets as random_secrets

    import redis as redis_lib

    from channel import crypto
    from channel.crypto import Vault, new_key
    from channel.errors import ConfigurationError
    from channel.key_rotation import rotate
    from channel.settings import Settings

    from bench.scenarios import CREDS

    check = Check("secrets_and_kdf")
    url = settings.database_url
    weak = ["a", "secret", "changeme-changeme", "a" * 64, "abc" * 20, "0123456789" * 3, "P@ssw0rd!" * 3]
    for value in weak:
        for field in ("bridge_secret", "encryption_key"):
            weak_setting: dict[str, Any] = {field: value}
            try:
                Settings(database_url=url, **weak_setting)
                ok, what = False, "accepted"
            except ConfigurationError as exc:
                ok, what = ("python -c" in exc.message), exc.message
            check.case(ok, f"{field}={value!r}: {what}")
    for value in (random_secrets.token_urlsafe(32), random_secrets.token_hex(32)):
        check.case(Settings(database_url=url, bridge_secret=value) is not None, "strong bridge secret")
    check.case(Settings(database_url=url, encryption_key=new_key()) is not None, "Fernet key")
    passphrase = "-".join(random_secrets.token_urlsafe(6) for _ in range(6))
    sealed = Vault(passphrase).encrypt("amzn1.oa2-cs.v1.SECRET")
    prefix, salt, _ = sealed.split(":", 2)
    check.case(prefix == crypto.SCRYPT_PREFIX and len(base64.urlsafe_b64decode(salt)) == 16, "scrypt with a salt")
    crypto._write_salt.cache_clear()
    again = Vault(passphrase).encrypt("amzn1.oa2-cs.v1.SECRET")
    check.case(again.split(":")[1] != salt, "a new process draws a new salt")
    check.case(Vault(passphrase).decrypt(sealed) == Vault(passphrase).decrypt(again), "both salts open")
    crypto._derived.cache_clear()
    started = time.perf_counter()
    crypto._derived(passphrase, b"0123456789abcdef")
    check.case(time.perf_counter() - started > 0.02, "scrypt is slow by design (>20 ms a derivation)")
    try:
        Vault(new_key()).decrypt(Vault(new_key()).encrypt("x"))
        check.case(False, "a foreign key opened a value")
    except Exception as exc:  # noqa: BLE001
        check.case(type(exc).__name__ == "InvalidInput", f"foreign key: {type(exc).__name__}")
    # What the API, the tables and Redis hold.
    answers = [_signed(secret, "GET", live.base, p, ["Channel_Amazon::accounts"]).text
               for p in ("/api/v1/accounts", f"/api/v1/accounts/{account_id}")]
    for value in (CREDS["client_secret"], CREDS["refresh_token"], secret, str(settings.encryption_key)):
        check.case(not any(value in a for a in answers), f"{value[:6]}... in an API answer")
    with stack.engine.connect() as conn:
        table = repr(conn.execute(text("SELECT * FROM channel_amazon_account")).all())
    for value in (CREDS["client_secret"], CREDS["refresh_token"]):
        check.case(value not in table, f"{value[:6]}... in clear in the account table")
    tokens = [stack.redis_client.get(k).decode() for k in stack.redis_client.keys("channel:lwa:*")]
    check.case(bool(tokens), "an LWA token is cached")
    for token in tokens:
        check.case(not token.startswith("Atza|") and Vault(str(settings.encryption_key)).decrypt(token)
                   .startswith("Atza|"), "LWA token sealed in Redis")
    # Key rotation: everything moves to the new key; nothing opens with the old one alone.
    old, new = str(settings.encryption_key), new_key()
    result = rotate(stack.engine, redis_lib.Redis.from_url(stack.redis.url), Vault(f"{new},{old}"))
    check.case(not result.unreadable and sum(result.rotated.values()) > 0, f"rotation: {result.summary()}")
    stored = list(tokens and [stack.redis_client.get(k).decode() for k in stack.redis_client.keys("channel:lwa:*")])
    with stack.engine.connect() as conn:
        for row in conn.execute(text("SELECT lwa_client_secret_enc, refresh_token_enc FROM channel_amazon_account")):
            stored += list(row)
        for row in conn.execute(text("SELECT buyer_name, buyer_email, shipping_address FROM channel_amazon_order")):
            stored += [v for v in row if v]
    for value in stored:
        opens_new = _opens(Vault(new), value)
        check.case(opens_new and not _opens(Vault(old), value), "a value after rotation")
    return check.result()


def _opens(vault, value: str) -> bool:
    try:
        vault.decrypt(value)
        return True
    except Exception:  # noqa: BLE001
        return False


def _mark(i: int) -> str:
    return f"XSS-{i} {PAYLOADS[i % len(PAYLOADS)]}"


def _plant(stack, account_id: int, vault) -> int:
    from channel import pii
    from channel.models.log import write_log

    rule = {"type": "combine", "aggregator": "all", "conditions": [
        {"type": "attribute", "attribute": "name", "operator": "==", "value": _mark(0)},
        {"type": "attribute", "attribute": "sku", "operator": "!=", "value": _mark(1)}]}
    issues = [{"code": "90220", "message": _mark(i), "severity": "ERROR", "attributeNames": [_mark(i + 1)]}
              for i in range(2)]
    with stack.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET name = :n, listing_rule = :r, last_sync_message = :m,"
                          " orders_message = :m, credential_message = :m WHERE account_id = :a"),
                     {"n": _mark(2), "r": json.dumps(rule), "m": _mark(3), "a": account_id})
        conn.execute(text("UPDATE channel_amazon_listing SET product_name = CONCAT(:n, ' ', seller_sku),"
                          " reason_detail = :d, issue_text = :d, amazon_issues = :j WHERE account_id = :a"),
                     {"n": _mark(4), "d": _mark(5), "j": json.dumps(issues), "a": account_id})
        conn.execute(text("INSERT INTO channel_amazon_alert (account_id, code, severity, message, action, details,"
                          " started_at, updated_at) VALUES (:a, 'rule_invalid', 'error', :m, :x, :d, NOW(), NOW())"),
                     {"a": account_id, "m": _mark(6), "x": _mark(7), "d": json.dumps({"path": _mark(8)})})
        for i in range(3):
            write_log(conn, account_id=account_id, operation=f"op{i}", message=_mark(9 + i),
                      error_code=_mark(12 + i)[:64])
        address = {"name": _mark(15), "addressLine1": _mark(16), "city": _mark(18), "postalCode": "98101",
                   "countryCode": "US"}
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date,"
            " last_update_date, currency, order_total, buyer_name, buyer_email, shipping_address, magento_status,"
            " magento_failure_reason, magento_failure_message) VALUES (:a, '111-XSS', 'UNSHIPPED', NOW(), NOW(),"
            " 'USD', 19.99, :n, :e, :addr, 'failed', 'product_missing', :f)"),
            {"a": account_id, "n": pii.seal(vault, _mark(19)), "e": pii.seal(vault, _mark(20)),
             "addr": pii.seal_address(vault, address), "f": _mark(21)})
        order_id = conn.execute(text("SELECT order_id FROM channel_amazon_order WHERE amazon_order_id = '111-XSS'"
                                     )).scalar()
        conn.execute(text("INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku, asin,"
                          " title, qty_ordered, price) VALUES (:o, 'OI-XSS', 'MG-0000001', 'B000000001', :t, 1, 1)"),
                     {"o": order_id, "t": _mark(22)})
    return order_id


WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));"""
MADE_OF_DATA = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const v = a.value || '';
      if (a.name.startsWith('on') && v.includes('__xss')) found.push(el.tagName + ' ' + a.name);
      if (['href', 'src', 'action', 'formaction'].includes(a.name) && /^\\s*javascript:/i.test(v))
        found.push(el.tagName + ' ' + a.name);
    }
    if (el.tagName === 'SCRIPT' && !el.src && el.textContent.includes('__xss')) found.push('inline script');
  }
  return found;
}"""


def xss_planting(stack, standalone: Live, settings, account_id: int) -> dict:
    from playwright.sync_api import Dialog, sync_playwright

    from bridge.auth import standalone_url
    from channel.crypto import Vault
    from channel.tabs import VISIBLE_TABS

    check = Check("xss_planting")
    order_id = _plant(stack, account_id, Vault(str(settings.encryption_key)))
    base, a = standalone.base, account_id
    pages = (["/ui/overview", f"/ui/dashboard?account_id={a}", "/ui/accounts", f"/ui/onboarding?account_id={a}",
              f"/ui/orders?account_id={a}", f"/ui/order?order_id={order_id}", f"/ui/log?account_id={a}",
              f"/ui/history?account_id={a}", f"/ui/product?account_id={a}&product_id=1"] + [f"/ui/listings?account_id={a}&tab={t.value}" for t in VISIBLE_TABS])
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
    seen = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(WATCH)
        page = context.new_page()
        dialogs: list[str] = []
        def dismissed(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismissed)
        port = standalone.server.server_port
        page.goto(standalone_url(standalone.app, "127.0.0.1", port))
        for path in pages:
            resp = page.goto(base + path)
            page.wait_for_load_state("networkidle")
            html = page.content()
            seen |= {i for i in range(23) if f"XSS-{i} " in html}
            state = page.evaluate("() => ({xss: typeof window.__xss, csp: window.__csp.filter("
                                  "v => v.startsWith('script-src'))})")
            check.case(resp is not None and resp.status == 200, f"{path}: {resp and resp.status}")
            check.case(state["xss"] == "undefined", f"{path}: window.__xss set")
            check.case(not state["csp"], f"{path}: inline script blocked by the policy {state['csp']}")
            made = page.evaluate(MADE_OF_DATA)
            check.case(not made, f"{path}: markup made of data {made}")
            check.case(not dialogs, f"{path}: dialog {dialogs}")
        # The watch sees a sink when there is one.
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=window.__xss=1>')")
        page.wait_for_timeout(300)
        check.case(page.evaluate(MADE_OF_DATA) == ["IMG onerror"], "the watch catches markup written as HTML")
        context.close()
        browser.close()
    check.case({0, 2, 4, 6, 9, 16, 19, 22} <= seen, f"planted values shown (escaped): {sorted(seen)}")
    return check.result()


def csv_export(stack, live: Live, secret: str, account_id: int) -> dict:
    from bridge.export import FORMULA_START

    check = Check("csv")
    names = [f"{start}cmd|' /C calc'!A0 {i}" for i, start in enumerate(FORMULA_START)] + [
        "=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "Plain name",
        "Price = 5 EUR"]
    with stack.engine.begin() as conn:
        for i, name in enumerate(names):
            conn.execute(text("INSERT INTO channel_amazon_listing (account_id, seller_sku, magento_sku, product_name,"
                              " match_status, tab, reason) VALUES (:a, :s, :m, :n, 'matched', 'active',"
                              " 'listed_buyable')"),
                         {"a": account_id, "s": f"=CSV-{i:03d}", "m": f"+MG-{i}", "n": name})
    resp = _signed(secret, "GET", live.base, f"/api/v1/accounts/{account_id}/listings",
                   ["Channel_Amazon::listings"], query=[("tab", "active"), ("format", "csv"), ("sku", "CSV-")])
    check.case(resp.status_code == 200 and resp.headers.get("Content-Type", "").startswith("text/csv"),
               f"export answered {resp.status_code}")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    check.case(len(body) == len(names), f"{len(body)} rows exported of {len(names)}")
    for row in body:
        for column, cell in zip(header, row):
            dangerous = cell[:1] in FORMULA_START
            check.case(not dangerous, f"{column} cell {cell!r} would be evaluated")
    exported = {r[header.index("name")].lstrip("'") for r in body}
    check.case(exported == set(names), "the names are kept behind the quote")
    return check.result()


def csrf_and_headers(live: Live, standalone: Live, secret: str, account_id: int) -> dict:
    import requests

    from bridge import create_app
    from bridge.auth import standalone_url
    from bridge.security import safe_url

    check = Check("csrf_and_headers")
    here = standalone.base
    session = requests.Session()
    login = session.get(standalone_url(standalone.app, "127.0.0.1", standalone.server.server_port), timeout=30)
    check.case(login.status_code == 200, f"standalone login answered {login.status_code}")  # one-time token
    pause = f"{here}/api/v1/accounts/{account_id}/pause"
    refused = [({"Content-Type": "text/plain", "Origin": "http://evil.example"}, b"{}"),
               ({"Content-Type": "text/plain", "Origin": here}, b"{}"),
               ({"Content-Type": "application/x-www-form-urlencoded", "Origin": here}, b"a=1"),
               ({"Content-Type": "multipart/form-data; boundary=x", "Origin": here}, b"--x--"),
               ({"Content-Type": "application/json", "Origin": "http://localhost:1"}, b"{}"),
               ({"Content-Type": "application/json", "Origin": "null"}, b"{}"),
               ({"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, b"{}"),
               ({"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}, b"{}"),
               ({"Content-Type": "application/json"}, b"{}")]
    page = session.get(f"{here}/ui/overview", timeout=30).text
    found = re.search(r'<meta name="channel-csrf" content="([^"]+)"', page)
    check.case(found is not None, "the standalone page carries the session's CSRF token")
    token = found.group(1) if found else ""
    # Each refused shape without a token and with the session's own: the origin and type
    # checks hold on their own.
    for headers, body in refused:
        for extra in ({}, {"X-CSRF-Token": token}):
            resp = session.post(pause, data=body, headers={**headers, **extra}, timeout=30)
            check.case(resp.status_code in (403, 415), f"POST pause with {headers} {list(extra)}: {resp.status_code}")
    # Same-origin JSON writes with a missing, empty, wrong, altered or another session's token.
    other = Live(create_app(standalone.app.extensions["channel_settings"]))
    other_session = requests.Session()
    other_session.get(standalone_url(other.app, "127.0.0.1", other.server.server_port), timeout=30)
    other_found = re.search(r'<meta name="channel-csrf" content="([^"]+)"',
                            other_session.get(f"{other.base}/ui/overview", timeout=30).text)
    other.stop()
    foreign = other_found.group(1) if other_found else "none"
    check.case(foreign != token, "two sessions have different tokens")
    wrong_tokens = [None, "", "null", "x", token[:-1], token + "x", token.swapcase(), token[::-1], "0" * len(token),
                    foreign]
    for wrong in wrong_tokens:
        headers = {"Content-Type": "application/json", "Origin": here}
        if wrong is not None:
            headers["X-CSRF-Token"] = wrong
        resp = session.post(pause, data=b"{}", headers=headers, timeout=30)
        message = resp.json().get("error", {}).get("message", "") if resp.status_code == 403 else ""
        check.case(resp.status_code == 403 and "CSRF" in message,
                   f"POST pause with token {wrong!r:.20}: {resp.status_code}")
    other_host = requests.get(f"http://localhost:{standalone.server.server_port}/ui/overview",
                              cookies=session.cookies.get_dict(), timeout=30)
    check.case(other_host.status_code == 403, f"the session from another address: {other_host.status_code}")
    status = session.get(f"{here}/api/v1/accounts/{account_id}", timeout=30).json().get("status")
    check.case(status != "paused", "no refused write paused the account")
    ok = session.post(pause, data=b"{}", headers={"Content-Type": "application/json", "Origin": here,
                                                  "X-CSRF-Token": token}, timeout=30)
    check.case(ok.status_code == 200, f"same-origin JSON pause with the token answered {ok.status_code}")
    session.post(f"{here}/api/v1/accounts/{account_id}/resume", data=b"{}",
                 headers={"Content-Type": "application/json", "Origin": here, "X-CSRF-Token": token}, timeout=30)
    answers = [session.get(here + p, timeout=30) for p in ("/ui/overview", "/ui/listings", "/ui/log",
                                                           "/static/channel.js", "/api/v1/health", "/nowhere")]
    answers += [requests.get(live.base + p, timeout=30) for p in ("/", "/api/v1/openapi.json", "/api/v1/accounts")]
    answers.append(_signed(secret, "GET", live.base, "/api/v1/accounts", ["Channel_Amazon::accounts"]))
    for resp in answers:
        policy = resp.headers.get("Content-Security-Policy", "")
        found = re.search(r"script-src ([^;]*)", policy)
        script = found.group(1) if found else None
        check.case(script is not None and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script,
                   f"{resp.url}: script-src {script!r}")
        check.case("frame-ancestors" in policy, f"{resp.url}: no frame-ancestors")
        check.case(resp.headers.get("X-Content-Type-Options") == "nosniff", f"{resp.url}: nosniff")
        check.case(bool(resp.headers.get("Referrer-Policy")), f"{resp.url}: no referrer policy")
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x",
                "//evil.example/x", "vbscript:x", "https://shop.example/\r\nSet-Cookie: x", "file:///etc/passwd"):
        check.case(safe_url(bad) is None, f"link {bad!r} accepted")
    for good in ("https://shop.example/admin/amazon", "http://127.0.0.1:8080/x", "/admin/channel/amazon"):
        check.case(safe_url(good) == good, f"link {good!r} refused")
    standalone.stop()
    return check.result()


def main() -> int:
    import redis as redis_lib

    from bench.scenarios import BENCH_SECRET, Stack, _seller
    from bridge import create_app
    from sandbox.testing import running_sandbox

    class SecurityStack(Stack):
        redis_client: redis_lib.Redis

    stack = SecurityStack()
    checks = []
    try:
        stack.catalog(120)
        stack.redis_client = redis_lib.Redis.from_url(stack.redis.url)
        listings = [{"sku": f"MG-{i:07d}", "asin": f"B0{i:08d}", "price": 9.0, "quantity": 5} for i in range(1, 31)]
        catalog = [{"asin": f"B0{i:08d}", "identifiers": {"UPC": f"{700000000000 + i:012d}"}} for i in range(1, 121)]
        with running_sandbox(_seller(listings=listings, catalog=catalog), time_scale=200) as sandbox:
            account_id, settings = stack.account(sandbox.url)
            settings = settings.replace(bridge_secret=BENCH_SECRET, lwa_endpoint=sandbox.lwa_url)
            from worker.sync.cycle import CycleOptions, Synchronizer

            Synchronizer(stack.engine, stack.redis_client, settings, account_id,
                         CycleOptions(poll=0.01, rate_scale=200, feed_wait=5, resubmit_after=0)).run()
            signed = Live(create_app(settings))
            standalone = Live(create_app(settings.replace(standalone=True)))
            steps = [("grant_matrix", lambda: grant_matrix(signed, BENCH_SECRET, account_id)),
                     ("fuzz", lambda: fuzz(signed.app, BENCH_SECRET)),
                     ("pii_at_rest_and_retention", lambda: pii_at_rest_and_retention(stack, sandbox, settings,
                                                                                     account_id)),
                     ("xss_planting", lambda: xss_planting(stack, standalone, settings, account_id)),
                     ("csv", lambda: csv_export(stack, signed, BENCH_SECRET, account_id)),
                     ("csrf_and_headers", lambda: csrf_and_headers(signed, Live(create_app(settings.replace(
                         standalone=True))), BENCH_SECRET, account_id)),
                     ("secrets_and_kdf", lambda: secrets_and_kdf(stack, signed, BENCH_SECRET, settings, account_id))]
            # The grant matrix and the fuzzing delete, pause and reconfigure accounts; each
            # check after them starts from an active account.
            for name, run in steps:
                print(f"security: {name} ...", flush=True)
                if name != "grant_matrix" and not _account_active(stack, account_id):
                    account_id = _fresh_account(stack, sandbox, settings)
                checks.append(run())
                print("   ", json.dumps(checks[-1]), flush=True)
            signed.stop()
            standalone.stop()
    finally:
        stack.stop()
    order = ["grant_matrix", "fuzz", "pii_at_rest_and_retention", "secrets_and_kdf", "xss_planting", "csv",
             "csrf_and_headers"]
    checks.sort(key=lambda c: order.index(c["name"]))
    RESULT.write_text(json.dumps({"checks": checks}, indent=2) + "\n")
    failed = sum(c["cases_failed"] for c in checks)
    print(f"{sum(c['cases_tried'] for c in checks)} cases in {len(checks)} checks, {failed} failed;"
          f" written to {RESULT}")
    return 1 if failed else 0


def _account_active(stack, account_id: int) -> bool:
    with stack.engine.connect() as conn:
        return conn.execute(text("SELECT status FROM channel_amazon_account WHERE account_id = :a"),
                            {"a": account_id}).scalar() == "active"


def _fresh_account(stack, sandbox, settings) -> int:
    """The seller's account active again (paused by a check), or a new one (deleted by one)."""
    from worker.sync.cycle import CycleOptions, Synchronizer

    with stack.engine.begin() as conn:
        existing = conn.execute(text("SELECT account_id FROM channel_amazon_account")).scalar()
        if existing is not None:
            conn.execute(text("UPDATE channel_amazon_account SET status = 'active', read_only = 0"
                              " WHERE account_id = :a"), {"a": existing})
            return int(existing)
    account_id, _ = stack.account(sandbox.url)
    Synchronizer(stack.engine, stack.redis_client, settings, account_id,
                 CycleOptions(poll=0.01, rate_scale=200, feed_wait=5, resubmit_after=0)).run()
    return account_id
