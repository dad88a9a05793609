"""The stock ledger in the abstract: moves, counts and on-hand (pure, no I/O).

Stock is never a stored number that boxes overwrite. It is an append-only
list of signed moves, each keyed by its id, and physical counts that say
"at time t there were q here". On-hand for a key (location, product, lot)
is the latest count's quantity plus every move strictly after it, or the
sum of all moves when the key was never counted.

Invariants:

- Quantities are signed integer milli-units (1 unit = 1000); stock out is
  negative. A negative on-hand is allowed (an offline oversale) and is an
  exception for a person, never an error here.
- ``unit_cost`` is integer paise per unit (per 1000 milli-units), the way a
  purchase invoice quotes it; a move's value is ``qty * unit_cost / 1000``
  and rounding that is the valuation's business.
- The result does not depend on the order moves and counts arrive in, nor
  on duplicates: moves are a set by ``move_id`` and "latest count" is the
  greatest ``(counted_at, count_id)``, a total order.
- A move at exactly a count's instant is taken as seen by the count (it
  was on the shelf, or gone, when the count was taken): only moves with
  ``moved_at > counted_at`` are added. Moves at one instant need no order
  among themselves, since addition does not care.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

MILLI_PER_UNIT = 1000

NO_LOT = uuid.UUID(int=0)
"""The lot key of stock that is not tracked by lot (a key column cannot be NULL)."""


class MoveReason(StrEnum):
    SALE = "sale"
    RETURN = "return"
    RECEIPT = "receipt"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    SUPPLIER_RETURN = "supplier_return"
    """Goods sent back to the supplier against a purchase order (out, at the PO's cost).
    Made only at the hub: a box never sends one, so the wire contracts do not list it."""


class StockKey(NamedTuple):
    """Where stock is counted: a location, a product, a lot (``NO_LOT`` when untracked).

    A named tuple, not a dataclass: the hub builds one per level when it lists a
    location's 100,000 products, and a tuple is made twice as fast."""

    location_id: uuid.UUID
    product_id: uuid.UUID
    lot_key: uuid.UUID = NO_LOT


def lot_key(lot_id: uuid.UUID | None) -> uuid.UUID:
    return NO_LOT if lot_id is None else lot_id


@dataclass(frozen=True)
class Move:
    """A signed movement of stock at one location."""

    move_id: uuid.UUID
    location_id: uuid.UUID
    product_id: uuid.UUID
    qty: int
    """Milli-units, signed: negative takes stock out."""
    reason: MoveReason
    moved_at: datetime
    lot_id: uuid.UUID | None = None
    transfer_id: uuid.UUID | None = None
    unit_cost: int | None = None
    """Paise per unit (1000 milli-units); receipts carry it, sales need not."""
    bin_id: uuid.UUID | None = None

    @property
    def key(self) -> StockKey:
        return StockKey(self.location_id, self.product_id, lot_key(self.lot_id))


@dataclass(frozen=True)
class Count:
    """A physical count: ``counted_qty`` milli-units were there at ``counted_at``."""

    count_id: uuid.UUID
    location_id: uuid.UUID
    product_id: uuid.UUID
    counted_qty: int
    counted_at: datetime
    lot_id: uuid.UUID | None = None

    @property
    def key(self) -> StockKey:
        return StockKey(self.location_id, self.product_id, lot_key(self.lot_id))

    @property
    def order(self) -> tuple[datetime, uuid.UUID]:
        """The total order of counts of one key: the greatest is the one that holds."""
        return (self.counted_at, self.count_id)


def after_count(moved_at: datetime, counted_at: datetime | None) -> bool:
    """Whether a move at ``moved_at`` changes a level last counted at ``counted_at``."""
    return counted_at is None or moved_at > counted_at


def latest_counts(counts: Iterable[Count]) -> dict[StockKey, Count]:
    latest: dict[StockKey, Count] = {}
    for count in counts:
        held = latest.get(count.key)
        if held is None or count.order > held.order:
            latest[count.key] = count
    return latest


def distinct_moves(moves: Iterable[Move]) -> dict[uuid.UUID, Move]:
    """Moves by id: a move delivered twice is one move."""
    return {move.move_id: move for move in moves}


def on_hand(moves: Iterable[Move], counts: Iterable[Count] = ()) -> dict[StockKey, int]:
    """On-hand per key: the latest count plus the moves after it (every key seen)."""
    latest = latest_counts(counts)
    levels: dict[StockKey, int] = {key: count.counted_qty for key, count in latest.items()}
    for move in distinct_moves(moves).values():
        count = latest.get(move.key)
        if after_count(move.moved_at, count.counted_at if count else None):
            levels[move.key] = levels.get(move.key, 0) + move.qty
        else:
            levels.setdefault(move.key, 0)
    return levels


def level_deltas(
    moves: Iterable[Move], counted_at: Mapping[StockKey, datetime | None]
) -> dict[StockKey, int]:
    """What new moves add to each key's level, given when each key was last counted."""
    deltas: dict[StockKey, int] = {}
    for move in moves:
        if after_count(move.moved_at, counted_at.get(move.key)):
            deltas[move.key] = deltas.get(move.key, 0) + move.qty
        else:
            deltas.setdefault(move.key, 0)
    return deltas
