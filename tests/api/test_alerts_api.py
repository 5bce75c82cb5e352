"""Alerts, step outcomes and held reports through the API."""

from datetime import datetime, timedelta

from sqlalchemy import text

from channel import alerts


def test_an_alert_is_listed_until_its_cause_clears_it(api, account_id, channel_db):
    assert api.get("/api/v1/alerts").get_json() == {"alerts": [], "health": "green"}
    with channel_db.engine.begin() as conn:
        assert alerts.raise_alert(conn, account_id, "rule_invalid", "The listing rule cannot be applied")
        assert not alerts.raise_alert(conn, account_id, "rule_invalid", "still invalid")  # refreshed, not doubled
    body = api.get(f"/api/v1/alerts?account_id={account_id}").get_json()
    assert body["health"] == "red" and [a["code"] for a in body["alerts"]] == ["rule_invalid"]
    assert body["alerts"][0]["message"] == "still invalid" and body["alerts"][0]["action"]
    overview = api.get("/api/v1/overview").get_json()["items"][0]
    assert (overview["health"], overview["alerts"]) == ("red", 1)
    with channel_db.engine.begin() as conn:
        assert alerts.clear_alert(conn, account_id, "rule_invalid")
        log = conn.execute(text("SELECT operation FROM channel_amazon_log")).scalars().all()
    assert api.get("/api/v1/alerts").get_json()["alerts"] == []
    assert log == ["alert:rule_invalid"]  # the log tells the same story, once


def test_an_account_whose_cycles_stopped_raises_worker_stalled(api, account_id, channel_db):
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET status = 'active', last_sync_at = :t"),
                     {"t": datetime.utcnow() - timedelta(hours=2)})
    found = api.get("/api/v1/alerts").get_json()["alerts"]
    assert [a["code"] for a in found] == ["worker_stalled"] and "not running" in found[0]["message"]
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET last_sync_at = :t"), {"t": datetime.utcnow()})
    assert api.get("/api/v1/alerts").get_json()["alerts"] == []


def test_a_held_report_is_accepted_once(api, account_id, channel_db):
    path = f"/api/v1/accounts/{account_id}/held-report"
    assert api.get(path).get_json() == {"held_report": None}
    assert api.post(path + "/accept").status_code == 409
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_held_report (account_id, report_id, document_id, reason, message, rows_read,"
            " rows_expected, held_at) VALUES (:a, 'R1', 'D1', 'empty', 'The listings report is empty', 0, 40,"
            " UTC_TIMESTAMP())"), {"a": account_id})
    held = api.get(path).get_json()["held_report"]
    assert held["reason"] == "empty" and held["rows_expected"] == 40
    accepted = api.post(path + "/accept")
    assert accepted.status_code == 202 and accepted.get_json()["job_id"]
    assert api.get(path).get_json()["held_report"]["accepted_by"]
    assert api.post(path + "/accept").status_code == 409
    assert api.post(path + "/accept", grants=["Channel_Amazon::listings"]).status_code == 403


def test_step_outcomes_are_listed(api, account_id, channel_db):
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_sync_step (account_id, step, status, message, started_at, failures)"
            " VALUES (:a, 'import', 'failed', 'report ended FATAL', UTC_TIMESTAMP(), 2)"), {"a": account_id})
    steps = api.get(f"/api/v1/accounts/{account_id}/steps").get_json()["steps"]
    assert steps[0]["step"] == "import" and steps[0]["status"] == "failed" and steps[0]["failures"] == 2


def test_the_same_alert_opened_by_two_processes_at_once_is_one_alert(channel_db, account_id):
    from datetime import datetime

    params = {"a": account_id, "c": "credentials_rejected", "s": "error", "m": "refused", "x": "", "d": None,
              "t": datetime.utcnow().replace(microsecond=0)}
    with channel_db.engine.begin() as conn:
        assert alerts._insert(conn, params)
        assert not alerts._insert(conn, params)  # the other process's insert meets the unique key
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_alert WHERE cleared_at IS NULL")).scalar() == 1
