"""The settings being edited, applied to a sample product by the product page's traces."""

from decimal import Decimal


def _preview(api, account_id, **data):
    return api.post(f"/api/v1/accounts/{account_id}/settings/preview", json=data, grants=["Channel_Amazon::accounts"])


def test_the_preview_is_the_product_pages_trace_with_the_draft_settings(api, listed, account_id):
    first = _preview(api, account_id)
    assert first.status_code == 200, first.get_data(as_text=True)
    out = first.get_json()
    assert out["samples"] and out["product"]["sku"] == out["samples"][0]["sku"]
    product_id = out["product"]["product_id"]
    page = api.get(f"/api/v1/accounts/{account_id}/products/{product_id}").get_json()
    assert page["trace"]["price"] == out["price"] and page["trace"]["quantity"] == out["quantity"]
    base = Decimal(out["price"]["amount"])
    draft = {"price": {"adjustment_type": "percent", "adjustment": "10"}}
    changed = _preview(api, account_id, settings=draft, sku=out["product"]["sku"]).get_json()
    assert [s["code"] for s in changed["price"]["steps"]] == [s["code"] for s in out["price"]["steps"]]
    adjustment = next(s for s in changed["price"]["steps"] if s["code"] == "adjustment")
    assert adjustment["applied"] and "+10%" in adjustment["note"]
    assert Decimal(changed["price"]["amount"]) > base
    # Nothing was stored; once saved, the product page shows exactly what the preview did.
    assert api.get(f"/api/v1/accounts/{account_id}/products/{product_id}").get_json()["trace"]["price"] == out["price"]
    assert api.put(f"/api/v1/accounts/{account_id}/settings", json=draft).status_code == 200
    saved = api.get(f"/api/v1/accounts/{account_id}/products/{product_id}").get_json()
    assert saved["trace"]["price"] == changed["price"]


def test_a_typed_sku_and_the_stock_settings(api, listed, account_id):
    out = _preview(api, account_id).get_json()
    sku = out["samples"][-1]["sku"]
    capped = _preview(api, account_id, sku=sku.lower(), settings={"stock": {"max_quantity": 1}}).get_json()
    assert capped["product"]["sku"] == sku  # Magento compares SKUs without case
    assert capped["quantity"]["amount"] <= 1
    assert any(s["code"] for s in capped["quantity"]["steps"])


def test_bad_input_is_a_clear_400(api, listed, account_id):
    for data, param in (({"sku": "NO-SUCH-SKU-123"}, "sku"), ({"sku": ""}, "sku"), ({"sku": 5}, "sku"),
                        ({"settings": []}, "settings"),
                        ({"settings": {"price": {"attribute": "no_such_attribute_xyz"}}}, "settings")):
        resp = _preview(api, account_id, **data)
        assert resp.status_code == 400, (data, resp.status_code, resp.get_data(as_text=True)[:300])
        assert resp.get_json()["error"]["message"] and resp.get_json()["error"]["details"].get("parameter") == param, data
    bad = _preview(api, account_id, settings={"price": {"adjustment_type": "percent", "adjustment": "abc"}})
    assert 400 <= bad.status_code < 500 and bad.get_json()["error"]["message"]


def test_a_role_without_the_accounts_grant_is_refused(api, listed, account_id):
    resp = api.post(f"/api/v1/accounts/{account_id}/settings/preview", json={}, grants=["Channel_Amazon::listings"])
    assert resp.status_code == 403
