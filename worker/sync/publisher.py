"""The Exporter of offers: publish, end and relist, and tracking until Amazon decides.

Publishing creates an offer on an existing ASIN (putListingsItem, requirements
LISTING_OFFER_ONLY). Relisting a SKU Amazon still holds is a merge patch of the offer,
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
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection, RowMapping

from channel import listing_state, marketplaces, payloads
from channel.models.log import write_log
from channel.offer import Offer
from channel.pricing import AccountSettings
from worker.amazon import catalog, listings
from worker.amazon.errors import AmazonError

logger = logging.getLogger(__name__)

LISTING = "channel_amazon_listing"
#: Per cycle, so one cycle stays within minutes at Amazon's 5 requests/second.
MAX_PUBLISH = 500
MAX_TRACK = 300
MAX_LOOKUPS = 400
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

    def _rows(self, where: str, limit: int, **params: object) -> Sequence[RowMapping]:
        return self.conn.execute(text(
            f"SELECT listing_id, seller_sku, asin, product_id, calc_price, calc_qty, calc_condition, pending_action, tab,"
            f" fulfillment_channel, amazon_status, submission_ref, submitted_at FROM {LISTING}"
            f" WHERE account_id = :a AND {where} ORDER BY listing_id LIMIT :n"),
            {"a": self.account.account_id, "n": limit, **params}).mappings().all()

    def lookup_asins(self, reader) -> None:
        """Find ASINs for products waiting for one, by their mapped barcodes."""
        mapping = self.account.identifier_mapping or {}
        rows = self._rows("product_id IS NOT NULL AND asin IS NULL AND reason = 'asin_lookup_pending'",
                          MAX_LOOKUPS)
        if not rows:
            return
        by_product = {r["product_id"]: r for r in rows}
        # GCID is mapped by some merchants but searchCatalogItems has no such identifiersType.
        kinds = [k for k in ("upc", "ean", "isbn", "jan") if mapping.get(k) and catalog.searchable(k)]
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
        """Ready products (auto-publish or the merchant's Publish) and relists."""
        if self.account.read_only:
            return
        rows = self._rows("asin IS NOT NULL AND submitted_at IS NULL AND ((tab = 'list_in_progress'"
                          " AND reason = 'publish_queued') OR tab = 'relist_in_progress')", MAX_PUBLISH)
        for n, row in enumerate(rows, start=1):
            # Record the submission first: a killed worker then tracks it instead of resending.
            listing_state.submitting(self.conn, self.account.account_id, row["listing_id"], datetime.utcnow())
            self.conn.commit()
            offer = Offer.stored(row, self.settings)  # the offer the tab shows, condition included
            # Built as the product page shows it (channel.payloads).
            attrs = payloads.publish_attributes(self.account.marketplace_id, self.currency, row["asin"], offer)
            try:
                if self._on_amazon(row):
                    # Relist what Amazon still holds by patch: a put would replace every attribute.
                    result = listings.patch_item(self.client, row["seller_sku"], payloads.relist_attributes(attrs))
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
        rows = self._rows("submitted_at IS NOT NULL AND (amazon_status IS NULL OR amazon_status <> 'BUYABLE')",
                          MAX_TRACK)
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
