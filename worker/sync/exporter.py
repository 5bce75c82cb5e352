"""PriceStockExporter: only what changed since Amazon last acknowledged it, fast.

The wanted price and quantity of every listing on Amazon come from the last
classification (``calc_price``, ``calc_qty``; quantity 0 for Ineligible listings, none
for Fulfilled by Amazon). Listings whose wanted values differ from the acknowledged
ones (``pushed_*``) are found in one query. Few changes go out as patchListingsItem
calls (5/s, answers in milliseconds); many go out as JSON_LISTINGS_FEED documents of
up to 25,000 messages (5 feeds per 5 minutes, minutes to process), whichever reaches
Amazon sooner under the rate limits. A feed is recorded before the cycle moves on;
its processing report is applied in the same or a later cycle: accepted messages
become acknowledged, rejected ones stay changed and are sent again.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, RowMapping

from channel import alerts, listing_state, marketplaces, payloads
from channel.business import BusinessOffer
from channel.models.log import write_log
from worker.amazon import feeds, listings, patches
from worker.amazon.errors import AmazonError
from worker.amazon.throttle import PACE
from worker.sync.feed_reports import RETRY, read_report

logger = logging.getLogger(__name__)

LISTING = "channel_amazon_listing"
#: Seconds Amazon takes to process a feed, end to end (typical; minutes in production).
FEED_LATENCY = 120.0
PATCH_RATE = 5.0
PATCH_BURST = 5


def use_feeds(changes: int, patch_rate: float = PATCH_RATE, feed_latency: float = FEED_LATENCY) -> bool:
    """Whichever reaches Amazon sooner at the pace the limiter keeps: patches take their
    count over the paced rate; feeds are processed side by side, so they take their
    processing latency after the last one could be submitted (5 per 5 minutes).
    With Amazon's defaults a feed wins above about 600 changes."""
    patch_time = max(0.0, (changes - PATCH_BURST) / (patch_rate * PACE))
    feed_time = feed_latency + feeds.submission_time(math.ceil(changes / feeds.MAX_MESSAGES))
    return patch_time > feed_time


def offer_on_amazon(item: dict | None) -> tuple[Decimal | None, int | None]:
    """The merchant-fulfilled price (B2C) and quantity Amazon holds, from getListingsItem."""
    if not item:
        return None, None
    price = None
    for offer in item.get("offers") or []:
        if offer.get("offerType", "B2C") == "B2C" and (offer.get("price") or {}).get("amount") is not None:
            price = Decimal(str(offer["price"]["amount"]))
            break
    qty = None
    for avail in item.get("fulfillmentAvailability") or []:
        if avail.get("fulfillmentChannelCode", "DEFAULT") == "DEFAULT" and avail.get("quantity") is not None:
            qty = int(avail["quantity"])
            break
    return price, qty


def business_price_on_amazon(item: dict | None) -> Decimal | None:
    """The business (B2B) price Amazon holds, from getListingsItem's offers."""
    for offer in (item or {}).get("offers") or []:
        if offer.get("offerType") == "B2B" and (offer.get("price") or {}).get("amount") is not None:
            return Decimal(str(offer["price"]["amount"]))
    return None


@dataclasses.dataclass
class ExportStats:
    changed: int = 0
    patched: int = 0
    feeds: int = 0
    messages: int = 0
    acknowledged: int = 0
    rejected: int = 0


#: The quantity the offer sends, kept by the database (``offer_qty``, sql/0017).
WANTED = "offer_qty"
#: A digest of the values a push sends (price, quantity, business offer: left out while
#: none, so the digest of an offer without one is as before). A push Amazon answers INVALID
#: leaves ``submission_ref = 'rejected:<digest>'``: the same values are not sent again,
#: changed values are.
WANT_DIGEST = f"MD5(CONCAT_WS('|', IFNULL(calc_price, '-'), IFNULL({WANTED}, '-'), calc_business))"
REJECTED = "rejected:"


class PriceStockExporter:
    def __init__(self, conn: Connection, client, account, feed_wait: float = 0.0, poll: float = 15.0,
                 progress=None, feed_latency: float = FEED_LATENCY):
        self.conn = conn
        self.client = client
        self.account = account
        self.feed_wait = feed_wait
        self.poll = poll
        self.feed_latency = feed_latency
        self.currency = marketplaces.get(account.marketplace_id).currency
        self.progress = progress or (lambda step, done, total: None)
        self.stats = ExportStats()

    def changed(self) -> Sequence[RowMapping]:
        """Listings on Amazon whose wanted price or quantity Amazon has not acknowledged."""
        return self.conn.execute(text(
            f"SELECT listing_id, seller_sku, calc_price, {WANTED} AS want_qty, {WANT_DIGEST} AS want_digest,"
            f" calc_business, pushed_business"
            f" FROM {LISTING}"
            f" WHERE account_id = :a AND amazon_status IS NOT NULL AND ended_by_merchant = 0"
            f" AND product_id IS NOT NULL AND tab IN ('active', 'inactive', 'ineligible')"
            f" AND submitted_at IS NULL AND pending_action IS NULL AND (submission_ref IS NULL OR submission_ref NOT LIKE 'feed:%')"
            f" AND NOT (submission_ref <=> CONCAT('{REJECTED}', {WANT_DIGEST}))"
            f" AND offer_dirty = 1"  # kept by the database (sql/0009): an index seek, not a scan
            f" ORDER BY listing_id"), {"a": self.account.account_id}).mappings().all()

    def run(self) -> ExportStats:
        self.apply_pending_feeds()
        if self.account.read_only:
            return self.stats
        rows = self.changed()
        self.stats.changed = len(rows)
        if not rows:
            return self.stats
        if use_feeds(len(rows), feed_latency=self.feed_latency):
            # At most 25,000 messages and 10 MB per feed (a full feed of price and stock is ~10.5 MB);
            # each message is built and encoded once, into its feed's document. The next feeds are
            # built, uploaded and created while this one is recorded: only the rate limits and the
            # documents' building stand between two createFeed calls.
            documents = feeds.documents(self.client.seller_id, rows, self._message)
            for batch, feed_id in feeds.created_ahead(self.client, documents, known=self._known_feeds()):
                self.record_feed(batch, feed_id)
            if self.feed_wait:
                self.apply_pending_feeds(wait=self.feed_wait)
        else:
            self.send_patches(rows)
        return self.stats

    def _attributes(self, row) -> dict:
        """The wanted price and quantity, as the product page shows them (``channel.payloads``)."""
        return payloads.price_stock_attributes(self.account.marketplace_id, self.currency, row["calc_price"],
                                               row["want_qty"], row["calc_business"], row["pushed_business"])

    def raise_or_clear_rejections(self) -> int:
        """One alert while Amazon refuses values we hold back (``rejected:`` listings); cleared
        when none is left. Returns how many listings are held back."""
        rows = self.conn.execute(text(
            f"SELECT seller_sku FROM {LISTING} WHERE account_id = :a AND submission_ref LIKE '{REJECTED}%'"
            f" ORDER BY listing_id"), {"a": self.account.account_id}).scalars().all()
        if rows:
            shown = ", ".join(rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
            alerts.raise_alert(self.conn, self.account.account_id, "value_rejected",
                               f"Amazon rejects the price or quantity sent for {len(rows)} listing(s): {shown}."
                               " The same values are not sent again; the communication log has Amazon's words.",
                               details={"skus": rows[:50]})
        else:
            alerts.clear_alert(self.conn, self.account.account_id, "value_rejected")
        return len(rows)

    def send_patches(self, rows) -> None:
        """``patches.IN_FLIGHT`` patches on the network at once, paced by the shared bucket;
        each outcome is recorded here, in order, on this connection."""
        calls = ((row, row["seller_sku"], self._attributes(row)) for row in rows)
        for n, (row, result) in enumerate(patches.patch_items(self.client, calls), start=1):
            if isinstance(result, AmazonError):
                if result.retryable:
                    raise result
                self._remember_rejected(row)
                self.stats.rejected += 1
                continue
            if result.get("status") == "ACCEPTED":
                listing_state.offers_acknowledged(self.conn, [(row["listing_id"], row["calc_price"], row["want_qty"])])
                if row["calc_business"] != row["pushed_business"]:
                    listing_state.business_acknowledged(self.conn, [(row["listing_id"], row["calc_business"])])
                listing_state.rejection_cleared(self.conn, row["listing_id"], REJECTED)
                self.stats.patched += 1
            else:
                self._remember_rejected(row)
                self.stats.rejected += 1
                write_log(self.conn, account_id=self.account.account_id, operation="patchListingsItem",
                          message=f"{row['seller_sku']}: " + "; ".join(i.get("message", "") for i in
                                                                        result.get("issues", [])))
            self.progress("price_stock", n, len(rows))
        self.conn.commit()

    def _remember_rejected(self, row) -> None:
        """Amazon refused these values: not sent again until they change."""
        listing_state.value_rejected(self.conn, row["listing_id"], REJECTED + row["want_digest"])

    def _message(self, message_id: int, row) -> dict:
        return payloads.feed_message(message_id, row["seller_sku"], self._attributes(row))

    def _known_feeds(self) -> set[str]:
        """Feeds recorded for this account lately: a createFeed without an answer did not make them."""
        return {f for (f,) in self.conn.execute(text(
            "SELECT feed_id FROM channel_amazon_feed WHERE account_id = :a AND created_at > NOW() - INTERVAL 1 DAY"),
            {"a": self.account.account_id})}

    def record_feed(self, rows, feed_id: str) -> None:
        """Feed ``feed_id`` carries ``rows`` (message n is row n, ``feeds.documents``): its
        listings are not sent again until its processing report is applied."""
        index = {n: [row["listing_id"], None if row["calc_price"] is None else str(row["calc_price"]),
                     row["want_qty"], row["want_digest"]] for n, row in enumerate(rows, start=1)}
        for n, row in enumerate(rows, start=1):  # a business offer that changes travels too
            if row["calc_business"] != row["pushed_business"]:
                index[n].append(row["calc_business"])
        self.conn.execute(text(
            "INSERT INTO channel_amazon_feed (feed_id, account_id, kind, messages, message_count)"
            " VALUES (:f, :a, 'price_stock', :m, :c)"),
            {"f": feed_id, "a": self.account.account_id, "m": json.dumps(index), "c": len(index)})
        listing_state.feed_submitted(self.conn, [v[0] for v in index.values()], "feed:" + feed_id)
        self.conn.commit()
        self.stats.feeds += 1
        self.stats.messages += len(index)
        logger.info("Submitted feed %s with %d price/stock changes for account %s", feed_id, len(index),
                    self.account.account_id)

    def apply_pending_feeds(self, wait: float = 0.0) -> None:
        """Read the processing reports of finished feeds and acknowledge what Amazon applied.

        Nothing counts as applied without Amazon saying so. A report must account for
        every message sent (``summary.messagesProcessed``, errors by ``messageId``); the
        messages it does not account for are checked one by one with getListingsItem
        and acknowledged only when Amazon holds the values sent, otherwise they stay
        changed and go out again. A report that cannot be read is fetched again in
        later cycles (``feed_reports.MAX_REPORT_ATTEMPTS`` times), then the feed is verified the same way."""
        pending = self.conn.execute(text(
            "SELECT feed_id, messages, report_attempts FROM channel_amazon_feed WHERE account_id = :a"
            " AND kind = 'price_stock' AND status = 'submitted'"), {"a": self.account.account_id}).all()
        for feed_id, raw, attempts in pending:
            feed = feeds.wait_feed(self.client, feed_id, poll=self.poll, timeout=wait) if wait else \
                feeds.feed_status(self.client, feed_id)
            status = feed.get("processingStatus")
            if status not in ("DONE", "FATAL", "CANCELLED"):
                continue
            index = {int(k): v for k, v in json.loads(raw).items()}
            rejected: set[int] = set()
            unaccounted: set[int] = set()
            if status == "DONE":
                read = read_report(self.conn, self.client, self.account.account_id, feed, feed_id, attempts,
                                   len(index), "changes")
                if read == RETRY:
                    continue
                report = read if isinstance(read, dict) else None
                if report is not None:
                    rejected, unaccounted = feeds.account_for(report, set(index))
                    for issue in report.get("issues", []):
                        if issue.get("severity") == "ERROR":
                            write_log(self.conn, account_id=self.account.account_id, operation="JSON_LISTINGS_FEED",
                                      error_code=str(issue.get("code")),
                                      message=f"{issue.get('sku') or 'feed ' + feed_id}: {issue.get('message')}")
                    if unaccounted:
                        write_log(self.conn, account_id=self.account.account_id, operation="JSON_LISTINGS_FEED",
                                  level="warning", message=f"feed {feed_id}: the processing report accounts for"
                                  f" {len(index) - len(unaccounted)} of {len(index)} messages; the rest are"
                                  " checked one by one on Amazon")
                else:
                    unaccounted = set(index)
            else:
                rejected = set(index)
                write_log(self.conn, account_id=self.account.account_id, operation="JSON_LISTINGS_FEED",
                          message=f"feed {feed_id} ended {status}; its changes will be sent again")
            verified = self._verify({k: index[k] for k in unaccounted})
            accepted = [(v[0], None if v[1] is None else Decimal(v[1]), v[2]) for k, v in index.items()
                        if k not in rejected and (k not in unaccounted or k in verified)]
            listing_state.offers_acknowledged(self.conn, accepted)
            accepted_ids = {v[0] for v in accepted}
            listing_state.business_acknowledged(self.conn, [(v[0], v[4]) for v in index.values()
                                                            if len(v) > 4 and v[0] in accepted_ids])
            listing_state.feed_settled(self.conn, "feed:" + feed_id)
            if status == "DONE":  # values Amazon refused message by message: not sent again until they change
                for k in rejected:
                    if len(index[k]) > 3:
                        self._remember_rejected({"listing_id": index[k][0], "want_digest": index[k][3]})
            not_applied = len(index) - len(accepted)
            self.conn.execute(text(
                "UPDATE channel_amazon_feed SET status = :s, accepted = :ok, rejected = :bad, verified = :v,"
                " processed_at = NOW() WHERE feed_id = :f"),
                {"s": "done" if status == "DONE" else "fatal", "ok": len(accepted), "bad": not_applied,
                 "v": len(unaccounted) or None, "f": feed_id})
            self.conn.commit()
            self.stats.acknowledged += len(accepted)
            self.stats.rejected += not_applied

    def _verify(self, messages: dict[int, list]) -> set[int]:
        """Messages whose values Amazon holds now (getListingsItem), by messageId."""
        if not messages:
            return set()
        skus: dict[int, str] = dict(self.conn.execute(text(
            f"SELECT listing_id, seller_sku FROM {LISTING} WHERE listing_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)), {"ids": [v[0] for v in messages.values()]}).all())
        held = set()
        for n, (message_id, (listing_id, price, qty, *rest)) in enumerate(sorted(messages.items()), start=1):
            sku = skus.get(listing_id)
            if sku is None:
                continue
            item = listings.get_item(self.client, sku)
            amazon_price, amazon_qty = offer_on_amazon(item)
            business = BusinessOffer.from_text(rest[1]) if len(rest) > 1 else None
            if (price is None or amazon_price == Decimal(price)) and (qty is None or amazon_qty == qty) and (
                    business is None or business_price_on_amazon(item) == business.price):
                held.add(message_id)
            self.progress("price_stock_verify", n, len(messages))
        return held
