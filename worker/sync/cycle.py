"""The Synchronizer: one account's listing cycle, step by step, under the account's lock.

Import Amazon's listings, match them to products, look up missing ASINs, classify
the website's catalog, publish / end / track offers, create the new products a
rule chooses (``worker.sync.new_asin``), push changed prices and quantities, record
the day's snapshot. Every step is idempotent, commits its own
work and has its own outcome (``worker.sync.steps``): a step runs when the steps it
needs succeeded this time or before, so a failed report import never stops the
price and stock push of listings already live. Orders are a job of their own.
Every failed Amazon call is written to the communication log.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from channel import alerts
from channel.classification import CycleClassification, classify_account
from channel.crypto import Vault
from channel.db import retry_on_lock_conflict
from channel.errors import NotFound
from channel.magento.catalog import CatalogReader
from channel.matching import match_account, name_prematched, prematch_new_skus
from channel.models import Account
from channel.models.log import write_log
from channel.pricing import AccountSettings
from worker.amazon.auth import secret_expiry_warning
from worker.amazon.factory import client_for
from worker.locks import AccountLock
from worker.sync.attributes import AttributeImporter
from worker.sync.exporter import PriceStockExporter
from worker.sync.importer import ListingsReportImporter
from worker.sync.new_asin import cycle_run as new_asin_run
from worker.sync.pii import protect_buyer_data
from worker.sync.publisher import OfferPublisher
from worker.sync.steps import ReportHeld, StepRunner
from worker.sync.trends import prune_logs, record_snapshot

logger = logging.getLogger(__name__)

#: Seconds before the next cycle when a step hit throttling or an Amazon outage.
RETRY_SOON = 120


@dataclasses.dataclass
class CycleOptions:
    """Knobs tests and the demo turn; production keeps the defaults."""

    poll: float = 15.0
    feed_wait: float = 0.0
    rate_scale: float = 1.0
    lock_ttl: int = 900
    resubmit_after: float = 900.0
    client_kwargs: dict = dataclasses.field(default_factory=dict)


class Synchronizer:
    def __init__(self, engine, redis, settings, account_id: int, options: CycleOptions | None = None,
                 progress=None, job_id: str | None = None):
        self.engine = engine
        self.redis = redis
        self.settings = settings
        self.account_id = account_id
        self.options = options or CycleOptions()
        self._progress = progress or (lambda step, done, total: None)
        self.job_id = job_id
        self.summary: dict = {}
        self.lock: AccountLock | None = None

    def progress(self, step: str, done: int = 0, total: int = 0) -> None:
        self._progress(step, done, total)
        if self.lock is not None:
            self.lock.extend()

    def log_failure(self, failure) -> None:
        """Each failed Amazon call: one communication log row, committed on its own."""
        with self.engine.begin() as conn:
            write_log(conn, account_id=self.account_id, operation=failure.operation, http_status=failure.status,
                      error_code=failure.code, message=failure.message, request_id=failure.request_id,
                      level="error" if failure.final else "warning", job_id=self.job_id)

    def load_account(self) -> Account | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(Account, self.account_id)

    def run(self, now: datetime | None = None) -> dict:
        self.lock = None
        account = self.load_account()
        if account is None or account.status != "active":
            logger.info("Account %s is missing or paused; nothing to sync", self.account_id)
            return {"skipped": True}
        self.lock = AccountLock(self.redis, self.account_id, self.options.lock_ttl).acquire()
        started = now or datetime.utcnow().replace(microsecond=0)
        try:
            self._run(account, started)
            failed = {k: v for k, v in self.summary.get("steps", {}).items() if v["status"] in ("failed", "retry")}
            held = [k for k, v in self.summary.get("steps", {}).items() if v["status"] == "held"]
            if failed:
                status, message = "failed", "; ".join(f"{k}: {v['message']}" for k, v in failed.items())
            elif held:
                status, message = "held", "held for the merchant: " + ", ".join(held)
            else:
                status, message = "ok", "cycle finished"
            retry_soon = any(v["status"] == "retry" for v in failed.values())
            retry_on_lock_conflict(lambda: self._finish(account, started, status, message[:1000], retry_soon))
        except Exception as exc:
            self._finish(account, started, "failed", f"{type(exc).__name__}: {exc}"[:1000])
            raise
        finally:
            self.lock.release()
        return self.summary

    def _check_install(self, account: Account) -> Account:
        """A database copied to another install (staging) must not talk to Amazon as production."""
        from channel import accounts as account_service

        with Session(self.engine, expire_on_commit=False) as session:
            current = session.get(Account, account.account_id)
            if current is None:
                raise NotFound(f"account {account.account_id} was deleted while it synced")
            if account_service.check_install(session, current, self.settings.table_prefix, self.settings.magento_root):
                write_log(session.connection(), account_id=current.account_id, operation="read_only_mode",
                          level="warning", message=current.read_only_reason or "read-only mode switched on")
            session.commit()
            return current

    def _run(self, account: Account, started: datetime) -> None:
        account = retry_on_lock_conflict(lambda: self._check_install(account))
        retry_on_lock_conflict(lambda: self._secret_expiry(account))
        settings = AccountSettings.from_json(account.settings)
        client = client_for(account, self.settings, self.redis, on_failure=self.log_failure,
                            rate_scale=self.options.rate_scale, **self.options.client_kwargs)
        with self.engine.connect() as conn:
            reader = CatalogReader.from_settings(conn, self.settings)
            steps = StepRunner(conn, account.account_id, started, self.progress)
            self.summary["steps"] = steps.outcomes
            publisher = OfferPublisher(conn, client, account, settings, self.progress, self.options.resubmit_after)
            classification = CycleClassification(reader, account, started)

            def do_import():
                stats = ListingsReportImporter(conn, client, account.account_id, self.options.poll,
                                               progress=lambda n: self.progress("import", n, 0),
                                               hold_threshold=settings.report_hold_threshold,
                                               prematch=lambda c, stage, new: prematch_new_skus(c, reader, account, stage, new),
                                               name_matches=lambda c, named: name_prematched(c, reader, account, named),
                                               facts=classification.read,
                                               ahead=classification.start).run(started)
                self.summary["imported"] = stats.rows
                self.summary["matched_on_import"] = stats.matched
                if stats.held:
                    raise ReportHeld(stats.held)
                return (f"{stats.rows} listings, {stats.bad_rows} bad rows skipped, {stats.gone} gone,"
                        f" {stats.matched} new matched by seller SKU")

            def do_match():
                matched = match_account(conn, reader, account).matched
                self.summary["matched"] = matched + self.summary.get("matched_on_import", 0)
                return f"{matched} matched"

            def do_asin_lookup():
                publisher.lookup_asins(reader)
                self.summary["asins_looked_up"] = publisher.stats.looked_up
                return (f"{publisher.stats.looked_up} looked up in {publisher.stats.lookup_calls} calls,"
                        f" {publisher.stats.asins_found} found")

            def do_classify():
                result = classification.classify(conn)
                self.summary["classified"] = result.products
                return result.summary()

            def do_publish():
                publisher.end()
                publisher.publish()
                publisher.track()
                self.summary["published"] = publisher.stats.published
                self.summary["publish_feeds"] = publisher.stats.feeds
                if publisher.stats.published or publisher.stats.became_active or publisher.stats.rejected \
                        or publisher.stats.ended:
                    conn.commit()
                    classify_account(conn, reader, account, started)
                return f"{publisher.stats.published} published, {publisher.stats.ended} ended"

            def do_new_asin():
                found = new_asin_run(conn, client, account, reader)
                if found is None:
                    return "no new-ASIN rule with a mapping"
                self.summary["new_asin"] = found
                return (f"{found['chosen']} chosen, {found['submitted']} submitted, {found['assigned']} assigned,"
                        f" {found['invalid']} invalid")

            def do_attributes():
                if not account.read_only:
                    self.summary["attributes"] = AttributeImporter(conn, client, account, settings, reader).run(started)

            def do_price_stock():
                exporter = PriceStockExporter(conn, client, account, feed_wait=self.options.feed_wait,
                                              poll=self.options.poll, progress=self.progress)
                export = exporter.run()
                exporter.raise_or_clear_rejections()
                self.summary["price_stock_changes"] = export.changed
                return f"{export.changed} changed, {export.patched} patched, {export.feeds} feeds"

            def do_record():
                self.summary["tabs"] = record_snapshot(conn, account.account_id, started)
                prune_logs(conn, self.settings.log_retention_days, started)
                self.summary["buyer_data"] = protect_buyer_data(conn, Vault(self.settings.encryption_key), started)

            try:
                steps.run("import", do_import)
                steps.run("match", do_match, needs=("import",))
                steps.run("classify", do_classify, needs=("match",))
            finally:
                classification.stop()  # a read ahead nothing used
            classification.discard(conn)
            # After classify: the products it found without an ASIN are looked up in this
            # cycle, and published in this cycle too.
            steps.run("asin_lookup", do_asin_lookup, needs=("match",))
            steps.run("publish", do_publish, needs=("classify",))
            steps.run("new_asin", do_new_asin, needs=("classify",))
            steps.run("attributes", do_attributes, needs=("import",))
            steps.run("price_stock", do_price_stock, needs=("classify",))
            steps.run("record", do_record)

    def _secret_expiry(self, account: Account) -> None:
        """Amazon's LWA client secrets expire after 180 days: warn from 30 days before."""
        warning = secret_expiry_warning(account)
        with self.engine.begin() as conn:
            if warning:
                alerts.raise_alert(conn, account.account_id, "secret_expiring", warning, severity="warning")
            else:
                alerts.clear_alert(conn, account.account_id, "secret_expiring")

    def _finish(self, account: Account, started: datetime, status: str, message: str,
                retry_soon: bool = False) -> None:
        interval = account.sync_interval or self.settings.sync_interval
        if retry_soon:
            interval = min(interval, RETRY_SOON)
        with self.engine.begin() as conn:
            conn.execute(text(
                "UPDATE channel_amazon_account SET last_sync_at = :s, last_sync_status = :st, last_sync_message = :m,"
                " next_sync_at = :n WHERE account_id = :a"),
                {"s": started, "st": status, "m": message, "n": started + timedelta(seconds=interval),
                 "a": self.account_id})
