"""Urgent reorders going up from the box: one ``reorder.urgent`` per request (stream ``reorders``);
and coming back down: ``reorder.status``, what the hub did with a store's requests.

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

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from setledger.contracts.base import Contract, MilliQty, OrgCode

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


ReorderState = Literal["open", "acknowledged", "ordered", "dismissed"]
MAX_STATUS_ITEMS = 200
"""At most this many requests in one ``reorder.status`` (the store's most recently changed)."""


class ReorderStatusItem(Contract):
    reorder_id: UUID
    status: ReorderState
    po_reference: str | None = Field(default=None, min_length=1, max_length=64)
    """The purchase order it was ordered on (only when ``ordered``)."""
    note: str | None = Field(default=None, max_length=500)
    """What the person at the hub wrote with the last step (None while open)."""
    changed_at: AwareDatetime
    """When the hub took its last step (or received the request, while open)."""


class ReorderStatus(Contract):
    """What head office did with a store's urgent reorders, sent down to the store's boxes.

    Retained on ``setledger/v1/{org}/{store}/down/reorders``; it travels in the
    message. It names the store's requests changed in the last days (bounded by
    :data:`MAX_STATUS_ITEMS`), so a box keeps what it heard of older ones.
    """

    SCHEMA: ClassVar[str] = "reorder.status"
    VERSION: ClassVar[int] = 1

    org_id: OrgCode
    store_id: UUID
    version: int = Field(strict=True, ge=1)
    """Increasing per store (the hub's instant in unix ms); a box applies only a newer one."""
    as_of: AwareDatetime
    reorders: list[ReorderStatusItem] = Field(max_length=MAX_STATUS_ITEMS)
