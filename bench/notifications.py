"""The ``notifications`` benchmark: Amazon's events applied by one notifications worker.

Two phases against a real SQS API (moto in server mode, its own process) and the
channel's database:

1. **backlog**: N listing status changes over N/5 listings (five per listing, the last
   one deciding), 10 % of them delivered twice, all shuffled, put on the queue as fast as
   the worker takes them (up to ``BACKLOG`` ahead), read and applied by one worker: ``events_per_second`` and ``events_per_minute`` are its
   throughput. Correctness is counted, not assumed: every event id recorded once, the
   redeliveries found as duplicates, every listing at the status of its newest event,
   the queue empty (``lost``, ``applied_twice``, ``wrong_final_status``).
2. **steady**: events sent at 10,000 per minute for a while, as Amazon would push them;
   ``latency_p95_s`` is the time from an event's sending to its transaction's commit.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from bench.harness import percentile
from bench.scenarios import MARKET, SELLER, Stack
from channel import notifications as model
from sandbox.localservices import Sqs
from worker.notifications import NotificationWorker

#: Messages the backlog phase keeps on the queue ahead of the worker at most.
BACKLOG = 40
STATUSES: tuple[list[str], ...] = (["BUYABLE", "DISCOVERABLE"], ["DISCOVERABLE"], [])


def _fill(stack: Stack, account_id: int, listings: int) -> None:
    """Listings live on Amazon whose Magento facts were read (so Amazon's status decides their tab)."""
    with stack.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_listing (account_id, product_id, magento_sku, seller_sku, asin, product_name,"
            " tab, reason, amazon_status, calc_price, calc_qty, calc_condition, match_status, in_website, enabled,"
            " passes_rules, has_identifier, facts_at)"
            " SELECT :a, seq, CONCAT('MG-', LPAD(seq, 7, '0')), CONCAT('MG-', LPAD(seq, 7, '0')),"
            " CONCAT('B0', LPAD(seq, 8, '0')), CONCAT('Sample product ', seq), 'active', 'listed_buyable', 'BUYABLE',"
            f" 19.99, 5, 'new_new', 'matched', 1, 1, 1, 1, NOW() FROM seq_1_to_{int(listings)}"), {"a": account_id})


def _event(sku: str, when: datetime, status: list[str]) -> dict:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {"NotificationVersion": "1.0", "NotificationType": "LISTINGS_ITEM_STATUS_CHANGE", "PayloadVersion": "1.0",
            "EventTime": stamp, "Payload": {"SellerId": SELLER, "MarketplaceId": MARKET, "Sku": sku, "Status": status},
            "NotificationMetadata": {"ApplicationId": "bench", "SubscriptionId": "bench", "PublishTime": stamp,
                                     "NotificationId": str(uuid.uuid4())}}


class TimedWorker(NotificationWorker):
    """The worker, noting when each notification's batch committed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.committed: dict[str, float] = {}

    def apply_messages(self, url, arn, messages):
        outcome = super().apply_messages(url, arn, messages)
        now = time.monotonic()
        for note_id in outcome.outcomes:
            self.committed.setdefault(note_id, now)
        return outcome


def _send(client, url: str, bodies: list[str]) -> None:
    for start in range(0, len(bodies), 10):
        client.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": b}
                                                         for n, b in enumerate(bodies[start:start + 10])])


def notifications(n: int) -> dict:
    stack = Stack()
    sqs = Sqs(stack.base / "sqs").start()
    try:
        stack.catalog(10)
        account_id, settings = stack.account()
        listings = max(1, n // 5)
        _fill(stack, account_id, listings)
        url, arn = sqs.create_queue("bench-notifications")
        with stack.engine.begin() as conn:
            model.configure(conn, account_id, True, arn, url)
            model.subscribed(conn, account_id, "bench-destination", {"LISTINGS_ITEM_STATUS_CHANGE": "bench"})
        client = sqs.client()
        worker = TimedWorker(stack.engine, stack.redis.client(), settings.replace(sqs_endpoint=sqs.url), wait=1,
                             check_every=1e9)

        # 1. backlog: N events, 10 % redelivered, shuffled
        rng = random.Random(20)
        base = datetime.now(timezone.utc) - timedelta(hours=1)
        events, newest = [], {}
        for i in range(n):
            sku = f"MG-{i % listings + 1:07d}"
            status = rng.choice(STATUSES)
            events.append(_event(sku, base + timedelta(milliseconds=i), status))
            newest[sku] = status  # later i, later EventTime
        redelivered = rng.sample(events, n // 10)
        bodies = [json.dumps(e) for e in events + redelivered]
        rng.shuffle(bodies)
        ids = {e["NotificationMetadata"]["NotificationId"] for e in events}

        def backlog() -> None:
            """Amazon's pushes, at most ``BACKLOG`` messages ahead of the worker: moto's
            receive is O(queue length), SQS's is not, and a deep local queue would time moto."""
            producer = sqs.client()
            for start in range(0, len(bodies), 10):
                while start - worker.stats.received > BACKLOG:
                    time.sleep(0.002)
                _send(producer, url, bodies[start:start + 10])

        feeder = threading.Thread(target=backlog, daemon=True)
        started = time.perf_counter()
        feeder.start()
        deadline = time.monotonic() + max(120.0, n / 20)
        while len(worker.committed.keys() & ids) < len(ids) and time.monotonic() < deadline:
            worker.run_once()
        seconds = time.perf_counter() - started
        feeder.join(timeout=5)
        for _ in range(3):  # what is left (redeliveries of already applied events) is read and deleted
            worker.run_once()
        worker.flush()
        with stack.engine.connect() as conn:
            recorded, distinct = conn.execute(text(
                "SELECT COUNT(*), COUNT(DISTINCT notification_id) FROM channel_amazon_notification")).one()
            final: dict[str, str] = {r[0]: r[1] for r in conn.execute(text(
                "SELECT seller_sku, amazon_status FROM channel_amazon_listing WHERE account_id = :a"),
                {"a": account_id})}
        wrong = len([sku for sku, status in newest.items() if final.get(sku) != model.listing_status(status)])
        left = int(client.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"][
            "ApproximateNumberOfMessages"])
        stats = worker.stats

        # 2. steady: 10,000 events per minute as Amazon pushes them; time to commit per event
        rate, steady_n = 10_000 / 60, min(2_000, n)
        sent_at: dict[str, float] = {}
        stop = threading.Event()

        def produce() -> None:
            producer = sqs.client()
            t0 = time.monotonic()
            for k in range(0, steady_n, 10):
                batch = [_event(f"MG-{(k + j) % listings + 1:07d}", datetime.now(timezone.utc),
                                rng.choice(STATUSES)) for j in range(min(10, steady_n - k))]
                time.sleep(max(0.0, t0 + k / rate - time.monotonic()))
                now = time.monotonic()
                for e in batch:
                    sent_at[e["NotificationMetadata"]["NotificationId"]] = now
                _send(producer, url, [json.dumps(e) for e in batch])
            stop.set()

        producer = threading.Thread(target=produce, daemon=True)
        producer.start()
        steady_deadline = time.monotonic() + steady_n / rate + 60
        while time.monotonic() < steady_deadline and (not stop.is_set()
                                                     or len(worker.committed.keys() & sent_at.keys()) < steady_n):
            worker.run_once()
        producer.join(timeout=5)
        worker.flush()
        latencies = [worker.committed[i] - t for i, t in sent_at.items() if i in worker.committed]
        return {
            "events": n, "listings": listings, "redelivered": len(redelivered), "seconds": round(seconds, 2),
            "events_per_second": round(n / seconds, 1), "events_per_minute": round(n / seconds * 60),
            "lost": len(ids) - len(worker.committed.keys() & ids) + left, "applied_twice": recorded - distinct,
            "duplicates_found": stats.duplicates, "stale_found": stats.stale, "wrong_final_status": wrong,
            "deleted": stats.deleted, "received": stats.received,
            "steady_events": steady_n, "steady_rate_per_minute": 10_000,
            "steady_applied": len(latencies), "latency_p50_s": round(percentile(latencies, 50), 3),
            "latency_p95_s": round(percentile(latencies, 95), 3),
            "latency_max_s": round(max(latencies), 3) if latencies else None,
        }
    finally:
        sqs.stop()
        stack.stop()
