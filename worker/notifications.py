"""``python -m worker.notifications``: the process that reads Amazon's notifications.

One long-running process per deployment (supervisord ``notifications``). Each round it

1. carries out the merchant's subscription changes (``pending`` accounts): an SQS
   destination (grantless) and one subscription per notification type, or their removal;
2. long-polls each subscribed queue (``receive_message``, up to 10 messages, up to
   ``wait`` seconds, and more at once while a burst lasts: up to ``gather`` receives),
   applies the batch in one transaction (``NotificationApplier``) and
   only then deletes the messages: a crash in between redelivers them, and the applied
   ids make the redelivery harmless;
3. queues the follow-up jobs the batch asked for: an account's orders run for an order
   change (again after a running one ends, so an order that arrived during it is read),
   its cycle for a processed feed;
4. every ``check_every`` seconds, asks Amazon whether it still holds each account's
   subscriptions.

When a queue cannot be read, or Amazon no longer holds a subscription, the accounts
concerned fall back to their cycle (queued at once) and raise ``notifications_stopped``;
when events flow again the alert clears.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from sqlalchemy.orm import Session

from channel import jobs as contract
from channel import notifications as model
from channel.crypto import Vault
from channel.errors import InvalidInput
from channel.models import Account
from worker.amazon import listings
from worker.amazon import notifications as api
from worker.amazon.errors import AmazonError, Retryable
from worker.amazon.factory import client_for

logger = logging.getLogger(__name__)

#: Name of the destination the channel creates for its queue.
DESTINATION_NAME = "magento-amazon-channel"


def _utcnow() -> datetime:
    return datetime.utcnow()


def sqs_client(settings, queue_url: str, queue_arn: str | None = None):
    """A boto3 SQS client for the queue: the configured endpoint (moto locally) with inert
    credentials, or AWS in the queue's region with the usual credential chain."""
    import boto3

    region = (queue_arn or "").split(":")[3] if queue_arn and queue_arn.count(":") == 5 else "us-east-1"
    if settings.sqs_endpoint:
        return boto3.client("sqs", endpoint_url=settings.sqs_endpoint, region_name=region,
                            aws_access_key_id="local", aws_secret_access_key="local")
    return boto3.client("sqs", region_name=region)


@dataclasses.dataclass
class Stats:
    received: int = 0
    applied: int = 0
    duplicates: int = 0
    stale: int = 0
    malformed: int = 0
    deleted: int = 0
    rounds: int = 0


class NotificationWorker:
    def __init__(self, engine, redis, settings, wait: int = 20, check_every: float = 300.0,
                 sqs_factory: Callable | None = None, client_kwargs: dict | None = None, rate_scale: float = 1.0,
                 gather: int = 5, retry_after: float = 10.0):
        self.engine = engine
        self.redis = redis
        self.settings = settings
        self.wait = max(0, min(int(wait), 20))  # SQS long polls up to 20 s
        self.check_every = check_every
        self.sqs_factory = sqs_factory or (lambda url, arn: sqs_client(settings, url, arn))
        self.client_kwargs = client_kwargs or {}
        self.rate_scale = rate_scale
        self.gather = max(1, int(gather))
        self.stats = Stats()
        self.applier = model.NotificationApplier(read_issues=self.read_issues)
        self._sqs: dict[str, object] = {}
        self._clients: dict[int, object] = {}
        self._checked_at = 0.0
        self._polled_at: dict[str, float] = {}
        #: Seconds a queue that could not be read is left alone before the next try: an
        #: unreadable queue answers at once, and would otherwise be asked in a tight loop.
        self.retry_after = retry_after
        self._unreadable_until: dict[str, float] = {}
        self._long_polled = False
        self._owed_orders: set[int] = set()
        self._retry_at: dict[int, float] = {}
        self.stop = threading.Event()
        self._deleter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqs-delete")
        self._deletes: list[Future] = []
        #: (conn, account_id, AnyOfferChangedNotification body) -> None
        self.offers_handler: Callable | None = None

    # --- Amazon -----------------------------------------------------------------------------
    def _account(self, account_id: int) -> Account | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(Account, account_id)

    def client(self, account_id: int):
        client = self._clients.get(account_id)
        if client is None:
            account = self._account(account_id)
            if account is None:
                raise InvalidInput(f"account {account_id} does not exist")
            client = client_for(account, self.settings, self.redis, rate_scale=self.rate_scale, **self.client_kwargs)
            self._clients[account_id] = client
        return client

    def read_issues(self, account_id: int, sku: str) -> list[dict] | None:
        """The listing's issues as Amazon holds them now; None when Amazon cannot say."""
        try:
            item = listings.get_item(self.client(account_id), sku, "summaries,issues")
        except AmazonError as exc:
            logger.warning("Issues of %s (account %s) could not be read: %s", sku, account_id, exc)
            return None
        return list((item or {}).get("issues") or [])

    def carry_out(self, account_id: int) -> None:
        """Subscribe or unsubscribe an account as its setting says."""
        if self._retry_at.get(account_id, 0) > time.monotonic():
            return
        with self.engine.connect() as conn:
            sub = model.subscription(conn, account_id)
        account = self._account(account_id)
        if account is None:
            return
        try:
            client = self.client(account_id)
            grantless = api.grantless_client(client, account.client_secret(Vault(self.settings.encryption_key)))
            if sub["enabled"]:
                destination = api.create_destination(grantless, DESTINATION_NAME, sub["queue_arn"])
                if sub["destination_id"] and sub["destination_id"] != destination:
                    # Another queue than before: Amazon would keep delivering to the old one.
                    for kind, sub_id in sub["subscriptions"].items():
                        api.unsubscribe(grantless, kind, sub_id)
                subs = {kind: api.subscribe(client, kind, destination, version) for kind, version in model.TYPES.items()}
            else:
                for kind, sub_id in sub["subscriptions"].items():
                    api.unsubscribe(grantless, kind, sub_id)
                destination, subs = None, {}
        except Retryable as exc:
            logger.warning("Subscribing account %s: %s; trying again shortly", account_id, exc)
            self._retry_at[account_id] = time.monotonic() + 30
            return
        except AmazonError as exc:
            with self.engine.begin() as conn:
                model.fell_back(conn, account_id, f"Amazon refused the subscription: {exc}")
            self._poll_now(account_id)
            return
        with self.engine.begin() as conn:
            model.subscribed(conn, account_id, destination, subs)
        logger.info("Account %s: %s", account_id, f"subscribed to {len(subs)} types" if subs else "unsubscribed")

    def check_subscriptions(self, accounts: list[int]) -> None:
        """Does Amazon still hold each account's subscriptions? Gone: fall back."""
        for account_id in accounts:
            with self.engine.connect() as conn:
                sub = model.subscription(conn, account_id)
            try:
                client = self.client(account_id)
                gone = [kind for kind in sub["subscriptions"]
                        if api.get_subscription(client, kind, model.TYPES.get(kind, "1.0")) is None]
            except AmazonError as exc:
                logger.warning("Subscriptions of account %s could not be checked: %s", account_id, exc)
                continue
            # Types dropped before stay missing until the merchant subscribes again.
            missing = sorted(set(model.TYPES) - set(sub["subscriptions"])) + gone
            with self.engine.begin() as conn:
                if missing:
                    model.forget_subscriptions(conn, account_id, gone)
                    if model.fell_back(conn, account_id, f"Amazon no longer holds the subscription to"
                                                         f" {', '.join(missing)}"):
                        self._poll_now(account_id)
                else:
                    model.confirmed(conn, [account_id], checked=True)

    # --- the queue --------------------------------------------------------------------------
    def sqs(self, url: str, arn: str | None):
        client = self._sqs.get(url)
        if client is None:
            client = self._sqs[url] = self.sqs_factory(url, arn)
        return client

    def read_queue(self, url: str, accounts: list[int], wait: int) -> int:
        """One long poll of the queue; returns how many messages it answered with."""
        if self._unreadable_until.get(url, 0) > time.monotonic():
            return 0
        with self.engine.connect() as conn:
            arn = model.subscription(conn, accounts[0])["queue_arn"]
        messages: list[dict] = []
        try:
            # SQS hands out 10 at a time: while it has more, up to ``gather`` receives make one
            # transaction, so a burst costs one commit per ``10 * gather`` events, not per 10.
            for n in range(self.gather):
                answer = self.sqs(url, arn).receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                            WaitTimeSeconds=wait if n == 0 else 0)
                got = answer.get("Messages") or []
                messages.extend(got)
                if len(got) < 10:
                    break
        except Exception as exc:  # noqa: BLE001 - any SQS or network failure: events stopped
            self._sqs.pop(url, None)
            self._polled_at.pop(url, None)  # the next answer is written at once: it ends the fallback
            self._unreadable_until[url] = time.monotonic() + self.retry_after
            why = f"the queue cannot be read: {type(exc).__name__}: {str(exc)[:300]}"
            logger.warning("Queue %s: %s", url, why)
            with self.engine.begin() as conn:
                fallen = [a for a in accounts if model.fell_back(conn, a, why)]
            for account_id in fallen:
                self._poll_now(account_id)
            return 0
        self._unreadable_until.pop(url, None)
        self._long_polled = self._long_polled or wait > 0
        if time.monotonic() - self._polled_at.get(url, 0) > 30:  # the queue answers: not every poll written
            with self.engine.begin() as conn:
                model.confirmed(conn, accounts, polled=True)
            self._polled_at[url] = time.monotonic()
        if not messages:
            return 0
        self.apply_messages(url, arn, messages)
        return len(messages)

    def apply_messages(self, url: str, arn: str | None, messages: list[dict]) -> model.Outcome:
        """Apply a received batch in one transaction, then delete it."""
        self.stats.received += len(messages)
        notes = []
        for message in messages:
            try:
                notes.append(model.Notification.parse(message["Body"]))
            except InvalidInput as exc:  # never applicable: deleted, or it would come back forever
                self.stats.malformed += 1
                logger.warning("Message %s is no notification (%s); deleted", message.get("MessageId"), exc)
        with self.engine.begin() as conn:
            outcome = self.applier.apply(conn, notes)
        self.stats.applied += outcome.count("applied")
        self.stats.duplicates += outcome.count("duplicate") + (len(notes) - len({n.notification_id for n in notes}))
        self.stats.stale += outcome.count("stale")
        # Deleted beside the next receive (one thread, in order): only ever after the commit above.
        self._deletes.append(self._deleter.submit(self._delete, url, arn, messages))
        self._deletes = [f for f in self._deletes if not f.done()]
        self._owed_orders |= outcome.orders
        for account_id in outcome.cycles:
            contract.enqueue_sync(self.redis, account_id, "notification")
        if outcome.offers:
            self.on_offers(outcome.offers)
        return outcome

    def _delete(self, url: str, arn: str | None, messages: list[dict]) -> None:
        for start in range(0, len(messages), 10):
            entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                       for n, m in enumerate(messages[start:start + 10])]
            try:
                answer = self.sqs(url, arn).delete_message_batch(QueueUrl=url, Entries=entries)
                self.stats.deleted += len(answer.get("Successful") or [])
            except Exception as exc:  # noqa: BLE001 - not deleted: redelivered later, and found applied then
                logger.warning("Deleting %d applied message(s) failed: %s", len(entries), exc)

    def flush(self) -> None:
        """Wait until the applied messages' deletes are done."""
        for future in self._deletes:
            future.result()
        self._deletes = []

    def on_offers(self, offers: list[tuple[int, dict]]) -> None:
        """Competitors' offers changed (ANY_OFFER_CHANGED): handed to ``offers_handler``
        (repricing), in its own transaction; without one they are only recorded as applied."""
        if self.offers_handler is None:
            return
        with self.engine.begin() as conn:
            for account_id, body in offers:
                self.offers_handler(conn, account_id, body)

    def _poll_now(self, account_id: int) -> None:
        """Events stopped: the account's cycle and orders run are read at once, not in five minutes."""
        contract.enqueue_sync(self.redis, account_id, "notifications_stopped")
        contract.enqueue_orders(self.redis, account_id, "notifications_stopped")

    def settle_orders(self) -> None:
        """Queue the orders runs the events asked for; one already running is queued again
        when it ends, so an order that arrived during it is read too."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        for account_id in sorted(self._owed_orders):
            try:
                status = Job.fetch(contract.orders_job_id(account_id), connection=self.redis).get_status(refresh=True)
            except NoSuchJobError:
                status = None
            if status is not None and str(getattr(status, "value", status)) == "started":
                continue
            contract.enqueue_orders(self.redis, account_id, "notification")
            self._owed_orders.discard(account_id)

    # --- the loop ---------------------------------------------------------------------------
    def run_once(self) -> int:
        """One round: pending subscriptions, the subscription check when due, one poll of each queue."""
        self.stats.rounds += 1
        self._long_polled = False
        with self.engine.connect() as conn:
            pending = model.accounts_pending(conn)
            queues = model.accounts_to_read(conn)
        for account_id in pending:
            self.carry_out(account_id)
        if pending:
            self.applier.forget_accounts()
            with self.engine.connect() as conn:
                queues = model.accounts_to_read(conn)
        if queues and time.monotonic() - self._checked_at >= self.check_every:
            self._checked_at = time.monotonic()
            self.check_subscriptions([a for accounts in queues.values() for a in accounts])
        received = 0
        wait = self.wait if len(queues) == 1 else min(self.wait, 1)
        for url, accounts in queues.items():
            received += self.read_queue(url, accounts, wait)
        self.settle_orders()
        return received

    def run(self, idle: float = 1.0) -> None:
        while not self.stop.is_set():
            try:
                if not self.run_once() and not self._long_polled:  # no long poll paced this round
                    self.stop.wait(idle)
            except Exception:  # noqa: BLE001 - the database or Redis away: the next round tries again
                logger.exception("Notification round failed")
                self.stop.wait(idle * 5)
            else:
                with self.engine.connect() as conn:
                    if not model.accounts_to_read(conn) and not model.accounts_pending(conn):
                        self.stop.wait(idle * 5)  # nothing subscribed: look again shortly


def main(argv: list[str] | None = None) -> int:
    import argparse

    from worker import job_logging, runtime

    parser = argparse.ArgumentParser(prog="worker.notifications", description="Read Amazon's notifications.")
    parser.add_argument("--wait", type=int, default=20, help="seconds one long poll of the queue waits (max 20)")
    parser.add_argument("--check-every", type=float, default=300.0,
                        help="seconds between two checks that Amazon still holds the subscriptions")
    args = parser.parse_args(argv)
    job_logging.configure()
    settings = runtime.settings()
    worker = NotificationWorker(runtime.engine(), runtime.redis_conn(), settings, wait=args.wait,
                                check_every=args.check_every / settings.sandbox_time_scale,
                                rate_scale=settings.sandbox_time_scale)
    from worker.repricing import offers_changed

    worker.offers_handler = lambda conn, account_id, body: offers_changed(conn, settings, account_id, body)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop.set())
    try:
        worker.run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
