"""The repricing API: the account's rule and its rules per group of products, read and set;
a client that sends ``rule`` alone keeps the groups; a refused setting is a 422 naming its
place; reading needs the view grant, setting the accounts grant."""

import pytest

RULE = {"strategy": "match_buybox", "beat_by": {"type": "amount", "value": "0.01"},
        "floor": {"type": "fixed", "value": "5"}}
GROUP = {"name": "Red things", "condition": {"type": "combine", "aggregator": "all", "value": True, "conditions": [
    {"type": "attribute", "attribute": "color", "operator": "==", "value": "Red"}]},
    "rule": {"strategy": "beat_lowest", "beat_by": {"type": "percent", "value": "2"}}}


def test_groups_are_set_read_and_kept_by_a_client_that_knows_only_the_rule(api, account_id):
    path = f"/api/v1/accounts/{account_id}/repricing"
    assert api.get(path).get_json() == {"account_id": account_id, "rule": None, "groups": [],
                                        "competition_source": "both", "last_run": None}
    resp = api.put(path, json={"rule": RULE, "groups": [GROUP], "competition_source": "item_offers"})
    assert resp.status_code == 200, resp.get_json()
    saved = resp.get_json()
    assert saved["rule"]["strategy"] == "match_buybox" and saved["groups"][0]["name"] == "Red things"
    assert saved["groups"][0]["condition"]["conditions"][0]["attribute"] == "color"
    assert saved["last_run"]["status"] is None and saved["last_run"]["failures"] == 0
    # A client of the first version sends the rule alone: the groups and the source stay.
    resp = api.put(path, json={"rule": {**RULE, "strategy": "beat_lowest"}})
    assert resp.get_json()["groups"] == saved["groups"] and resp.get_json()["competition_source"] == "item_offers"
    assert api.get(path).get_json()["rule"]["strategy"] == "beat_lowest"
    resp = api.put(path, json={"groups": []})  # groups alone: the account's rule stays
    assert resp.get_json()["groups"] == [] and resp.get_json()["rule"]["strategy"] == "beat_lowest"
    assert api.put(path, json={"rule": None}).get_json()["rule"] is None  # off


@pytest.mark.parametrize("body, path", [
    ({"rule": {"strategy": "guess"}}, "rule.strategy"),
    ({"rule": RULE, "groups": [{**GROUP, "condition": {"type": "combine", "conditions": [
        {"type": "attribute", "attribute": "colour_typo", "operator": "==", "value": "Red"}]}}]},
     "groups[0].condition.conditions[0].attribute"),
    ({"rule": RULE, "groups": [GROUP, {**GROUP, "rule": {"ceiling": {"type": "attribute", "value": "no such!"}}}]},
     "groups[1].rule.ceiling"),
    ({"rule": RULE, "groups": [GROUP] * 21}, "groups"),
    ({"rule": RULE, "competition_source": "scraping"}, "competition_source"),
    ({"groups": [GROUP]}, "rule"),  # groups without an account rule to fall back on
])
def test_a_refused_setting_is_a_422_naming_its_place_and_nothing_is_saved(api, account_id, body, path):
    url = f"/api/v1/accounts/{account_id}/repricing"
    resp = api.put(url, json=body)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["details"]["path"] == path and error["message"].startswith(path)
    assert api.get(url).get_json()["rule"] is None


def test_reading_needs_the_view_grant_and_setting_the_accounts_grant(api, account_id):
    url = f"/api/v1/accounts/{account_id}/repricing"
    assert api.get(url, grants=["Channel_Amazon::listings"]).status_code == 200
    assert api.put(url, json={"rule": RULE}, grants=["Channel_Amazon::listings"]).status_code == 403
    assert api.get(url, grants=["Channel_Amazon::orders"]).status_code == 403
