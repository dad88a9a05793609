"""Urgent reorders going up from the box: one ``reorder.urgent`` per request (stream ``reorders``).

A cashier who sees a shelf running out asks head office to order more,
from the counter, with or without a network. The box records the request
and puts this document on its outbox; the hub keeps it once (keyed by the
client's reorder id) and a person there acknowledges it, orders it (naming
the purchase order) or dismisses it.

``on_hand_seen`` is what the box's own stock view showed when the request
was raised (the hub's last snapshot plus the box's later moves), in
milli-units: it may be negative after offline overselling, and None when
the box knew nothing of that product's stock.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from setledger.contracts.base import Contract, MilliQty

MAX_REORDER_QTY = 1_000_000_000
"""A million units in milli-units: a bound against a mistyped quantity."""


class UrgentReorder(Contract):
    SCHEMA: ClassVar[str] = "reorder.urgent"
    VERSION: ClassVar[int] = 1

    reorder_id: UUID
    """Made by the client (UUIDv7); a retry reuses it."""
    store_id: UUID
    device_id: UUID
    product_id: UUID
    sku: str = Field(min_length=1, max_length=64)
    """The product's SKU at the box, for people reading the request."""
    qty: MilliQty = Field(gt=0, le=MAX_REORDER_QTY)
    """Wanted, in milli-units (1 unit = 1000)."""
    on_hand_seen: MilliQty | None = None
    note: str | None = Field(default=None, max_length=500)
    raised_by: UUID | None = None
    """The signed-in staff member (None on a box with sign-in off)."""
    raised_by_code: str | None = Field(default=None, max_length=200)
    raised_at: AwareDatetime
    """The box's clock (its HLC's wall time); the envelope carries the HLC itself."""
