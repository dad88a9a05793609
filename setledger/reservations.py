"""Stock reservations for orders, and the shortages staff must resolve. Pure, no I/O.

A reservation holds a quantity of one product at one location for an order
(a B2B order or an online order) until the order ships (fulfilled), is let
go (released), or waits for stock (back-ordered). It never moves stock:
on-hand stays the sum of the stock moves, and::

    available = on hand - quantity held by active reservations

Reservations change only by appending events (created, reduced, released,
fulfilled, back-ordered); a reservation's state is the fold of its events.

The hub takes reservations; the boxes sell offline and cannot see them. When
a box's offline sales, moved after a reservation was made, take on-hand
below what is reserved, the two sides collide. The rule ("prefer the hub's
reservations"): the reservation keeps its claim, the sales stand as they
were recorded (nothing is undone or deleted), and the shortfall becomes an
exception for staff, naming both sides. Staff resolve it by bringing stock
in (a transfer), correcting the count (an adjustment), releasing or
reducing the reservation, or back-ordering the order; each resolution is a
new record. A location whose on-hand goes below zero with nothing reserved
is a plain negative-stock exception, resolved the same ways.

Quantities are milli-units (1 unit = 1000), as everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from setledger import errors
from setledger.money import MilliQty

Source = Literal["b2b_order", "online_order"]
Status = Literal["active", "fulfilled", "released", "back_ordered"]
EventKind = Literal["created", "reduced", "released", "fulfilled", "back_ordered"]
ExceptionKind = Literal["negative_stock", "reservation_conflict", "unit_oversold"]
How = Literal["transfer", "adjustment", "release", "back_order"]

SOURCES: tuple[Source, ...] = ("b2b_order", "online_order")
HOWS: tuple[How, ...] = ("transfer", "adjustment", "release", "back_order")
Key = tuple[str, str]
"""(location id, product id)."""

HUB_RULE = (
    "The hub's reservation keeps its claim; the offline sales stand as recorded; "
    "the shortfall is for staff to resolve by a transfer, an adjustment, releasing or "
    "reducing the reservation, or back-ordering the order."
)
NEGATIVE_RULE = (
    "The sales stand as recorded; on-hand is below zero until staff bring stock in by a "
    "transfer or correct the count by an adjustment."
)

UNIT_RULE = (
    "A serial-numbered unit was sold more often than it came in (sold at two boxes "
    "offline, or sold where it was never received): every sale of it since it last came "
    "in is named. The sales stand; staff find the unit and correct its record by an "
    "adjustment or a transfer."
)
_UNIT_IN = ("receipt", "return")


@dataclass(frozen=True)
class Reservation:
    reservation_id: str
    location: str
    product: str
    qty: MilliQty
    """What it holds now (the created quantity less reductions)."""
    source: Source
    reference: str
    """The order's own number (B2B order number, web order id)."""
    created_at: datetime
    status: Status = "active"

    @property
    def key(self) -> Key:
        return (self.location, self.product)

    @property
    def holds(self) -> MilliQty:
        """What it takes from available: its quantity while active, else nothing."""
        return self.qty if self.status == "active" else 0


@dataclass(frozen=True)
class ReservationEvent:
    """One append-only change of a reservation. ``created`` carries the whole
    reservation; ``reduced`` the quantity taken off; the others no quantity."""

    reservation_id: str
    kind: EventKind
    at: datetime
    qty: MilliQty = 0
    reservation: Reservation | None = None


@dataclass(frozen=True)
class Move:
    """The part of a stock move that reservations and shortages need."""

    move_id: str
    location: str
    product: str
    qty: MilliQty
    """Signed: negative takes stock out (a sale), positive brings it in."""
    moved_at: datetime
    reason: str
    device: str | None = None
    """The box that made it; none for moves made at the hub."""

    @property
    def key(self) -> Key:
        return (self.location, self.product)


@dataclass(frozen=True)
class Shortage:
    """An exception for staff: available below zero at one location and product."""

    kind: ExceptionKind
    location: str
    product: str
    on_hand: MilliQty
    reserved: MilliQty
    shortfall: MilliQty
    """How much stock (or how much less reserved) makes available zero again."""
    reservation_ids: tuple[str, ...]
    """The reservations holding stock here (one side of a conflict)."""
    move_ids: tuple[str, ...]
    """The outgoing moves that took the stock (the other side): for a conflict the
    moves after the earliest reservation, for negative stock those since on-hand was
    last at or above zero."""
    rule: str

    @property
    def key(self) -> Key:
        return (self.location, self.product)

    @property
    def available(self) -> MilliQty:
        return self.on_hand - self.reserved


def _positive(qty: MilliQty, field: str) -> None:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise errors.RESERVATION_QTY_INVALID.error(field=field, qty=qty)


def new_reservation(
    *,
    reservation_id: str,
    location: str,
    product: str,
    qty: MilliQty,
    source: str,
    reference: str,
    created_at: datetime,
    available: MilliQty,
) -> ReservationEvent:
    """The ``created`` event of a reservation; refused when the quantity is not a
    positive whole number of milli-units, the source is unknown, or it asks for more
    than is available now (order creation must not promise stock that is not there)."""
    _positive(qty, "qty")
    if source not in SOURCES:
        raise errors.RESERVATION_SOURCE_INVALID.error(source=source, allowed=", ".join(SOURCES))
    if not reference.strip():
        raise errors.RESERVATION_QTY_INVALID.error(field="reference", qty=reference)
    if qty > available:
        raise errors.RESERVATION_EXCEEDS_AVAILABLE.error(
            qty=qty, available=available, location=location, product=product
        )
    reservation = Reservation(
        reservation_id,
        location,
        product,
        qty,
        source,
        reference.strip(),
        created_at,
    )
    return ReservationEvent(reservation_id, "created", created_at, qty, reservation)


def change(
    reservation: Reservation, kind: EventKind, at: datetime, qty: MilliQty = 0
) -> ReservationEvent:
    """A later event of an active reservation: reduce by ``qty`` (less than it holds;
    reducing to nothing is a release), release, fulfil or back-order it."""
    if reservation.status != "active":
        raise errors.RESERVATION_NOT_ACTIVE.error(
            reservation_id=reservation.reservation_id, status=reservation.status
        )
    if kind == "created":
        raise errors.RESERVATION_NOT_ACTIVE.error(
            reservation_id=reservation.reservation_id, status="created twice"
        )
    if kind == "reduced":
        _positive(qty, "qty")
        if qty >= reservation.qty:
            raise errors.RESERVATION_REDUCE_TOO_MUCH.error(
                reservation_id=reservation.reservation_id, qty=qty, holds=reservation.qty
            )
    else:
        qty = 0
    return ReservationEvent(reservation.reservation_id, kind, at, qty)


_STATUS_OF: dict[str, Status] = {
    "released": "released",
    "fulfilled": "fulfilled",
    "back_ordered": "back_ordered",
}


def fold(events: Iterable[ReservationEvent]) -> dict[str, Reservation]:
    """Reservations as their events leave them (events in the order they were recorded)."""
    state: dict[str, Reservation] = {}
    for event in events:
        if event.kind == "created":
            assert event.reservation is not None
            state[event.reservation_id] = event.reservation
            continue
        current = state[event.reservation_id]
        if event.kind == "reduced":
            state[event.reservation_id] = replace(current, qty=current.qty - event.qty)
        else:
            state[event.reservation_id] = replace(current, status=_STATUS_OF[event.kind])
    return state


def on_hand(moves: Iterable[Move]) -> dict[Key, MilliQty]:
    totals: dict[Key, MilliQty] = defaultdict(int)
    for move in moves:
        totals[move.key] += move.qty
    return dict(totals)


def reserved(reservations: Iterable[Reservation]) -> dict[Key, MilliQty]:
    totals: dict[Key, MilliQty] = defaultdict(int)
    for reservation in reservations:
        if reservation.holds:
            totals[reservation.key] += reservation.holds
    return dict(totals)


def available(
    levels: Mapping[Key, MilliQty], reservations: Iterable[Reservation]
) -> dict[Key, MilliQty]:
    """On hand less what active reservations hold, for every key in either."""
    held = reserved(reservations)
    return {key: levels.get(key, 0) - held.get(key, 0) for key in set(levels) | set(held)}


def _ordered(moves: Iterable[Move]) -> list[Move]:
    return sorted(moves, key=lambda m: (m.moved_at, m.move_id))


def _since_last_nonnegative(moves: Sequence[Move], level: MilliQty) -> tuple[str, ...]:
    """The outgoing moves since on-hand was last at or above zero: walking back from
    ``level`` (so a tail of the history is enough), up to and including the move that
    took it below zero."""
    taken: list[str] = []
    running = level
    for move in reversed(moves):
        if move.qty < 0:
            taken.append(move.move_id)
        running -= move.qty
        if running >= 0:
            break
    return tuple(reversed(taken))


def unit_shortage(
    location: str, product: str, level: MilliQty, unit_moves: Iterable[Move]
) -> Shortage | None:
    """A serial-numbered unit below zero at one location (``level``, its lot's level
    there), with every sale of it since it last came into the org (a receipt, a return,
    an adjustment in), wherever it was sold: both sides of a unit sold twice. None when
    the unit is not below zero. A unit is one lot, so the product's own level may be
    fine while the unit is short."""
    if level >= 0:
        return None
    ordered = _ordered(unit_moves)
    start = 0
    for n, move in enumerate(ordered):
        if move.reason in _UNIT_IN or (move.reason == "adjustment" and move.qty > 0):
            start = n + 1
    sales = tuple(m.move_id for m in ordered[start:] if m.qty < 0 and m.reason == "sale")
    return Shortage(
        "unit_oversold",
        location,
        product,
        on_hand=level,
        reserved=0,
        shortfall=-level,
        reservation_ids=(),
        move_ids=sales,
        rule=UNIT_RULE,
    )


def shortages(
    moves: Iterable[Move],
    reservations: Iterable[Reservation],
    levels: Mapping[Key, MilliQty] | None = None,
) -> list[Shortage]:
    """Every key whose available is below zero, with both sides named. A key with active
    reservations is a reservation conflict, else (on-hand below zero) negative stock.
    Sorted by location then product.

    On-hand is the sum of ``moves`` unless ``levels`` gives it (the hub's levels, which
    also count physical counts); the moves then only name the cause, and keys absent
    from ``levels`` are not looked at."""
    by_key: dict[Key, list[Move]] = defaultdict(list)
    for move in moves:
        by_key[move.key].append(move)
    holding: dict[Key, list[Reservation]] = defaultdict(list)
    for reservation in reservations:
        if reservation.holds:
            holding[reservation.key].append(reservation)
    found: list[Shortage] = []
    keys = set(by_key) | set(holding) if levels is None else set(levels)
    for key in sorted(keys):
        ordered = _ordered(by_key.get(key, ()))
        level = sum(m.qty for m in ordered) if levels is None else levels[key]
        claims = sorted(holding.get(key, ()), key=lambda r: (r.created_at, r.reservation_id))
        held = sum(r.qty for r in claims)
        if level - held >= 0:
            continue
        if claims:
            since = claims[0].created_at
            taken = tuple(m.move_id for m in ordered if m.qty < 0 and m.moved_at >= since)
            found.append(
                Shortage(
                    "reservation_conflict",
                    *key,
                    on_hand=level,
                    reserved=held,
                    shortfall=held - level,
                    reservation_ids=tuple(r.reservation_id for r in claims),
                    move_ids=taken,
                    rule=HUB_RULE,
                )
            )
        else:
            found.append(
                Shortage(
                    "negative_stock",
                    *key,
                    on_hand=level,
                    reserved=0,
                    shortfall=-level,
                    reservation_ids=(),
                    move_ids=_since_last_nonnegative(ordered, level),
                    rule=NEGATIVE_RULE,
                )
            )
    return found


def check_resolution(
    shortage: Shortage, how: str, qty: MilliQty, reservation: Reservation | None = None
) -> None:
    """Refuse a resolution that cannot apply: an unknown way, a quantity that is not
    positive, a release/back-order of a reservation that is not one of this exception's,
    a release of more than the reservation holds, or releasing from negative stock
    (nothing is reserved there). A resolution may cover less than the shortfall; the
    exception then stays open for the rest."""
    if how not in HOWS:
        raise errors.STOCK_RESOLUTION_INVALID.error(how=how, allowed=", ".join(HOWS))
    if how in ("transfer", "adjustment"):
        _positive(qty, "qty")
        return
    if reservation is None or reservation.reservation_id not in shortage.reservation_ids:
        raise errors.STOCK_RESOLUTION_NEEDS_RESERVATION.error(
            how=how, reservations=", ".join(shortage.reservation_ids) or "none"
        )
    if reservation.status != "active":
        raise errors.RESERVATION_NOT_ACTIVE.error(
            reservation_id=reservation.reservation_id, status=reservation.status
        )
    if how == "release":
        _positive(qty, "qty")
        if qty > reservation.qty:
            raise errors.RESERVATION_REDUCE_TOO_MUCH.error(
                reservation_id=reservation.reservation_id, qty=qty, holds=reservation.qty
            )


def release_event(reservation: Reservation, qty: MilliQty, at: datetime) -> ReservationEvent:
    """Releasing ``qty`` of a reservation: a reduction, or the whole release when it is all."""
    if qty >= reservation.qty:
        return change(reservation, "released", at)
    return change(reservation, "reduced", at, qty)
