"""Which streams have a gap worth a ResendRequest, and when.

A gap seen once is usually no loss at all: a box's batches reach the two
workers of the shared subscription out of order, and the earlier batch
commits a moment later. Asking for a resend at once would double the
traffic of every box that is catching up. So a gap is only reported
after it has stayed open for ``after_s``, checked again against the
database then, and reported again while it stays, each time waiting
twice as long (up to MAX_WAIT_S): a box that is gone for good must not
cost a query and a message every few seconds forever.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

MAX_WAIT_S = 300.0


@dataclass(frozen=True)
class StreamRef:
    """Where a stream's acks and control messages go, and its database key."""

    org_code: str
    org_id: uuid.UUID
    store_id: uuid.UUID
    device_id: uuid.UUID
    epoch: str
    stream: str


@dataclass
class _Gap:
    from_seq: int
    since: float
    """When this gap was first seen, or last reported (monotonic seconds)."""
    wait: float


class GapWatch:
    def __init__(self, after_s: float) -> None:
        self.after_s = after_s
        self._open: dict[StreamRef, _Gap] = {}

    def note(self, ref: StreamRef, gap_from: int | None, now: float) -> None:
        """Record a stream's position after a commit (``gap_from`` None: no gap)."""
        if gap_from is None:
            self._open.pop(ref, None)
            return
        held = self._open.get(ref)
        if held is None or held.from_seq != gap_from:
            self._open[ref] = _Gap(gap_from, now, self.after_s)

    def due(self, now: float) -> list[StreamRef]:
        """Streams whose gap has been open long enough to check again."""
        return [ref for ref, gap in self._open.items() if now - gap.since >= gap.wait]

    def reported(self, ref: StreamRef, from_seq: int, now: float) -> None:
        held = self._open.get(ref)
        wait = self.after_s if held is None or held.from_seq != from_seq else held.wait
        self._open[ref] = _Gap(from_seq, now, min(max(wait * 2, 0.5), MAX_WAIT_S))

    def closed(self, ref: StreamRef) -> None:
        self._open.pop(ref, None)

    def __len__(self) -> int:
        return len(self._open)
