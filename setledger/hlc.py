"""Hybrid logical clock (Kulkarni et al., 2014).

Orders events across boxes whose wall clocks disagree. A timestamp is
(wall milliseconds, counter, node). It never goes backwards on a node,
and an event stamped after receiving another is ordered after it, even
when the local clock is behind (a box that boots at 1970 with no RTC).

Within one box, order is (epoch, seq); the HLC orders across boxes.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_ENCODED_RE = re.compile(r"^([0-9]{15})-([0-9]{6})-([A-Za-z0-9_.:-]{1,64})$")
MAX_COUNTER = 999_999


@dataclass(frozen=True, order=True)
class HLCTimestamp:
    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        """Fixed-width text that sorts like the timestamp itself."""
        return f"{self.wall_ms:015d}-{self.counter:06d}-{self.node}"

    @classmethod
    def decode(cls, text: str) -> HLCTimestamp:
        match = _ENCODED_RE.match(text)
        if match is None:
            raise ValueError(f"not an HLC timestamp: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))


class HybridClock:
    """A node's HLC. Thread-safe; the physical clock is injected for tests."""

    def __init__(
        self,
        node: str,
        physical_ms: Callable[[], int] | None = None,
        last: HLCTimestamp | None = None,
    ) -> None:
        self.node = node
        self._physical_ms = physical_ms or (lambda: time.time_ns() // 1_000_000)
        self._wall = last.wall_ms if last else 0
        self._counter = last.counter if last else 0
        self._lock = threading.Lock()

    def now(self) -> HLCTimestamp:
        """Stamp a local event (or a message about to be sent)."""
        with self._lock:
            physical = self._physical_ms()
            if physical > self._wall:
                self._wall, self._counter = physical, 0
            else:
                self._counter += 1
            return self._stamp()

    def peek(self) -> HLCTimestamp:
        """The last stamp given out, without advancing the clock."""
        with self._lock:
            return HLCTimestamp(self._wall, self._counter, self.node)

    def update(self, remote: HLCTimestamp) -> HLCTimestamp:
        """Stamp the receipt of a message stamped ``remote``."""
        with self._lock:
            physical = self._physical_ms()
            wall = max(self._wall, remote.wall_ms, physical)
            if wall == self._wall and wall == remote.wall_ms:
                counter = max(self._counter, remote.counter) + 1
            elif wall == self._wall:
                counter = self._counter + 1
            elif wall == remote.wall_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            self._wall, self._counter = wall, counter
            return self._stamp()

    def _stamp(self) -> HLCTimestamp:
        if self._counter > MAX_COUNTER:
            # A million events in one millisecond of a stalled clock: borrow
            # the next millisecond rather than overflow the encoding.
            self._wall += 1
            self._counter = 0
        return HLCTimestamp(self._wall, self._counter, self.node)


def skew_ms(local_wall_ms: int, remote: HLCTimestamp) -> int:
    """How far ``remote``'s wall clock runs ahead (+) or behind (-) ours."""
    return remote.wall_ms - local_wall_ms


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def unix_ms(instant: datetime) -> int:
    """Milliseconds since 1970 of an aware instant, without a float."""
    if instant.tzinfo is None:
        raise ValueError("unix_ms needs an aware datetime")
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_unix_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)
