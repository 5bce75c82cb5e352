"""The classification run: every product of an account's website sorted into a tab.

Streams the website's products through the CatalogReader in batches and computes each
product's facts and offer (``product_facts``, ``channel.offer.Offer``) without reading a
listing row; the facts go into a staging table by ``LOAD DATA``, and
``channel.listing_state.classified`` applies them in a few set-based statements: new
listings for eligible products, changed facts, products that left the website, then
every listing's tab and reason (``tabs.classify`` in SQL), with a change row per state
change. A run in which nothing changed writes nothing.

A run is two halves: ``stage_facts`` reads and stages, ``apply_facts`` writes. In a sync
cycle (``CycleClassification``) the first half runs in the report import, once the report
is judged and before its new rows are written: a new SKU matched to its product comes in
with the product's facts and in its tab, so that each listing of a first report is written
once, not once by the import and again by classification.

A website of ``FORK_FROM`` products or more is split into ranges of entity ids, each read
and computed by a forked process (``channel.forked``) on a connection of its own, which
streams its rows back: the work is spread over the cores. Those reads see what is
committed, as every step of the cycle commits before the next. In a sync cycle such a
whole read starts with the import (``ReadAhead``): the processes write their rows to files
while Amazon builds the listings report, and the files are loaded once it is judged.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from channel import listing_state, pricing, rules, tabs
from channel.db import tsv_value
from channel.forked import ForkStats, Started, available_cores, forked
from channel.magento import changes, tier_price
from channel.magento.catalog import CatalogReader, Product
from channel.magento.tier_price import TierPrice
from channel.matching import normalize_mapping
from channel.offer import Offer

logger = logging.getLogger(__name__)

@dataclasses.dataclass
class ClassifyStats:
    products: int = 0
    written: int = 0
    changed: int = 0
    by_tab: dict = dataclasses.field(default_factory=dict)
    #: Forked processes that computed the facts (0: none, computed here) and their peak memory.
    workers: int = 0
    worker_peak_rss_mb: float = 0.0
    #: Whether every product of the website was read, and why ('' when only changed ones were).
    whole: bool = True
    why: str = ""

    def summary(self) -> str:
        if self.whole:
            return f"{self.products} products classified, all read: {self.why}" if self.why else \
                f"{self.products} products classified"
        return f"{self.products} changed products classified"


#: What the facts read of every product besides the account's attributes (its rule, mapping
#: and settings): not the visibility or "new from" dates the catalog reader's other callers
#: read, nor the categories unless the rule looks at them.
FACT_BASE = ("name", "status", "price", "special_price", "special_from_date", "special_to_date")

#: Websites with this many products or more are computed by forked processes, one per core.
FORK_FROM = 20_000
MAX_WORKERS = 4


@dataclasses.dataclass(frozen=True)
class AccountContext:
    """What classification needs of an account, parsed and validated once per run."""

    account_id: int
    website_id: int
    settings: pricing.AccountSettings
    rule: rules.Rule | None
    mapping: dict

    @classmethod
    def of(cls, account, reader: CatalogReader | None = None) -> "AccountContext":
        return cls(
            account_id=account.account_id, website_id=account.website_id,
            settings=pricing.AccountSettings.from_json(account.settings),
            rule=(None if not account.listing_rule else rules.parse_for_catalog(account.listing_rule, reader)
                  if reader is not None else rules.parse_rule(account.listing_rule)),
            mapping=normalize_mapping(account.identifier_mapping, reader),
        )

    def attributes(self) -> list[str]:
        codes = set(rules.attribute_codes(self.rule)) if self.rule else set()
        codes |= {c for c in self.mapping.values() if c and c != "sku"}
        codes |= set(self.settings.attribute_codes())
        return sorted(codes - {"sku", "type_id", "attribute_set_id", "category_ids", "qty", "quantity_and_stock_status"})


def product_facts(ctx: AccountContext, product: Product, row: dict | None, now: datetime,
                  tier_prices: Sequence[TierPrice] = ()):
    """Everything classify() needs to know about a Magento product, computed without I/O.

    Returns the facts with the computed offer and the known ASIN."""
    offer = Offer.of(product, ctx.settings, now, tier_prices)
    passes = ctx.rule is None or rules.evaluate(ctx.rule, rules.ProductView.from_product(product, now=now))
    asin = (row or {}).get("asin") or (product.get(ctx.mapping["asin"]) if ctx.mapping.get("asin") else None)
    barcode = any(product.get(ctx.mapping[k]) for k in ("upc", "ean", "isbn", "jan", "gcid") if ctx.mapping.get(k))
    facts = tabs.ProductFacts(
        in_website=True, enabled=product.get("status") == 1, passes_rules=passes,
        quantity=offer.quantity, price=offer.price, condition=offer.condition,
        has_asin=bool(asin), has_identifier=bool(asin) or barcode,
        is_parent=product.type_id in ("configurable", "grouped", "bundle"),
    )
    return facts, offer, asin


def _product_batches(ctx: AccountContext, reader: CatalogReader, batch_size: int,
                     id_range: tuple[int, int | None] = (0, None), entity_ids: list[int] | None = None,
                     ) -> Iterator[tuple[list[Product], dict[int, list[TierPrice]]]]:
    """The website's products in batches, each with its business tier prices (when on)."""
    group = ctx.settings.business.tier_group
    scope = group is not None and tier_price.price_scope_is_website(reader.conn, reader.schema)
    for batch in reader.iter_batches(ctx.website_id, attributes=ctx.attributes(), batch_size=batch_size,
                                     id_range=id_range, entity_ids=entity_ids, base=FACT_BASE,
                                     categories=rules.reads_categories(ctx.rule)):
        tiers = {} if group is None else tier_price.read_tier_prices(
            reader.conn, reader.schema, ctx.website_id, [p.entity_id for p in batch], group, scope)
        yield batch, tiers


def _fact_row(ctx: AccountContext, product: Product, now: datetime, tiers: Sequence[TierPrice]) -> tuple:
    """A product as a row of ``listing_state.FACT_COLUMNS``."""
    facts, offer, asin = product_facts(ctx, product, None, now, tiers)
    price = None if offer.price is None else Decimal(offer.price).quantize(_QUANTUM)
    eligible = tabs.ineligibility(facts) is None
    return (product.entity_id, product.sku, (product.get("name") or "")[:500], int(facts.enabled),
            int(facts.passes_rules), offer.quantity, price, offer.condition, asin and str(asin)[:16],
            int(facts.has_identifier), int(facts.is_parent), int(eligible),
            None if offer.business is None else offer.business.to_text())


_QUANTUM = Decimal("0.0001")


def _fact_line(row: tuple) -> str:
    """A ``_fact_row`` as ``channel.db.tsv_line`` writes it, knowing each column's type (the
    ids, flags and quantity are integers): a line per product of a whole catalog."""
    (product_id, sku, name, enabled, passes_rules, qty, price, condition, asin, has_identifier, is_parent,
     eligible, business) = row
    return (f"{product_id}\t{tsv_value(sku)}\t{tsv_value(name)}\t{enabled}\t{passes_rules}\t{qty}\t"
            f"{tsv_value(price)}\t{tsv_value(condition)}\t{tsv_value(asin)}\t{has_identifier}\t{is_parent}\t"
            f"{eligible}\t{tsv_value(business)}\n")


def _fact_rows(ctx: AccountContext, reader: CatalogReader, now: datetime, batch_size: int,
               entity_ids: list[int] | None = None) -> Iterator[tuple]:
    """Every product of the website (or those of ``entity_ids`` in it) as a row of
    ``listing_state.FACT_COLUMNS``."""
    for batch, tiers in _product_batches(ctx, reader, batch_size, entity_ids=entity_ids):
        for product in batch:
            yield _fact_row(ctx, product, now, tiers.get(product.entity_id, ()))


class _ParentsConnection:
    """Stands in a forked child for the parent's connection, which it must never use."""

    def __getattr__(self, name: str):
        raise RuntimeError("a forked process used its parent's database connection")


def _side_batches(ctx: AccountContext, reader: CatalogReader, url, now: datetime, batch_size: int,
                  id_range: tuple[int, int | None]) -> Iterator[list[str]]:
    """In a forked process: the range's products as lines of ``LOAD DATA``'s text format, a
    batch at a time, read on a connection of its own (committed data only)."""
    # The parent's connection is the parent's: used from here it would interleave with it.
    reader.conn = reader.stock.conn = _ParentsConnection()  # type: ignore[assignment]
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as side:
        side_reader = reader.on(side)
        for batch, tiers in _product_batches(ctx, side_reader, batch_size, id_range):
            yield [_fact_line(_fact_row(ctx, p, now, tiers.get(p.entity_id, ()))) for p in batch]
        side.rollback()


def _forked_fact_lines(ctx: AccountContext, reader: CatalogReader, now: datetime, batch_size: int,
                       ranges: list[tuple[int, int | None]], stats: ForkStats) -> Iterator[str]:
    """``_fact_rows`` as lines of ``LOAD DATA``'s text format, each range of entity ids read
    and computed by a forked process on a connection of its own (committed data only)."""
    url = reader.conn.engine.url

    def part(id_range: tuple[int, int | None]):
        def run(emit) -> None:
            for lines in _side_batches(ctx, reader, url, now, batch_size, id_range):
                emit(lines)
        return run

    for lines in forked([part(r) for r in ranges], stats):
        yield from lines  # type: ignore[misc]


#: A read ahead's files left this long (its worker was killed before it could remove them)
#: are removed by the next read ahead on the machine.
LEFT_BEHIND_SECONDS = 6 * 3600


def _remove_left_behind(now: float) -> None:
    for folder in glob.glob(os.path.join(tempfile.gettempdir(), "chn-facts-*")):
        try:
            if now - os.stat(folder).st_mtime > LEFT_BEHIND_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # removed meanwhile
            pass


class ReadAhead:
    """A whole read of the website started before its facts are needed: each range of entity
    ids is read and computed by a forked process into a file of its own while the parent goes
    on (in a sync cycle, with the listings report, which Amazon takes minutes to build);
    ``staged`` then loads the files on the parent's connection. ``close`` stops the processes
    still reading and removes the files."""

    def __init__(self, ctx: AccountContext, reader: CatalogReader, plan: changes.Plan | None, now: datetime,
                 batch_size: int, ranges: list[tuple[int, int | None]], stats: ClassifyStats):
        self.ctx, self.plan, self.now, self.stats = ctx, plan, now, stats
        _remove_left_behind(time.time())
        self.folder = tempfile.mkdtemp(prefix="chn-facts-")
        self.paths = [os.path.join(self.folder, f"part-{k}.tsv") for k in range(len(ranges))]
        self.forks = ForkStats()
        url = reader.conn.engine.url

        def part(id_range: tuple[int, int | None], path: str):
            def run(emit) -> None:
                rows = 0
                with open(path, "w", encoding="utf-8", newline="\n") as out:
                    for lines in _side_batches(ctx, reader, url, now, batch_size, id_range):
                        out.writelines(lines)
                        rows += len(lines)
                emit(rows)
            return run

        try:
            self.running = Started([part(r, p) for r, p in zip(ranges, self.paths)], self.forks)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def staged(self, conn: Connection) -> StagedFacts:
        """Wait for the processes and load what they wrote into ``listing_state.FACTS`` on
        ``conn``; raises what stopped a process, or a load that lost rows."""
        try:
            written = sum(int(n) for n in self.running.results())  # type: ignore[call-overload]
            listing_state.facts_reset(conn)
            loaded = sum(listing_state.facts_stage_file(conn, path) for path in self.paths)
        finally:
            self.close()
        if loaded != written:
            raise RuntimeError(f"the catalog read wrote the facts of {written} products and {loaded} were loaded")
        self.stats.products = loaded
        self.stats.workers, self.stats.worker_peak_rss_mb = self.forks.children, self.forks.child_peak_rss_mb
        return StagedFacts(self.ctx, self.now, self.plan, None, self.stats)

    def close(self) -> None:
        self.running.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def state_of(row: dict | None) -> tabs.ListingState:
    if row is None:
        return tabs.ListingState()
    issues = json.loads(row["amazon_issues"]) if row.get("amazon_issues") else []
    return tabs.ListingState(
        on_amazon=row.get("amazon_status") is not None,
        amazon_status=row.get("amazon_status") or None,
        issues=tuple(issues),
        match_status=row.get("match_status") or "matched",
        pending_action=row.get("pending_action"),
        ended_by_merchant=bool(row.get("ended_by_merchant")),
        submitted=row.get("submitted_at") is not None,
        fulfilled_by_amazon=str(row.get("fulfillment_channel") or "DEFAULT").upper().startswith("AMAZON"),
    )


def classify_account(conn: Connection, reader: CatalogReader, account, now: datetime | None = None,
                     batch_size: int = 5000, read_ahead: bool = True, workers: int | None = None,
                     changed_only: bool = True) -> ClassifyStats:
    """Classify the products of the account's website and every listing of the account:
    ``stage_facts``, then ``apply_facts``.

    ``changed_only``: read only the products that changed since the account's last run
    when Magento's changelog can say which (``channel.magento.changes``), else every one.
    ``read_ahead``: a whole website of ``FORK_FROM`` products or more is split between
    ``workers`` forked processes (one per core by default, at most ``MAX_WORKERS``), each
    reading on a connection of its own (committed data only). A smaller website, or any
    without it, is read and computed here, on ``conn``."""
    staged = stage_facts(conn, reader, account, now, batch_size, read_ahead, workers, changed_only)
    return apply_facts(conn, reader, account, staged, batch_size, linked=False)


@dataclasses.dataclass
class StagedFacts:
    """The Magento facts of an account's products, staged on a connection (``listing_state.FACTS``)
    by ``stage_facts`` and not applied yet."""

    ctx: AccountContext
    now: datetime
    plan: changes.Plan | None
    #: The products read (None: every product of the website).
    ids: frozenset[int] | None
    stats: ClassifyStats
    #: The newest listing id when they were staged for an import (``CycleClassification.read``):
    #: the listings it writes above it with them are not compared with them again.
    fresh_after: int | None = None


def _planned(conn: Connection, reader: CatalogReader, account, now: datetime, changed_only: bool,
             unread: bool) -> tuple[AccountContext, changes.Plan | None, set[int] | None, ClassifyStats]:
    """What a read is to read: the products that changed (and, ``unread``, those of listings
    whose facts are not read yet), or None for every product of the website, with the plan
    made whole then and its reason in the stats."""
    ctx = AccountContext.of(account, reader)
    stats = ClassifyStats()
    plan = changes.plan(conn, reader.schema, account, now) if changed_only else None
    ids = None if plan is None or plan.ids is None else \
        set(plan.ids) | _dated(ctx, reader, conn, now) | (listing_state.facts_unread(conn, ctx.account_id) if unread
                                                     else set())
    if ids is not None and len(ids) <= changes.MANY:
        stats.whole = False
        return ctx, plan, ids, stats
    stats.why = "" if plan is None else plan.why or f"more than {changes.MANY:,} products changed"
    if plan is not None and not plan.whole:
        plan = changes.whole_read(conn, plan, now)
    return ctx, plan, None, stats


def stage_facts(conn: Connection, reader: CatalogReader, account, now: datetime | None = None,
                batch_size: int = 5000, read_ahead: bool = True, workers: int | None = None,
                changed_only: bool = True, unread: bool = True) -> StagedFacts:
    """Read the facts of the account's products (those that changed, or all of them) into
    ``listing_state.FACTS`` on ``conn``; nothing of ours is written. ``unread``: with the
    changed products, those of listings whose facts are not read yet (else ``apply_facts``
    reads them)."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    ctx, plan, ids, stats = _planned(conn, reader, account, now, changed_only, unread)
    listing_state.facts_reset(conn)
    if ids is not None:
        listing_state.facts_scope(conn, ids)
        stats.products = listing_state.facts_stage(conn, _fact_rows(ctx, reader, now, batch_size, sorted(ids)))
        return StagedFacts(ctx, now, plan, frozenset(ids), stats)
    _stage_every_product(ctx, reader, conn, now, batch_size, read_ahead, workers, stats)
    return StagedFacts(ctx, now, plan, None, stats)


def read_ahead(conn: Connection, reader: CatalogReader, account, now: datetime, batch_size: int = 5000,
               workers: int | None = None) -> ReadAhead | None:
    """A whole read of the account's website started now (``ReadAhead``), as ``stage_facts``
    would make it, when it is due and the website is big enough to be split between
    processes; None otherwise (a partial read is small: it is made when needed)."""
    ctx, plan, ids, stats = _planned(conn, reader, account, now, True, False)
    if ids is not None:
        return None
    ranges = _ranges(ctx, reader, workers)
    if len(ranges) < 2:
        return None
    reader.website(ctx.website_id)  # what the processes would find wrong, said here
    reader.check_attributes(ctx.attributes(), FACT_BASE)
    return ReadAhead(ctx, reader, plan, now, batch_size, ranges, stats)


def apply_facts(conn: Connection, reader: CatalogReader, account, staged: StagedFacts,
                batch_size: int = 5000, linked: bool = True) -> ClassifyStats:
    """Apply facts ``stage_facts`` staged on ``conn`` (``listing_state.classified``). When only
    changed products were read, those of listings whose facts are not read yet (linked since
    by matching or a merchant) are read first (``linked``: unless ``stage_facts`` read them
    just before)."""
    ctx, now, stats = staged.ctx, staged.now, staged.stats
    if staged.ids is not None and linked:
        since = listing_state.facts_unread(conn, ctx.account_id) - staged.ids
        if len(staged.ids) + len(since) > changes.MANY:  # as many as a whole read: one is made
            return classify_account(conn, reader, account, now, batch_size)
        if since:
            listing_state.facts_scope(conn, since, add=True)
            stats.products += listing_state.facts_stage(conn, _fact_rows(ctx, reader, now, batch_size, sorted(since)))
    outcome = listing_state.classified(conn, ctx.account_id, now, ctx.settings.auto_publish,
                                       scoped=staged.ids is not None, fresh_after=staged.fresh_after)
    stats.written = outcome["created"] + outcome["updated"] + outcome["left_website"]
    stats.changed = outcome["changed"]
    listing_state.refresh_tab_counts(conn, ctx.account_id, now)
    stats.by_tab = tab_counts(conn, ctx.account_id)
    if staged.plan is not None:
        changes.done(conn, ctx.account_id, staged.plan, now)
    logger.info("Classified account %s: %s; %d rows written, %d state changes",
                ctx.account_id, stats.summary(), stats.written, stats.changed)
    return stats


class CycleClassification:
    """An account's classification in a sync cycle. Its catalog is read before the listings
    report's new rows are written (``read``: the importer's ``facts``), so that each comes
    in with its facts and in its tab, written once, and applied in the classify step
    (``classify``), after matching. A whole read of a big website is started when the
    import starts (``start``: the importer's ``ahead``) and made while Amazon builds the
    report. A read that failed is left to the classify step, which reads again and says
    what stops it; facts lost with a rolled-back step are read again."""

    def __init__(self, reader: CatalogReader, account, now: datetime):
        self.reader = reader
        self.account = account
        self.now = now
        self.staged: StagedFacts | None = None
        self.ahead: ReadAhead | None = None

    def start(self, conn: Connection) -> None:
        """Start the read ahead when a whole read is due (``read_ahead``); one that cannot
        start is left to ``read``."""
        self.stop()
        try:
            self.ahead = read_ahead(conn, self.reader, self.account, self.now)
        except Exception:
            logger.warning("Catalog of account %s not read ahead; it is read once the report is judged",
                           self.account.account_id, exc_info=True)

    def read(self, conn: Connection) -> tuple[str, datetime] | None:
        """Stage the facts (those read ahead, when a read was started); returns the staging
        table and the time they were read, or None when they could not be read (the classify
        step reads again and reports it)."""
        self.staged = None
        ahead, self.ahead = self.ahead, None
        try:
            self.staged = ahead.staged(conn) if ahead is not None else \
                stage_facts(conn, self.reader, self.account, self.now, unread=False)
            self.staged.fresh_after = listing_state.newest_id(conn)  # the import's rows come above it
        except Exception:
            logger.warning("Catalog of account %s not read before the import; the classify step reads it",
                           self.account.account_id, exc_info=True)
            return None
        return listing_state.FACTS, self.now

    def stop(self) -> None:
        """A read ahead still running is stopped and its files removed."""
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            ahead.close()

    def discard(self, conn: Connection) -> None:
        """What is still staged (the classify step did not run, or failed) is dropped, and a
        read ahead nothing used is stopped; a connection that cannot is left to the next step
        to report."""
        self.staged = None
        self.stop()
        try:
            listing_state.facts_dropped(conn)
        except Exception:
            logger.debug("Staged facts of account %s not dropped", self.account.account_id, exc_info=True)
            try:
                conn.rollback()  # nothing of the cycle's is pending between steps
            except Exception:
                pass

    def classify(self, conn: Connection) -> ClassifyStats:
        self.stop()  # not used by the import (it stopped before reading): the facts are read here
        staged, self.staged = self.staged, None
        if staged is None or listing_state.facts_staged(conn) != staged.stats.products:
            return classify_account(conn, self.reader, self.account, self.now)
        return apply_facts(conn, self.reader, self.account, staged)


def _dated(ctx: AccountContext, reader: CatalogReader, conn: Connection, now: datetime) -> set[int]:
    """Products whose special price or dated rule values start or end since the last read."""
    known = set(reader.attribute_codes())
    codes = [c for c in (*changes.DATED, *ctx.attributes()) if c in known]
    attribute_ids = {reader.attribute(c).attribute_id for c in codes if reader.attribute(c).backend_type == "datetime"}
    return changes.dated(conn, reader.schema, attribute_ids, changes.last_read(conn, ctx.account_id), now,
                         reader.website(ctx.website_id).timezone)


def _ranges(ctx: AccountContext, reader: CatalogReader, workers: int | None) -> list[tuple[int, int | None]]:
    """The website split into ranges of entity ids, one per process (one per core by default,
    at most ``MAX_WORKERS``), of ``FORK_FROM / 2`` products or more: one range when smaller."""
    workers = min(MAX_WORKERS, available_cores()) if workers is None else workers
    return reader.id_ranges(ctx.website_id, workers, min_part=FORK_FROM // 2) if workers > 1 else [(0, None)]


def _stage_every_product(ctx: AccountContext, reader: CatalogReader, conn: Connection, now: datetime,
                         batch_size: int, read_ahead: bool, workers: int | None, stats: ClassifyStats) -> None:
    ranges: list[tuple[int, int | None]] = _ranges(ctx, reader, workers) if read_ahead else [(0, None)]
    if len(ranges) > 1:
        reader.website(ctx.website_id)  # what the workers would find wrong, said here
        reader.check_attributes(ctx.attributes(), FACT_BASE)
        forks = ForkStats()
        stats.products = listing_state.facts_stage_lines(
            conn, _forked_fact_lines(ctx, reader, now, batch_size, ranges, forks))
        stats.workers, stats.worker_peak_rss_mb = forks.children, forks.child_peak_rss_mb
    else:
        stats.products = listing_state.facts_stage(conn, _fact_rows(ctx, reader, now, batch_size))


def tab_counts(conn: Connection, account_id: int) -> dict[str, int]:
    """Listings per visible state, as the last classification kept them."""
    from sqlalchemy import text

    return {tab: n for tab, n in conn.execute(text(
        "SELECT tab, listings FROM channel_amazon_tab_count WHERE account_id = :a AND tab <> :no"),
        {"a": account_id, "no": tabs.NOT_ELIGIBLE})}


def refresh_tab_counts(conn: Connection, account_id: int, now: datetime | None = None) -> None:
    listing_state.refresh_tab_counts(conn, account_id, now)
