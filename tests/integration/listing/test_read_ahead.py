"""A whole read of a big website starts with the import (``CycleClassification.start``):
forked processes read their ranges of the catalog into files of a few products each while
Amazon builds the listings report; once the report is judged the files are loaded as they
are written, and the new listings of each file's products are written meanwhile
(``listing_state.Arrivals``). The listings end exactly as with a read made then; a read
ahead that fails is made again by the classify step; one nothing used is stopped and
leaves no file behind."""

import functools
import glob
import multiprocessing
import os
import shutil
import tempfile
import time

import pytest
from sqlalchemy import text

from channel import classification as cls
from channel import listing_state
from channel.classification import CycleClassification
from channel.magento.catalog import CatalogReader
from channel.matching import match_account, match_new_by_sku, name_prematched, prematch_new_skus

from .test_import_with_facts import NOW, REPORT, STAGE, TAKEN, disable_product_2, in_one_cycle, rows, stage


@pytest.fixture
def split(monkeypatch, tmp_path):
    """The test catalog (120 products) counts as a big website, split between two processes.
    The files go to the test's own temporary directory, where no other run writes."""
    monkeypatch.setattr(cls, "FORK_FROM", 40)
    monkeypatch.setattr(cls, "available_cores", lambda: 2)
    monkeypatch.setattr(cls, "PART_PRODUCTS", 16)  # about four files a process
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def _files() -> set[str]:
    return set(glob.glob(f"{tempfile.gettempdir()}/chn-facts-*"))


def _cycle_read_ahead(conn, db, account, before_read=None, report=REPORT, on_part=None):
    """As the cycle does it with a read ahead: started as the import starts; once the report
    is judged, the new SKUs matched, the facts staged file by file with the new listings of
    each file's products written meanwhile, then the rest; applied in the classify step."""
    reader = CatalogReader.connect(conn, db.prefix)
    classification = CycleClassification(reader, account, NOW)
    classification.start(conn)
    ahead = classification.ahead
    if before_read:
        before_read(ahead)
    stage(conn, account, report)
    matches = prematch_new_skus(conn, reader, account, STAGE)  # as the importer: while the facts are read
    arrivals = listing_state.Arrivals(conn, account.account_id, STAGE, TAKEN, True, matches)
    parts = []

    def written(facts, id_range):
        arrivals.written(facts, id_range)
        parts.append(id_range)
        if on_part:
            on_part(id_range)

    facts = classification.read(conn, written)
    staged = facts or arrivals.facts
    name_prematched(conn, reader, account, staged[0] if staged else None)
    imported = arrivals.rest(facts)
    match_account(conn, reader, account)
    return ahead, facts, imported, classification.classify(conn), parts


def test_a_read_ahead_ends_the_listings_as_a_read_made_when_the_report_is_judged(
        channel_db, account, twin, split):
    disable_product_2(channel_db)
    before = _files()

    def written_before_the_report(ahead):  # the processes read while the parent waits for Amazon
        deadline = time.monotonic() + 30
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not multiprocessing.active_children()
        lines = [open(path).read().count("\n") for path in glob.glob(f"{ahead.folder}/*.tsv")]
        assert len(lines) >= 6 and max(lines) == 16 and sum(lines) > 80

    with channel_db.engine.begin() as conn:
        facts, imported, alone = in_one_cycle(conn, channel_db, account)
        ahead, facts_ahead, imported_ahead, cycle, parts = _cycle_read_ahead(conn, channel_db, twin,
                                                                             written_before_the_report)
        assert ahead is not None and len(parts) >= 6
        assert facts_ahead == facts and imported_ahead == imported == 3
        assert rows(conn, twin) == rows(conn, account)
        assert cycle.whole and cycle.products == alone.products > 80 and cycle.written == alone.written
        assert cycle.workers == 2 and cycle.worker_peak_rss_mb > 0
    assert _files() <= before and not multiprocessing.active_children()


def _whole_catalog_report(conn, db) -> list[tuple]:
    """A report of every product of the catalog under its own SKU, and two SKUs of no product."""
    skus = conn.execute(text(f"SELECT DISTINCT sku FROM {db.schema.t('catalog_product_entity')}"
                             f" WHERE type_id = 'simple'")).scalars().all()
    return [*((sku, None, None, None, "BUYABLE", 1) for sku in skus),
            ("NOWHERE", None, None, None, "BUYABLE", 1), ("AMZ-UPC", None, "700000000006", "upc", "BUYABLE", 1)]


def _changes(conn, account):
    return sorted((tuple(r) for r in conn.execute(text(
        "SELECT l.seller_sku, c.from_tab, c.to_tab, c.from_reason, c.to_reason FROM channel_amazon_listing_change c"
        " JOIN channel_amazon_listing l ON l.listing_id = c.listing_id WHERE l.account_id = :a"),
        {"a": account.account_id})), key=repr)


def test_each_files_listings_are_written_while_the_next_files_are_read(channel_db, account, twin, split,
                                                                        monkeypatch):
    """The processes read slowly: the listings of the first files' products are in the table
    while the processes are still reading; the listings and their history end as with the
    whole read staged at once, each new listing written once."""
    disable_product_2(channel_db)
    real = cls._fact_row

    def slow(ctx, product, now, tiers):
        time.sleep(0.02)
        return real(ctx, product, now, tiers)

    with channel_db.engine.begin() as conn:
        report = _whole_catalog_report(conn, channel_db)
        _, imported, _ = in_one_cycle(conn, channel_db, account, report=report)
        seen = []

        def on_part(id_range):
            count = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing WHERE account_id = :a"),
                                 {"a": twin.account_id}).scalar_one()
            seen.append((len(multiprocessing.active_children()), count))

        monkeypatch.setattr(cls, "_fact_row", slow)  # as the processes fork
        monkeypatch.setattr(cls, "read_ahead", functools.partial(cls.read_ahead, batch_size=8))
        _, facts, imported_ahead, cycle, parts = _cycle_read_ahead(conn, channel_db, twin, report=report,
                                                                    on_part=on_part)
        monkeypatch.setattr(cls, "_fact_row", real)
        assert facts is not None and imported_ahead == imported > 80
        assert len(parts) >= 6
        assert seen[0][0] > 0 and 0 < seen[0][1] < imported  # written while still reading
        assert [count for _, count in seen] == sorted(count for _, count in seen)
        assert rows(conn, twin) == rows(conn, account)
        assert _changes(conn, twin) == _changes(conn, account)  # one arrival row each, the same moves


def test_a_small_website_is_read_when_the_report_is_judged(channel_db, account):
    with channel_db.engine.begin() as conn:
        classification = CycleClassification(CatalogReader.connect(conn, channel_db.prefix), account, NOW)
        classification.start(conn)
        assert classification.ahead is None  # 120 products: one process, when needed
        assert classification.read(conn) is not None and listing_state.facts_staged(conn) > 80


def test_a_read_ahead_that_fails_is_made_again_by_the_classify_step(channel_db, account, twin, split,
                                                                   monkeypatch):
    disable_product_2(channel_db)
    real = cls._fact_row

    def broken(ctx, product, now, tiers):
        if product.entity_id == 77:
            raise ValueError("product 77 cannot be read")
        return real(ctx, product, now, tiers)

    before = _files()
    with channel_db.engine.begin() as conn:
        in_one_cycle(conn, channel_db, account)
        reader = CatalogReader.connect(conn, channel_db.prefix)
        classification = CycleClassification(reader, twin, NOW)
        monkeypatch.setattr(cls, "_fact_row", broken)  # as the processes fork
        classification.start(conn)
        monkeypatch.setattr(cls, "_fact_row", real)
        stage(conn, twin)
        assert classification.read(conn) is None  # the import goes on, its new rows' facts unread
        listing_state.imported(conn, twin.account_id, STAGE, TAKEN, True,
                               match_new_by_sku(conn, reader, twin, STAGE))
        match_account(conn, reader, twin)
        stats = classification.classify(conn)
        assert stats.whole and stats.products > 80
        assert rows(conn, twin) == rows(conn, account)
    assert _files() <= before and not multiprocessing.active_children()


def test_a_read_ahead_nothing_used_is_stopped_and_leaves_no_file(channel_db, account, split, monkeypatch):
    real = cls._fact_row

    def slow(ctx, product, now, tiers):
        time.sleep(0.05)
        return real(ctx, product, now, tiers)

    before = _files()
    with channel_db.engine.connect() as conn:
        classification = CycleClassification(CatalogReader.connect(conn, channel_db.prefix), account, NOW)
        monkeypatch.setattr(cls, "_fact_row", slow)  # still reading when the import fails
        classification.start(conn)
        assert classification.ahead is not None and len(multiprocessing.active_children()) == 2
        started = time.monotonic()
        classification.discard(conn)  # the import failed: no classify step
        assert time.monotonic() - started < 10
        assert classification.ahead is None and not multiprocessing.active_children()
        assert conn.execute(text("SELECT 1")).scalar() == 1  # the connection is the cycle's, untouched
    assert _files() <= before


def test_files_a_killed_worker_left_behind_are_removed_by_the_next_read_ahead(channel_db, account, split):
    old = tempfile.mkdtemp(prefix="chn-facts-")
    recent = tempfile.mkdtemp(prefix="chn-facts-")  # another cycle's, still waiting for its report
    hours_ago = time.time() - cls.LEFT_BEHIND_SECONDS - 60
    os.utime(old, (hours_ago, hours_ago))
    try:
        with channel_db.engine.connect() as conn:
            classification = CycleClassification(CatalogReader.connect(conn, channel_db.prefix), account, NOW)
            classification.start(conn)
            assert classification.ahead is not None
            classification.discard(conn)
        assert not os.path.exists(old) and os.path.isdir(recent)
    finally:
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(recent, ignore_errors=True)
