"""Planted payloads never run: script and markup written into product names, Amazon
issue texts, the listing rule, the account name, alerts, order addresses and buyer
names (read back through decryption), order item titles and communication log
messages, then every admin page opened in headless Chromium. Nothing sets
``window.__xss``, no dialog opens, the content security policy never has to block an
inline script, and no element, handler or ``javascript:`` link was made of the data."""

import json
from datetime import datetime

import pytest
from sqlalchemy import text

from channel import pii
from channel.crypto import Vault
from channel.models.log import write_log
from channel.tabs import VISIBLE_TABS
from worker import runtime

pytestmark = pytest.mark.browser

PAYLOADS = (
    "<img src=x onerror=window.__xss=1>",
    '"><script>window.__xss=1</script>',
    "javascript:window.__xss=1",
    "'><svg onload=window.__xss=1><img src=x onerror=alert(1)>",
    '</textarea></title><iframe src="javascript:window.__xss=1"></iframe>',
    "{{7*7}}${window.__xss=1}<a href=\"javascript:window.__xss=1\">x</a>",
)
#: Collects script-src violations of the page's content security policy, before any page script runs.
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));"""
#: What the page made of the data: handlers, inline scripts and javascript: URLs that mention the payload.
MADE_OF_DATA = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const v = a.value || '';
      if (a.name.startsWith('on') && v.includes('__xss')) found.push(el.tagName + ' ' + a.name);
      if (['href', 'src', 'action', 'formaction'].includes(a.name) && /^\\s*javascript:/i.test(v))
        found.push(el.tagName + ' ' + a.name + '=' + v);
    }
    if (el.tagName === 'SCRIPT' && !el.src && el.textContent.includes('__xss')) found.push('inline script');
  }
  return found;
}"""


def mark(i: int) -> str:
    return f"XSS-{i} {PAYLOADS[i % len(PAYLOADS)]}"


def plant(stack) -> int:
    """Write the payloads where merchant, Amazon and buyer data live; returns the order id."""
    engine, account_id = stack["db"].engine, stack["account_id"]
    vault = Vault(str(runtime.settings().encryption_key))  # the key the stack's bridge reads with
    rule = {"type": "combine", "aggregator": "all", "conditions": [
        {"type": "attribute", "attribute": "name", "operator": "==", "value": mark(0)},
        {"type": "attribute", "attribute": "sku", "operator": "!=", "value": mark(1)}]}
    issues = [{"code": "90220", "message": mark(i), "severity": "ERROR", "attributeNames": [mark(i + 1)]}
              for i in range(2)]
    with engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET name = :n, listing_rule = :r, last_sync_message = :m,"
                          " orders_message = :m, credential_message = :m WHERE account_id = :a"),
                     {"n": mark(2), "r": json.dumps(rule), "m": mark(3), "a": account_id})
        conn.execute(text("UPDATE channel_amazon_listing SET product_name = CONCAT(:n, ' ', seller_sku),"
                          " reason_detail = :d, issue_text = :d, amazon_issues = :j WHERE account_id = :a"),
                     {"n": mark(4), "d": mark(5), "j": json.dumps(issues), "a": account_id})
        conn.execute(text("INSERT INTO channel_amazon_alert (account_id, code, severity, message, action, details,"
                          " started_at, updated_at) VALUES (:a, 'rule_invalid', 'error', :m, :x, :d, NOW(), NOW())"),
                     {"a": account_id, "m": mark(6), "x": mark(7), "d": json.dumps({"path": mark(8)})})
        for i in range(3):
            write_log(conn, account_id=account_id, operation=f"op{i}", message=mark(9 + i), error_code=mark(12 + i)[:64],
                      request_id=mark(i)[:64])
        address = {"name": mark(15), "addressLine1": mark(16), "addressLine2": mark(17), "city": mark(18),
                   "postalCode": "98101", "countryCode": "US"}
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date,"
            " last_update_date, currency, order_total, buyer_name, buyer_email, shipping_address, magento_status,"
            " magento_failure_reason, magento_failure_message) VALUES (:a, '111-0000000-0000001', 'UNSHIPPED', :t, :t,"
            " 'USD', 19.99, :n, :e, :addr, 'failed', 'product_missing', :f)"),
            {"a": account_id, "t": datetime(2026, 11, 1), "n": pii.seal(vault, mark(19)),
             "e": pii.seal(vault, mark(20)), "addr": pii.seal_address(vault, address), "f": mark(21)})
        order_id = conn.execute(text("SELECT order_id FROM channel_amazon_order WHERE amazon_order_id ="
                                     " '111-0000000-0000001'")).scalar()
        conn.execute(text("INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku, asin,"
                          " title, qty_ordered, price) VALUES (:o, 'OI-1', :s, 'B000000001', :t, 1, 19.99)"),
                     {"o": order_id, "s": "MG-0000001", "t": mark(22)})
    return order_id


def pages(stack, order_id: int) -> list[str]:
    base, a = stack["url"].split("/ui/")[0], stack["account_id"]
    return ([f"{base}/ui/overview", f"{base}/ui/dashboard?account_id={a}", f"{base}/ui/accounts",
             f"{base}/ui/onboarding?account_id={a}", f"{base}/ui/orders?account_id={a}",
             f"{base}/ui/order?order_id={order_id}", f"{base}/ui/log?account_id={a}",
             f"{base}/ui/history?account_id={a}", f"{base}/ui/product?account_id={a}&product_id=1"]
            + [f"{base}/ui/listings?account_id={a}&tab={t.value}" for t in VISIBLE_TABS])


def test_planted_payloads_never_run_on_any_page(browser, stack):
    order_id = plant(stack)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    dialogs = []
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(stack["url"])  # the one-time login sets the session
    seen_marks, problems = set(), []
    try:
        for url in pages(stack, order_id):
            resp = page.goto(url)
            assert resp is not None and resp.status == 200, (url, resp and resp.status)
            page.wait_for_load_state("networkidle")
            for button in page.locator("details > summary").all()[:5]:  # folded details show their text too
                button.click()
            page.wait_for_timeout(150)
            html = page.content()
            seen_marks |= {i for i in range(23) if f"XSS-{i} " in html}
            state = page.evaluate("() => ({xss: typeof window.__xss, csp: window.__csp.filter("
                                  "v => v.startsWith('script-src'))})")
            made = page.evaluate(MADE_OF_DATA)
            if state["xss"] != "undefined" or state["csp"] or made:
                problems.append((url, state, made))
        # The watch sees a sink when there is one: markup written as HTML is caught.
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=window.__xss=1>')")
        page.wait_for_timeout(300)
        assert page.evaluate(MADE_OF_DATA) == ["IMG onerror"]
        assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))
    finally:
        context.close()
    assert problems == [] and dialogs == []
    # The payloads were on the pages (escaped), not lost on the way.
    assert {0, 2, 4, 6, 9, 19, 16, 22} <= seen_marks, sorted(seen_marks)
