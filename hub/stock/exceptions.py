"""Stock exceptions at the hub: shortages found where moves land, listed per store,
resolved by staff, every step kept and audited.

``detect`` runs after moves (or a count) change levels, in the same
transaction, for the keys they touched: a key whose available (on-hand less
active reservations) is below zero gets an exception if it has no open one
(``setledger.reservations.shortages`` decides the kind and names both sides);
an open exception whose key is no longer short is closed by a ``cleared``
resolution (stock came in some other way). ``resolve`` is staff acting on one:
a transfer in or an adjustment through the stock ledger's services, or
releasing / back-ordering a reservation; it records what it made and what is
still short, and closes the exception when nothing is.

Nothing is updated or deleted: exceptions and resolutions are append-only
(migration 0016); the sales and the reservation on either side stay as they
were.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, text
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.clock import utcnow
from hub.db.bulk import is_pg
from hub.db.reservations import StockException, StockExceptionResolution
from hub.db.sales import StockMove
from hub.db.stock import StockLevel, StockLot
from hub.db.upsert import insert_ignore_many
from hub.stock import reservations as held_stock
from hub.stock.reservations import Key
from setledger import errors
from setledger import reservations as kernel
from setledger.canonical import canonical_json
from setledger.ids import new_id
from setledger.money import MilliQty
from setledger.stock import StockKey

SYSTEM_ACTOR = Actor(None, audit.SYSTEM)
CAUSE_MOVES = 200
"""How far back the cause of one shortage looks (newest moves of the key)."""
_RESOLVING = "setledger.stock_exception_resolving"
"""session.info key: the exception ``resolve`` is acting on, which ``detect`` must not
close as cleared in the middle of its own resolution."""


@dataclass(frozen=True)
class Resolution:
    resolution_id: uuid.UUID
    how: str
    qty: MilliQty
    reservation_id: uuid.UUID | None
    transfer_id: uuid.UUID | None
    move_ids: list[str]
    remaining: MilliQty
    closes: bool
    actor: str
    at: datetime
    note: str | None


@dataclass(frozen=True)
class ExceptionView:
    exception_id: uuid.UUID
    kind: str
    location_id: uuid.UUID
    product_id: uuid.UUID
    detected_at: datetime
    on_hand: MilliQty
    reserved: MilliQty
    shortfall: MilliQty
    cause: dict[str, Any]
    status: str
    now: dict[str, MilliQty]
    """On-hand, reserved and available at the key now."""
    resolutions: list[Resolution] = field(default_factory=list)


def _json(value: Any) -> str:
    return canonical_json(value).decode()


def _open(org_id: uuid.UUID) -> Any:
    closing = exists().where(
        StockExceptionResolution.org_id == StockException.org_id,
        StockExceptionResolution.exception_id == StockException.exception_id,
        StockExceptionResolution.closes.is_(True),
    )
    return select(
        StockException.location_id, StockException.product_id, StockException.exception_id
    ).where(StockException.org_id == org_id, ~closing)


def _open_at(session: Session, org_id: uuid.UUID, wanted: set[Key]) -> dict[Key, uuid.UUID]:
    """The open exception of each key among ``wanted`` that has one."""
    found: dict[Key, uuid.UUID] = {}
    if wanted and is_pg(session):
        rows = session.execute(
            text(
                "SELECT e.location_id, e.product_id, e.exception_id FROM "
                "unnest(CAST(:locs AS uuid[]), CAST(:prods AS uuid[])) AS k(loc, prod) "
                "JOIN stock_exception e ON e.org_id = :org AND e.location_id = k.loc "
                "AND e.product_id = k.prod WHERE NOT EXISTS (SELECT 1 FROM "
                "stock_exception_resolution r WHERE r.org_id = e.org_id "
                "AND r.exception_id = e.exception_id AND r.closes)"
            ),
            held_stock.key_params(org_id, wanted),
        )
        return {(loc, product): exception_id for loc, product, exception_id in rows}
    locations = sorted({loc for loc, _ in wanted})
    for products in held_stock._chunks(p for _, p in wanted):
        query = _open(org_id).where(
            StockException.location_id.in_(locations), StockException.product_id.in_(products)
        )
        for location_id, product_id, exception_id in session.execute(query):
            if (location_id, product_id) in wanted:
                found[(location_id, product_id)] = exception_id
    return found


def _negative_keys(session: Session, org_id: uuid.UUID) -> set[Key]:
    """(location, product) keys of the org whose level over all lots is below zero."""
    rows = session.execute(
        select(StockLevel.location_id, StockLevel.product_id)
        .where(StockLevel.org_id == org_id)
        .group_by(StockLevel.location_id, StockLevel.product_id)
        .having(func.sum(StockLevel.qty) < 0)
    ).all()
    return {(r[0], r[1]) for r in rows}


@dataclass(frozen=True)
class Unit:
    """A serial-numbered unit (a lot of one) below zero at a key."""

    lot_id: uuid.UUID
    serial_no: str
    level: MilliQty


def _short_units(session: Session, org_id: uuid.UUID, wanted: set[Key] | None) -> dict[Key, Unit]:
    """Keys (among ``wanted``, or the org's) where a serial-numbered unit is below zero,
    each with its first such unit: the product's own level may be fine meanwhile."""
    query = (
        select(StockLevel.location_id, StockLevel.product_id, StockLot.lot_id,
               StockLot.batch_no, StockLevel.qty)
        .join(StockLot, (StockLot.org_id == StockLevel.org_id)
              & (StockLot.lot_id == StockLevel.lot_key))
        .where(StockLevel.org_id == org_id, StockLevel.qty < 0, StockLot.serial.is_(True))
        .order_by(StockLevel.location_id, StockLevel.product_id, StockLot.lot_id)
    )  # fmt: skip
    rows: list[Any] = []
    if wanted and is_pg(session):
        rows = list(
            session.execute(
                text(
                    "SELECT l.location_id, l.product_id, s.lot_id, s.batch_no, l.qty FROM "
                    "unnest(CAST(:locs AS uuid[]), CAST(:prods AS uuid[])) AS k(loc, prod) "
                    "JOIN stock_level l ON l.org_id = :org AND l.location_id = k.loc "
                    "AND l.product_id = k.prod AND l.qty < 0 "
                    "JOIN stock_lot s ON s.org_id = l.org_id AND s.lot_id = l.lot_key "
                    "AND s.serial ORDER BY 1, 2, 3"
                ),
                held_stock.key_params(org_id, wanted),
            )
        )
    elif wanted is None:
        rows = list(session.execute(query))
    else:
        for products in held_stock._chunks(p for _, p in wanted):
            rows.extend(session.execute(query.where(StockLevel.product_id.in_(products))))
    found: dict[Key, Unit] = {}
    for location_id, product_id, lot_id, serial_no, qty in rows:
        key = (location_id, product_id)
        if (wanted is None or key in wanted) and key not in found:
            found[key] = Unit(lot_id, serial_no, int(qty))
    return found


def _unit_moves(session: Session, org_id: uuid.UUID, lot_id: uuid.UUID) -> list[StockMove]:
    """Every move of one unit, wherever it was, oldest first."""
    return list(
        session.scalars(
            select(StockMove)
            .where(StockMove.org_id == org_id, StockMove.lot_id == lot_id)
            .order_by(StockMove.moved_at, StockMove.move_id)
        )
    )


def _unit_shortage(
    session: Session, org_id: uuid.UUID, key: Key, lot_id: uuid.UUID, level: MilliQty
) -> tuple[kernel.Shortage | None, list[StockMove]]:
    rows = _unit_moves(session, org_id, lot_id)
    moves = [_kernel_move((m.location_id or key[0], m.product_id), m) for m in rows]
    return kernel.unit_shortage(str(key[0]), str(key[1]), level, moves), rows


def _unit_level(session: Session, org_id: uuid.UUID, key: Key, lot_id: uuid.UUID) -> MilliQty:
    level = session.scalar(
        select(StockLevel.qty).where(
            StockLevel.org_id == org_id, StockLevel.location_id == key[0],
            StockLevel.product_id == key[1], StockLevel.lot_key == lot_id,
        )
    )  # fmt: skip
    return int(level or 0)


def _moves(session: Session, org_id: uuid.UUID, key: Key) -> list[StockMove]:
    rows = session.scalars(
        select(StockMove)
        .where(
            StockMove.org_id == org_id,
            StockMove.location_id == key[0],
            StockMove.product_id == key[1],
        )
        .order_by(StockMove.moved_at.desc(), StockMove.move_id.desc())
        .limit(CAUSE_MOVES)
    ).all()
    return list(reversed(rows))


def shortage_at(
    session: Session, org_id: uuid.UUID, key: Key
) -> tuple[kernel.Shortage | None, list[StockMove], list[kernel.Reservation]]:
    """The key's shortage now (None when it is not short), with the moves and
    reservations it was judged from."""
    level = held_stock.levels(session, org_id, [key])[key]
    claims = [
        r
        for r in held_stock.reservations(session, org_id, location_id=key[0], product_ids=[key[1]])
        if r.holds
    ]
    rows = _moves(session, org_id, key)
    moves = [_kernel_move(key, m) for m in rows]
    found = kernel.shortages(moves, claims, {held_stock.kernel_key(key): level})
    return (found[0] if found else None), rows, claims


def _recent_moves(
    session: Session, org_id: uuid.UUID, keys: Sequence[Key]
) -> dict[Key, list[StockMove]]:
    """The last CAUSE_MOVES moves of each key, oldest first: one query per chunk of
    products (a window over each key), not one per key."""
    found: dict[Key, list[StockMove]] = {key: [] for key in keys}
    if keys and is_pg(session):
        # Each key's newest moves by a backward scan of its index, however many it has.
        statement = text(
            "SELECT m.* FROM unnest(CAST(:locs AS uuid[]), CAST(:prods AS uuid[])) AS k(loc, prod) "
            "CROSS JOIN LATERAL (SELECT * FROM stock_move s WHERE s.org_id = :org "
            "AND s.location_id = k.loc AND s.product_id = k.prod "
            "ORDER BY s.moved_at DESC, s.move_id DESC LIMIT :n) AS m ORDER BY m.moved_at, m.move_id"
        ).bindparams(n=CAUSE_MOVES, **held_stock.key_params(org_id, keys))
        for row in session.scalars(select(StockMove).from_statement(statement)):
            found[(row.location_id, row.product_id)].append(row)
        return found
    locations = sorted({loc for loc, _ in keys})
    for products in held_stock._chunks(p for _, p in keys):
        recent = (
            select(
                StockMove.move_id,
                func.row_number()
                .over(
                    partition_by=(StockMove.location_id, StockMove.product_id),
                    order_by=(StockMove.moved_at.desc(), StockMove.move_id.desc()),
                )
                .label("age"),
            )
            .where(
                StockMove.org_id == org_id,
                StockMove.location_id.in_(locations),
                StockMove.product_id.in_(products),
            )
            .subquery()
        )
        rows = session.scalars(
            select(StockMove)
            .join(recent, (StockMove.move_id == recent.c.move_id) & (StockMove.org_id == org_id))
            .where(recent.c.age <= CAUSE_MOVES)
            .order_by(StockMove.moved_at, StockMove.move_id)
        ).all()
        for row in rows:
            key = (row.location_id, row.product_id)
            if key in found:
                found[key].append(row)
    return found


def _shortages(
    session: Session, org_id: uuid.UUID, keys: Sequence[Key], on_hand: dict[Key, MilliQty]
) -> dict[Key, tuple[kernel.Shortage | None, list[StockMove], list[kernel.Reservation]]]:
    """:func:`shortage_at` for many keys at once (ingest finds them a batch at a time)."""
    if not keys:
        return {}
    moves = _recent_moves(session, org_id, keys)
    claims: dict[Key, list[kernel.Reservation]] = {key: [] for key in keys}
    for r in held_stock.reservations(session, org_id, product_ids={p for _, p in keys}):
        key = held_stock.hub_key((r.location, r.product))
        if key in claims and r.holds:
            claims[key].append(r)
    out: dict[Key, tuple[kernel.Shortage | None, list[StockMove], list[kernel.Reservation]]] = {}
    for key in keys:
        rows = moves[key]
        found = kernel.shortages(
            [_kernel_move(key, m) for m in rows],
            claims[key],
            {held_stock.kernel_key(key): on_hand[key]},
        )
        out[key] = ((found[0] if found else None), rows, claims[key])
    return out


def _serials(session: Session, org_id: uuid.UUID, keys: Sequence[Key]) -> dict[Key, int]:
    """How many exceptions each key has had (the next one's serial)."""
    counts: dict[Key, int] = {}
    locations = sorted({loc for loc, _ in keys})
    for products in held_stock._chunks(p for _, p in keys):
        rows = session.execute(
            select(StockException.location_id, StockException.product_id, func.count())
            .where(
                StockException.org_id == org_id,
                StockException.location_id.in_(locations),
                StockException.product_id.in_(products),
            )
            .group_by(StockException.location_id, StockException.product_id)
        ).all()
        counts.update({(loc, product): int(n) for loc, product, n in rows})
    return counts


def _kernel_move(key: Key, m: StockMove) -> kernel.Move:
    return kernel.Move(
        str(m.move_id),
        str(key[0]),
        str(key[1]),
        m.qty,
        m.moved_at,
        m.reason,
        None if m.device_id is None else str(m.device_id),
    )


def _cause(
    shortage: kernel.Shortage, rows: list[StockMove], claims: list[kernel.Reservation]
) -> dict[str, Any]:
    named = set(shortage.move_ids)
    return {
        "rule": shortage.rule,
        "reservations": [
            {
                "reservation_id": r.reservation_id,
                "source": r.source,
                "reference": r.reference,
                "qty": r.qty,
                "created_at": r.created_at.isoformat(),
            }
            for r in claims
            if r.reservation_id in shortage.reservation_ids
        ],
        "moves": [
            {
                "move_id": str(m.move_id),
                "qty": m.qty,
                "reason": m.reason,
                "device_id": None if m.device_id is None else str(m.device_id),
                "sale_id": None if m.sale_id is None else str(m.sale_id),
                "moved_at": m.moved_at.isoformat(),
            }
            for m in rows
            if str(m.move_id) in named
        ],
    }


def _resolution(
    org_id: uuid.UUID,
    exception_id: uuid.UUID,
    *,
    how: str,
    qty: MilliQty,
    remaining: MilliQty,
    actor: Actor,
    at: datetime,
    reservation_id: uuid.UUID | None = None,
    transfer_id: uuid.UUID | None = None,
    move_ids: Iterable[str] = (),
    note: str | None = None,
) -> tuple[StockExceptionResolution, audit.Entry]:
    """A resolution row and the audit record that tells of it."""
    moved = sorted(move_ids)
    row = StockExceptionResolution(
        org_id=org_id,
        resolution_id=new_id(),
        exception_id=exception_id,
        how=how,
        qty=qty,
        reservation_id=reservation_id,
        transfer_id=transfer_id,
        move_ids=_json(moved),
        remaining=remaining,
        closes=remaining == 0,
        actor_id=actor.actor_id,
        actor=actor.label,
        at=at,
        note=note,
    )
    told = audit.Entry(
        "stock.exception.resolved" if row.closes else "stock.exception.resolution",
        at,
        actor,
        str(exception_id),
        {
            "how": how,
            "qty": qty,
            "remaining": remaining,
            "reservation_id": None if reservation_id is None else str(reservation_id),
            "transfer_id": None if transfer_id is None else str(transfer_id),
            "move_ids": moved,
            "note": note,
        },
    )
    return row, told


def _record(
    session: Session,
    org_id: uuid.UUID,
    made: Sequence[tuple[StockExceptionResolution, audit.Entry]],
) -> None:
    session.add_all([row for row, _ in made])
    session.flush()
    audit.record_many(session, org_id, [told for _, told in made])


def _close(
    session: Session, org_id: uuid.UUID, exception_id: uuid.UUID, **how: Any
) -> StockExceptionResolution:
    made = _resolution(org_id, exception_id, **how)
    _record(session, org_id, [made])
    return made[0]


def after_levels_changed(session: Session, org_id: uuid.UUID, keys: Sequence[StockKey]) -> None:
    """The stock ledger's hook (``hub.stock.ledger``): moves or a count just changed the
    levels of ``keys`` in this transaction; open or clear exceptions there."""
    if keys:
        detect(session, org_id, {(k.location_id, k.product_id) for k in keys}, utcnow())


def detect(
    session: Session, org_id: uuid.UUID, keys: Iterable[Key] | None, at: datetime
) -> list[uuid.UUID]:
    """Open an exception for each short key among ``keys`` (every key of the org when
    None) that has none open, and clear open ones no longer short. Returns the ids of
    the exceptions opened. Cheap when nothing is short: a few indexed reads per 500
    products touched."""
    open_rows: dict[Key, uuid.UUID] = {}
    if keys is None:
        holding = held_stock.reserved_everywhere(session, org_id)
        negative = _negative_keys(session, org_id)
        units = _short_units(session, org_id, None)
        on_hand = held_stock.levels(session, org_id, set(holding) | negative | set(units))
        for location_id, product_id, exception_id in session.execute(_open(org_id)):
            open_rows[(location_id, product_id)] = exception_id
    else:
        wanted = set(keys)
        holding = held_stock.held(session, org_id, wanted)
        on_hand = held_stock.levels(session, org_id, wanted)
        negative = {key for key, qty in on_hand.items() if qty < 0}
        open_rows = _open_at(session, org_id, wanted)
        units = _short_units(session, org_id, wanted)
    # Short: below zero, or holding more than is there, or a numbered unit below
    # zero. Only a key whose state changed (short with no open exception, or open
    # and no longer short) costs more.
    short = negative | {key for key, qty in holding.items() if on_hand[key] < qty} | set(units)
    resolving = session.info.get(_RESOLVING)
    cleared = [
        _resolution(org_id, open_rows[key], how="cleared", qty=0, remaining=0,
                    actor=SYSTEM_ACTOR, at=at)
        for key in sorted(set(open_rows) - short)
        if open_rows[key] != resolving
    ]  # fmt: skip
    _record(session, org_id, cleared)
    new = sorted(short - set(open_rows))
    found = _shortages(session, org_id, new, on_hand)
    serials = _serials(session, org_id, new)
    rows_to_add: list[dict[str, Any]] = []
    for key in new:
        shortage, rows, claims = found[key]
        # A numbered unit sold twice says more than the product's level: name the unit
        # and every sale of it (unless reservations are what is short).
        conflict = shortage is not None and shortage.kind == "reservation_conflict"
        unit = None if conflict else units.get(key)
        if unit is not None:
            shortage, rows = _unit_shortage(session, org_id, key, unit.lot_id, unit.level)
        if shortage is None:
            continue
        cause = _cause(shortage, rows, claims)
        if unit is not None:
            cause["unit"] = {"lot_id": str(unit.lot_id), "serial_no": unit.serial_no}
        rows_to_add.append(
            {
                "org_id": org_id,
                "exception_id": new_id(),
                "kind": shortage.kind,
                "location_id": key[0],
                "product_id": key[1],
                "serial": int(serials.get(key, 0) or 0),
                "detected_at": at,
                "on_hand": shortage.on_hand,
                "reserved": shortage.reserved,
                "shortfall": shortage.shortfall,
                "cause": _json(cause),
            }
        )
    # Another worker may have found the same shortage in this instant: the
    # (key, serial) unique constraint keeps one, and only ours come back.
    inserted = insert_ignore_many(
        session, StockException, rows_to_add, StockException.__table__.c.exception_id
    )
    opened = [r["exception_id"] for r in rows_to_add if r["exception_id"] in inserted]
    return opened


def _resolutions(
    session: Session, org_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Resolution]]:
    found: dict[uuid.UUID, list[Resolution]] = {i: [] for i in ids}
    for start in range(0, len(ids), held_stock.CHUNK):
        rows = session.scalars(
            select(StockExceptionResolution)
            .where(
                StockExceptionResolution.org_id == org_id,
                StockExceptionResolution.exception_id.in_(ids[start : start + held_stock.CHUNK]),
            )
            .order_by(StockExceptionResolution.at, StockExceptionResolution.resolution_id)
        )
        for r in rows:
            found[r.exception_id].append(
                Resolution(r.resolution_id, r.how, r.qty, r.reservation_id, r.transfer_id,
                           json.loads(r.move_ids), r.remaining, r.closes, r.actor, r.at, r.note)
            )  # fmt: skip
    return found


def list_exceptions(
    session: Session,
    org_id: uuid.UUID,
    *,
    location_id: uuid.UUID | None = None,
    status: str | None = None,
    exception_id: uuid.UUID | None = None,
    limit: int = 200,
) -> list[ExceptionView]:
    """Exceptions newest first, with their cause, resolutions and the key's figures now."""
    query = select(StockException).where(StockException.org_id == org_id)
    if location_id is not None:
        query = query.where(StockException.location_id == location_id)
    if exception_id is not None:
        query = query.where(StockException.exception_id == exception_id)
    rows = list(
        session.scalars(
            query.order_by(StockException.detected_at.desc(), StockException.exception_id.desc())
        )
    )
    done = _resolutions(session, org_id, [r.exception_id for r in rows])
    views: list[ExceptionView] = []
    keys = {(r.location_id, r.product_id) for r in rows}
    on_hand = held_stock.levels(session, org_id, keys)
    reserved = held_stock.held(session, org_id, keys)
    for row in rows:
        resolved = any(r.closes for r in done[row.exception_id])
        state = "resolved" if resolved else "open"
        if status is not None and state != status:
            continue
        key = (row.location_id, row.product_id)
        views.append(
            ExceptionView(
                row.exception_id, row.kind, row.location_id, row.product_id, row.detected_at,
                row.on_hand, row.reserved, row.shortfall, json.loads(row.cause), state,
                {"on_hand": on_hand[key], "reserved": reserved.get(key, 0),
                 "available": on_hand[key] - reserved.get(key, 0)},
                done[row.exception_id],
            )
        )  # fmt: skip
        if len(views) >= limit:
            break
    return views


def get_exception(session: Session, org_id: uuid.UUID, exception_id: uuid.UUID) -> ExceptionView:
    found = list_exceptions(session, org_id, exception_id=exception_id)
    if not found:
        raise errors.STOCK_EXCEPTION_NOT_FOUND.error(exception_id=str(exception_id))
    return found[0]


@contextmanager
def _resolving(session: Session, exception_id: uuid.UUID) -> Iterator[None]:
    session.info[_RESOLVING] = exception_id
    try:
        yield
    finally:
        session.info.pop(_RESOLVING, None)


@dataclass(frozen=True)
class Made:
    """What an action of a resolution made in the stock ledger."""

    move_ids: list[str] = field(default_factory=list)
    transfer_id: uuid.UUID | None = None


def resolve(
    session: Session,
    org_id: uuid.UUID,
    exception_id: uuid.UUID,
    *,
    how: str,
    qty: MilliQty,
    actor: Actor,
    at: datetime,
    reservation_id: uuid.UUID | None = None,
    from_location_id: uuid.UUID | None = None,
    note: str | None = None,
) -> ExceptionView:
    """Act on an open exception: bring ``qty`` in from ``from_location_id`` (a transfer,
    shipped and received at once), adjust the count up by ``qty`` (stock found), release
    ``qty`` of one of its reservations, or back-order one. Records the resolution with
    what it made and what is still short; closes the exception when nothing is."""
    view = get_exception(session, org_id, exception_id)
    if view.status == "resolved":
        raise errors.STOCK_EXCEPTION_RESOLVED.error(exception_id=str(exception_id))
    key = (view.location_id, view.product_id)
    lot_id = _unit_lot(view)
    if lot_id is not None:
        return _resolve_unit(session, org_id, view, key, lot_id, how=how, qty=qty,
                             from_location_id=from_location_id, actor=actor, at=at, note=note)  # fmt: skip
    shortage, _, claims = shortage_at(session, org_id, key)
    if shortage is None:
        # Stock came in meanwhile (a receipt, a sale returned): nothing left to do.
        _close(session, org_id, exception_id, how="cleared", qty=0, remaining=0,
               actor=actor, at=at, note=note)  # fmt: skip
        return get_exception(session, org_id, exception_id)
    reservation = next((r for r in claims if r.reservation_id == str(reservation_id)), None)
    kernel.check_resolution(shortage, how, qty, reservation)
    with _resolving(session, exception_id):
        made = _act(session, org_id, key, how, qty, reservation, from_location_id, actor, at, note)
    after, _, _ = shortage_at(session, org_id, key)
    _close(
        session,
        org_id,
        exception_id,
        how=how,
        qty=qty if how != "back_order" else (reservation.qty if reservation else 0),
        remaining=0 if after is None else after.shortfall,
        actor=actor,
        at=at,
        reservation_id=reservation_id if how in ("release", "back_order") else None,
        transfer_id=made.transfer_id,
        move_ids=made.move_ids,
        note=note,
    )
    return get_exception(session, org_id, exception_id)


def _unit_lot(view: ExceptionView) -> uuid.UUID | None:
    unit = view.cause.get("unit") if view.kind == "unit_oversold" else None
    return None if unit is None else uuid.UUID(unit["lot_id"])


def _resolve_unit(
    session: Session,
    org_id: uuid.UUID,
    view: ExceptionView,
    key: Key,
    lot_id: uuid.UUID,
    *,
    how: str,
    qty: MilliQty,
    from_location_id: uuid.UUID | None,
    actor: Actor,
    at: datetime,
    note: str | None,
) -> ExceptionView:
    """A unit sold twice: its own lot is adjusted or brought in (the product's other
    units are not it), and the exception closes when the unit is no longer below zero."""
    level = _unit_level(session, org_id, key, lot_id)
    shortage, _ = _unit_shortage(session, org_id, key, lot_id, level)
    if shortage is None:
        _close(session, org_id, view.exception_id, how="cleared", qty=0, remaining=0,
               actor=actor, at=at, note=note)  # fmt: skip
        return get_exception(session, org_id, view.exception_id)
    kernel.check_resolution(shortage, how, qty)
    with _resolving(session, view.exception_id):
        if how == "transfer":
            if from_location_id is None or from_location_id == key[0]:
                raise errors.STOCK_RESOLUTION_NEEDS_SOURCE.error(location_id=str(key[0]))
            made = _transfer_in(session, org_id, key, from_location_id, qty, actor, at, note,
                                lot_id)  # fmt: skip
        else:
            made = _adjust_up(session, org_id, key, qty, actor, at, note, lot_id)
    level = _unit_level(session, org_id, key, lot_id)
    after, _ = _unit_shortage(session, org_id, key, lot_id, level)
    _close(
        session, org_id, view.exception_id, how=how, qty=qty,
        remaining=0 if after is None else after.shortfall, actor=actor, at=at,
        transfer_id=made.transfer_id, move_ids=made.move_ids, note=note,
    )  # fmt: skip
    return get_exception(session, org_id, view.exception_id)


def _act(
    session: Session,
    org_id: uuid.UUID,
    key: Key,
    how: str,
    qty: MilliQty,
    reservation: kernel.Reservation | None,
    from_location_id: uuid.UUID | None,
    actor: Actor,
    at: datetime,
    note: str | None,
) -> Made:
    if how in ("release", "back_order"):
        assert reservation is not None  # check_resolution refused it otherwise
        rid = uuid.UUID(reservation.reservation_id)
        kind: kernel.EventKind = "back_ordered" if how == "back_order" else "reduced"
        held_stock.change(session, org_id, rid, kind, actor=actor, at=at, qty=qty, note=note)
        return Made()
    if how == "transfer":
        if from_location_id is None or from_location_id == key[0]:
            raise errors.STOCK_RESOLUTION_NEEDS_SOURCE.error(location_id=str(key[0]))
        return _transfer_in(session, org_id, key, from_location_id, qty, actor, at, note)
    return _adjust_up(session, org_id, key, qty, actor, at, note)


def _transfer_in(
    session: Session,
    org_id: uuid.UUID,
    key: Key,
    from_location_id: uuid.UUID,
    qty: MilliQty,
    actor: Actor,
    at: datetime,
    note: str | None,
    lot_id: uuid.UUID | None = None,
) -> Made:
    """Ship from the source and receive at the short location at once (the van has come:
    staff resolve when the stock is there), through the stock ledger's transfer."""
    from hub.stock import services  # here: services import the ledger, which imports us

    line = services.StockLine(key[1], qty, lot_id)
    shipped = services.ship_transfer(
        session, org_id, from_location_id, key[0], [line], actor=actor, at=at,
        note=note or "stock exception",
    )  # fmt: skip
    received = services.receive_transfer(
        session, org_id, shipped.transfer_id, None, actor=actor, at=at
    )
    moves = [str(m) for m in (*shipped.move_ids, *received.move_ids)]
    return Made(moves, shipped.transfer_id)


def _adjust_up(
    session: Session,
    org_id: uuid.UUID,
    key: Key,
    qty: MilliQty,
    actor: Actor,
    at: datetime,
    note: str | None,
    lot_id: uuid.UUID | None = None,
) -> Made:
    """Stock found (a recount, a mis-scan corrected): an audited adjustment in."""
    from hub.stock import services  # here: services import the ledger, which imports us

    moves = services.adjust_stock(
        session, org_id, key[0], [services.StockLine(key[1], qty, lot_id)],
        reason=note or "stock exception", actor=actor, at=at,
    )  # fmt: skip
    return Made([str(m.move_id) for m in moves])
