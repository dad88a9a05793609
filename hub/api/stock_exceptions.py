"""Reservations and stock exceptions: hold stock for orders, see shortages per store
with both sides of their cause, resolve them (``hub.stock.reservations``,
``hub.stock.exceptions``). Quantities are milli-units (1 unit = 1000).

A store's own stock location has the store's id, so ``location_id=<store id>``
lists a store's exceptions.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from hub.accounts.audit import actor_of
from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.clock import utcnow
from hub.registry.lookup import get_org
from hub.stock import exceptions as stock_exceptions
from hub.stock import reservations as held_stock
from hub.stock import services
from setledger import reservations as kernel

router = APIRouter(tags=["stock"])
READ = P.STOCK_READ
WRITE = P.STOCK_WRITE


class ReservationIn(BaseModel):
    location_id: uuid.UUID
    product_id: uuid.UUID
    qty: int = Field(description="Milli-units to hold (1 unit = 1000)")
    source: Literal["b2b_order", "online_order"]
    reference: str = Field(min_length=1, max_length=64, description="The order's number")
    note: str | None = Field(default=None, max_length=500)


class ReservationChange(BaseModel):
    kind: Literal["reduced", "released", "fulfilled", "back_ordered"]
    qty: int = Field(default=0, description="Milli-units taken off (for 'reduced')")
    note: str | None = Field(default=None, max_length=500)


class ReservationOut(BaseModel):
    reservation_id: uuid.UUID
    location_id: uuid.UUID
    product_id: uuid.UUID
    qty: int
    source: str
    reference: str
    created_at: datetime
    status: str


class ResolveIn(BaseModel):
    how: Literal["transfer", "adjustment", "release", "back_order"]
    qty: int = Field(default=0, description="Milli-units (not needed to back-order)")
    from_location_id: uuid.UUID | None = Field(default=None, description="For a transfer")
    reservation_id: uuid.UUID | None = Field(default=None, description="To release/back-order")
    note: str | None = Field(default=None, max_length=500)


class ResolutionOut(BaseModel):
    resolution_id: uuid.UUID
    how: str
    qty: int
    reservation_id: uuid.UUID | None
    transfer_id: uuid.UUID | None
    move_ids: list[str]
    remaining: int
    closes: bool
    actor: str
    at: datetime
    note: str | None


class ExceptionOut(BaseModel):
    exception_id: uuid.UUID
    kind: str
    status: str
    location_id: uuid.UUID
    product_id: uuid.UUID
    detected_at: datetime
    on_hand: int
    reserved: int
    shortfall: int
    cause: dict[str, Any]
    now: dict[str, int]
    resolutions: list[ResolutionOut]


def _reservation(r: kernel.Reservation) -> ReservationOut:
    return ReservationOut(
        reservation_id=uuid.UUID(r.reservation_id),
        location_id=uuid.UUID(r.location),
        product_id=uuid.UUID(r.product),
        qty=r.qty,
        source=r.source,
        reference=r.reference,
        created_at=r.created_at,
        status=r.status,
    )


def _exception(v: stock_exceptions.ExceptionView) -> ExceptionOut:
    return ExceptionOut(
        exception_id=v.exception_id,
        kind=v.kind,
        status=v.status,
        location_id=v.location_id,
        product_id=v.product_id,
        detected_at=v.detected_at,
        on_hand=v.on_hand,
        reserved=v.reserved,
        shortfall=v.shortfall,
        cause=v.cause,
        now=v.now,
        resolutions=[ResolutionOut(**vars(r)) for r in v.resolutions],
    )


@router.get("/orgs/{org}/stock/reservations")
def list_reservations(
    session: DbSession,
    principal: Annotated[Principal, allow(READ)],
    location_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    status: Annotated[
        str | None, Query(pattern="^(active|fulfilled|released|back_ordered)$")
    ] = None,
) -> list[ReservationOut]:
    """Reservations, oldest first, as their events leave them."""
    with session.begin():
        org = get_org(session, principal.org_code)
        found = held_stock.reservations(
            session,
            org.org_id,
            location_id=location_id,
            product_ids=None if product_id is None else [product_id],
        )
        return [_reservation(r) for r in found if status is None or r.status == status]


@router.post("/orgs/{org}/stock/reservations", status_code=201)
def create_reservation(
    session: DbSession, principal: Annotated[Principal, allow(WRITE)], body: ReservationIn
) -> ReservationOut:
    """Hold stock for an order; refused beyond what is available (on hand less held)."""
    with session.begin():
        org = get_org(session, principal.org_code)
        made = held_stock.reserve(
            session,
            org.org_id,
            location_id=body.location_id,
            product_id=body.product_id,
            qty=body.qty,
            source=body.source,
            reference=body.reference,
            actor=actor_of(principal),
            at=utcnow(),
            note=body.note,
        )
        return _reservation(made)


@router.post("/orgs/{org}/stock/reservations/{reservation_id}/events")
def change_reservation(
    session: DbSession,
    principal: Annotated[Principal, allow(WRITE)],
    reservation_id: uuid.UUID,
    body: ReservationChange,
) -> ReservationOut:
    """Reduce, release, fulfil or back-order a reservation (a new event; history stays)."""
    with session.begin():
        org = get_org(session, principal.org_code)
        changed = services.change_reservation(
            session,
            org.org_id,
            reservation_id,
            body.kind,
            actor=actor_of(principal),
            at=utcnow(),
            qty=body.qty,
            note=body.note,
        )
        return _reservation(changed)


@router.get("/orgs/{org}/stock/exceptions")
def list_exceptions(
    session: DbSession,
    principal: Annotated[Principal, allow(READ)],
    location_id: uuid.UUID | None = None,
    status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[ExceptionOut]:
    """Negative-stock and reservation-conflict exceptions, newest first, with their cause
    (the reservations and the moves on either side), resolutions and the figures now."""
    with session.begin():
        org = get_org(session, principal.org_code)
        found = stock_exceptions.list_exceptions(
            session, org.org_id, location_id=location_id, status=status, limit=limit
        )
        return [_exception(v) for v in found]


@router.post("/orgs/{org}/stock/exceptions/detect")
def detect_exceptions(
    session: DbSession, principal: Annotated[Principal, allow(WRITE)]
) -> dict[str, list[uuid.UUID]]:
    """Look at every key of the org now (exceptions are found as moves land; this is the
    sweep for after a rebuild or a restore)."""
    with session.begin():
        org = get_org(session, principal.org_code)
        return {"opened": stock_exceptions.detect(session, org.org_id, None, utcnow())}


@router.get("/orgs/{org}/stock/exceptions/{exception_id}")
def get_exception(
    session: DbSession, principal: Annotated[Principal, allow(READ)], exception_id: uuid.UUID
) -> ExceptionOut:
    with session.begin():
        org = get_org(session, principal.org_code)
        return _exception(stock_exceptions.get_exception(session, org.org_id, exception_id))


@router.post("/orgs/{org}/stock/exceptions/{exception_id}/resolve")
def resolve_exception(
    session: DbSession,
    principal: Annotated[Principal, allow(WRITE)],
    exception_id: uuid.UUID,
    body: ResolveIn,
) -> ExceptionOut:
    """Resolve by a transfer in, an adjustment, releasing or back-ordering a reservation.
    A resolution covering less than the shortfall is kept and the exception stays open."""
    with session.begin():
        org = get_org(session, principal.org_code)
        view = stock_exceptions.resolve(
            session,
            org.org_id,
            exception_id,
            how=body.how,
            qty=body.qty,
            actor=actor_of(principal),
            at=utcnow(),
            reservation_id=body.reservation_id,
            from_location_id=body.from_location_id,
            note=body.note,
        )
        return _exception(view)
