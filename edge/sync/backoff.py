"""Exponential back-off with full jitter.

A fleet of boxes that lost the broker together must not all come back in
the same second: each waits a random time up to an exponentially growing
cap (AWS Architecture Blog, "Exponential Backoff and Jitter").
"""

from __future__ import annotations

import random


class Backoff:
    def __init__(
        self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None
    ) -> None:
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()  # noqa: S311 - timing jitter, not a secret
        self.failures = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.base * (2**self.failures))
        self.failures += 1
        return self.rng.uniform(0, ceiling)

    def reset(self) -> None:
        self.failures = 0
