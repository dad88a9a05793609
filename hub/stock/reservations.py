"""Reservations at the hub: stock held for B2B and online orders.

The rules are the kernel's (``setledger.reservations``); this module reads and
appends ``stock_reservation_event`` rows in the caller's transaction (it never
commits). On-hand comes from the stock ledger's levels (``stock_level``, which
include counts); a reservation never moves stock. Creating one is refused
beyond what is available then; later offline sales at a box may still take the
stock, and that collision is a stock exception (``hub.stock.exceptions``).

Every change is audited (``stock.reservation.*`` in the org's audit chain).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.db.bulk import is_pg
from hub.db.catalog import Product
from hub.db.reservations import StockReservationEvent as Event
from hub.db.stock import StockLevel, StockLocation
from setledger import errors
from setledger import reservations as kernel
from setledger.ids import new_id
from setledger.money import MilliQty

Key = tuple[uuid.UUID, uuid.UUID]
"""(location id, product id)."""

RESERVATIONS_LOCK_SPACE = 0x5E5E
"""Advisory lock space: one reservation writer per org at a time on PostgreSQL, so two
orders cannot both take the last units (SQLite transactions already run one at a time)."""
CHUNK = 500


def _lock(session: Session, org_id: uuid.UUID) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(org_id.bytes[:4], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"),
        {"space": RESERVATIONS_LOCK_SPACE, "key": key},
    )


def _chunks(values: Iterable[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def kernel_key(key: Key) -> kernel.Key:
    return (str(key[0]), str(key[1]))


def hub_key(key: kernel.Key) -> Key:
    return (uuid.UUID(key[0]), uuid.UUID(key[1]))


def key_params(org_id: uuid.UUID, keys: Iterable[Key]) -> dict[str, object]:
    """Bind parameters of PostgreSQL queries that join (location, product) keys from
    arrays: ``unnest(CAST(:locs AS uuid[]), CAST(:prods AS uuid[]))``, and ``:org``."""
    ordered = sorted(keys)
    return {"org": org_id, "locs": [k[0] for k in ordered], "prods": [k[1] for k in ordered]}


def levels(session: Session, org_id: uuid.UUID, keys: Iterable[Key]) -> dict[Key, MilliQty]:
    """On-hand per (location, product) over all lots, from the ledger's levels; 0 where none."""
    wanted = set(keys)
    found: dict[Key, MilliQty] = dict.fromkeys(wanted, 0)
    if wanted and is_pg(session):
        # The exact keys, joined from arrays: the ingest hot path asks for a
        # thousand keys at a time, and IN over products reads every location.
        rows = session.execute(
            text(
                "SELECT l.location_id, l.product_id, sum(l.qty) FROM "
                "unnest(CAST(:locs AS uuid[]), CAST(:prods AS uuid[])) AS k(loc, prod) "
                "JOIN stock_level l ON l.org_id = :org AND l.location_id = k.loc "
                "AND l.product_id = k.prod GROUP BY 1, 2"
            ),
            key_params(org_id, wanted),
        ).all()
        found.update({(loc, product): int(qty) for loc, product, qty in rows})
        return found
    for products in _chunks(p for _, p in wanted):
        rows = session.execute(
            select(StockLevel.location_id, StockLevel.product_id, func.sum(StockLevel.qty))
            .where(StockLevel.org_id == org_id, StockLevel.product_id.in_(products))
            .group_by(StockLevel.location_id, StockLevel.product_id)
        ).all()
        for location_id, product_id, qty in rows:
            if (location_id, product_id) in wanted:
                found[(location_id, product_id)] = int(qty)
    return found


def _fold(rows: Iterable[Event]) -> dict[str, kernel.Reservation]:
    events: list[kernel.ReservationEvent] = []
    for row in sorted(rows, key=lambda r: (r.at, r.event_id)):
        reservation = None
        if row.kind == "created":
            reservation = kernel.Reservation(
                str(row.reservation_id),
                str(row.location_id),
                str(row.product_id),
                row.qty,
                row.source,  # type: ignore[arg-type]
                row.reference or "",
                row.at,
            )
        events.append(
            kernel.ReservationEvent(str(row.reservation_id), row.kind, row.at, row.qty, reservation)  # type: ignore[arg-type]
        )
    return kernel.fold(events)


def reservations(
    session: Session,
    org_id: uuid.UUID,
    *,
    location_id: uuid.UUID | None = None,
    product_ids: Iterable[uuid.UUID] | None = None,
    reservation_id: uuid.UUID | None = None,
) -> list[kernel.Reservation]:
    """Reservations as their events leave them, oldest first."""
    query = select(Event).where(Event.org_id == org_id)
    if location_id is not None:
        query = query.where(Event.location_id == location_id)
    if reservation_id is not None:
        query = query.where(Event.reservation_id == reservation_id)
    rows: list[Event] = []
    if product_ids is None:
        rows = list(session.scalars(query))
    else:
        for products in _chunks(product_ids):
            rows.extend(session.scalars(query.where(Event.product_id.in_(products))))
    folded = _fold(rows).values()
    return sorted(folded, key=lambda r: (r.created_at, r.reservation_id))


_ENDED = ("released", "fulfilled", "back_ordered")
# The fold of setledger.reservations in SQL, for the hot path (ingest calls ``held``
# through exception detection): what each reservation holds, and whether it ended.
_HOLDS = func.sum(
    case((Event.kind == "created", Event.qty), (Event.kind == "reduced", -Event.qty), else_=0)
)
_ENDS = func.sum(case((Event.kind.in_(_ENDED), 1), else_=0))


def _held(
    session: Session, org_id: uuid.UUID, products: list[uuid.UUID] | None
) -> dict[Key, MilliQty]:
    query = select(Event.location_id, Event.product_id, _HOLDS, _ENDS).where(Event.org_id == org_id)
    if products is not None:
        query = query.where(Event.product_id.in_(products))
    rows = session.execute(
        query.group_by(Event.location_id, Event.product_id, Event.reservation_id)
    ).all()
    totals: dict[Key, MilliQty] = defaultdict(int)
    for location_id, product_id, holds, ends in rows:
        if not ends:
            totals[(location_id, product_id)] += int(holds)
    return {key: qty for key, qty in totals.items() if qty}


def held(session: Session, org_id: uuid.UUID, keys: Iterable[Key]) -> dict[Key, MilliQty]:
    """What active reservations hold at each key (keys with nothing held left out)."""
    wanted = set(keys)
    found: dict[Key, MilliQty] = {}
    for products in _chunks(p for _, p in wanted):
        found.update(_held(session, org_id, products))
    return {key: qty for key, qty in found.items() if key in wanted}


def reserved_everywhere(session: Session, org_id: uuid.UUID) -> dict[Key, MilliQty]:
    """What active reservations hold, at every key of the org."""
    return _held(session, org_id, None)


def get_reservation(
    session: Session, org_id: uuid.UUID, reservation_id: uuid.UUID
) -> kernel.Reservation:
    found = reservations(session, org_id, reservation_id=reservation_id)
    if not found:
        raise errors.RESERVATION_NOT_FOUND.error(reservation_id=str(reservation_id))
    return found[0]


def _append(
    session: Session,
    org_id: uuid.UUID,
    event: kernel.ReservationEvent,
    reservation: kernel.Reservation,
    actor: Actor,
    note: str | None,
) -> None:
    session.add(
        Event(
            org_id=org_id,
            event_id=new_id(),
            reservation_id=uuid.UUID(event.reservation_id),
            kind=event.kind,
            location_id=uuid.UUID(reservation.location),
            product_id=uuid.UUID(reservation.product),
            qty=event.qty,
            source=reservation.source if event.kind == "created" else None,
            reference=reservation.reference if event.kind == "created" else None,
            at=event.at,
            actor=actor.label,
            note=note,
        )
    )
    audit.record(
        session,
        org_id,
        f"stock.reservation.{event.kind}",
        at=event.at,
        actor=actor,
        target=event.reservation_id,
        details={
            "location_id": reservation.location,
            "product_id": reservation.product,
            "qty": event.qty,
            "reference": reservation.reference,
            "note": note,
        },
    )
    session.flush()


def reserve(
    session: Session,
    org_id: uuid.UUID,
    *,
    location_id: uuid.UUID,
    product_id: uuid.UUID,
    qty: MilliQty,
    source: str,
    reference: str,
    actor: Actor,
    at: datetime,
    note: str | None = None,
) -> kernel.Reservation:
    """Hold ``qty`` for an order; refused beyond what is available now."""
    if session.get(StockLocation, (org_id, location_id)) is None:
        raise errors.STOCK_LOCATION_NOT_FOUND.error(location_id=str(location_id))
    if session.get(Product, (org_id, product_id)) is None:
        raise errors.CATALOG_PRODUCT_NOT_FOUND.error(product_id=str(product_id))
    _lock(session, org_id)
    key = (location_id, product_id)
    free = levels(session, org_id, [key])[key] - held(session, org_id, [key]).get(key, 0)
    event = kernel.new_reservation(
        reservation_id=str(new_id()),
        location=str(location_id),
        product=str(product_id),
        qty=qty,
        source=source,
        reference=reference,
        created_at=at,
        available=free,
    )
    assert event.reservation is not None
    _append(session, org_id, event, event.reservation, actor, note)
    return event.reservation


def change(
    session: Session,
    org_id: uuid.UUID,
    reservation_id: uuid.UUID,
    kind: kernel.EventKind,
    *,
    actor: Actor,
    at: datetime,
    qty: MilliQty = 0,
    note: str | None = None,
) -> kernel.Reservation:
    """Reduce (by ``qty``), release, fulfil or back-order an active reservation; a
    reduction by all it holds is a release."""
    _lock(session, org_id)
    current = get_reservation(session, org_id, reservation_id)
    if kind == "reduced" and qty == current.qty:
        kind = "released"
    event = kernel.change(current, kind, at, qty)
    _append(session, org_id, event, current, actor, note)
    return get_reservation(session, org_id, reservation_id)
