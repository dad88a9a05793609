"""What the box's services share while it runs: database, clocks, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from edge.settings import BoxSettings
from edge.store.db import BoxDatabase
from setledger.hlc import HybridClock


def system_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class BoxRuntime:
    settings: BoxSettings
    db: BoxDatabase
    clock: HybridClock
    """Stamps sales; restored from the last sale so it never goes back."""
    wall_clock: Callable[[], datetime] = field(default=system_now)
    """The box's own idea of the time (may be wrong; travels as wall_time)."""
