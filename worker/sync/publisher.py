"""The Exporter of offers: publish, end and relist, and tracking until Amazon decides.

Publishing creates an offer on an existing ASIN (putListingsItem, requirements
LISTING_OFFER_ONLY); many new offers at once (a first sync) go as JSON_LISTINGS_FEED
documents of UPDATE messages with the same attributes, whichever reaches Amazon sooner
under its limits (``worker.sync.exporter.use_feeds``). A publishing feed is recorded
before the cycle moves on (``channel_amazon_feed``, kind ``publish``) and its
processing report is applied message by message in a later cycle: refused offers are
Inactive with Amazon's issues, accepted ones are tracked like a put. Relisting a SKU Amazon still holds is a merge patch of the offer,
never a put: a put replaces every attribute, and with them what the merchant set in
Seller Central. A submission is written before it is sent (``submitted_at``),
so a worker killed mid-way never sends it twice: the next cycle tracks it instead.
Tracking asks getListingsItem about submitted offers until Amazon reports them
buyable (Active), raises issues (Inactive with Amazon's text), or shows the offer
DISCOVERABLE (live but not buyable, e.g. out of stock: from then on it gets stock
pushes like any live listing). Right after an accepted put Amazon may answer 404 for
minutes; that is not "gone". Ending marks the listing ended by the merchant; it is
never relisted by itself (see ``end`` for what Amazon is told). Read-only accounts
send nothing: the actions stay queued.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection, RowMapping

from channel import listing_state, marketplaces, payloads
from channel.models.log import write_log
from channel.offer import Offer
from channel.pricing import AccountSettings
from worker.amazon import catalog, feeds, listings
from worker.amazon.errors import AmazonError
from worker.sync.feed_reports import RETRY, read_report

logger = logging.getLogger(__name__)

LISTING = "channel_amazon_listing"
#: Per cycle, so one cycle stays within minutes at Amazon's 5 requests/second.
MAX_PUBLISH = 500
MAX_TRACK = 300
#: New offers one cycle may send by feed (a 20k-product first sync in one or two feeds).
MAX_FEED_PUBLISH = 50_000
#: Products looked up per cycle: searchCatalogItems allows 2 calls a second of 20
#: identifiers, so 25,000 take about 11 minutes of the cycle (the lock is extended as
#: lookups progress).
MAX_LOOKUPS = 25_000
#: Products looked up and recorded together (one read of their barcodes, one commit).
LOOKUP_BATCH = 400
#: Marks an offer sent in a publishing feed: ``pubfeed:<feed id>`` until its report is
#: read, ``pubfeed:<feed id>/ok`` once it says the message was accepted.
FEED_MARK = "pubfeed:"
#: How long an accepted submission may stay unreadable (404) before it is sent again.
VISIBILITY_WAIT = timedelta(hours=1)


@dataclasses.dataclass
class PublishStats:
    published: int = 0
    ended: int = 0
    tracked: int = 0
    became_active: int = 0
    rejected: int = 0
    asins_found: int = 0
    looked_up: int = 0
    lookup_calls: int = 0
    feeds: int = 0


class OfferPublisher:
    def __init__(self, conn: Connection, client, account, settings: AccountSettings, progress=None,
                 resubmit_after: float = 900.0):
        self.conn = conn
        self.client = client
        self.account = account
        self.settings = settings
        self.currency = marketplaces.get(account.marketplace_id).currency
        self.progress = progress or (lambda step, done, total: None)
        self.stats = PublishStats()
        self.resubmit_after = resubmit_after
        #: Listings this cycle sent one by one: tracked from the next cycle on.
        self.sent: set[int] = set()

    def _rows(self, where: str, limit: int, **params: object) -> Sequence[RowMapping]:
        return self.conn.execute(text(
            f"SELECT listing_id, seller_sku, asin, product_id, calc_price, calc_qty, calc_condition, calc_business,"
            f" pushed_business, pending_action, tab, fulfillment_channel, amazon_status, submission_ref, submitted_at FROM {LISTING}"
            f" WHERE account_id = :a AND {where} ORDER BY listing_id LIMIT :n"),
            {"a": self.account.account_id, "n": limit, **params}).mappings().all()

    def lookup_asins(self, reader) -> None:
        """Find ASINs for products waiting for one, by their mapped barcodes: 20 identifiers
        per searchCatalogItems call at Amazon's pace, recorded and committed batch by batch
        so a killed worker resumes where it stopped."""
        mapping = self.account.identifier_mapping or {}
        rows = self._rows("product_id IS NOT NULL AND asin IS NULL AND reason = 'asin_lookup_pending'",
                          MAX_LOOKUPS)
        if not rows:
            return
        # GCID is mapped by some merchants but searchCatalogItems has no such identifiersType.
        kinds = [k for k in ("upc", "ean", "isbn", "jan") if mapping.get(k) and catalog.searchable(k)]
        self.progress("asin_lookup", 0, len(rows))
        for start in range(0, len(rows), LOOKUP_BATCH):
            batch = rows[start:start + LOOKUP_BATCH]
            self._lookup_batch(reader, batch, kinds, mapping)
            self.conn.commit()
            self.stats.looked_up += len(batch)
            self.progress("asin_lookup", self.stats.looked_up, len(rows))

    def _lookup_batch(self, reader, rows, kinds: list[str], mapping: dict) -> None:
        by_product = {r["product_id"]: r for r in rows}
        products = {p.entity_id: p for p in reader.products(
            self.account.website_id, entity_ids=list(by_product), attributes=[mapping[k] for k in kinds])}
        outcome: dict[int, tuple] = {}
        for kind in kinds:
            wanted: dict[str, list[int]] = {}
            for pid, p in products.items():
                value = p.get(mapping[kind])
                if pid not in outcome and value:
                    wanted.setdefault(str(value), []).append(pid)
            if not wanted:
                continue
            self.stats.lookup_calls += -(-len(wanted) // catalog.MAX_IDENTIFIERS)
            found = catalog.search_by_identifiers(self.client, kind, list(wanted))
            for value, items in found.items():
                for pid in wanted[value]:
                    if len(items) == 1 and not items[0]["parent"]:
                        outcome[pid] = ("matched", items[0]["asin"], None)
                    elif items and all(i["parent"] for i in items):
                        outcome[pid] = ("has_variants", None, [i["asin"] for i in items])
                    elif items:
                        outcome[pid] = ("multiple_matches", None, [i["asin"] for i in items])
        decided = []
        for pid, row in by_product.items():
            status, asin, candidates = outcome.get(pid, ("no_match", None, None))
            decided.append((row["listing_id"], status, asin, candidates))
            self.stats.asins_found += asin is not None
        listing_state.asins_looked_up(self.conn, self.account.account_id, decided)

    def publish(self) -> None:
        """Ready products (auto-publish or the merchant's Publish) and relists: new offers by
        feed when there are many, the rest one call each."""
        if self.account.read_only:
            return
        from worker.sync.exporter import use_feeds

        self.apply_publish_feeds()
        rows = self._rows("asin IS NOT NULL AND submitted_at IS NULL AND ((tab = 'list_in_progress'"
                          " AND reason = 'publish_queued') OR tab = 'relist_in_progress')", MAX_FEED_PUBLISH)
        new = [r for r in rows if not self._maybe_on_amazon(r)]
        if use_feeds(len(new)):
            self.publish_by_feed(new)
            rows = [r for r in rows if self._maybe_on_amazon(r)]
        self.publish_each(rows[:MAX_PUBLISH])

    def publish_each(self, rows) -> None:
        """One putListingsItem (or a relist's patch) per offer."""
        for n, row in enumerate(rows, start=1):
            # Record the submission first: a killed worker then tracks it instead of resending.
            listing_state.submitting(self.conn, self.account.account_id, row["listing_id"], datetime.utcnow())
            self.conn.commit()
            self.sent.add(row["listing_id"])
            offer = Offer.stored(row, self.settings)  # the offer the tab shows, condition included
            # Built as the product page shows it (channel.payloads).
            attrs = payloads.publish_attributes(self.account.marketplace_id, self.currency, row["asin"], offer)
            try:
                if self._on_amazon(row):
                    # Relist what Amazon still holds by patch: a put would replace every attribute.
                    result = listings.patch_item(self.client, row["seller_sku"], payloads.relist_patch_attributes(
                        self.account.marketplace_id, self.currency, offer, row["pushed_business"]))
                else:
                    result = listings.put_item(self.client, row["seller_sku"], attrs)
            except AmazonError as exc:
                if exc.retryable:
                    raise
                result = {"status": "INVALID", "issues": exc.errors}
            issues = [i for i in result.get("issues", []) if i.get("severity", "ERROR") == "ERROR"]
            listing_state.submitted(self.conn, self.account.account_id, row["listing_id"], result.get("submissionId"),
                                    issues, result.get("status") == "INVALID", offer.price, offer.quantity)
            self.conn.commit()
            self.stats.published += 1
            self.progress("publish", n, len(rows))

    @staticmethod
    def _maybe_on_amazon(row) -> bool:
        """A relist, or a SKU Amazon may hold: sent one by one (``_on_amazon`` asks Amazon)."""
        return row["tab"] == "relist_in_progress" or row["amazon_status"] is not None \
            or row["fulfillment_channel"] != "DEFAULT"

    def publish_by_feed(self, rows) -> None:
        """New offers as JSON_LISTINGS_FEED UPDATE messages (requirements LISTING_OFFER_ONLY,
        the attributes a put sends). Each feed's offers are recorded as submitted before its
        document leaves, and the feed with its messages before the next one is built."""
        offers = {}
        for row in rows:
            offer = Offer.stored(row, self.settings)
            attrs = payloads.publish_attributes(self.account.marketplace_id, self.currency, row["asin"], offer)
            offers[row["listing_id"]] = (attrs, offer.price, offer.quantity)

        def message(n: int, row) -> dict:
            return {"messageId": n, "sku": row["seller_sku"], "operationType": "UPDATE",
                    **payloads.put_body(offers[row["listing_id"]][0])}

        sent = 0
        for batch, body in feeds.documents(self.client.seller_id, rows, message):
            ids = [r["listing_id"] for r in batch]
            listing_state.feed_publishing(self.conn, self.account.account_id, ids, datetime.utcnow())
            self.conn.commit()
            known = {f for (f,) in self.conn.execute(text(
                "SELECT feed_id FROM channel_amazon_feed WHERE account_id = :a AND created_at > NOW() - INTERVAL 1 DAY"),
                {"a": self.account.account_id})}
            feed_id = feeds.submit_document(self.client, body, known=known)
            index = {n: [r["listing_id"], r["seller_sku"]] for n, r in enumerate(batch, start=1)}
            self.conn.execute(text(
                "INSERT INTO channel_amazon_feed (feed_id, account_id, kind, messages, message_count)"
                " VALUES (:f, :a, 'publish', :m, :c)"),
                {"f": feed_id, "a": self.account.account_id, "m": json.dumps(index), "c": len(index)})
            listing_state.feed_publish_sent(self.conn, self.account.account_id,
                                            [(i, offers[i][1], offers[i][2]) for i in ids], FEED_MARK + feed_id)
            self.conn.commit()
            sent += len(batch)
            self.stats.published += len(batch)
            self.stats.feeds += 1
            self.progress("publish", sent, len(rows))
            logger.info("Submitted publishing feed %s with %d offers for account %s", feed_id, len(batch),
                        self.account.account_id)

    def apply_publish_feeds(self) -> None:
        """Apply the processing reports of finished publishing feeds, message by message."""
        pending = self.conn.execute(text(
            "SELECT feed_id, messages, report_attempts FROM channel_amazon_feed WHERE account_id = :a"
            " AND kind = 'publish' AND status = 'submitted' ORDER BY created_at"),
            {"a": self.account.account_id}).all()
        for feed_id, raw, attempts in pending:
            feed = feeds.feed_status(self.client, feed_id)
            status = feed.get("processingStatus")
            if status not in ("DONE", "FATAL", "CANCELLED"):
                continue
            index = {int(k): v for k, v in json.loads(raw).items()}
            refused: list[tuple[int, list[dict]]] = []
            resend: list[int] = []
            if status == "DONE":
                read = read_report(self.conn, self.client, self.account.account_id, feed, feed_id, attempts,
                                   len(index), "offers")
                if read == RETRY:
                    continue
                # Unread: every offer is tracked on Amazon like an accepted put.
                report = read if isinstance(read, dict) else {}
                issues: dict[int, list[dict]] = {}
                for issue in report.get("issues") or []:
                    if isinstance(issue, dict) and issue.get("severity") == "ERROR" \
                            and issue.get("messageId") in index:
                        issues.setdefault(issue["messageId"], []).append(issue)
                refused = [(index[n][0], found) for n, found in issues.items()]
                for n, found in issues.items():
                    write_log(self.conn, account_id=self.account.account_id, operation="JSON_LISTINGS_FEED",
                              error_code=str(found[0].get("code")),
                              message=f"{index[n][1]}: {found[0].get('message')}")
            else:
                resend = [v[0] for v in index.values()]
                write_log(self.conn, account_id=self.account.account_id, operation="JSON_LISTINGS_FEED",
                          message=f"feed {feed_id} ended {status}; its {len(index)} offers will be sent again")
            listing_state.feed_publish_settled(self.conn, self.account.account_id, FEED_MARK + feed_id,
                                               FEED_MARK + feed_id + "/ok", refused, resend)
            self.conn.execute(text(
                "UPDATE channel_amazon_feed SET status = :s, accepted = :ok, rejected = :bad, processed_at = NOW()"
                " WHERE feed_id = :f"),
                {"s": "done" if status == "DONE" else "fatal", "ok": len(index) - len(refused) - len(resend),
                 "bad": len(refused) + len(resend), "f": feed_id})
            self.conn.commit()
            self.stats.rejected += len(refused)

    def _on_amazon(self, row) -> bool:
        """Does Amazon hold this SKU (a relist, or an offer ended without deleting it)?"""
        if row["tab"] != "relist_in_progress" and row["amazon_status"] is None \
                and row["fulfillment_channel"] == "DEFAULT":
            return False
        return listings.get_item(self.client, row["seller_sku"], included="summaries") is not None

    def end(self) -> None:
        """Stop selling, as Amazon documents it per fulfillment channel.

        Merchant-fulfilled (DEFAULT): deleteListingsItem. The merchant holds the stock, so
        nothing is left behind, and Amazon stops showing the offer at once.

        Fulfilled by Amazon: the SKU is never deleted. Its units sit in Amazon's warehouse
        and belong to the SKU; deleting it strands them (inventory without a listing, that
        only a removal order or a new listing can recover). Quantity cannot be set for an
        FBA offer either - Amazon counts it. So the offer itself is removed: a ``delete``
        patch of ``purchasable_offer`` picked by its selectors (audience ALL, currency,
        marketplace), which makes the listing not buyable while the SKU, its FBA stock and
        the rest of its attributes stay. Relisting patches the offer back. The units stay
        at Amazon until the merchant sells or removes them."""
        if self.account.read_only:
            return
        rows = self._rows("pending_action = 'end'", MAX_PUBLISH)
        for n, row in enumerate(rows, start=1):
            if row["tab"] != "ended" and row["fulfillment_channel"] not in (None, "DEFAULT"):
                listings.end_fba_offer(self.client, row["seller_sku"], self.currency)
                write_log(self.conn, account_id=self.account.account_id, operation="patchListingsItem",
                          level="warning", message=f"{row['seller_sku']}: fulfilled by Amazon, so the offer was"
                          " withdrawn and the SKU kept; its units stay in Amazon's warehouse until sold or removed")
            elif row["tab"] != "ended":
                listings.delete_item(self.client, row["seller_sku"])
            listing_state.ended(self.conn, self.account.account_id, row["listing_id"])
            self.conn.commit()
            self.stats.ended += 1
            self.progress("end", n, len(rows))

    def track(self) -> None:
        """Ask Amazon about offers it has not decided on yet."""
        # Offers in a publishing feed whose report is not read yet wait for it; offers sent
        # by this cycle's publishing are asked about from the next cycle on (Amazon takes
        # minutes to decide, and a SKU it just accepted reads as 404 meanwhile).
        rows = self._rows("submitted_at IS NOT NULL AND (amazon_status IS NULL OR amazon_status <> 'BUYABLE')"
                          f" AND (submission_ref IS NULL OR submission_ref NOT LIKE '{FEED_MARK}%'"
                          " OR submission_ref LIKE '%/ok')", MAX_TRACK + len(self.sent))
        rows = [r for r in rows if r["listing_id"] not in self.sent][:MAX_TRACK]
        for n, row in enumerate(rows, start=1):
            item = listings.get_item(self.client, row["seller_sku"])
            self.stats.tracked += 1
            if item is None and row["submission_ref"]:
                # Amazon accepted it (it gave a submission id) but does not show it yet: eventual
                # consistency, for minutes. Sent again only if it stays unreadable far longer.
                if row["submitted_at"] is not None and row["submitted_at"] < datetime.utcnow() - VISIBILITY_WAIT:
                    listing_state.unseen_after_accept(self.conn, self.account.account_id, row["listing_id"])
                continue
            if item is None:
                # Amazon never got it (a worker killed between recording and sending): send it again,
                # once Amazon has had time to show a listing it did receive.
                listing_state.never_received(self.conn, self.account.account_id, row["listing_id"],
                                             datetime.utcnow() - timedelta(seconds=self.resubmit_after))
                continue
            status, issues = listings.status_of(item)
            errors = [i for i in issues if i.get("severity") == "ERROR"]
            if status == "BUYABLE":
                listing_state.approved(self.conn, self.account.account_id, row["listing_id"])
                self.stats.became_active += 1
            elif errors:
                listing_state.rejected(self.conn, self.account.account_id, row["listing_id"], errors)
                self.stats.rejected += 1
            elif status == "DISCOVERABLE" and (item.get("offers") or item.get("fulfillmentAvailability")):
                # Live, not buyable (no stock): tracked no longer, so stock pushes reach it.
                listing_state.discoverable(self.conn, self.account.account_id, row["listing_id"])
            self.progress("track", n, len(rows))
        self.conn.commit()
