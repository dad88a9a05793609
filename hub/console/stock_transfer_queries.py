"""Read-only queries of the console's transfer pages beyond ``hub.stock.services``.

The service reads one transfer (``read_transfer``); the list page needs many at
once, and the pages name lines by SKU and batch. Shipped and received are read
from the moves the way ``read_transfer`` reads them: a transfer's
``transfer_in`` moves into its destination are received, those into transit
shipped. Quantities are milli-units.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.db.models import Product
from hub.db.sales import StockMove
from hub.db.stock import StockLot, StockTransfer
from hub.stock.services import TransferLine
from setledger.stock import MoveReason

CHUNK = 500


@dataclass(frozen=True)
class TransferRow:
    transfer: StockTransfer
    lines: list[TransferLine]
    received_at: datetime | None
    """The latest receipt into the destination (None while nothing arrived)."""

    @property
    def status(self) -> str:
        """``in_transit``, ``partly_received`` or ``received``."""
        received = sum(line.received for line in self.lines)
        if received == 0:
            return "in_transit"
        if any(line.outstanding for line in self.lines):
            return "partly_received"
        return "received"


def list_transfers(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID | None = None, limit: int = 200
) -> list[TransferRow]:
    """The org's transfers, newest first; with a location, those from it or to it."""
    query = select(StockTransfer).where(StockTransfer.org_id == org_id)
    if location_id is not None:
        query = query.where(
            or_(
                StockTransfer.from_location_id == location_id,
                StockTransfer.to_location_id == location_id,
            )
        )
    transfers = list(
        session.scalars(
            query.order_by(StockTransfer.shipped_at.desc(), StockTransfer.transfer_id.desc()).limit(
                limit
            )
        )
    )
    return rows_of(session, org_id, transfers)


def rows_of(
    session: Session, org_id: uuid.UUID, transfers: list[StockTransfer]
) -> list[TransferRow]:
    """Each transfer with its lines (shipped, received) and when it was last received."""
    by_id = {t.transfer_id: t for t in transfers}
    shipped: dict[uuid.UUID, dict[tuple[uuid.UUID, uuid.UUID | None], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    received: dict[uuid.UUID, dict[tuple[uuid.UUID, uuid.UUID | None], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    latest: dict[uuid.UUID, datetime] = {}
    ids = list(by_id)
    for start in range(0, len(ids), CHUNK):
        sums = session.execute(
            select(
                StockMove.transfer_id,
                StockMove.location_id,
                StockMove.product_id,
                StockMove.lot_id,
                func.sum(StockMove.qty),
                func.max(StockMove.moved_at),
            )
            .where(
                StockMove.org_id == org_id,
                StockMove.transfer_id.in_(ids[start : start + CHUNK]),
                StockMove.reason == MoveReason.TRANSFER_IN.value,
            )
            .group_by(
                StockMove.transfer_id, StockMove.location_id, StockMove.product_id, StockMove.lot_id
            )
        )
        for found, location_id, product_id, lot_id, qty, at in sums:
            if found is None:  # the query asked for these ids only
                continue
            transfer_id: uuid.UUID = found
            if location_id == by_id[transfer_id].to_location_id:
                received[transfer_id][(product_id, lot_id)] += int(qty)
                if transfer_id not in latest or at > latest[transfer_id]:
                    latest[transfer_id] = at
            else:
                shipped[transfer_id][(product_id, lot_id)] += int(qty)
    rows = []
    for transfer in transfers:
        tid = transfer.transfer_id
        lines = [
            TransferLine(product_id, lot_id, qty, received[tid].get((product_id, lot_id), 0))
            for (product_id, lot_id), qty in sorted(shipped[tid].items(), key=lambda kv: str(kv[0]))
        ]
        rows.append(TransferRow(transfer, lines, latest.get(tid)))
    return rows


def batches_named(
    session: Session, org_id: uuid.UUID, lot_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Batch (or serial) numbers of the lots given."""
    wanted = list(set(lot_ids))
    named: dict[uuid.UUID, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(StockLot.lot_id, StockLot.batch_no).where(
                StockLot.org_id == org_id, StockLot.lot_id.in_(wanted[start : start + CHUNK])
            )
        )
        named.update({lot_id: batch_no for lot_id, batch_no in rows})
    return named


def lot_by_batch(
    session: Session, org_id: uuid.UUID, product_id: uuid.UUID, batch_no: str
) -> uuid.UUID | None:
    """The lot of a product with this batch number (as typed, or upper-cased)."""
    rows = session.execute(
        select(StockLot.lot_id, StockLot.batch_no).where(
            StockLot.org_id == org_id,
            StockLot.product_id == product_id,
            func.upper(StockLot.batch_no) == batch_no.upper(),
        )
    ).all()
    exact = [lot_id for lot_id, name in rows if name == batch_no]
    if exact:
        return exact[0]
    return rows[0][0] if len(rows) == 1 else None


def tracking(session: Session, org_id: uuid.UUID, product_id: uuid.UUID) -> tuple[bool, bool]:
    """(batch-tracked, serial-tracked) of a product."""
    product = session.get(Product, (org_id, product_id))
    if product is None:
        return False, False
    return bool(product.batch_tracked), bool(product.serial_tracked)
