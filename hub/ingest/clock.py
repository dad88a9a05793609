"""A box's clock, judged from what it sends: skew flags and last-seen (helpers: never commit).

An envelope's ``wall_time`` and ``hlc`` are stamped together when the box
records the sale, not when it sends it, so "wall_time is far from
received_at" alone would flag every box that comes back after an outage
with a backlog. Skew is flagged only on evidence a backlog cannot give:

- ahead: the box stamped a time later than the hub's ``received_at``;
- behind: the box's HLC (which has seen the hub's acks) is ahead of its
  own wall clock, i.e. it knew a later time than its clock said;
- behind: it stamped a time before the box was even registered (a box
  booting at 1970 with no RTC, before it ever heard from the hub).

A flag clears on a live reading in bounds: the newest envelope stamped
within the limit of its arrival. The sales are applied all the same:
order within a box is (epoch, seq), across boxes the HLC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.db.models import Device
from setledger.contracts import Envelope
from setledger.hlc import HLCTimestamp, unix_ms

MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_CLOCK_SKEW_MS = 5 * 60 * 1000
LAST_SEEN_RESOLUTION = timedelta(seconds=5)
"""``last_seen_at`` is rewritten at most this often: a box sending a batch a
second would otherwise make every batch update (and lock) its device row."""
SKEW_RESOLUTION_MS = 1000


@dataclass(frozen=True)
class ClockReading:
    skew_ms: int
    """+ ahead of the hub, - behind (for "behind" rules: at least this much)."""
    off: bool
    """Beyond MAX_CLOCK_SKEW."""


def read_clock(
    envelopes: Sequence[Envelope], received_at: datetime, registered_at: datetime
) -> ClockReading | None:
    """What these envelopes prove about the sender's clock (None: nothing)."""
    received_ms = unix_ms(received_at)
    registered_ms = unix_ms(registered_at)
    worst: int | None = None
    for envelope in envelopes:
        skew = _offence(envelope, received_ms, registered_ms)
        if skew is not None and (worst is None or abs(skew) > abs(worst)):
            worst = skew
    if worst is not None:
        return ClockReading(worst, off=True)
    live = unix_ms(envelopes[-1].wall_time) - received_ms
    if abs(live) <= MAX_CLOCK_SKEW_MS:
        return ClockReading(live, off=False)
    return None  # a backlog: old stamps prove nothing either way


def _offence(envelope: Envelope, received_ms: int, registered_ms: int) -> int | None:
    wall_ms = unix_ms(envelope.wall_time)
    if wall_ms - received_ms > MAX_CLOCK_SKEW_MS:
        return wall_ms - received_ms
    if registered_ms - wall_ms > MAX_CLOCK_SKEW_MS:
        return wall_ms - registered_ms
    try:
        hlc_ms = HLCTimestamp.decode(envelope.hlc).wall_ms
    except ValueError:
        return None  # the sale is still applied; a bad stamp only loses this clue
    if hlc_ms - wall_ms > MAX_CLOCK_SKEW_MS:
        return wall_ms - hlc_ms
    return None


def note_arrival(
    session: Session, device: Device, reading: ClockReading | None, received_at: datetime
) -> None:
    """Record that the box was heard from, and flag or clear its clock."""
    values: dict[str, object] = {}
    if device.last_seen_at is None or received_at - device.last_seen_at >= LAST_SEEN_RESOLUTION:
        values["last_seen_at"] = received_at
    if reading is not None:
        if reading.off and device.clock_flagged_at is None:
            values["clock_flagged_at"] = received_at
        elif not reading.off and device.clock_flagged_at is not None:
            values["clock_flagged_at"] = None
        moved = (
            device.clock_skew_ms is None
            or abs(device.clock_skew_ms - reading.skew_ms) > SKEW_RESOLUTION_MS
        )
        if moved or "clock_flagged_at" in values:
            values["clock_skew_ms"] = reading.skew_ms
    if values:
        # Last in the transaction: the row lock is held only until the commit
        # and is never taken before the effects (which may wait on other workers).
        session.execute(
            update(Device)
            .where(Device.org_id == device.org_id, Device.device_id == device.device_id)
            .values(**values)
        )
