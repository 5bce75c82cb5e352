"""Work split over forked processes (channel.forked): results, failures, stopping early."""

import multiprocessing
import os
import time

import pytest

from channel.forked import ForkedTaskFailed, ForkStats, Started, forked


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


def test_started_children_run_before_their_results_are_asked_for(tmp_path):
    def writes(path):
        def run(emit):
            path.with_suffix(".part").write_text("read")
            path.with_suffix(".part").replace(path)  # whole when it appears
            emit(str(path))
        return run

    paths = [tmp_path / "a", tmp_path / "b"]
    running = Started([writes(p) for p in paths])
    deadline = time.monotonic() + 10
    while not all(p.exists() for p in paths) and time.monotonic() < deadline:
        time.sleep(0.01)  # the parent does its own work meanwhile
    assert all(p.read_text() == "read" for p in paths)
    assert sorted(running.results()) == sorted(str(p) for p in paths)
    assert running.stats.children == 2
    assert not multiprocessing.active_children()


def test_started_children_stopped_before_their_results_are_asked_for_end():
    def slow(emit):
        time.sleep(30)
        emit("never")

    running = Started([slow, slow])
    assert len(multiprocessing.active_children()) == 2
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 10
    assert not multiprocessing.active_children()
    assert list(running.results()) == []
