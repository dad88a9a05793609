"""Benchmarks: each prints one JSON line per figure, never a pass/fail."""
