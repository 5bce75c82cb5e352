"""Never fail silently: documents judged before use, isolated steps, alerts that clear themselves."""

import pytest
from sqlalchemy import text

from sandbox_fixtures import SELLER


def advance(market, seconds=600):
    market.admin("POST", "/clock", json={"seconds": seconds})


@pytest.fixture
def settled(cycle, market):
    """A few cycles: most products published and approved, so many listings are live."""
    cycle()
    cycle()
    advance(market)
    cycle()
    return market


def listing_states(channel_db):
    with channel_db.engine.connect() as conn:
        return {r.seller_sku: (r.amazon_status, r.tab, r.reason) for r in conn.execute(text(
            "SELECT seller_sku, amazon_status, tab, reason FROM channel_amazon_listing"))}


def open_alerts(channel_db):
    with channel_db.engine.connect() as conn:
        return {r.code: r for r in conn.execute(text(
            "SELECT code, severity, message, details FROM channel_amazon_alert WHERE cleared_at IS NULL"))}


def set_price(channel_db, sku, price):
    p, link = channel_db.prefix, channel_db.schema.link
    with channel_db.raw() as raw:
        raw.cursor().execute(
            f"UPDATE `{p}catalog_product_entity_decimal` SET value = {price} WHERE {link} ="
            f" (SELECT {link} FROM `{p}catalog_product_entity` WHERE sku = '{sku}' LIMIT 1) AND attribute_id ="
            f" (SELECT attribute_id FROM `{p}eav_attribute` WHERE attribute_code = 'price') AND store_id = 0")
        raw.commit()


@pytest.mark.parametrize("damage", [
    {"truncate": True}, {"truncate": "line"}, {"empty": True}, {"cancelled": True}, {"drop_fraction": 0.5}])
def test_a_damaged_listings_report_is_held_and_changes_nothing(damage, settled, cycle, channel_db):
    market = settled
    before = listing_states(channel_db)
    live = sum(1 for s in before.values() if s[0])
    assert live >= 20
    puts = market.market.calls.get("putListingsItem", 0)
    market.fault(report_options=damage)
    summary = cycle()
    assert summary["steps"]["import"]["status"] == "held"
    after = listing_states(channel_db)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}  # nothing marked gone
    assert market.market.calls.get("putListingsItem", 0) == puts  # nothing published again
    alert = open_alerts(channel_db)["report_held"]
    assert "Nothing was changed" in alert.message
    with channel_db.engine.connect() as conn:
        account = conn.execute(text("SELECT last_sync_status FROM channel_amazon_account")).one()
        held = conn.execute(text("SELECT reason, rows_expected FROM channel_amazon_held_report")).one()
    assert account.last_sync_status == "held" and held.rows_expected == live
    # Steps that do not need a fresh report went on: the price/stock step ran.
    assert summary["steps"]["price_stock"]["status"] == "ok"
    # The next complete report is applied and the alert clears itself.
    market.fault(report_options=None)
    summary = cycle()
    assert summary["steps"]["import"]["status"] == "ok"
    assert "report_held" not in open_alerts(channel_db)


def test_an_accepted_held_report_is_applied_as_it_is(settled, cycle, channel_db):
    market = settled
    market.fault(report_options={"drop_fraction": 0.5})
    cycle()
    market.fault(report_options=None)
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_held_report SET accepted_at = UTC_TIMESTAMP()"))
    reports_before = market.market.calls.get("createReport", 0)
    summary = cycle()
    assert summary["steps"]["import"]["status"] == "ok"
    assert market.market.calls.get("createReport", 0) == reports_before  # the held document, not a new one
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT applied_at IS NOT NULL FROM channel_amazon_held_report")).scalar() == 1
    assert "report_held" not in open_alerts(channel_db)


def test_with_the_report_failing_every_cycle_prices_and_orders_still_flow(settled, cycle, channel_db):
    market = settled
    market.fault(report_options={"fatal": True})
    set_price(channel_db, "MG-0000001", 77.70)
    market.admin("POST", f"/sellers/{SELLER}/orders", json={
        "orderId": "111-0000000-0000001", "status": "UNSHIPPED",
        "items": [{"sku": "MG-0000002", "quantity": 1, "price": 5.0}]})
    for _ in range(3):
        summary = cycle()
        assert summary["steps"]["import"]["status"] == "failed"
        assert summary["steps"]["price_stock"]["status"] == "ok"
    assert market.listings(SELLER)["MG-0000001"]["price"] == 77.70
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order")).scalar() == 1
        step = conn.execute(text("SELECT failures, last_ok_at FROM channel_amazon_sync_step"
                                 " WHERE step = 'import'")).one()
    assert step.failures == 3 and step.last_ok_at is not None
    assert "step_failing:import" in open_alerts(channel_db)
    market.fault(report_options=None)
    cycle()
    assert "step_failing:import" not in open_alerts(channel_db)


def test_an_invalid_rule_in_the_table_raises_an_alert_with_its_path(settled, cycle, channel_db):
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET listing_rule = :r"), {"r": (
            '{"type": "combine", "aggregator": "all", "conditions": ['
            '{"type": "attribute", "attribute": "colour_typo", "operator": "==", "value": "Red"}]}')})
    summary = cycle()
    assert summary["steps"]["classify"]["status"] == "failed"
    alert = open_alerts(channel_db)["rule_invalid"]
    assert "colour_typo" in alert.message and "conditions[0].attribute" in alert.details
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT last_sync_status FROM channel_amazon_account")).scalar() == "failed"
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET listing_rule = NULL"))
    cycle()
    assert "rule_invalid" not in open_alerts(channel_db)


def test_revoked_credentials_stop_amazon_steps_and_raise_one_alert(settled, cycle, channel_db, redis_client):
    market = settled
    market.fault(revoke_refresh_tokens=True)
    redis_client.flushdb()  # no cached access token: the next call must log in
    summary = cycle()
    steps = summary["steps"]
    assert steps["import"]["status"] == "failed"
    assert steps["price_stock"]["status"] == "skipped" and steps["classify"]["status"] == "ok"
    assert "credentials_rejected" in open_alerts(channel_db)
    market.fault(revoke_refresh_tokens=False)
    cycle()
    assert "credentials_rejected" not in open_alerts(channel_db)


def test_a_known_sku_found_in_the_report_is_resolved_as_matched(cycle, channel_db):
    cycle()
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET match_status = 'unresolved', matched_by = NULL"
                          " WHERE seller_sku = 'MG-0000001'"))
    cycle()
    with channel_db.engine.connect() as conn:
        row = conn.execute(text("SELECT match_status, matched_by, asin FROM channel_amazon_listing"
                                " WHERE seller_sku = 'MG-0000001'")).one()
    assert (row.match_status, row.matched_by, row.asin) == ("matched", "seller_sku", "B000000001")


def test_a_value_amazon_rejects_on_every_push_is_alerted_until_the_merchant_changes_it(settled, cycle, channel_db):
    market = settled
    market.fault(reject_skus=["MG-0000001"])
    set_price(channel_db, "MG-0000001", 55.55)
    cycle()
    patches = market.market.calls.get("patchListingsItem", 0)
    cycle()
    assert market.market.calls.get("patchListingsItem", 0) == patches  # not sent again unchanged
    alert = open_alerts(channel_db)["value_rejected"]
    assert "MG-0000001" in alert.message
    market.fault(reject_skus=[])
    set_price(channel_db, "MG-0000001", 56.00)
    cycle()
    assert "value_rejected" not in open_alerts(channel_db)
    assert market.listings(SELLER)["MG-0000001"]["price"] == 56.00


def test_a_client_secret_near_its_180_days_is_a_warning(cycle, channel_db):
    from datetime import datetime, timedelta

    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET secret_rotated_at = :t"),
                     {"t": datetime.utcnow() - timedelta(days=170)})
    cycle()
    with channel_db.engine.connect() as conn:
        row = conn.execute(text("SELECT severity, message FROM channel_amazon_alert WHERE code = 'secret_expiring'"
                                " AND cleared_at IS NULL")).one()
    assert row.severity == "warning" and "expires on" in row.message
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET secret_rotated_at = UTC_TIMESTAMP()"))
    cycle()
    assert "secret_expiring" not in open_alerts(channel_db)
