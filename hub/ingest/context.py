"""What a message handler knows about the message's sender and arrival."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.db.models import Device, Org


@dataclass(frozen=True)
class Arrival:
    org: Org
    device: Device
    received_at: datetime
