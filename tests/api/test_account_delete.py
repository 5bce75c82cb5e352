"""Deleting an account: the merchant chooses to end its listings on Amazon (a worker job)
or to leave them; its orders stay readable; nothing can act on it afterwards."""

from sqlalchemy import text

from api.conftest import ACCOUNT


def _plant_order(channel_db, account_id):
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date,"
            " last_update_date) VALUES (:a, '111-0000000-0000009', 'Shipped', NOW(), NOW())"), {"a": account_id})
        return conn.execute(text("SELECT order_id FROM channel_amazon_order WHERE account_id = :a"),
                            {"a": account_id}).scalar_one()


def _count(channel_db, sql, **params):
    with channel_db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_leaving_the_listings_deletes_at_once_and_keeps_the_orders(api, listed, account_id, channel_db):
    order_id = _plant_order(channel_db, account_id)
    assert _count(channel_db, "SELECT COUNT(*) FROM channel_amazon_listing WHERE account_id = :a", a=account_id)
    resp = api.delete(f"/api/v1/accounts/{account_id}?listings=leave")
    assert resp.status_code == 204
    assert _count(channel_db, "SELECT COUNT(*) FROM channel_amazon_listing WHERE account_id = :a", a=account_id) == 0
    assert _count(channel_db, "SELECT status FROM channel_amazon_account WHERE account_id = :a",
                  a=account_id) == "deleted"
    assert api.get(f"/api/v1/accounts/{account_id}").status_code == 404
    assert account_id not in [a["account_id"] for a in api.get("/api/v1/accounts").get_json()["items"]]
    order = api.get(f"/api/v1/orders/{order_id}")
    assert order.status_code == 200 and "111-0000000-0000009" in order.get_data(as_text=True)
    for method, path in (("POST", "pause"), ("POST", "resume"), ("POST", "check"), ("POST", "sync"),
                         ("DELETE", "")):
        again = api.open(method, f"/api/v1/accounts/{account_id}/{path}".rstrip("/"), json={} if method == "POST"
                         else None)
        assert again.status_code == 404, (method, path, again.status_code)
    # The same seller can be connected again.
    assert api.post("/api/v1/accounts", json=ACCOUNT).status_code == 201


def test_ending_the_listings_goes_through_a_worker_job(api, listed, account_id, channel_db, redis_client):
    from rq import Queue

    from channel.jobs import QUEUE

    resp = api.delete(f"/api/v1/accounts/{account_id}", json={"listings": "end"})
    assert resp.status_code == 202 and resp.get_json()["status"] == "deleting"
    job = Queue(QUEUE, connection=redis_client).fetch_job(resp.get_json()["job_id"])
    assert job.func_name == "worker.jobs.delete_account" and job.args == (account_id, True)
    assert _count(channel_db, "SELECT status FROM channel_amazon_account WHERE account_id = :a",
                  a=account_id) == "deleting"
    assert api.post(f"/api/v1/accounts/{account_id}/resume", json={}).status_code == 404  # no sync meanwhile


def test_a_wrong_choice_is_a_400_and_changes_nothing(api, listed, account_id, channel_db):
    resp = api.delete(f"/api/v1/accounts/{account_id}?listings=burn")
    assert resp.status_code == 400 and resp.get_json()["error"]["details"]["parameter"] == "listings"
    assert _count(channel_db, "SELECT status FROM channel_amazon_account WHERE account_id = :a", a=account_id) \
        != "deleted"


def test_an_account_never_connected_and_without_orders_is_removed_outright(api, account_id, channel_db):
    assert _count(channel_db, "SELECT status FROM channel_amazon_account WHERE account_id = :a",
                  a=account_id) == "pending"
    assert api.delete(f"/api/v1/accounts/{account_id}").status_code == 204
    assert _count(channel_db, "SELECT COUNT(*) FROM channel_amazon_account WHERE account_id = :a", a=account_id) == 0
