"""The store's stock as the hub knows it, sent down to the store's boxes.

Retained on ``setledger/v1/{org}/{store}/down/stock`` (it travels in the
message, like the staff roster), or, when too big for one message, as a blob
named by a ``StockSnapshotRef`` on ``.../down/stock-ref``. On-hand at a box, offline, is::

    the snapshot's quantity + the box's own moves the snapshot does not include

``includes`` says, for each box of the store and each of its streams that
carry stock moves (``sales``, ``returns``), the last seq of its (epoch,
stream) the hub had applied when the snapshot was made. The hub applies a
stream's envelopes in seq order with no gaps, so "seq <= included" is
exactly the set of documents already counted; a box adds only its own
later ones. The epoch is part of the position because a restored box starts
its seqs again under a new epoch.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from setledger.contracts.base import Contract, Epoch, MilliQty, OrgCode, Seq, Stream
from setledger.contracts.catalog import BlobRef


class IncludedPosition(Contract):
    device_id: UUID
    epoch: Epoch
    stream: Stream
    seq: Seq
    """The last seq of (device, epoch, stream) counted in the snapshot."""


class StockItem(Contract):
    product_id: UUID
    batch_no: str | None = Field(default=None, min_length=1, max_length=64)
    expiry: date | None = None
    qty: MilliQty
    """On hand in milli-units; negative after offline overselling."""


class StockSnapshot(Contract):
    SCHEMA: ClassVar[str] = "stock.snapshot"
    VERSION: ClassVar[int] = 1

    org_id: OrgCode
    store_id: UUID
    version: int = Field(strict=True, ge=1)
    """Increasing per store; a box applies only a newer one."""
    as_of: AwareDatetime
    includes: list[IncludedPosition]
    items: list[StockItem]


class StockSnapshotRef(Contract):
    """Retained on ``setledger/v1/{org}/{store}/down/stock-ref``: a snapshot too big for
    one MQTT message (the broker takes at most 1 MiB; a store with ~12,000 stocked
    products and batches is past it), stored at the hub as a blob and named here. The
    box fetches it over HTTP with its token, checks its size and sha256, and applies
    it like an inline snapshot; whichever of the two topics has the newer version wins.
    """

    SCHEMA: ClassVar[str] = "stock.snapshot_ref"
    VERSION: ClassVar[int] = 1

    org_id: OrgCode
    store_id: UUID
    version: int = Field(strict=True, ge=1)
    """The snapshot's version (the blob holds a ``StockSnapshot`` of this version)."""
    as_of: AwareDatetime
    items: int = Field(strict=True, ge=0)
    """How many items the snapshot has (for logs and the box's status)."""
    snapshot: BlobRef
