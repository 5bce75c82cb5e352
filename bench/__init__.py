"""Benchmarks: figures, not pass/fail. ``make bench`` runs them and writes results.json."""
