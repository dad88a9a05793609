"""The stock ledger at the hub: the one way moves and counts enter, and the levels they keep.

``apply_moves`` is how every move reaches ``stock_move`` (the ingest of box
sales and returns writes its own rows in bulk and calls :func:`add_to_levels`
with them). ``stock_level`` is kept in the caller's transaction (helpers
here never commit) and always equals the kernel's ``setledger.stock.on_hand``
over the ledger: :func:`levels_from_ledger` recomputes it and
:func:`rebuild_levels` replaces the cache with it.

Concurrency: a level row is locked (``SELECT ... FOR UPDATE`` in key order,
so two writers cannot deadlock on each other) before its count is read and
its quantity changed. A count's recompute locks the row first, then sums
the moves; a move batch locks, then reads the count. Whichever commits
first, the second sees it, so the cache cannot double-count or miss a move.
SQLite runs one writer at a time anyway.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from hub.clock import utcnow
from hub.db.bulk import insert_rows, is_pg, one_of
from hub.db.models import Base, StockCount, StockLevel, StockLocation, StockMove
from hub.stock import exceptions as stock_exceptions
from setledger import errors
from setledger.fiscal import business_date
from setledger.stock import NO_LOT, Count, Move, StockKey, after_count, lot_key

MOVE_TABLE = Base.metadata.tables[StockMove.__tablename__]
CAUSE_LIMIT = 50
"""How many of the moves that took a level below zero are listed with it (newest first)."""


@dataclass(frozen=True)
class Applied:
    """What a call changed: the moves that were new, the keys whose level it touched."""

    moves: list[Move]
    keys: list[StockKey]


class Level(NamedTuple):
    """One level (a named tuple: a location's list builds 100,000 of them)."""

    key: StockKey
    qty: int
    count_at: datetime | None
    count_qty: int | None


@dataclass(frozen=True)
class CauseMove:
    move_id: uuid.UUID
    qty: int
    reason: str
    moved_at: datetime
    store_id: uuid.UUID | None
    device_id: uuid.UUID | None
    sale_id: uuid.UUID | None
    transfer_id: uuid.UUID | None


@dataclass(frozen=True)
class NegativeLevel:
    """A level below zero and the outgoing moves since its last count (the cause)."""

    level: Level
    moves: list[CauseMove]


# -- moves in ---------------------------------------------------------------------------------


def apply_moves(
    session: Session,
    org_id: uuid.UUID,
    moves: Iterable[Move],
    *,
    received_at: datetime | None = None,
    device_id: uuid.UUID | None = None,
    sale_id: uuid.UUID | None = None,
) -> Applied:
    """Record the moves whose id is new (a known id is ignored) and update their levels."""
    batch = list({move.move_id: move for move in moves}.values())
    if not batch:
        return Applied([], [])
    known = set(
        session.scalars(
            select(StockMove.move_id).where(
                StockMove.org_id == org_id,
                one_of(session, StockMove.move_id, [m.move_id for m in batch]),
            )
        )
    )
    new = [move for move in batch if move.move_id not in known]
    if not new:
        return Applied([], [])
    stores = _store_of(session, org_id, {move.location_id for move in new})
    at = received_at or utcnow()
    rows = [
        {
            "org_id": org_id,
            "move_id": move.move_id,
            "store_id": stores[move.location_id],
            "device_id": device_id,
            "product_id": move.product_id,
            "qty": move.qty,
            "reason": move.reason.value,
            "sale_id": sale_id,
            "moved_at": move.moved_at,
            "business_date": business_date(move.moved_at),
            "received_at": at,
            "location_id": move.location_id,
            "bin_id": move.bin_id,
            "lot_id": move.lot_id,
            "transfer_id": move.transfer_id,
            "unit_cost": move.unit_cost,
        }
        for move in new
    ]
    insert_rows(session, MOVE_TABLE, rows)
    keys = add_to_levels(session, org_id, rows)
    return Applied(new, keys)


def _store_of(
    session: Session, org_id: uuid.UUID, location_ids: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID | None]:
    """Each location's store (none for a warehouse or transit); unknown locations refused."""
    found = {
        row.location_id: row.store_id
        for row in session.execute(
            select(StockLocation.location_id, StockLocation.store_id).where(
                StockLocation.org_id == org_id,
                one_of(session, StockLocation.location_id, location_ids),
            )
        )
    }
    missing = location_ids - set(found)
    if missing:
        raise errors.STOCK_LOCATION_NOT_FOUND.error(location_id=str(sorted(missing)[0]))
    return found


def add_to_levels(
    session: Session, org_id: uuid.UUID, rows: Sequence[Mapping[str, Any]]
) -> list[StockKey]:
    """Add moves just inserted (``stock_move`` rows) to their levels; the keys touched, sorted.

    A move at or before its key's count instant leaves the level alone: the
    count already saw it.
    """
    if not rows:
        return []
    keys = sorted(
        {StockKey(r["location_id"], r["product_id"], lot_key(r.get("lot_id"))) for r in rows}
    )
    _ensure_levels(session, org_id, keys)
    counted = _lock_levels(session, org_id, keys)
    deltas: dict[StockKey, int] = defaultdict(int)
    for r in rows:
        key = StockKey(r["location_id"], r["product_id"], lot_key(r.get("lot_id")))
        if after_count(r["moved_at"], counted.get(key)):
            deltas[key] += r["qty"]
    changes = [(key, delta) for key, delta in deltas.items() if delta != 0]
    if changes:
        _add_deltas(session, org_id, changes)
    stock_exceptions.after_levels_changed(session, org_id, keys)
    return keys


def _key_arrays(keys: Sequence[StockKey]) -> dict[str, list[uuid.UUID]]:
    return {
        "locs": [k.location_id for k in keys],
        "prods": [k.product_id for k in keys],
        "lots": [k.lot_key for k in keys],
    }


def _ensure_levels(session: Session, org_id: uuid.UUID, keys: Sequence[StockKey]) -> None:
    if is_pg(session):
        session.execute(
            text(
                "INSERT INTO stock_level (org_id, location_id, product_id, lot_key, qty) "
                "SELECT :org, k.loc, k.prod, k.lot, 0 "
                "FROM unnest(CAST(:locs AS uuid[]), CAST(:prods AS uuid[]), CAST(:lots AS uuid[])) "
                "AS k(loc, prod, lot) ORDER BY 2, 3, 4 ON CONFLICT DO NOTHING"
            ),
            {"org": org_id, **_key_arrays(keys)},
        )
        return
    session.execute(
        sqlite.insert(StockLevel).on_conflict_do_nothing(),
        [
            {
                "org_id": org_id,
                "location_id": k.location_id,
                "product_id": k.product_id,
                "lot_key": k.lot_key,
                "qty": 0,
            }
            for k in keys
        ],
    )


def _lock_levels(
    session: Session, org_id: uuid.UUID, keys: Sequence[StockKey]
) -> dict[StockKey, datetime]:
    """Lock the keys' level rows (in key order) and read when each was last counted."""
    if is_pg(session):
        result = session.execute(
            text(
                "SELECT l.location_id, l.product_id, l.lot_key, l.count_at FROM stock_level l "
                "JOIN unnest(CAST(:locs AS uuid[]), CAST(:prods AS uuid[]), "
                "CAST(:lots AS uuid[])) AS k(loc, prod, lot) "
                "ON l.location_id = k.loc AND l.product_id = k.prod AND l.lot_key = k.lot "
                "WHERE l.org_id = :org ORDER BY 1, 2, 3 FOR UPDATE OF l"
            ),
            {"org": org_id, **_key_arrays(keys)},
        )
        return {StockKey(row[0], row[1], row[2]): row[3] for row in result if row[3] is not None}
    counted: dict[StockKey, datetime] = {}
    wanted = set(keys)
    product_ids = {k.product_id for k in keys}
    for chunk in _chunks(sorted(product_ids), 500):
        result = session.execute(
            select(
                StockLevel.location_id,
                StockLevel.product_id,
                StockLevel.lot_key,
                StockLevel.count_at,
            ).where(
                StockLevel.org_id == org_id,
                StockLevel.product_id.in_(chunk),
                StockLevel.count_at.is_not(None),
            )
        )
        for row in result:
            key = StockKey(row[0], row[1], row[2])
            if key in wanted:
                counted[key] = row[3]
    return counted


def _add_deltas(
    session: Session, org_id: uuid.UUID, changes: Sequence[tuple[StockKey, int]]
) -> None:
    if is_pg(session):
        keys = [key for key, _ in changes]
        session.execute(
            text(
                "UPDATE stock_level l SET qty = l.qty + d.delta "
                "FROM unnest(CAST(:locs AS uuid[]), CAST(:prods AS uuid[]), "
                "CAST(:lots AS uuid[]), CAST(:deltas AS bigint[])) AS d(loc, prod, lot, delta) "
                "WHERE l.org_id = :org AND l.location_id = d.loc AND l.product_id = d.prod "
                "AND l.lot_key = d.lot"
            ),
            {"org": org_id, **_key_arrays(keys), "deltas": [delta for _, delta in changes]},
        )
        return
    _sqlite_add_deltas(session, org_id, changes)


def _sqlite_add_deltas(
    session: Session, org_id: uuid.UUID, changes: Sequence[tuple[StockKey, int]]
) -> None:
    table = Base.metadata.tables[StockLevel.__tablename__]
    statement = (
        table.update()
        .where(
            table.c.org_id == org_id,
            table.c.location_id == _bind("b_loc", table.c.location_id),
            table.c.product_id == _bind("b_prod", table.c.product_id),
            table.c.lot_key == _bind("b_lot", table.c.lot_key),
        )
        .values(qty=table.c.qty + _bind("b_delta", table.c.qty))
    )
    session.connection().execute(
        statement,
        [
            {"b_loc": k.location_id, "b_prod": k.product_id, "b_lot": k.lot_key, "b_delta": d}
            for k, d in changes
        ],
    )


def _bind(name: str, column: Any) -> Any:
    return bindparam(name, type_=column.type)


def _chunks(values: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- counts -----------------------------------------------------------------------------------


def apply_count(
    session: Session,
    org_id: uuid.UUID,
    count: Count,
    *,
    counted_by: str | None = None,
    note: str | None = None,
    recorded_at: datetime | None = None,
) -> Level | None:
    """Record a count (a known count id is ignored) and, when it is the key's latest,
    set its level to the counted quantity plus the moves after it. The level after,
    or None when the count was known already."""
    if session.get(StockCount, (org_id, count.count_id)) is not None:
        return None
    _store_of(session, org_id, {count.location_id})
    session.execute(
        insert(StockCount).values(
            org_id=org_id,
            count_id=count.count_id,
            location_id=count.location_id,
            product_id=count.product_id,
            lot_id=count.lot_id,
            counted_qty=count.counted_qty,
            counted_at=count.counted_at,
            counted_by=counted_by,
            note=note,
            recorded_at=recorded_at or utcnow(),
        )
    )
    key = count.key
    _ensure_levels(session, org_id, [key])
    _lock_levels(session, org_id, [key])
    level = _level_row(session, org_id, key)
    assert level is not None
    held = level.count_at, level.count_id
    if held[0] is not None and held[1] is not None and (held[0], held[1]) >= count.order:
        return _as_level(level)
    after = _moves_after(session, org_id, key, count.counted_at)
    session.execute(
        update(StockLevel)
        .where(*_key_filter(org_id, key))
        .values(
            qty=count.counted_qty + after,
            count_id=count.count_id,
            count_at=count.counted_at,
            count_qty=count.counted_qty,
        )
    )
    refreshed = _level_row(session, org_id, key)
    assert refreshed is not None
    stock_exceptions.after_levels_changed(session, org_id, [key])
    return _as_level(refreshed)


def _key_filter(org_id: uuid.UUID, key: StockKey) -> list[Any]:
    return [
        StockLevel.org_id == org_id,
        StockLevel.location_id == key.location_id,
        StockLevel.product_id == key.product_id,
        StockLevel.lot_key == key.lot_key,
    ]


def _level_row(session: Session, org_id: uuid.UUID, key: StockKey) -> StockLevel | None:
    # Levels change through SQL statements here: never trust the identity map's copy.
    return session.get(
        StockLevel, (org_id, key.location_id, key.product_id, key.lot_key), populate_existing=True
    )


def _as_level(row: StockLevel) -> Level:
    return Level(
        StockKey(row.location_id, row.product_id, row.lot_key), row.qty, row.count_at, row.count_qty
    )


def _move_lot_filter(key: StockKey) -> Any:
    if key.lot_key == NO_LOT:
        return StockMove.lot_id.is_(None)
    return StockMove.lot_id == key.lot_key


def _moves_after(session: Session, org_id: uuid.UUID, key: StockKey, instant: datetime) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(StockMove.qty), 0)).where(
            StockMove.org_id == org_id,
            StockMove.location_id == key.location_id,
            StockMove.product_id == key.product_id,
            _move_lot_filter(key),
            StockMove.moved_at > instant,
        )
    )
    return int(total or 0)


# -- reading ----------------------------------------------------------------------------------


LOCATION_LEVELS = (
    # No lot comes back as NULL: one UUID object fewer to build per row.
    "SELECT product_id, NULLIF(lot_key, %s), qty, count_at, count_qty FROM stock_level "
    "WHERE org_id = %s AND location_id = %s ORDER BY product_id, lot_key"
)


def location_on_hand(session: Session, org_id: uuid.UUID, location_id: uuid.UUID) -> list[Level]:
    """Every product (and lot) at one location, by product."""
    if is_pg(session):
        # 100,000 rows: psycopg's binary rows straight into tuples, without
        # SQLAlchemy's per-row processing (the benchmark's goal is 200 ms).
        raw = session.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor(binary=True) as cursor:
            cursor.execute(LOCATION_LEVELS, (NO_LOT, org_id, location_id))
            return [
                Level(StockKey(location_id, p, lot or NO_LOT), qty, at, counted)
                for p, lot, qty, at, counted in cursor
            ]
    rows = session.execute(
        select(
            StockLevel.product_id,
            StockLevel.lot_key,
            StockLevel.qty,
            StockLevel.count_at,
            StockLevel.count_qty,
        )
        .where(StockLevel.org_id == org_id, StockLevel.location_id == location_id)
        .order_by(StockLevel.product_id, StockLevel.lot_key)
    )
    return [Level(StockKey(location_id, r[0], r[1]), r[2], r[3], r[4]) for r in rows]


LEVEL_COLUMNS = ("product_id", "lot_id", "qty", "count_at", "count_qty")
LOCATION_JSON = (
    "SELECT coalesce(json_agg(json_build_array(product_id, NULLIF(lot_key, %s), qty, "
    "to_char(count_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), count_qty) "
    "ORDER BY product_id, lot_key), '[]')::text "
    "FROM stock_level WHERE org_id = %s AND location_id = %s"
)


def location_on_hand_json(session: Session, org_id: uuid.UUID, location_id: uuid.UUID) -> str:
    """One location's levels as a JSON array of ``LEVEL_COLUMNS`` rows, by product.

    What the API serves: on PostgreSQL the database writes the JSON (100,000
    levels in well under the 200 ms goal, where building 100,000 Python rows
    and then serialising them takes several times that).
    """
    if is_pg(session):
        raw = session.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute(LOCATION_JSON, (NO_LOT, org_id, location_id))
            row = cursor.fetchone()
            assert row is not None
            return str(row[0])
    rows = [
        [
            str(level.key.product_id),
            None if level.key.lot_key == NO_LOT else str(level.key.lot_key),
            level.qty,
            None if level.count_at is None else _utc_text(level.count_at),
            level.count_qty,
        ]
        for level in location_on_hand(session, org_id, location_id)
    ]
    return json.dumps(rows, separators=(",", ":"))


def _utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def product_on_hand(
    session: Session, org_id: uuid.UUID, product_id: uuid.UUID, lot_id: uuid.UUID | None = None
) -> list[Level]:
    """One product at every location (one lot of it when ``lot_id`` is given)."""
    query = select(
        StockLevel.location_id,
        StockLevel.lot_key,
        StockLevel.qty,
        StockLevel.count_at,
        StockLevel.count_qty,
    ).where(StockLevel.org_id == org_id, StockLevel.product_id == product_id)
    if lot_id is not None:
        query = query.where(StockLevel.lot_key == lot_id)
    rows = session.execute(query.order_by(StockLevel.location_id, StockLevel.lot_key))
    return [Level(StockKey(r[0], product_id, r[1]), r[2], r[3], r[4]) for r in rows]


def negative_levels(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID | None = None
) -> list[NegativeLevel]:
    """Levels below zero (offline overselling) with the outgoing moves since their last count."""
    query = select(StockLevel).where(StockLevel.org_id == org_id, StockLevel.qty < 0)
    if location_id is not None:
        query = query.where(StockLevel.location_id == location_id)
    levels = session.scalars(
        query.order_by(StockLevel.location_id, StockLevel.product_id, StockLevel.lot_key)
    ).all()
    found: list[NegativeLevel] = []
    for row in levels:
        level = _as_level(row)
        conditions = [
            StockMove.org_id == org_id,
            StockMove.location_id == row.location_id,
            StockMove.product_id == row.product_id,
            _move_lot_filter(level.key),
            StockMove.qty < 0,
        ]
        if row.count_at is not None:
            conditions.append(StockMove.moved_at > row.count_at)
        moves = session.execute(
            select(
                StockMove.move_id,
                StockMove.qty,
                StockMove.reason,
                StockMove.moved_at,
                StockMove.store_id,
                StockMove.device_id,
                StockMove.sale_id,
                StockMove.transfer_id,
            )
            .where(*conditions)
            .order_by(StockMove.moved_at.desc(), StockMove.move_id.desc())
            .limit(CAUSE_LIMIT)
        )
        found.append(NegativeLevel(level, [CauseMove(*m) for m in moves]))
    return found


# -- the cache from the ledger ----------------------------------------------------------------


def levels_from_ledger(session: Session, org_id: uuid.UUID) -> dict[StockKey, Level]:
    """What every level must be, computed from the moves and counts alone."""
    latest: dict[StockKey, tuple[datetime, uuid.UUID, int]] = {}
    for c in session.execute(
        select(
            StockCount.location_id,
            StockCount.product_id,
            StockCount.lot_id,
            StockCount.counted_at,
            StockCount.count_id,
            StockCount.counted_qty,
        ).where(StockCount.org_id == org_id)
    ):
        key = StockKey(c[0], c[1], lot_key(c[2]))
        if key not in latest or (c[3], c[4]) > latest[key][:2]:
            latest[key] = (c[3], c[4], c[5])
    qty: dict[StockKey, int] = {key: held[2] for key, held in latest.items()}
    moves = session.execute(
        select(
            StockMove.location_id,
            StockMove.product_id,
            StockMove.lot_id,
            StockMove.moved_at,
            StockMove.qty,
        ).where(StockMove.org_id == org_id)
    )
    for m in moves:
        # Every move has a location: 0015 gave the old ones their store's.
        assert m[0] is not None, "a stock move without a location"
        key = StockKey(m[0], m[1], lot_key(m[2]))
        held = latest.get(key)
        if after_count(m[3], held[0] if held else None):
            qty[key] = qty.get(key, 0) + m[4]
        else:
            qty.setdefault(key, 0)
    return {
        key: Level(
            key,
            q,
            latest[key][0] if key in latest else None,
            latest[key][2] if key in latest else None,
        )
        for key, q in qty.items()
    }


def maintained_levels(session: Session, org_id: uuid.UUID) -> dict[StockKey, Level]:
    rows = session.scalars(select(StockLevel).where(StockLevel.org_id == org_id))
    return {level.key: level for level in (_as_level(row) for row in rows)}


def rebuild_levels(session: Session, org_id: uuid.UUID) -> int:
    """Replace the org's level cache by the ledger's sums; how many levels there are.

    On PostgreSQL the level table is locked against writers first (readers go
    on): a move batch already holding level rows finishes before, and one that
    has not reached them yet adds its deltas after, onto the rebuilt rows.
    """
    if is_pg(session):
        session.execute(text("LOCK TABLE stock_level IN EXCLUSIVE MODE"))
    computed = levels_from_ledger(session, org_id)
    latest_ids = {
        StockKey(c.location_id, c.product_id, lot_key(c.lot_id)): c.count_id
        for c in _latest_count_rows(session, org_id)
    }
    session.execute(delete(StockLevel).where(StockLevel.org_id == org_id))
    rows = [
        {
            "org_id": org_id,
            "location_id": key.location_id,
            "product_id": key.product_id,
            "lot_key": key.lot_key,
            "qty": level.qty,
            "count_id": latest_ids.get(key),
            "count_at": level.count_at,
            "count_qty": level.count_qty,
        }
        for key, level in sorted(computed.items())
    ]
    if rows:
        session.execute(insert(StockLevel), rows)
    return len(rows)


def _latest_count_rows(session: Session, org_id: uuid.UUID) -> list[StockCount]:
    latest: dict[StockKey, StockCount] = {}
    for row in session.scalars(select(StockCount).where(StockCount.org_id == org_id)):
        key = StockKey(row.location_id, row.product_id, lot_key(row.lot_id))
        held = latest.get(key)
        if held is None or (row.counted_at, row.count_id) > (held.counted_at, held.count_id):
            latest[key] = row
    return list(latest.values())
