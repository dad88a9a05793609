"""Stock at the hub: locations, receipts, transfers, adjustments, counts, on-hand.

Quantities are milli-units (1 unit = 1000), costs paise per unit. Routes
are thin: one transaction each, the work in ``hub.stock.services`` and the
reads in ``hub.stock.ledger``. See docs/STOCK.md.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Response as Response_
from pydantic import Field

from hub.accounts import audit
from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.db.models import StockLocation
from hub.db.models import StockMove as StockMoveRow
from hub.registry.lookup import get_org
from hub.schemas import Request, Response
from hub.stock import ledger, serials, services
from hub.stock.ledger import Level
from hub.stock.services import StockLine, TransferView
from setledger.stock import NO_LOT, Move

router = APIRouter(tags=["stock"])
READ = allow(P.STOCK_READ)
WRITE = allow(P.STOCK_WRITE)
Reader = Annotated[Principal, READ]
Writer = Annotated[Principal, WRITE]


class LocationIn(Request):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)


class LocationOut(Response):
    location_id: uuid.UUID
    kind: str
    store_id: uuid.UUID | None
    code: str
    name: str


class BinIn(Request):
    code: str = Field(min_length=1, max_length=32)


class BinOut(Response):
    bin_id: uuid.UUID
    location_id: uuid.UUID
    code: str


class LotIn(Request):
    product_id: uuid.UUID
    batch_no: str = Field(min_length=1, max_length=64)
    expiry: date | None = None
    serial: bool = False


class LotOut(Response):
    lot_id: uuid.UUID
    product_id: uuid.UUID
    batch_no: str
    expiry: date | None
    serial: bool


class LineIn(Request):
    product_id: uuid.UUID
    qty: int
    """Milli-units."""
    lot_id: uuid.UUID | None = None
    unit_cost: int | None = None
    """Paise per unit (1000 milli-units)."""
    bin_id: uuid.UUID | None = None
    serial_no: str | None = Field(default=None, min_length=1, max_length=64)
    """Receipts: the unit's serial number (a serial-tracked product, qty 1000)."""

    def line(self) -> StockLine:
        return StockLine(self.product_id, self.qty, self.lot_id, self.unit_cost, self.bin_id)


class ReceiptIn(Request):
    location_id: uuid.UUID
    lines: list[LineIn] = Field(min_length=1, max_length=1000)
    reference: str | None = Field(default=None, max_length=100)
    request_id: uuid.UUID | None = None
    """Your own id for the receipt: sending it again records it once."""


class AdjustmentIn(Request):
    location_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=500)
    lines: list[LineIn] = Field(min_length=1, max_length=1000)
    request_id: uuid.UUID | None = None
    """Your own id for the adjustment: sending it again records it once."""


class MoveOut(Response):
    move_id: uuid.UUID
    location_id: uuid.UUID
    product_id: uuid.UUID
    lot_id: uuid.UUID | None
    qty: int
    reason: str
    moved_at: datetime
    unit_cost: int | None
    transfer_id: uuid.UUID | None


class TransferIn(Request):
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    lines: list[LineIn] = Field(min_length=1, max_length=1000)
    note: str | None = Field(default=None, max_length=500)
    transfer_id: uuid.UUID | None = None
    """Your own id for the shipment: sending it again ships once."""


class TransferReceiveIn(Request):
    lines: list[LineIn] | None = Field(default=None, max_length=1000)
    """What arrived; leave out to receive everything still in transit."""


class TransferLineOut(Response):
    product_id: uuid.UUID
    lot_id: uuid.UUID | None
    shipped: int
    received: int
    outstanding: int


class TransferOut(Response):
    transfer_id: uuid.UUID
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    shipped_at: datetime
    shipped_by: str | None
    note: str | None
    complete: bool
    lines: list[TransferLineOut]
    move_ids: list[uuid.UUID]


class CountIn(Request):
    location_id: uuid.UUID
    product_id: uuid.UUID
    lot_id: uuid.UUID | None = None
    counted_qty: int
    counted_at: datetime | None = None
    """When the shelf was counted (default: now); moves after it are added to the count."""
    note: str | None = Field(default=None, max_length=500)
    count_id: uuid.UUID | None = None
    """Your own id for the count: sending it again records it once."""


class LevelOut(Response):
    location_id: uuid.UUID
    product_id: uuid.UUID
    lot_id: uuid.UUID | None
    qty: int
    count_at: datetime | None
    count_qty: int | None


class CauseOut(Response):
    move_id: uuid.UUID
    qty: int
    reason: str
    moved_at: datetime
    store_id: uuid.UUID | None
    device_id: uuid.UUID | None
    sale_id: uuid.UUID | None
    transfer_id: uuid.UUID | None


class NegativeOut(Response):
    level: LevelOut
    moves: list[CauseOut]
    """The outgoing moves since the last count, newest first: what took it below zero."""


def _location(row: StockLocation) -> LocationOut:
    return LocationOut(
        location_id=row.location_id,
        kind=row.kind,
        store_id=row.store_id,
        code=row.code,
        name=row.name,
    )


def _level(level: Level) -> LevelOut:
    key = level.key
    return LevelOut(
        location_id=key.location_id,
        product_id=key.product_id,
        lot_id=None if key.lot_key == NO_LOT else key.lot_key,
        qty=level.qty,
        count_at=level.count_at,
        count_qty=level.count_qty,
    )


def _move(m: Move) -> MoveOut:
    return MoveOut(
        move_id=m.move_id,
        location_id=m.location_id,
        product_id=m.product_id,
        lot_id=m.lot_id,
        qty=m.qty,
        reason=m.reason.value,
        moved_at=m.moved_at,
        unit_cost=m.unit_cost,
        transfer_id=m.transfer_id,
    )


def _transfer(view: TransferView) -> TransferOut:
    return TransferOut(
        transfer_id=view.transfer_id,
        from_location_id=view.from_location_id,
        to_location_id=view.to_location_id,
        shipped_at=view.shipped_at,
        shipped_by=view.shipped_by,
        note=view.note,
        complete=view.complete,
        lines=[
            TransferLineOut(
                product_id=line.product_id,
                lot_id=line.lot_id,
                shipped=line.shipped,
                received=line.received,
                outstanding=line.outstanding,
            )
            for line in view.lines
        ],
        move_ids=view.move_ids,
    )


@router.get("/orgs/{org}/stock/locations")
def list_locations(session: DbSession, principal: Reader) -> list[LocationOut]:
    """Stores (a store's location id is its store id), warehouses and the transit location."""
    with session.begin():
        org = get_org(session, principal.org_code)
        return [_location(row) for row in services.list_locations(session, org.org_id)]


@router.post("/orgs/{org}/stock/locations", status_code=201)
def create_location(session: DbSession, principal: Writer, body: LocationIn) -> LocationOut:
    """A warehouse."""
    with session.begin():
        org = get_org(session, principal.org_code)
        row = services.create_location(session, org.org_id, code=body.code, name=body.name)
        return _location(row)


@router.post("/orgs/{org}/stock/locations/{location_id}/bins", status_code=201)
def create_bin(
    session: DbSession, principal: Writer, location_id: uuid.UUID, body: BinIn
) -> BinOut:
    with session.begin():
        org = get_org(session, principal.org_code)
        row = services.create_bin(session, org.org_id, location_id, body.code)
        return BinOut(bin_id=row.bin_id, location_id=row.location_id, code=row.code)


@router.post("/orgs/{org}/stock/lots", status_code=201)
def create_lot(session: DbSession, principal: Writer, body: LotIn) -> LotOut:
    """A batch (with its expiry) or a serial number of a product."""
    with session.begin():
        org = get_org(session, principal.org_code)
        row = services.create_lot(
            session, org.org_id, body.product_id, body.batch_no,
            expiry=body.expiry, serial=body.serial,
        )  # fmt: skip
        return LotOut(
            lot_id=row.lot_id,
            product_id=row.product_id,
            batch_no=row.batch_no,
            expiry=row.expiry,
            serial=row.serial,
        )


@router.post("/orgs/{org}/stock/receipts", status_code=201)
def receive(session: DbSession, principal: Writer, body: ReceiptIn) -> list[MoveOut]:
    """Goods in without a purchase order, at cost."""
    with session.begin():
        org = get_org(session, principal.org_code)
        retry = (
            body.request_id is not None
            and session.get(StockMoveRow, (org.org_id, uuid.uuid5(body.request_id, "0")))
            is not None
        )
        lines = serials.receipt_lines(
            session, org.org_id, [(x.line(), x.serial_no) for x in body.lines], retry=retry
        )
        moves = services.receive_stock(
            session, org.org_id, body.location_id, lines,
            actor=audit.actor_of(principal), reference=body.reference,
            request_id=body.request_id,
        )  # fmt: skip
        return [_move(m) for m in moves]


@router.post("/orgs/{org}/stock/adjustments", status_code=201)
def adjust(session: DbSession, principal: Writer, body: AdjustmentIn) -> list[MoveOut]:
    """Signed corrections with a reason, in the audit log as ``stock.adjusted``."""
    with session.begin():
        org = get_org(session, principal.org_code)
        moves = services.adjust_stock(
            session, org.org_id, body.location_id, [line.line() for line in body.lines],
            reason=body.reason, actor=audit.actor_of(principal), request_id=body.request_id,
        )  # fmt: skip
        return [_move(m) for m in moves]


@router.post("/orgs/{org}/stock/counts", status_code=201)
def count(session: DbSession, principal: Writer, body: CountIn) -> LevelOut | None:
    """A physical count; the level after it (null when the count id was recorded before)."""
    with session.begin():
        org = get_org(session, principal.org_code)
        level = services.record_count(
            session, org.org_id, body.location_id, body.product_id, body.counted_qty,
            actor=audit.actor_of(principal), counted_at=body.counted_at, lot_id=body.lot_id,
            note=body.note, count_id=body.count_id,
        )  # fmt: skip
        return None if level is None else _level(level)


@router.post("/orgs/{org}/stock/transfers", status_code=201)
def ship(session: DbSession, principal: Writer, body: TransferIn) -> TransferOut:
    """Ship: out of the source, into transit, one transfer id on both moves."""
    with session.begin():
        org = get_org(session, principal.org_code)
        view = services.ship_transfer(
            session, org.org_id, body.from_location_id, body.to_location_id,
            [line.line() for line in body.lines], actor=audit.actor_of(principal),
            note=body.note, transfer_id=body.transfer_id,
        )  # fmt: skip
        return _transfer(view)


@router.get("/orgs/{org}/stock/transfers/{transfer_id}")
def read_transfer(session: DbSession, principal: Reader, transfer_id: uuid.UUID) -> TransferOut:
    with session.begin():
        org = get_org(session, principal.org_code)
        return _transfer(services.read_transfer(session, org.org_id, transfer_id))


@router.post("/orgs/{org}/stock/transfers/{transfer_id}/receive")
def receive_transfer(
    session: DbSession, principal: Writer, transfer_id: uuid.UUID, body: TransferReceiveIn
) -> TransferOut:
    """Receive all or part of what is in transit: out of transit, into the destination."""
    with session.begin():
        org = get_org(session, principal.org_code)
        lines = None if body.lines is None else [line.line() for line in body.lines]
        view = services.receive_transfer(
            session, org.org_id, transfer_id, lines, actor=audit.actor_of(principal)
        )
        return _transfer(view)


@router.get("/orgs/{org}/stock/on-hand")
def on_hand(
    session: DbSession,
    principal: Reader,
    location_id: Annotated[uuid.UUID | None, Query(description="one location")] = None,
) -> Response_:
    """Everything at one location (every location without one), by product then lot.

    Compact, as a location may hold 100,000 products: ``{"columns": [...],
    "locations": [{"location_id", "levels": [[product_id, lot_id, qty, count_at,
    count_qty], ...]}]}``.
    """
    with session.begin():
        org = get_org(session, principal.org_code)
        if location_id is None:
            locations = [row.location_id for row in services.list_locations(session, org.org_id)]
        else:
            locations = [services.get_location(session, org.org_id, location_id).location_id]
        parts = [
            f'{{"location_id":"{where}","levels":'
            f"{ledger.location_on_hand_json(session, org.org_id, where)}}}"
            for where in locations
        ]
    columns = json.dumps(list(ledger.LEVEL_COLUMNS))
    body = f'{{"columns":{columns},"locations":[{",".join(parts)}]}}'
    return Response_(content=body, media_type="application/json")


@router.get("/orgs/{org}/stock/products/{product_id}")
def product_stock(
    session: DbSession,
    principal: Reader,
    product_id: uuid.UUID,
    lot_id: Annotated[uuid.UUID | None, Query(description="only this lot")] = None,
) -> list[LevelOut]:
    """One product at every location (in transit included), per lot."""
    with session.begin():
        org = get_org(session, principal.org_code)
        services.check_product(session, org.org_id, product_id)
        levels = ledger.product_on_hand(session, org.org_id, product_id, lot_id)
        return [_level(x) for x in levels]


@router.get("/orgs/{org}/stock/negative")
def negative(
    session: DbSession,
    principal: Reader,
    location_id: Annotated[uuid.UUID | None, Query(description="one location")] = None,
) -> list[NegativeOut]:
    """Levels below zero (offline overselling) with the moves that took them there."""
    with session.begin():
        org = get_org(session, principal.org_code)
        found = ledger.negative_levels(session, org.org_id, location_id)
        return [
            NegativeOut(
                level=_level(n.level),
                moves=[CauseOut(**vars(m)) for m in n.moves],
            )
            for n in found
        ]


class SerialMoveOut(Response):
    move_id: uuid.UUID
    reason: str
    """``receipt``, ``sale``, ``return``, ``transfer_out``/``transfer_in``, ``adjustment``."""
    qty: int
    moved_at: datetime
    location_id: uuid.UUID | None
    location: str | None
    store_id: uuid.UUID | None
    device_id: uuid.UUID | None
    sale_id: uuid.UUID | None
    invoice_no: str | None
    return_id: uuid.UUID | None
    note_no: str | None
    transfer_id: uuid.UUID | None


class SerialPlaceOut(Response):
    location_id: uuid.UUID
    location: str
    qty: int


class SerialOut(Response):
    product_id: uuid.UUID
    sku: str
    name: str
    serial_no: str
    lot_id: uuid.UUID
    at: list[SerialPlaceOut]
    """Where its level is not zero: 1000 where the unit is; -1000 where it was sold twice."""
    moves: list[SerialMoveOut]
    """Oldest first: received, sold (invoice), returned (credit note), moved."""


def _serial(v: serials.SerialView) -> SerialOut:
    return SerialOut(
        product_id=v.product_id, sku=v.sku, name=v.name, serial_no=v.serial_no,
        lot_id=v.lot_id, at=[SerialPlaceOut(**vars(p)) for p in v.at],
        moves=[SerialMoveOut(**vars(m)) for m in v.moves],
    )  # fmt: skip


@router.get("/orgs/{org}/stock/serials")
def oversold_serials(session: DbSession, principal: Reader) -> list[SerialOut]:
    """Units below zero somewhere (sold more often than they came in), with their moves."""
    with session.begin():
        org = get_org(session, principal.org_code)
        return [_serial(v) for v in serials.oversold(session, org.org_id)]


@router.get("/orgs/{org}/stock/serials/{serial_no}")
def serial(
    session: DbSession,
    principal: Reader,
    serial_no: str,
    product_id: Annotated[uuid.UUID | None, Query(description="only this product")] = None,
) -> list[SerialOut]:
    """Where a unit is and what happened to it (one entry per product with that number)."""
    with session.begin():
        org = get_org(session, principal.org_code)
        found = serials.find_serial(session, org.org_id, serial_no, product_id)
        return [_serial(v) for v in found]
