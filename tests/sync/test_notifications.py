"""Amazon's notifications end to end: the sandbox publishes to a real SQS API (moto in
server mode), the notifications worker applies each event once and deletes it after."""

import json
import random
import shutil
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from rq import SimpleWorker
from sqlalchemy import bindparam, text

from channel import jobs
from channel import notifications as model
from reference import shared_path
from sandbox.localservices import Sqs
from sandbox_fixtures import SELLER
from worker.notifications import NotificationWorker


@pytest.fixture(scope="module")
def sqs_server():
    base = Path(tempfile.mkdtemp(prefix="chn-sqs-", dir="/tmp"))
    server = Sqs(base).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def queue(sqs_server):
    return sqs_server.create_queue(f"channel-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def notified(channel_db, redis_client, settings, sync_account, market, sqs_server, queue):
    """The account subscribed through the worker, and the worker."""
    market.market.notifications.sqs_endpoint = sqs_server.url
    url, arn = queue
    with channel_db.engine.begin() as conn:
        model.configure(conn, sync_account, True, arn, url)
    worker = NotificationWorker(channel_db.engine, redis_client, settings.replace(sqs_endpoint=sqs_server.url),
                                wait=0, check_every=1e9, rate_scale=100,
                                client_kwargs={"backoff_base": 0.01, "backoff_cap": 0.05})
    worker.run_once()
    with channel_db.engine.connect() as conn:
        sub = model.subscription(conn, sync_account)
    assert sub["status"] == "live" and set(sub["subscriptions"]) == set(model.TYPES)
    return worker


def drain(worker, market, until=lambda: False, timeout=15.0):
    """Run worker rounds until the queue stays empty (and ``until()`` holds)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        market.market.notifications.flush()
        got = worker.run_once()
        quiet = quiet + 1 if not got else 0
        if quiet >= 3 and until():
            worker.flush()
            return
        time.sleep(0.02 if got else 0.05)
    raise AssertionError("the notifications were not all applied in time")


def listing(channel_db, sku):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT listing_id, tab, reason, amazon_status, issue_text FROM"
                                 " channel_amazon_listing WHERE seller_sku = :s"), {"s": sku}).mappings().first()


def test_a_listing_approved_or_refused_by_amazon_moves_tab_from_its_event(cycle, notified, market, channel_db):
    cycle()  # the first cycle publishes what may be listed; Amazon approves after its delay
    with channel_db.engine.connect() as conn:
        pending = [r[0] for r in conn.execute(text(
            "SELECT seller_sku FROM channel_amazon_listing WHERE tab = 'list_in_progress' ORDER BY seller_sku"))]
    assert pending
    calls_before = dict(market.market.calls)

    def all_active():
        with channel_db.engine.connect() as conn:
            return not conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing WHERE tab = 'list_in_progress'"
                                         " AND seller_sku IN :s").bindparams(
                bindparam("s", expanding=True)), {"s": pending}).scalar()

    drain(notified, market, all_active, timeout=30)
    amazon = market.market.sellers[SELLER].listings
    tabs = {sku: listing(channel_db, sku)["tab"] for sku in pending}
    assert tabs == {sku: "active" if amazon[sku].status == "BUYABLE" else "inactive" for sku in pending}
    assert "active" in tabs.values()
    # No cycle ran: no report was asked for, the events alone moved them.
    assert market.market.calls.get("createReport", 0) == calls_before.get("createReport", 0)

    # Amazon refuses a live listing: its status and issues events; the issues are read back once.
    sku = next(s for s in pending if tabs[s] == "active")
    market.admin("POST", "/notifications/listing", json={
        "seller_id": SELLER, "sku": sku, "status": "", "issues": [{
            "code": "8541", "severity": "ERROR", "categories": ["QUALIFICATION_REQUIRED"],
            "message": "You need approval to list in this brand."}]})
    drain(notified, market, lambda: listing(channel_db, sku)["tab"] == "inactive")
    row = listing(channel_db, sku)
    assert row["reason"] == "amazon_not_buyable" and "approval" in row["issue_text"]


def test_an_order_event_imports_and_reserves_the_order_in_seconds(worker_env, notified, market, channel_db,
                                                                  redis_client, sync_account):
    order = market.market.add_order(SELLER, {"items": [{"sku": "MG-0000001", "quantity": 2}]})
    drain(notified, market, lambda: redis_client.exists(f"rq:job:{jobs.orders_job_id(sync_account)}"))
    SimpleWorker([jobs.QUEUE], connection=redis_client).work(burst=True)
    with channel_db.engine.connect() as conn:
        found = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_order WHERE amazon_order_id = :o"),
                             {"o": order["orderId"]}).scalar()
        reserved = conn.execute(text(f"SELECT SUM(quantity) FROM `{channel_db.prefix}inventory_reservation`"
                                     f" WHERE sku = 'MG-0000001'")).scalar()
        outcome = conn.execute(text("SELECT outcome FROM channel_amazon_notification"
                                    " WHERE notification_type = 'ORDER_CHANGE'")).scalars().all()
    assert found == 1 and float(reserved) == -2.0
    assert outcome == ["applied"]


def _status_event(sku, when, status, note_id=None):
    return {"NotificationVersion": "1.0", "NotificationType": "LISTINGS_ITEM_STATUS_CHANGE", "PayloadVersion": "1.0",
            "EventTime": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "Payload": {"SellerId": SELLER, "MarketplaceId": "ATVPDKIKX0DER", "Sku": sku, "Status": status},
            "NotificationMetadata": {"ApplicationId": "app", "SubscriptionId": "sub",
                                     "PublishTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                     "NotificationId": note_id or str(uuid.uuid4())}}


def test_redelivered_and_shuffled_events_are_applied_exactly_once(cycle, notified, market, channel_db, queue,
                                                                   sqs_server):
    cycle()
    with channel_db.engine.connect() as conn:
        skus = [r[0] for r in conn.execute(text(
            "SELECT seller_sku FROM channel_amazon_listing WHERE amazon_status IS NOT NULL ORDER BY seller_sku"
            " LIMIT 20"))]
    assert len(skus) >= 3
    rng = random.Random(20)
    base = datetime.now(timezone.utc)
    events, newest = [], {}
    for sku in skus:
        for step in range(4):  # four changes per listing, the last one decides
            status = rng.choice([["BUYABLE", "DISCOVERABLE"], ["DISCOVERABLE"], []])
            events.append(_status_event(sku, base + timedelta(seconds=step), status))
            newest[sku] = status
    redelivered = rng.sample(events, len(events) // 2)  # SQS delivers at least once
    messages = [json.dumps(e) for e in events + redelivered]
    rng.shuffle(messages)
    url, _ = queue
    client = sqs_server.client()
    for start in range(0, len(messages), 10):
        client.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": m}
                                                         for n, m in enumerate(messages[start:start + 10])])
    drain(notified, market, lambda: True)
    want = {sku: model.listing_status(s) for sku, s in newest.items()}
    with channel_db.engine.connect() as conn:
        got = dict(conn.execute(text("SELECT seller_sku, amazon_status FROM channel_amazon_listing"
                                     " WHERE seller_sku IN :s").bindparams(
            bindparam("s", expanding=True)), {"s": skus}).all())
        recorded = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT notification_id) FROM"
                                     " channel_amazon_notification WHERE notification_id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"ids": [e["NotificationMetadata"]["NotificationId"]
                                                        for e in events]}).one()
    assert got == want
    assert tuple(recorded) == (len(events), len(events))  # every event once, the redeliveries nowhere
    stats = notified.stats  # the sandbox's own events (the cycle's report and feed) come on top
    assert stats.received >= len(messages) and stats.deleted == stats.received
    assert stats.duplicates == len(redelivered)
    # Every message taken was deleted: none is left in flight. (The sandbox's sweeper may post
    # events of its own, listings approved on its clock, after the last round: those wait.)
    assert client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])[
        "Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"

    # A worker that died after applying and before deleting: the same batch again changes nothing.
    again = [{"Body": m, "ReceiptHandle": "gone", "MessageId": str(n)} for n, m in enumerate(messages[:10])]
    outcome = notified.apply_messages(url, None, again)
    assert set(outcome.outcomes.values()) == {"duplicate"}


def test_when_the_queue_disappears_the_account_falls_back_with_an_alert(notified, market, channel_db, queue,
                                                                       sqs_server, redis_client, sync_account):
    url, _ = queue
    receives: list[int] = []
    factory = notified.sqs_factory
    notified.sqs_factory = lambda u, a: RecordingSqs(factory(u, a), [], receives)
    notified.retry_after = 0.5
    sqs_server.client().delete_queue(QueueUrl=url)
    notified.run_once()
    tried = len(receives)
    notified.run_once()  # an unreadable queue answers at once: it is left alone a while, not asked in a loop
    assert len(receives) == tried
    with channel_db.engine.connect() as conn:
        sub = model.subscription(conn, sync_account)
        alert = conn.execute(text("SELECT severity, message FROM channel_amazon_alert WHERE code = :c"
                                  " AND cleared_at IS NULL"), {"c": model.ALERT}).mappings().first()
    assert sub["status"] == "fallback" and "queue cannot be read" in sub["status_message"]
    assert alert is not None and "stopped" in alert["message"]
    # Polling takes over at once: the cycle and the orders run are queued now, not in five minutes.
    assert redis_client.exists(f"rq:job:{jobs.sync_job_id(sync_account)}")
    assert redis_client.exists(f"rq:job:{jobs.orders_job_id(sync_account)}")

    # The queue comes back: events flow again and the alert clears.
    sqs_server.client().create_queue(QueueName=url.rsplit("/", 1)[1])
    time.sleep(notified.retry_after)
    notified.run_once()
    assert len(receives) > tried
    with channel_db.engine.connect() as conn:
        assert model.subscription(conn, sync_account)["status"] == "live"
        assert not conn.execute(text("SELECT COUNT(*) FROM channel_amazon_alert WHERE code = :c"
                                     " AND cleared_at IS NULL"), {"c": model.ALERT}).scalar()


def test_a_subscription_amazon_dropped_is_found_and_subscribed_again(notified, market, channel_db, sync_account):
    market.admin("POST", "/notifications/unsubscribe_all", json={"seller_id": SELLER})
    notified.check_subscriptions([sync_account])
    with channel_db.engine.connect() as conn:
        sub = model.subscription(conn, sync_account)
    assert sub["status"] == "fallback" and "no longer holds" in sub["status_message"]
    assert sub["subscriptions"] == {}  # the section shows each type unsubscribed
    notified.check_subscriptions([sync_account])  # still none: still fallen back
    with channel_db.engine.connect() as conn:
        assert model.subscription(conn, sync_account)["status"] == "fallback"
    with channel_db.engine.begin() as conn:  # the merchant subscribes again
        model.configure(conn, sync_account, True, sub["queue_arn"], sub["queue_url"])
    notified.run_once()
    with channel_db.engine.connect() as conn:
        assert model.subscription(conn, sync_account)["status"] == "live"
        assert not conn.execute(text("SELECT COUNT(*) FROM channel_amazon_alert WHERE code = :c"
                                     " AND cleared_at IS NULL"), {"c": model.ALERT}).scalar()


def test_another_queue_moves_every_subscription_to_it(notified, market, channel_db, sync_account, sqs_server):
    url, arn = sqs_server.create_queue(f"channel-{uuid.uuid4().hex[:12]}")
    with channel_db.engine.connect() as conn:
        before = model.subscription(conn, sync_account)
    with channel_db.engine.begin() as conn:
        model.configure(conn, sync_account, True, arn, url)
    notified.run_once()
    with channel_db.engine.connect() as conn:
        after = model.subscription(conn, sync_account)
    hub = market.market.notifications
    assert after["status"] == "live" and after["destination_id"] != before["destination_id"]
    assert hub.destinations[after["destination_id"]]["arn"] == arn
    held = {k: sub for (seller, k), sub in hub.subscriptions.items() if seller == SELLER}
    assert set(held) == set(model.TYPES)
    assert {sub["destinationId"] for sub in held.values()} == {after["destination_id"]}
    market.market.add_order(SELLER, {"items": [{"sku": "MG-0000001"}]})  # delivered to the new queue
    hub.flush()
    got = sqs_server.client().receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
    assert any("ORDER_CHANGE" in m["Body"] for m in got.get("Messages", []))


SCHEMAS = {
    "LISTINGS_ITEM_STATUS_CHANGE": "ListingsItemStatusChangeNotification.json",
    "LISTINGS_ITEM_ISSUES_CHANGE": "ListingsItemIssuesChangeNotification_2023-12-13.json",
    "ANY_OFFER_CHANGED": "AnyOfferChangedNotification.json",
    "ORDER_CHANGE": "OrderChangeNotification.json",
    "REPORT_PROCESSING_FINISHED": "ReportProcessingFinishedNotification.json",
    "FEED_PROCESSING_FINISHED": "FeedProcessingFinishedNotification.json",
}


def test_every_published_notification_matches_amazons_schema(cycle, notified, market, queue, sqs_server):
    """Each type the sandbox publishes, read off the queue, validates against Amazon's schema."""
    cycle()  # reports and a feed are processed; offers are published and approved
    market.market.add_order(SELLER, {"items": [{"sku": "MG-0000001"}]})
    with market.market.lock:  # a listings feed whose processing has just ended
        market.market.feeds["9990001"] = {
            "feedId": "9990001", "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["ATVPDKIKX0DER"],
            "created": market.market.clock.now() - timedelta(minutes=2), "seller": SELLER, "input": b"{}",
            "result": None, "fatal": False}
    market.admin("POST", "/notifications/listing", json={"seller_id": SELLER, "sku": "MG-0000002", "status": "",
                                                          "issues": [{"code": "1", "severity": "ERROR",
                                                                      "message": "x", "categories": []}]})
    market.admin("POST", "/competition", json={"asin": "B000000001", "offers": [
        {"seller_id": "A1OTHER", "price": 19.99, "fba": True, "buybox": True},
        {"seller_id": "A2OTHER", "price": 18.75, "shipping": 2.0}]})
    deadline = time.monotonic() + 20
    url, _ = queue
    client = sqs_server.client()
    seen: dict[str, dict] = {}
    while set(seen) != set(SCHEMAS) and time.monotonic() < deadline:
        market.market.notifications.flush()
        for message in client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            body = json.loads(message["Body"])
            seen.setdefault(body.get("NotificationType") or body.get("notificationType"), body)
        time.sleep(0.05)
    assert set(seen) == set(SCHEMAS)
    for kind, body in seen.items():
        schema = json.loads(shared_path("sp-api", "schemas", "notifications", SCHEMAS[kind]).read_text())
        if kind == "LISTINGS_ITEM_STATUS_CHANGE":
            # The schema's enum says LISTINGS_ITEM_STATUS_CHANGED where its own example and the
            # Notifications API say LISTINGS_ITEM_STATUS_CHANGE: the type is checked by name here.
            schema["properties"]["NotificationType"].pop("enum", None)
        jsonschema.Draft7Validator(schema).validate(body)


# --- the targets ---------------------------------------------------------------------

def real_time(market):
    """From now on the sandbox clock runs at real speed (seconds stay continuous), so that
    "within 5 s of the event on the sandbox clock" is 5 s of the worker's time too."""
    clock = market.market.clock
    seconds = clock.seconds()
    clock.scale = 1.0
    clock._real0 = time.monotonic() - (seconds - clock.offset())


@pytest.fixture
def running(notified):
    """The notifications worker as supervisord runs it: its own thread, one-second long polls."""
    notified.wait = 1
    thread = threading.Thread(target=notified.run, kwargs={"idle": 0.05}, daemon=True)
    thread.start()
    yield notified
    notified.stop.set()
    thread.join(timeout=10)


def seconds_until(market, done, timeout=15.0, between=None):
    """Sandbox-clock seconds from now until ``done()`` holds (``between()`` runs in between)."""
    start = market.market.clock.now()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if between:
            between()
        if done():
            return (market.market.clock.now() - start).total_seconds()
        time.sleep(0.02)
    raise AssertionError(f"not done within {timeout} s")


def test_targets_a_listing_approved_or_refused_is_in_its_tab_within_5_s_of_the_event(cycle, notified, market,
                                                                                     channel_db):
    cycle()
    with channel_db.engine.connect() as conn:
        pending = [r[0] for r in conn.execute(text(
            "SELECT seller_sku FROM channel_amazon_listing WHERE tab = 'list_in_progress' ORDER BY seller_sku"))]
    assert len(pending) >= 2
    approved, refused = pending[0], pending[1]
    drain(notified, market, lambda: True)  # what the cycle set off is applied; from here on, one event at a time
    real_time(market)
    thread = threading.Thread(target=notified.run, kwargs={"idle": 0.05}, daemon=True)
    notified.wait = 1
    thread.start()
    try:
        market.admin("POST", "/notifications/listing", json={"seller_id": SELLER, "sku": approved,
                                                              "status": "BUYABLE", "issues": []})
        took_approved = seconds_until(market, lambda: listing(channel_db, approved)["tab"] == "active")
        market.admin("POST", "/notifications/listing", json={
            "seller_id": SELLER, "sku": refused, "status": "", "issues": [{
                "code": "8541", "severity": "ERROR", "categories": ["QUALIFICATION_REQUIRED"],
                "message": "You need approval to list in this brand."}]})
        took_refused = seconds_until(market, lambda: listing(channel_db, refused)["tab"] == "inactive"
                                     and "approval" in (listing(channel_db, refused)["issue_text"] or ""))
    finally:
        notified.stop.set()
        thread.join(timeout=10)
    print(f"listing approved in its tab {took_approved:.2f} s, refused {took_refused:.2f} s after the event")
    assert took_approved <= 5.0 and took_refused <= 5.0


def test_targets_a_new_order_is_reserved_within_5_s_of_order_change(worker_env, running, market, channel_db,
                                                                    redis_client):
    real_time(market)
    rq = SimpleWorker([jobs.QUEUE], connection=redis_client)

    def reserved():
        with channel_db.engine.connect() as conn:
            return conn.execute(text(f"SELECT SUM(quantity) FROM `{channel_db.prefix}inventory_reservation`"
                                     f" WHERE sku = 'MG-0000002'")).scalar()

    market.market.add_order(SELLER, {"items": [{"sku": "MG-0000002", "quantity": 3}]})
    took = seconds_until(market, lambda: reserved() is not None, between=lambda: rq.work(burst=True))
    print(f"order reserved {took:.2f} s after ORDER_CHANGE")
    assert float(reserved()) == -3.0 and took <= 5.0


class RecordingSqs:
    """An SQS client that keeps the bodies of every message it received (to send them again)."""

    def __init__(self, client, bodies, receives=None):
        self.client, self.bodies, self.receives = client, bodies, receives if receives is not None else []

    def receive_message(self, **kw):
        self.receives.append(1)
        answer = self.client.receive_message(**kw)
        self.bodies.extend(m["Body"] for m in answer.get("Messages") or [])
        return answer

    def __getattr__(self, name):
        return getattr(self.client, name)


def test_each_notification_type_is_applied_once_and_again_changes_nothing(cycle, notified, market, channel_db,
                                                                          queue, sqs_server, redis_client,
                                                                          sync_account):
    bodies: list[str] = []
    factory = notified.sqs_factory
    notified.sqs_factory = lambda url, arn: RecordingSqs(factory(url, arn), bodies)
    notified._sqs.clear()
    offers: list[dict] = []
    notified.offers_handler = lambda conn, account_id, body: offers.append(body)

    cycle()  # reports and feeds processed, offers approved
    drain(notified, market, lambda: True)
    redis_client.flushdb()  # the follow-up jobs asked for from here on are the events' own
    market.market.add_order(SELLER, {"items": [{"sku": "MG-0000001"}]})
    with market.market.lock:  # a listings feed whose processing has just ended
        market.market.feeds["9990002"] = {
            "feedId": "9990002", "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["ATVPDKIKX0DER"],
            "created": market.market.clock.now() - timedelta(minutes=2), "seller": SELLER, "input": b"{}",
            "result": None, "fatal": False}
    market.admin("POST", "/notifications/listing", json={"seller_id": SELLER, "sku": "MG-0000002", "status": "",
                                                          "issues": [{"code": "1", "severity": "ERROR",
                                                                      "message": "Brand approval needed",
                                                                      "categories": []}]})
    market.admin("POST", "/competition", json={"asin": "B000000001", "offers": [
        {"seller_id": "A1OTHER", "price": 19.99, "fba": True, "buybox": True}]})
    drain(notified, market, lambda: bool(offers) and redis_client.exists(f"rq:job:{jobs.orders_job_id(sync_account)}")
          and redis_client.exists(f"rq:job:{jobs.sync_job_id(sync_account)}"))

    kinds = {}
    for body in bodies:
        note = model.Notification.parse(body)
        kinds.setdefault(note.notification_type, note.notification_id)
    assert set(kinds) == set(model.TYPES)
    ids = [model.Notification.parse(b).notification_id for b in bodies]
    with channel_db.engine.connect() as conn:
        rows = conn.execute(text("SELECT notification_id, notification_type, outcome FROM channel_amazon_notification"
                                 " WHERE notification_id IN :ids").bindparams(bindparam("ids", expanding=True)),
                            {"ids": ids}).all()
    assert len(rows) == len(set(ids))  # each event recorded once
    outcome = {r[0]: r[2] for r in rows}
    assert {kind: outcome[note_id] for kind, note_id in kinds.items()} == {kind: "applied" for kind in model.TYPES}
    row = listing(channel_db, "MG-0000002")
    assert "Brand approval needed" in (row["issue_text"] or "")
    assert len(offers) == 1 and offers[0]["OfferChangeTrigger"]["ASIN"] == "B000000001"

    # Every message delivered again, in reverse: nothing is applied twice, no job asked for again.
    redis_client.flushdb()
    calls = dict(market.market.calls)
    url, _ = queue
    client = sqs_server.client()
    again = list(reversed(bodies))
    for start in range(0, len(again), 10):
        client.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": b}
                                                         for n, b in enumerate(again[start:start + 10])])
    duplicates, seen = notified.stats.duplicates, len(bodies)
    drain(notified, market, lambda: True)
    assert notified.stats.duplicates - duplicates == len(again)
    # Amazon's own new events (an approval coming due) may arrive meanwhile; none of the old ones acts.
    fresh = {n.notification_type for n in map(model.Notification.parse, bodies[seen:]) if n.notification_id not in ids}
    assert len(offers) == 1 + ("ANY_OFFER_CHANGED" in fresh)
    assert bool(redis_client.exists(f"rq:job:{jobs.orders_job_id(sync_account)}")) == ("ORDER_CHANGE" in fresh)
    assert bool(redis_client.exists(f"rq:job:{jobs.sync_job_id(sync_account)}")) == ("FEED_PROCESSING_FINISHED"
                                                                                       in fresh)
    if "LISTINGS_ITEM_ISSUES_CHANGE" not in fresh:  # the issues were not read from Amazon again
        assert market.market.calls.get("getListingsItem", 0) == calls.get("getListingsItem", 0)
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_notification WHERE notification_id IN :ids")
                            .bindparams(bindparam("ids", expanding=True)), {"ids": ids}).scalar() == len(set(ids))
