"""Serial numbers at the hub: where a unit is, what happened to it, receiving one.

A serial number is a lot of one unit (``stock_lot.serial``), created on
first sight: from a box's sale or return at ingest (:mod:`hub.stock.lots`)
or from a receipt here naming it. Its levels are the ledger's like any
lot's, so "where is it" is the location whose level of that lot is one
unit, and its history is its moves, oldest first, each with the sale or
credit note and the store that made it. A unit sold at two boxes offline
shows as -1 at a store, with both sales in its history (and a stock
exception, opened by the ledger's exception check, naming both).

Receipts name a serial per line, exactly one unit each; a serial already in
stock, or twice in one receipt, is refused (STOCK_QTY_INVALID): a receipt
of it would make two units of one number.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.db.models import Product, Sale, StockLocation, StockLot, StockMove
from hub.db.returns import SaleReturn, SaleReturnLine
from hub.db.stock import StockLevel
from hub.stock.lots import serial_lot
from hub.stock.services import StockLine
from setledger import errors
from setledger.serials import ONE_UNIT


@dataclass(frozen=True)
class SerialMove:
    move_id: uuid.UUID
    reason: str
    qty: int
    moved_at: datetime
    location_id: uuid.UUID | None
    location: str | None
    """The location's name (a store's is the store's)."""
    store_id: uuid.UUID | None
    device_id: uuid.UUID | None
    sale_id: uuid.UUID | None
    invoice_no: str | None
    return_id: uuid.UUID | None
    note_no: str | None
    transfer_id: uuid.UUID | None


@dataclass(frozen=True)
class SerialPlace:
    location_id: uuid.UUID
    location: str
    qty: int


@dataclass(frozen=True)
class SerialView:
    product_id: uuid.UUID
    sku: str
    name: str
    serial_no: str
    lot_id: uuid.UUID
    at: list[SerialPlace]
    """Locations where its level is not zero: one unit in stock; -1 where it was sold
    twice (oversold); empty once sold."""
    moves: list[SerialMove]


def _lots(
    session: Session, org_id: uuid.UUID, serial_no: str, product_id: uuid.UUID | None
) -> list[StockLot]:
    query = select(StockLot).where(
        StockLot.org_id == org_id, StockLot.batch_no == serial_no, StockLot.serial.is_(True)
    )
    if product_id is not None:
        query = query.where(StockLot.product_id == product_id)
    return list(session.scalars(query.order_by(StockLot.product_id)))


def find_serial(
    session: Session, org_id: uuid.UUID, serial_no: str, product_id: uuid.UUID | None = None
) -> list[SerialView]:
    """Every unit numbered ``serial_no`` (of ``product_id`` when given): where it is
    and its moves. STOCK_SERIAL_NOT_FOUND when none is known."""
    lots = _lots(session, org_id, serial_no, product_id)
    if not lots:
        raise errors.STOCK_SERIAL_NOT_FOUND.error(
            serial_no=serial_no, product_id=str(product_id) if product_id else "any product"
        )
    return [_view(session, org_id, lot) for lot in lots]


def oversold(session: Session, org_id: uuid.UUID, limit: int = 200) -> list[SerialView]:
    """Units below zero somewhere: each sold more often than it came in (at two boxes
    offline, say). Listed per unit, whatever the product's other units on hand: the
    product's own level (and its stock exception) may still look fine."""
    lots = session.scalars(
        select(StockLot)
        .where(
            StockLot.org_id == org_id,
            StockLot.serial.is_(True),
            StockLot.lot_id.in_(
                select(StockLevel.lot_key).where(StockLevel.org_id == org_id, StockLevel.qty < 0)
            ),
        )
        .order_by(StockLot.product_id, StockLot.batch_no)
        .limit(limit)
    )
    return [_view(session, org_id, lot) for lot in lots]


def _view(session: Session, org_id: uuid.UUID, lot: StockLot) -> SerialView:
    product = session.get(Product, (org_id, lot.product_id))
    names = {
        row.location_id: row.name
        for row in session.scalars(select(StockLocation).where(StockLocation.org_id == org_id))
    }
    levels = session.execute(
        select(StockLevel.location_id, StockLevel.qty).where(
            StockLevel.org_id == org_id,
            StockLevel.product_id == lot.product_id,
            StockLevel.lot_key == lot.lot_id,
            StockLevel.qty != 0,
        )
    ).all()
    rows = session.execute(
        select(StockMove, Sale.invoice_no, SaleReturn.return_id, SaleReturn.note_no)
        .outerjoin(Sale, (Sale.org_id == StockMove.org_id) & (Sale.sale_id == StockMove.sale_id))
        .outerjoin(
            SaleReturnLine,
            (SaleReturnLine.org_id == StockMove.org_id)
            & (SaleReturnLine.move_id == StockMove.move_id),
        )
        .outerjoin(
            SaleReturn,
            (SaleReturn.org_id == SaleReturnLine.org_id)
            & (SaleReturn.return_id == SaleReturnLine.return_id),
        )
        .where(StockMove.org_id == org_id, StockMove.lot_id == lot.lot_id)
        .order_by(StockMove.moved_at, StockMove.move_id)
    ).all()
    return SerialView(
        product_id=lot.product_id,
        sku=product.sku if product else "",
        name=product.name if product else "",
        serial_no=lot.batch_no,
        lot_id=lot.lot_id,
        at=[SerialPlace(where, names.get(where, str(where)), qty) for where, qty in levels],
        moves=[
            SerialMove(
                move_id=m.move_id,
                reason=m.reason,
                qty=m.qty,
                moved_at=m.moved_at,
                location_id=m.location_id,
                location=names.get(m.location_id) if m.location_id else None,
                store_id=m.store_id,
                device_id=m.device_id,
                sale_id=m.sale_id,
                invoice_no=invoice_no,
                return_id=return_id,
                note_no=note_no,
                transfer_id=m.transfer_id,
            )
            for m, invoice_no, return_id, note_no in rows
        ],
    )


def receipt_lines(
    session: Session,
    org_id: uuid.UUID,
    lines: Sequence[tuple[StockLine, str | None]],
    *,
    retry: bool,
) -> list[StockLine]:
    """Receipt lines with each named serial turned into its lot (created on first sight).

    A serial is one unit of a serial-tracked product: a line of it is exactly
    one unit; the same serial twice in the receipt, or one already in stock, is
    refused. ``retry``: the receipt's request id was recorded before (its units
    are in stock because of it; the ledger answers with what it recorded).
    """
    seen: set[tuple[uuid.UUID, str]] = set()
    out: list[StockLine] = []
    for line, serial_no in lines:
        if serial_no is None:
            _check_serial_lot(session, org_id, line)
            out.append(line)
            continue
        product = session.get(Product, (org_id, line.product_id))
        if product is None:
            raise errors.CATALOG_PRODUCT_NOT_FOUND.error(product_id=str(line.product_id))
        if not product.serial_tracked:
            raise errors.SERIAL_NOT_TRACKED.error(
                name=product.name, sku=product.sku, product_id=str(product.product_id)
            )
        if line.qty != ONE_UNIT:
            raise errors.STOCK_QTY_INVALID.error(
                field="qty", rule=f"1000 (one unit) for serial {serial_no!r}", qty=line.qty
            )
        key = (line.product_id, serial_no)
        if key in seen:
            raise errors.STOCK_QTY_INVALID.error(
                field="lines", rule=f"one line per unit: serial {serial_no!r} twice", qty=line.qty
            )
        seen.add(key)
        lot_id = serial_lot(session, org_id, line.product_id, serial_no)
        if not retry and _in_stock(session, org_id, line.product_id, lot_id) > 0:
            raise errors.STOCK_QTY_INVALID.error(
                field="qty", rule=f"one unit: serial {serial_no!r} is already in stock",
                qty=line.qty,
            )  # fmt: skip
        out.append(replace(line, lot_id=lot_id))
    return out


def _check_serial_lot(session: Session, org_id: uuid.UUID, line: StockLine) -> None:
    """A line naming a serial's lot by id is held to one unit too."""
    if line.lot_id is None:
        return
    lot = session.get(StockLot, (org_id, line.lot_id))
    if lot is not None and lot.serial and line.qty != ONE_UNIT:
        raise errors.STOCK_QTY_INVALID.error(
            field="qty", rule=f"1000 (one unit) for serial {lot.batch_no!r}", qty=line.qty
        )


def _in_stock(session: Session, org_id: uuid.UUID, product_id: uuid.UUID, lot_id: uuid.UUID) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(StockLevel.qty), 0)).where(
            StockLevel.org_id == org_id,
            StockLevel.product_id == product_id,
            StockLevel.lot_key == lot_id,
        )
    )
    return int(total or 0)
