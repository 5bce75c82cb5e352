"""The account's notifications through the API: the setting checked at the door, the
status per notification type counted from what was applied, the fallback with its alert."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from bridge.auth import RESOURCES
from bridge.views.notifications import clock, every
from channel import notifications as model

ARN = "arn:aws:sqs:us-east-1:123456789012:channel-events"
URL = "https://sqs.us-east-1.amazonaws.com/123456789012/channel-events"


def path(account_id):
    return f"/api/v1/accounts/{account_id}/notifications"


def test_an_account_never_set_has_notifications_off_with_every_type_listed(api, account_id):
    resp = api.get(path(account_id))
    data = resp.get_json()
    assert resp.status_code == 200
    assert (data["status"], data["enabled"], data["fallback"], data["polling_every"]) == ("off", False, None, 300)
    assert [t["notification_type"] for t in data["types"]] == list(model.TYPES)
    assert {(t["subscription_id"], t["last_event_at"], t["received_last_hour"], t["applied_last_hour"])
            for t in data["types"]} == {(None, None, 0, 0)}


@pytest.mark.parametrize("body, status, words", [
    ({}, 400, "'enabled' must be true or false"),
    ({"enabled": "yes", "queue_arn": ARN, "queue_url": URL}, 400, "'enabled' must be true or false"),
    ({"enabled": True, "queue_arn": 5, "queue_url": URL}, 400, "'queue_arn' must be a string"),
    ({"enabled": True, "queue_arn": ARN, "queue_url": ["x"]}, 400, "'queue_url' must be a string"),
    ({"enabled": True}, 422, "queue_arn must be an SQS queue ARN"),  # subscribe now, but no queue yet
    ({"enabled": True, "queue_arn": "arn:aws:sns:us-east-1:1:topic", "queue_url": URL}, 422, "SQS queue ARN"),
    ({"enabled": True, "queue_arn": ARN, "queue_url": "sqs.us-east-1.amazonaws.com/1/q"}, 422, "queue's URL"),
])
def test_a_bad_setting_is_refused_and_nothing_is_saved(api, account_id, body, status, words):
    resp = api.put(path(account_id), json=body)
    assert resp.status_code == status and words in resp.get_json()["error"]["message"]
    assert api.get(path(account_id)).get_json()["status"] == "off"


def test_on_off_and_subscribe_now_keep_the_queue(api, account_id):
    data = api.put(path(account_id), json={"enabled": True, "queue_arn": f" {ARN} ", "queue_url": URL}).get_json()
    assert (data["enabled"], data["status"], data["queue_arn"], data["queue_url"]) == (True, "pending", ARN, URL)
    data = api.put(path(account_id), json={"enabled": False}).get_json()  # unsubscribe
    assert (data["enabled"], data["status"], data["queue_arn"]) == (False, "pending", ARN)
    data = api.put(path(account_id), json={"enabled": True, "queue_arn": None, "queue_url": ""}).get_json()
    assert (data["enabled"], data["status"], data["queue_arn"], data["queue_url"]) == (True, "pending", ARN, URL)


def test_changing_notifications_needs_the_accounts_grant(api, account_id):
    view = [RESOURCES["view"]]
    assert api.get(path(account_id), grants=view).status_code == 200
    resp = api.put(path(account_id), json={"enabled": True, "queue_arn": ARN, "queue_url": URL}, grants=view)
    assert resp.status_code == 403
    assert api.get(path(account_id)).get_json()["status"] == "off"
    assert api.get("/api/v1/accounts/999999/notifications").status_code == 404


def test_each_type_counts_its_last_hour_and_the_fallback_says_since_when(api, account_id, channel_db):
    now = datetime.utcnow().replace(microsecond=0)
    subs = {kind: f"sub-{n}" for n, kind in enumerate(model.TYPES)}
    with channel_db.engine.begin() as conn:
        model.configure(conn, account_id, True, ARN, URL)
        model.subscribed(conn, account_id, "dest-1", subs, now=now)
        conn.execute(text("UPDATE channel_amazon_account SET sync_interval = 600 WHERE account_id = :a"),
                     {"a": account_id})
        rows = [("n1", "LISTINGS_ITEM_STATUS_CHANGE", "applied", now - timedelta(minutes=5)),
                ("n2", "LISTINGS_ITEM_STATUS_CHANGE", "stale", now - timedelta(minutes=4)),
                ("n3", "LISTINGS_ITEM_STATUS_CHANGE", "applied", now - timedelta(minutes=90)),
                ("n4", "ORDER_CHANGE", "applied", now - timedelta(hours=3)),
                ("n5", "ORDER_CHANGE", "applied", now - timedelta(minutes=1))]
        conn.execute(text("INSERT INTO channel_amazon_notification (notification_id, account_id, notification_type,"
                          " event_time, outcome, applied_at) VALUES (:i, :a, :t, :at, :o, :at)"),
                     [{"i": i, "a": account_id, "t": t, "o": o, "at": at} for i, t, o, at in rows])
        conn.execute(text("INSERT INTO channel_amazon_notification (notification_id, account_id, notification_type,"
                          " outcome, applied_at) VALUES ('other', NULL, 'ORDER_CHANGE', 'unknown_account', :at)"),
                     {"at": now})
    data = api.get(path(account_id)).get_json()
    types = {t["notification_type"]: t for t in data["types"]}
    assert data["status"] == "live" and data["fallback"] is None
    status = types["LISTINGS_ITEM_STATUS_CHANGE"]
    assert (status["subscription_id"], status["destination_id"]) == ("sub-0", "dest-1")
    assert (status["received_last_hour"], status["applied_last_hour"]) == (2, 1)
    assert status["last_event_at"] == (now - timedelta(minutes=4)).isoformat() + "Z"
    orders = types["ORDER_CHANGE"]
    assert (orders["received_last_hour"], orders["applied_last_hour"]) == (1, 1)
    assert orders["last_event_at"] == (now - timedelta(minutes=1)).isoformat() + "Z"
    assert types["ANY_OFFER_CHANGED"]["last_event_at"] is None

    stopped = now + timedelta(minutes=2)
    with channel_db.engine.begin() as conn:
        assert model.fell_back(conn, account_id, "the queue cannot be read: QueueDoesNotExist", now=stopped)
    data = api.get(path(account_id)).get_json()
    fallback = data["fallback"]
    assert data["status"] == "fallback"
    assert fallback["since"] == stopped.isoformat() + "Z" and fallback["polling_every"] == 600
    assert "QueueDoesNotExist" in fallback["reason"] and "Check the SQS queue" in fallback["alert"]["action"]

    with channel_db.engine.begin() as conn:  # the merchant turns them off: the alert has no cause left
        model.configure(conn, account_id, False, None, None)
        model.subscribed(conn, account_id, None, {})
    data = api.get(path(account_id)).get_json()
    assert (data["status"], data["fallback"]) == ("off", None)
    with channel_db.engine.connect() as conn:
        assert not conn.execute(text("SELECT COUNT(*) FROM channel_amazon_alert WHERE code = :c AND cleared_at"
                                     " IS NULL"), {"c": model.ALERT}).scalar()


def test_the_page_says_intervals_and_times_in_words():
    assert [every(s) for s in (60, 300, 600, 90, 1800, 7200)] == [
        "minute", "five minutes", "ten minutes", "90 seconds", "30 minutes", "two hours"]
    assert clock(None) == "never"
    assert clock("2026-12-01T04:12:09Z", today="2026-12-01") == "04:12 UTC"
    assert clock("2026-11-30T23:59:00Z", today="2026-12-01") == "2026-11-30 23:59 UTC"


def test_a_change_the_reader_has_not_carried_out_says_to_check_it_runs(api, account_id, channel_db):
    api.put(path(account_id), json={"enabled": True, "queue_arn": ARN, "queue_url": URL})
    page = api.get(f"/fragments/onboarding?account_id={account_id}").get_data(as_text=True)
    assert 'class="channel-bad channel-notifications-stalled" hidden' in page  # just saved: being set up
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_notification_subscription SET updated_at = NOW() - INTERVAL 5 MINUTE"
                          " WHERE account_id = :a"), {"a": account_id})
    data = api.get(path(account_id)).get_json()
    assert data["status"] == "pending" and 295 <= data["pending_for"] <= 400
    page = api.get(f"/fragments/onboarding?account_id={account_id}").get_data(as_text=True)
    assert 'class="channel-bad channel-notifications-stalled">' in page and "notifications reader runs" in page
    assert 'id="channel-notifications"' in page and page.count('<tr data-type="') == len(model.TYPES)
