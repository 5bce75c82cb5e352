"""Every door validates with the same code the sync and the preview use."""

import pytest
from sqlalchemy import text

BAD_RULE = {"type": "combine", "aggregator": "all", "conditions": [
    {"type": "attribute", "attribute": "color", "operator": "==", "value": "Red"},
    {"type": "combine", "aggregator": "any", "conditions": [
        {"type": "attribute", "attribute": "colour_typo", "operator": "==", "value": "Red"}]}]}


def test_a_rule_naming_an_unknown_attribute_is_refused_with_its_node_path(api, account_id):
    for path in (f"/api/v1/accounts/{account_id}/rule", f"/api/v1/accounts/{account_id}/rule/validate"):
        resp = api.put(path, json=BAD_RULE) if path.endswith("rule") else api.post(path, json=BAD_RULE)
        error = resp.get_json()["error"]
        assert resp.status_code == 422
        assert error["details"]["path"] == "conditions[1].conditions[0].attribute"
        assert "colour_typo" in error["message"]
    assert "colour_typo" not in str(api.get(f"/api/v1/accounts/{account_id}/rule").get_json())  # nothing saved


def test_an_ordering_operator_on_a_text_attribute_is_refused(api, account_id):
    rule = {"type": "combine", "conditions": [{"type": "attribute", "attribute": "name", "operator": ">",
                                               "value": "5"}]}
    resp = api.put(f"/api/v1/accounts/{account_id}/rule", json=rule)
    assert resp.status_code == 422 and resp.get_json()["error"]["details"]["path"] == "conditions[0].operator"


@pytest.mark.parametrize("orders, path, words", [
    ({"store_id": 999}, "orders.store_id", "no store view 999"),
    ({"status": "no_such_status"}, "orders.status", "does not exist"),
    ({"status": "custom_unassigned"}, "orders.status", "not assigned"),
    ({"status": "complete"}, "orders.status", "new or processing"),
])
def test_order_settings_are_checked_against_magento(api, account_id, orders, path, words):
    resp = api.put(f"/api/v1/accounts/{account_id}/settings", json={"orders": orders})
    error = resp.get_json()["error"]
    assert resp.status_code == 422 and error["details"]["path"] == path and words in error["message"]
    saved = api.get(f"/api/v1/accounts/{account_id}/settings").get_json()
    assert (saved.get("orders") or {}).get("status") != orders.get("status", "x")


def test_a_disabled_store_view_is_refused_and_good_settings_save(api, account_id, channel_db):
    p = channel_db.prefix
    with channel_db.engine.begin() as conn:
        store_id = conn.execute(text(f"SELECT store_id FROM `{p}store` WHERE website_id = 1 LIMIT 1")).scalar()
        conn.execute(text(f"UPDATE `{p}store` SET is_active = 0 WHERE store_id = :s"), {"s": store_id})
    resp = api.put(f"/api/v1/accounts/{account_id}/settings", json={"orders": {"store_id": store_id}})
    assert resp.status_code == 422 and "disabled" in resp.get_json()["error"]["message"]
    with channel_db.engine.begin() as conn:
        conn.execute(text(f"UPDATE `{p}store` SET is_active = 1 WHERE store_id = :s"), {"s": store_id})
    ok = api.put(f"/api/v1/accounts/{account_id}/settings",
                 json={"orders": {"store_id": store_id, "status": "processing"}})
    assert ok.status_code == 200 and ok.get_json()["orders"]["status"] == "processing"


@pytest.mark.parametrize("settings, path", [
    ({"price": {"vat_percent": 250}}, "price.vat_percent"),
    ({"handling_time": 90}, "handling_time"),
    ({"report_hold_threshold": 101}, "report_hold_threshold"),
    ({"stock": {"out_of_stock_threshold": -1}}, "stock.out_of_stock_threshold"),
])
def test_numeric_settings_have_ranges(api, account_id, settings, path):
    resp = api.put(f"/api/v1/accounts/{account_id}/settings", json=settings)
    assert resp.status_code == 422 and resp.get_json()["error"]["details"]["path"] == path
