"""A whole read of a big website starts with the import (``CycleClassification.start``):
forked processes read their ranges of the catalog into files while Amazon builds the
listings report, and the files are loaded once the report is judged. The listings end
exactly as with a read made then; a read ahead that fails is made again by the classify
step; one nothing used is stopped and leaves no file behind."""

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

from .test_import_with_facts import NOW, STAGE, TAKEN, disable_product_2, in_one_cycle, rows, stage


@pytest.fixture
def split(monkeypatch, tmp_path):
    """The test catalog (120 products) counts as a big website, split between two processes.
    The files go to the test's own temporary directory, where no other run writes."""
    monkeypatch.setattr(cls, "FORK_FROM", 40)
    monkeypatch.setattr(cls, "available_cores", lambda: 2)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def _files() -> set[str]:
    return set(glob.glob(f"{tempfile.gettempdir()}/chn-facts-*"))


def _cycle_read_ahead(conn, db, account, before_read=None):
    """As the cycle does it with a read ahead: started as the import starts, staged once the
    report is judged, applied in the classify step."""
    reader = CatalogReader.connect(conn, db.prefix)
    classification = CycleClassification(reader, account, NOW)
    classification.start(conn)
    ahead = classification.ahead
    if before_read:
        before_read(ahead)
    stage(conn, account)
    matches = prematch_new_skus(conn, reader, account, STAGE)  # as the importer: while the facts are read
    facts = classification.read(conn)
    name_prematched(conn, reader, account, facts[0] if facts else None)
    imported = listing_state.imported(conn, account.account_id, STAGE, TAKEN, True, matches, facts)
    match_account(conn, reader, account)
    return ahead, facts, imported, classification.classify(conn)


def test_a_read_ahead_ends_the_listings_as_a_read_made_when_the_report_is_judged(
        channel_db, account, twin, split):
    disable_product_2(channel_db)
    before = _files()

    def written_before_the_report(ahead):  # the processes read while the parent waits for Amazon
        deadline = time.monotonic() + 30
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not multiprocessing.active_children()
        lines = [open(path).read().count("\n") for path in ahead.paths]
        assert all(lines) and sum(lines) > 80

    with channel_db.engine.begin() as conn:
        facts, imported, alone = in_one_cycle(conn, channel_db, account)
        ahead, facts_ahead, imported_ahead, cycle = _cycle_read_ahead(conn, channel_db, twin,
                                                                      written_before_the_report)
        assert ahead is not None and len(ahead.paths) == 2
        assert facts_ahead == facts and imported_ahead == imported == 3
        assert rows(conn, twin) == rows(conn, account)
        assert cycle.whole and cycle.products == alone.products > 80 and cycle.written == alone.written
        assert cycle.workers == 2 and cycle.worker_peak_rss_mb > 0
    assert _files() <= before and not multiprocessing.active_children()


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
