"""Work split over forked processes (channel.forked): results, failures, stopping early."""

import multiprocessing
import os
import time

import pytest

from channel.forked import ForkedTaskFailed, ForkStats, forked


def _emitting(start: int, count: int):
    def run(emit):
        for i in range(start, start + count):
            emit(i)
    return run


def test_every_item_of_every_child_arrives():
    stats = ForkStats()
    got = list(forked([_emitting(0, 500), _emitting(500, 300), _emitting(800, 1)], stats))
    assert sorted(got) == list(range(801))
    assert stats.children == 3 and stats.child_peak_rss_mb > 0
    assert not multiprocessing.active_children()


def test_a_child_that_fails_is_raised_with_its_words_and_the_others_stop():
    def failing(emit):
        emit("first")
        raise ValueError("product 7 has no price table")

    def slow(emit):
        time.sleep(30)
        emit("never")

    started = time.monotonic()
    with pytest.raises(ForkedTaskFailed, match="ValueError: product 7 has no price table"):
        list(forked([slow, failing]))
    assert time.monotonic() - started < 10
    assert not multiprocessing.active_children()


def test_a_child_that_dies_without_a_word_is_reported_with_its_exit_code():
    def dies(emit):
        os._exit(3)

    with pytest.raises(ForkedTaskFailed, match="exit code 3"):
        list(forked([_emitting(0, 10), dies]))


def test_stopping_early_stops_the_children():
    def endless(emit):
        while True:
            emit("x" * 100)

    items = forked([endless, endless])
    assert next(items) == "x" * 100
    items.close()
    assert not multiprocessing.active_children()


def test_a_child_stops_even_where_the_parent_ignores_sigterm():
    import signal

    def endless(emit):
        emit("started")
        while True:
            time.sleep(0.05)

    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as a worker's warm-shutdown handler would
    try:
        items = forked([endless])
        assert next(items) == "started"
        started = time.monotonic()
        items.close()
        assert time.monotonic() - started < 3
        assert not multiprocessing.active_children()
    finally:
        signal.signal(signal.SIGTERM, previous)
