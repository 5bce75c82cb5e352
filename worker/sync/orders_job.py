"""The orders job: one account's orders, on their own schedule, apart from listings.

Imports Amazon's orders (stock reserved at once, offers for Magento), then sends the
Magento shipments back. It shares nothing with the listing cycle that could hold a
buyer's order back: its own RQ job id, its own lock, its own outcome on the account
(``orders_last_run_at``, ``orders_status``, ``orders_message``, ``orders_next_run_at``).
A failed listings report or a rejected offer never stops it, and it never stops them.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from channel import alerts
from channel.crypto import Vault
from channel.db import retry_on_lock_conflict
from channel.magento.catalog import CatalogReader
from channel.models import Account
from channel.models.log import write_log
from worker.amazon.errors import AmazonError, Retryable, Unauthorized
from worker.amazon.factory import client_for
from worker.locks import AccountLock
from worker.sync.orders import OrderImporter
from worker.sync.shipments import ShipmentExporter

logger = logging.getLogger(__name__)

#: Seconds before a run that Amazon throttled or could not answer is due again.
RETRY_DELAY = 120


class OrdersLock(AccountLock):
    """The account's orders lock: never two orders runs at once, whatever the listing cycle does."""

    def __init__(self, redis, account_id: int, ttl: int = 900):
        super().__init__(redis, account_id, ttl)
        self.key = f"channel:lock:orders:{int(account_id)}"


@dataclasses.dataclass
class OrdersOptions:
    """Knobs tests and the demo turn; production keeps the defaults."""

    rate_scale: float = 1.0
    lock_ttl: int = 900
    page_size: int = 100
    client_kwargs: dict = dataclasses.field(default_factory=dict)


class OrdersSynchronizer:
    def __init__(self, engine, redis, settings, account_id: int, options: OrdersOptions | None = None,
                 job_id: str | None = None):
        self.engine = engine
        self.redis = redis
        self.settings = settings
        self.account_id = int(account_id)
        self.options = options or OrdersOptions()
        self.job_id = job_id
        self.summary: dict = {}

    def log_failure(self, failure) -> None:
        """Each failed Amazon call: one communication log row, committed on its own."""
        with self.engine.begin() as conn:
            write_log(conn, account_id=self.account_id, operation=failure.operation, http_status=failure.status,
                      error_code=failure.code, message=failure.message, request_id=failure.request_id,
                      level="error" if failure.final else "warning", job_id=self.job_id)

    def run(self, now: datetime | None = None) -> dict:
        with Session(self.engine, expire_on_commit=False) as session:
            account = session.get(Account, self.account_id)
        if account is None or account.status != "active":
            logger.info("Account %s is missing or paused; no orders run", self.account_id)
            return {"skipped": True}
        started = now or datetime.utcnow().replace(microsecond=0)
        lock = OrdersLock(self.redis, self.account_id, self.options.lock_ttl).acquire()
        try:
            # An import that lost a lock conflict (to a sync or an admin's save) is rolled back to its
            # last committed page and runs again; a blip is not news for the merchant.
            retry_on_lock_conflict(lambda: self._run(account, started))
        except Retryable as exc:
            self._finish(account, started, "retry", f"{type(exc).__name__}: {exc}"[:1000], RETRY_DELAY)
            raise
        except Exception as exc:
            self._finish(account, started, "failed", f"{type(exc).__name__}: {exc}"[:1000])
            self._alert(exc)
            raise
        finally:
            lock.release()
        orders, shipped = self.summary.get("orders") or {}, self.summary.get("shipments", 0)
        message = ("order import is off" if "skipped" in orders else
                   f"{orders.get('new', 0)} new, {orders.get('updated', 0)} updated order(s) in"
                   f" {orders.get('pages', 0)} page(s); {shipped} package(s) confirmed")
        self._finish(account, started, "ok", message)
        with self.engine.begin() as conn:
            alerts.clear_alert(conn, self.account_id, "orders_failing")
            alerts.clear_alert(conn, self.account_id, "credentials_rejected")
        return self.summary

    def _alert(self, exc: Exception) -> None:
        """A final failure needs the merchant: refused credentials, or orders that stopped coming."""
        message = exc.message if isinstance(exc, AmazonError) else f"{type(exc).__name__}: {exc}"
        with self.engine.begin() as conn:
            if isinstance(exc, Unauthorized):
                alerts.raise_alert(conn, self.account_id, "credentials_rejected",
                                   f"Amazon refused this account's credentials: {message}")
            alerts.raise_alert(conn, self.account_id, "orders_failing",
                               f"Amazon orders could not be imported: {message}")

    def _run(self, account: Account, started: datetime) -> None:
        client = client_for(account, self.settings, self.redis, on_failure=self.log_failure,
                            rate_scale=self.options.rate_scale, **self.options.client_kwargs)
        with self.engine.connect() as conn:
            reader = CatalogReader.from_settings(conn, self.settings)
            importer = OrderImporter(conn, client, account, reader, page_size=self.options.page_size,
                                     vault=Vault(self.settings.encryption_key))
            failed: Exception | None = None
            try:
                self.summary["orders"] = importer.run(started)
                conn.commit()
            except Exception as exc:  # noqa: BLE001 - raised below, once the shipments went out
                conn.rollback()  # the pages read so far are committed with their page token
                self.summary["orders"] = dataclasses.asdict(importer.stats)
                failed = exc
            # A throttled or failing import (a backlog, say) never holds shipments back.
            self.summary["shipments"] = ShipmentExporter(conn, client, account, reader.schema).run()
            conn.commit()
            if failed is not None:
                raise failed

    def _finish(self, account: Account, started: datetime, status: str, message: str,
                delay: int | None = None) -> None:
        interval = delay or self.settings.orders_interval
        with self.engine.begin() as conn:
            conn.execute(text(
                "UPDATE channel_amazon_account SET orders_last_run_at = :s, orders_status = :st,"
                " orders_message = :m, orders_next_run_at = :n WHERE account_id = :a"),
                {"s": started, "st": status, "m": message[:1024], "n": started + timedelta(seconds=interval),
                 "a": self.account_id})


def order_access_message(client) -> str:
    """For the credential check: can the app read orders, buyers and addresses?"""
    from worker.amazon import orders as api
    from worker.amazon.errors import AmazonError, Unauthorized

    try:
        access = api.restricted_data_access(client)
    except Unauthorized:
        return ("Orders: Amazon refuses to show this seller's orders; the app needs the role Inventory and"
                " Order Tracking.")
    except AmazonError as exc:
        return f"Orders: not checked ({exc.message})."
    if access is None:
        return "Orders: no recent merchant-fulfilled order to check buyer and address access with."
    missing = [what for what, ok in (("street addresses (role Direct-to-Consumer Delivery)", access["address"]),
                                     ("buyer names (role Tax Invoicing or Direct-to-Consumer Delivery)",
                                      access["buyer"])) if not ok]
    if not missing:
        return f"Orders: buyer and address data are readable (checked on order {access['order_id']})."
    return (f"Orders: the app cannot read {' or '.join(missing)} (checked on order {access['order_id']});"
            f" merchant-fulfilled orders wait for an address instead of reaching Magento.")
