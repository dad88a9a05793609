"""Stock work at the hub: locations, receipts, transfers, adjustments, counts.

Each function runs in the caller's transaction when there is one (the API
opens one per request; a stock exception's resolution calls these inside
its own) and otherwise in its own (``unit_of_work``); none commits a
caller's work. Every move goes through :func:`hub.stock.ledger.apply_moves`.

- A transfer is two moves per line when shipped (out of the source, into
  the org's transit location, sharing the transfer id) and two more per
  receipt (out of transit, into the destination); receipts may be partial,
  never more than is still in transit for that product and lot.
- Adjustments and counts are corrections made by a person: each is
  audited (``stock.adjusted``, ``stock.counted``) with its reason.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.accounts.unit import unit_of_work
from hub.clock import utcnow
from hub.db.models import (
    Product,
    StockBin,
    StockLocation,
    StockLot,
    StockMove,
    StockTransfer,
    Store,
)
from hub.db.upsert import insert_ignore
from hub.stock import reservations as held_stock
from hub.stock.ledger import Level, apply_count, apply_moves
from setledger import errors
from setledger import reservations as reservation_kernel
from setledger.ids import new_id
from setledger.stock import Count, Move, MoveReason

TRANSIT_CODE = "TRANSIT"
TRANSFER_LOCK_SPACE = 0x5E7F
"""Advisory lock space of transfer receipts (reservations use 0x5E5E)."""
KINDS = ("store", "warehouse", "transit")


@dataclass(frozen=True)
class StockLine:
    product_id: uuid.UUID
    qty: int
    """Milli-units, positive (an adjustment's may be negative)."""
    lot_id: uuid.UUID | None = None
    unit_cost: int | None = None
    """Paise per unit (1000 milli-units)."""
    bin_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TransferLine:
    product_id: uuid.UUID
    lot_id: uuid.UUID | None
    shipped: int
    received: int

    @property
    def outstanding(self) -> int:
        return self.shipped - self.received


@dataclass(frozen=True)
class TransferView:
    transfer_id: uuid.UUID
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    shipped_at: datetime
    shipped_by: str | None
    note: str | None
    lines: list[TransferLine]
    move_ids: list[uuid.UUID]
    """The moves this call made (none when only reading)."""

    @property
    def complete(self) -> bool:
        return all(line.outstanding == 0 for line in self.lines)


# -- locations --------------------------------------------------------------------------------


def add_store_location(session: Session, store: Store) -> None:
    """A new store's own location (``location_id = store_id``), in the store's transaction."""
    session.add(
        StockLocation(
            org_id=store.org_id,
            location_id=store.store_id,
            kind="store",
            store_id=store.store_id,
            code=store.code,
            name=store.name,
            created_at=store.created_at,
        )
    )
    session.flush()


def transit_location(session: Session, org_id: uuid.UUID) -> uuid.UUID:
    """The org's one transit location, made the first time a transfer needs it."""
    query = select(StockLocation.location_id).where(
        StockLocation.org_id == org_id, StockLocation.kind == "transit"
    )
    found = session.scalar(query)
    if found is not None:
        return found
    # Two first transfers at once: the unique code lets one insert, the other reads it.
    insert_ignore(
        session,
        StockLocation,
        {
            "org_id": org_id,
            "location_id": new_id(),
            "kind": "transit",
            "store_id": None,
            "code": TRANSIT_CODE,
            "name": "In transit",
            "created_at": utcnow(),
        },
    )
    made = session.scalar(query)
    assert made is not None
    return made


def create_location(
    session: Session, org_id: uuid.UUID, *, code: str, name: str, kind: str = "warehouse"
) -> StockLocation:
    """A warehouse (a store's location comes with the store, transit on demand)."""
    if kind != "warehouse":
        raise errors.STOCK_LOCATION_KIND_INVALID.error(
            action="be created by hand", location_id=code, kind=kind
        )
    with unit_of_work(session):
        taken = select(StockLocation.location_id).where(
            StockLocation.org_id == org_id, StockLocation.code == code
        )
        if session.scalar(taken) is not None:
            raise errors.DUPLICATE.error(thing="stock location", field="code", value=code)
        location = StockLocation(
            org_id=org_id,
            location_id=new_id(),
            kind=kind,
            store_id=None,
            code=code,
            name=name,
            created_at=utcnow(),
        )
        session.add(location)
        session.flush()
        return location


def list_locations(session: Session, org_id: uuid.UUID) -> list[StockLocation]:
    with unit_of_work(session):
        return list(
            session.scalars(
                select(StockLocation)
                .where(StockLocation.org_id == org_id)
                .order_by(StockLocation.kind, StockLocation.code)
            )
        )


def get_location(session: Session, org_id: uuid.UUID, location_id: uuid.UUID) -> StockLocation:
    location = session.get(StockLocation, (org_id, location_id))
    if location is None:
        raise errors.STOCK_LOCATION_NOT_FOUND.error(location_id=str(location_id))
    return location


def create_bin(session: Session, org_id: uuid.UUID, location_id: uuid.UUID, code: str) -> StockBin:
    with unit_of_work(session):
        get_location(session, org_id, location_id)
        taken = select(StockBin.bin_id).where(
            StockBin.org_id == org_id, StockBin.location_id == location_id, StockBin.code == code
        )
        if session.scalar(taken) is not None:
            raise errors.DUPLICATE.error(thing="bin", field="code", value=code)
        row = StockBin(org_id=org_id, bin_id=new_id(), location_id=location_id, code=code)
        session.add(row)
        session.flush()
        return row


def create_lot(
    session: Session,
    org_id: uuid.UUID,
    product_id: uuid.UUID,
    batch_no: str,
    *,
    expiry: date | None = None,
    serial: bool = False,
) -> StockLot:
    with unit_of_work(session):
        check_product(session, org_id, product_id)
        taken = select(StockLot.lot_id).where(
            StockLot.org_id == org_id,
            StockLot.product_id == product_id,
            StockLot.batch_no == batch_no,
        )
        if session.scalar(taken) is not None:
            raise errors.DUPLICATE.error(thing="lot", field="batch_no", value=batch_no)
        row = StockLot(
            org_id=org_id,
            lot_id=new_id(),
            product_id=product_id,
            batch_no=batch_no,
            expiry=expiry,
            serial=serial,
        )
        session.add(row)
        session.flush()
        return row


# -- checks -----------------------------------------------------------------------------------


def check_product(session: Session, org_id: uuid.UUID, product_id: uuid.UUID) -> None:
    """A product of this org's catalogue (moves made at the hub name only those)."""
    if session.get(Product, (org_id, product_id)) is None:
        raise errors.CATALOG_PRODUCT_NOT_FOUND.error(product_id=str(product_id))


def _stockable(session: Session, org_id: uuid.UUID, location_id: uuid.UUID, action: str) -> None:
    location = get_location(session, org_id, location_id)
    if location.kind == "transit":
        raise errors.STOCK_LOCATION_KIND_INVALID.error(
            action=action, location_id=str(location_id), kind=location.kind
        )


def _check_lines(
    session: Session, org_id: uuid.UUID, lines: Sequence[StockLine], *, signed: bool
) -> None:
    if not lines:
        raise errors.STOCK_QTY_INVALID.error(field="lines", rule="at least one line", qty=[])
    for product_id in {line.product_id for line in lines}:
        check_product(session, org_id, product_id)
    for line in lines:
        bad = line.qty == 0 if signed else line.qty <= 0
        if bad:
            rule = "non-zero" if signed else "positive"
            raise errors.STOCK_QTY_INVALID.error(field="qty", rule=rule, qty=line.qty)
        if line.unit_cost is not None and line.unit_cost < 0:
            raise errors.STOCK_QTY_INVALID.error(
                field="unit_cost", rule="0 or more", qty=line.unit_cost
            )
        if line.lot_id is not None:
            lot = session.get(StockLot, (org_id, line.lot_id))
            if lot is None or lot.product_id != line.product_id:
                raise errors.STOCK_LOT_NOT_FOUND.error(
                    lot_id=str(line.lot_id), product_id=str(line.product_id)
                )


def _move(
    location_id: uuid.UUID,
    line: StockLine,
    qty: int,
    reason: MoveReason,
    at: datetime,
    transfer_id: uuid.UUID | None = None,
    bin_id: uuid.UUID | None = None,
    move_id: uuid.UUID | None = None,
) -> Move:
    return Move(
        move_id=move_id or new_id(),
        location_id=location_id,
        product_id=line.product_id,
        qty=qty,
        reason=reason,
        moved_at=at,
        lot_id=line.lot_id,
        transfer_id=transfer_id,
        unit_cost=line.unit_cost,
        bin_id=bin_id,
    )


# -- receipts and adjustments -----------------------------------------------------------------


def _line_moves(
    location_id: uuid.UUID,
    lines: Sequence[StockLine],
    reason: MoveReason,
    at: datetime,
    request_id: uuid.UUID | None,
) -> list[Move]:
    """One move per line; with a request id the move ids derive from it (line by line),
    so a retried request makes the same ids and the ledger keeps the first."""
    return [
        _move(location_id, line, line.qty, reason, at, bin_id=line.bin_id,
              move_id=None if request_id is None else uuid.uuid5(request_id, str(n)))
        for n, line in enumerate(lines)
    ]  # fmt: skip


def _recorded(
    session: Session, org_id: uuid.UUID, request_id: uuid.UUID | None, moves: Sequence[Move]
) -> list[Move] | None:
    """The moves a request with this id already recorded (None when it is new); a
    different request under the same id is refused."""
    if request_id is None:
        return None
    rows = {
        row.move_id: row
        for row in session.scalars(
            select(StockMove).where(
                StockMove.org_id == org_id, StockMove.move_id.in_([m.move_id for m in moves])
            )
        )
    }
    if not rows:
        return None
    same = len(rows) == len(moves) and all(
        (r := rows.get(m.move_id)) is not None
        and (r.location_id, r.product_id, r.qty, r.reason, r.lot_id, r.unit_cost)
        == (m.location_id, m.product_id, m.qty, m.reason.value, m.lot_id, m.unit_cost)
        for m in moves
    )
    if not same:
        raise errors.STOCK_REQUEST_ID_REUSED.error(request_id=str(request_id))
    return [
        replace(m, moved_at=rows[m.move_id].moved_at, bin_id=rows[m.move_id].bin_id) for m in moves
    ]


def receive_stock(
    session: Session,
    org_id: uuid.UUID,
    location_id: uuid.UUID,
    lines: Sequence[StockLine],
    *,
    actor: Actor,
    at: datetime | None = None,
    request_id: uuid.UUID | None = None,
    reference: str | None = None,
) -> list[Move]:
    """Goods received without a purchase order: one ``receipt`` move per line, at cost.

    A ``request_id`` already used returns what it recorded: a retry records once.
    """
    when = at or utcnow()
    with unit_of_work(session):
        _stockable(session, org_id, location_id, "be received")
        _check_lines(session, org_id, lines, signed=False)
        moves = _line_moves(location_id, lines, MoveReason.RECEIPT, when, request_id)
        done = _recorded(session, org_id, request_id, moves)
        if done is not None:
            return done
        apply_moves(session, org_id, moves)
        audit.record(
            session,
            org_id,
            "stock.received",
            at=utcnow(),
            actor=actor,
            target=str(location_id),
            details={"reference": reference, "moves": _described(moves)},
        )
        return moves


def return_to_supplier(
    session: Session,
    org_id: uuid.UUID,
    location_id: uuid.UUID,
    lines: Sequence[StockLine],
    *,
    actor: Actor,
    reason: str,
    reference: str,
    at: datetime | None = None,
    request_id: uuid.UUID | None = None,
) -> list[Move]:
    """Goods sent back to a supplier: one ``supplier_return`` move out per line (quantities
    given positive), at the purchase order's unit cost; audited as
    ``stock.returned_to_supplier``. A ``request_id`` already used returns what it recorded.
    """
    when = at or utcnow()
    with unit_of_work(session):
        _stockable(session, org_id, location_id, "return goods")
        _check_lines(session, org_id, lines, signed=False)
        moves = [
            replace(m, qty=-m.qty)
            for m in _line_moves(location_id, lines, MoveReason.SUPPLIER_RETURN, when, request_id)
        ]
        done = _recorded(session, org_id, request_id, moves)
        if done is not None:
            return done
        apply_moves(session, org_id, moves)
        audit.record(
            session,
            org_id,
            "stock.returned_to_supplier",
            at=utcnow(),
            actor=actor,
            target=str(location_id),
            details={"reason": reason, "reference": reference, "moves": _described(moves)},
        )
        return moves


def adjust_stock(
    session: Session,
    org_id: uuid.UUID,
    location_id: uuid.UUID,
    lines: Sequence[StockLine],
    *,
    reason: str,
    actor: Actor,
    at: datetime | None = None,
    request_id: uuid.UUID | None = None,
) -> list[Move]:
    """Signed corrections (damaged, found, written off), each audited with its reason.

    A ``request_id`` already used returns what it recorded: a retry records once.
    """
    when = at or utcnow()
    with unit_of_work(session):
        _stockable(session, org_id, location_id, "be adjusted")
        _check_lines(session, org_id, lines, signed=True)
        moves = _line_moves(location_id, lines, MoveReason.ADJUSTMENT, when, request_id)
        done = _recorded(session, org_id, request_id, moves)
        if done is not None:
            return done
        apply_moves(session, org_id, moves)
        audit.record(
            session,
            org_id,
            "stock.adjusted",
            at=utcnow(),
            actor=actor,
            target=str(location_id),
            details={"reason": reason, "moves": _described(moves)},
        )
        return moves


def change_reservation(
    session: Session,
    org_id: uuid.UUID,
    reservation_id: uuid.UUID,
    kind: reservation_kernel.EventKind,
    *,
    actor: Actor,
    at: datetime,
    qty: int = 0,
    note: str | None = None,
) -> reservation_kernel.Reservation:
    """Reduce, release, fulfil or back-order a reservation. Fulfilling also takes the
    goods out: a ``sale`` move of what it held, at its location, in the same
    transaction (so available does not jump up between the hold ending and the stock
    leaving; its move id comes from the reservation, so it is made once)."""
    changed = held_stock.change(
        session, org_id, reservation_id, kind, actor=actor, at=at, qty=qty, note=note
    )
    if kind == "fulfilled":  # a fulfilled reservation keeps what it held
        held = changed
        apply_moves(
            session,
            org_id,
            [
                Move(
                    move_id=uuid.uuid5(reservation_id, "fulfilled"),
                    location_id=uuid.UUID(held.location),
                    product_id=uuid.UUID(held.product),
                    qty=-held.qty,
                    reason=MoveReason.SALE,
                    moved_at=at,
                )
            ],
        )
    return changed


def _described(moves: Sequence[Move]) -> list[dict[str, object]]:
    return [
        {
            "move_id": str(m.move_id),
            "product_id": str(m.product_id),
            "lot_id": None if m.lot_id is None else str(m.lot_id),
            "qty": m.qty,
            "unit_cost": m.unit_cost,
        }
        for m in moves
    ]


def record_count(
    session: Session,
    org_id: uuid.UUID,
    location_id: uuid.UUID,
    product_id: uuid.UUID,
    counted_qty: int,
    *,
    actor: Actor,
    counted_at: datetime | None = None,
    lot_id: uuid.UUID | None = None,
    note: str | None = None,
    count_id: uuid.UUID | None = None,
) -> Level | None:
    """A physical count: on-hand becomes the counted quantity plus the moves after it."""
    if counted_qty < 0:
        raise errors.STOCK_QTY_INVALID.error(field="counted_qty", rule="0 or more", qty=counted_qty)
    with unit_of_work(session):
        _stockable(session, org_id, location_id, "be counted")
        check_product(session, org_id, product_id)
        if lot_id is not None:
            _check_lines(session, org_id, [StockLine(product_id, 1, lot_id)], signed=False)
        count = Count(
            count_id=count_id or new_id(),
            location_id=location_id,
            product_id=product_id,
            counted_qty=counted_qty,
            counted_at=counted_at or utcnow(),
            lot_id=lot_id,
        )
        level = apply_count(session, org_id, count, counted_by=actor.label, note=note)
        if level is not None:
            audit.record(
                session,
                org_id,
                "stock.counted",
                at=utcnow(),
                actor=actor,
                target=str(location_id),
                details={
                    "count_id": str(count.count_id),
                    "product_id": str(product_id),
                    "lot_id": None if lot_id is None else str(lot_id),
                    "counted_qty": counted_qty,
                    "on_hand": level.qty,
                    "note": note,
                },
            )
        return level


# -- transfers --------------------------------------------------------------------------------


def ship_transfer(
    session: Session,
    org_id: uuid.UUID,
    from_location_id: uuid.UUID,
    to_location_id: uuid.UUID,
    lines: Sequence[StockLine],
    *,
    actor: Actor,
    at: datetime | None = None,
    note: str | None = None,
    transfer_id: uuid.UUID | None = None,
) -> TransferView:
    """Ship: out of the source into transit (two moves per line, one transfer id).

    A ``transfer_id`` the org already used returns that transfer unchanged,
    so a retried request ships once.
    """
    when = at or utcnow()
    with unit_of_work(session):
        known = None if transfer_id is None else session.get(StockTransfer, (org_id, transfer_id))
        if transfer_id is not None and known is not None:
            return read_transfer(session, org_id, transfer_id)
        if from_location_id == to_location_id:
            raise errors.STOCK_TRANSFER_SAME_LOCATION.error(location_id=str(from_location_id))
        _stockable(session, org_id, from_location_id, "be shipped from")
        _stockable(session, org_id, to_location_id, "be shipped to")
        _check_lines(session, org_id, lines, signed=False)
        transit = transit_location(session, org_id)
        transfer = StockTransfer(
            org_id=org_id,
            transfer_id=transfer_id or new_id(),
            from_location_id=from_location_id,
            to_location_id=to_location_id,
            shipped_at=when,
            shipped_by=actor.label,
            note=note,
        )
        session.add(transfer)
        session.flush()
        tid = transfer.transfer_id
        moves = [
            m
            for line in lines
            for m in (
                _move(from_location_id, line, -line.qty, MoveReason.TRANSFER_OUT, when, tid),
                _move(transit, line, line.qty, MoveReason.TRANSFER_IN, when, tid),
            )
        ]
        apply_moves(session, org_id, moves)
        view = read_transfer(session, org_id, tid, [m.move_id for m in moves])
        _audit_transfer(session, org_id, "stock.transfer.shipped", actor, view,
                        {"from_location_id": str(from_location_id),
                         "to_location_id": str(to_location_id), "note": note})  # fmt: skip
        return view


def receive_transfer(
    session: Session,
    org_id: uuid.UUID,
    transfer_id: uuid.UUID,
    lines: Sequence[StockLine] | None,
    *,
    actor: Actor,
    at: datetime | None = None,
) -> TransferView:
    """Receive all that is outstanding (``lines`` None) or part of it: out of transit,
    into the destination. More than is outstanding for a product and lot is refused."""
    when = at or utcnow()
    with unit_of_work(session):
        _lock_transfer(session, transfer_id)
        transfer = session.get(StockTransfer, (org_id, transfer_id))
        if transfer is None:
            raise errors.STOCK_TRANSFER_NOT_FOUND.error(transfer_id=str(transfer_id))
        view = read_transfer(session, org_id, transfer_id)
        outstanding = {(line.product_id, line.lot_id): line.outstanding for line in view.lines}
        if lines is None:
            lines = [
                StockLine(product_id, qty, lot_id)
                for (product_id, lot_id), qty in outstanding.items()
                if qty > 0
            ]
            if not lines:
                return view
        _check_lines(session, org_id, lines, signed=False)
        wanted: dict[tuple[uuid.UUID, uuid.UUID | None], int] = defaultdict(int)
        for line in lines:
            wanted[(line.product_id, line.lot_id)] += line.qty
        for (product_id, lot_id), qty in wanted.items():
            left = outstanding.get((product_id, lot_id), 0)
            if qty > left:
                raise errors.STOCK_TRANSFER_OVER_RECEIVED.error(
                    transfer_id=str(transfer_id), product_id=str(product_id),
                    outstanding=left, qty=qty,
                )  # fmt: skip
        transit = transit_location(session, org_id)
        moves = [
            m
            for line in lines
            for m in (
                _move(transit, line, -line.qty, MoveReason.TRANSFER_OUT, when, transfer_id),
                _move(
                    transfer.to_location_id, line, line.qty, MoveReason.TRANSFER_IN, when,
                    transfer_id, line.bin_id,
                ),
            )
        ]  # fmt: skip
        apply_moves(session, org_id, moves)
        view = read_transfer(session, org_id, transfer_id, [m.move_id for m in moves])
        _audit_transfer(session, org_id, "stock.transfer.received", actor, view,
                        {"to_location_id": str(transfer.to_location_id)})  # fmt: skip
        return view


def _audit_transfer(
    session: Session,
    org_id: uuid.UUID,
    action: str,
    actor: Actor,
    view: TransferView,
    details: dict[str, Any],
) -> None:
    """A shipment or a receipt in the audit chain, with the transfer's lines as they
    stand after it and the moves it made (whoever made it: API, console, a resolution)."""
    lines = [
        {"product_id": str(line.product_id),
         "lot_id": None if line.lot_id is None else str(line.lot_id),
         "shipped": line.shipped, "received": line.received}
        for line in view.lines
    ]  # fmt: skip
    audit.record(
        session, org_id, action, at=utcnow(), actor=actor, target=str(view.transfer_id),
        details={**details, "lines": lines, "moves": [str(m) for m in view.move_ids]},
    )  # fmt: skip


def _lock_transfer(session: Session, transfer_id: uuid.UUID) -> None:
    """One receiver at a time per transfer: two could both see the same units outstanding.

    An advisory lock, not ``FOR UPDATE``: the transfer row is append-only and the
    tenant role may not lock what it may not update. SQLite has one writer anyway.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(transfer_id.bytes[-4:], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"),
        {"space": TRANSFER_LOCK_SPACE, "key": key},
    )


def read_transfer(
    session: Session,
    org_id: uuid.UUID,
    transfer_id: uuid.UUID,
    made: list[uuid.UUID] | None = None,
) -> TransferView:
    transfer = session.get(StockTransfer, (org_id, transfer_id))
    if transfer is None:
        raise errors.STOCK_TRANSFER_NOT_FOUND.error(transfer_id=str(transfer_id))
    sums = session.execute(
        select(
            StockMove.location_id, StockMove.product_id, StockMove.lot_id, func.sum(StockMove.qty)
        )
        .where(
            StockMove.org_id == org_id,
            StockMove.transfer_id == transfer_id,
            StockMove.reason == MoveReason.TRANSFER_IN.value,
        )
        .group_by(StockMove.location_id, StockMove.product_id, StockMove.lot_id)
    )
    shipped: dict[tuple[uuid.UUID, uuid.UUID | None], int] = defaultdict(int)
    received: dict[tuple[uuid.UUID, uuid.UUID | None], int] = defaultdict(int)
    for location_id, product_id, lot_id, qty in sums:
        # Into the destination is received; into anywhere else (transit) is shipped.
        target = received if location_id == transfer.to_location_id else shipped
        target[(product_id, lot_id)] += int(qty)
    lines = [
        TransferLine(product_id, lot_id, qty, received.get((product_id, lot_id), 0))
        for (product_id, lot_id), qty in sorted(shipped.items(), key=lambda kv: str(kv[0]))
    ]
    return TransferView(
        transfer_id=transfer.transfer_id,
        from_location_id=transfer.from_location_id,
        to_location_id=transfer.to_location_id,
        shipped_at=transfer.shipped_at,
        shipped_by=transfer.shipped_by,
        note=transfer.note,
        lines=lines,
        move_ids=made or [],
    )
