"""A listing rule is bounded (conditions, depth, value sizes) before anything evaluates
it, and the preview's work is bounded in time and products: a clear 422, quickly."""

import time

import pytest

from channel import rules

LEAF = {"type": "attribute", "attribute": "name", "operator": "{}", "value": "Sample"}


def group(conditions, aggregator="all"):
    return {"type": "combine", "aggregator": aggregator, "value": True, "conditions": conditions}


def nested(depth):
    node = group([LEAF])
    for _ in range(depth):
        node = group([node])
    return node


@pytest.mark.parametrize("rule, words", [
    (group([LEAF] * 10000), "at most 200 conditions"),
    (group([group([LEAF] * 150), group([LEAF] * 150)]), "at most 200 conditions"),
    (nested(500), "deeper than"),
    (group([{**LEAF, "operator": "()", "value": ["x"] * 5000}]), "at most 1000 values"),
    (group([{**LEAF, "value": "x" * 20000}]), "value"),
    (group([{**LEAF, "operator": "()", "value": ",".join(["y" * 900] * 300)}]), "too long"),
    (group([{**LEAF, "attribute": "a" * 300}]), "attribute code"),
])
def test_oversized_rule_is_refused_by_the_parser_naming_the_limit(rule, words):
    started = time.monotonic()
    with pytest.raises(rules.InvalidRule, match=words):
        rules.parse_rule(rule)
    assert time.monotonic() - started < 0.5


def test_rule_of_ten_thousand_conditions_gets_a_quick_422_from_preview_and_save(api, account_id):
    huge = group([LEAF] * 10000)
    for method, path in (("POST", "rule/preview"), ("POST", "rule/validate"), ("PUT", "rule")):
        started = time.monotonic()
        resp = api.open(method, f"/api/v1/accounts/{account_id}/{path}", json=huge)
        assert resp.status_code == 422, (path, resp.get_json())
        assert "at most 200 conditions" in resp.get_json()["error"]["message"]
        assert time.monotonic() - started < 2


def test_a_rule_within_bounds_still_previews(api, account_id):
    resp = api.post(f"/api/v1/accounts/{account_id}/rule/preview", json=group([LEAF] * 200))
    assert resp.status_code == 200, resp.get_json()


def test_preview_stops_with_a_422_past_its_time_or_product_budget(channel_db, account_id):
    from sqlalchemy.orm import Session

    from channel.magento.catalog import CatalogReader
    from channel.models import Account
    from channel.preview import PreviewTooLarge, preview_rule

    with channel_db.engine.connect() as conn, Session(bind=conn) as session:
        account = session.get(Account, account_id)
        reader = CatalogReader.connect(conn, channel_db.prefix)
        with pytest.raises(PreviewTooLarge) as stopped:
            preview_rule(conn, reader, account, group([LEAF]), max_products=10)
        assert stopped.value.code == "preview_too_large" and stopped.value.details["products"] > 10
        with pytest.raises(PreviewTooLarge):
            preview_rule(conn, reader, account, group([LEAF]), seconds=-1)
        assert preview_rule(conn, reader, account, group([LEAF])).counts["eligible"] >= 0
