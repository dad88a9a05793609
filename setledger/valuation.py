"""Stock valuation: what the goods on hand are worth, and what each sale cost.

Pure: a product's moves in, each move's value and the closing stock out.
Two methods, chosen per org: FIFO (layers consumed oldest first) and the
perpetual weighted average (one pool, its average recomputed by every
receipt).

The rules, written once here and in docs/VALUATION.md:

- Scope: one product across the whole org. Transfers between locations
  (ship, in transit, receive) move goods at their cost and change no value,
  so they are not valued at all: the caller leaves them out. The same
  product's layers are shared by all stores.
- Order: moves are valued in the total order ``(moved_at, move_id)``.
- Unit cost is paise per unit (1,000 milli-units). A receipt of ``q``
  milli-units at ``c`` is worth ``round_div(q * c, 1000)`` paise, once: from
  then on only whole-paise values move, and a part of a layer (or of the
  average pool) is taken in proportion to what is *left* of it, so the last
  unit out takes the exact remainder. Nothing is ever lost to rounding:
  receipts == COGS + adjustments + closing value, to the paisa.
- Issues (sales, adjustments out): FIFO takes the oldest layers first; the
  average takes its share of the pool.
- Returns come back at the cost they went out at: the original sale's cost
  for that product, in proportion to what of it is not yet returned (the
  sale id links them). A return the valuation cannot match (its sale not
  seen yet, or more than was sold) comes back at the current cost. Under
  FIFO the returned goods are a new layer, newest.
- Returns to the supplier (against a purchase order) leave like issues, at
  the cost the stock holds (FIFO's oldest layers, the average's share); they
  clear goods received not invoiced at the order's own cost
  (``receipt_value(q, unit_cost)``, what the receipt credited it), and the
  difference between the two goes to COGS, like a bill's price difference:
  no layer is revalued.
- Adjustments in come in at their given unit cost, or at the current cost
  (the average of the stock on hand, or the last known cost when there is
  none); so does a receipt recorded without a cost.
- Offline overselling: an issue beyond the stock on hand values the
  shortfall at the last known cost (the cost per unit of the last unit
  that was in stock; zero if the product never had any) and records a
  negative layer. The next inflow settles it first: the inflow's own cost
  of the units it covers, minus what the oversold units were provisionally
  charged, is a *settlement* to COGS (either sign), so the oversold units
  end up costed at what they really cost.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from setledger.money import MILLI_PER_UNIT, MilliQty, Paise, round_div


class Method(StrEnum):
    FIFO = "fifo"
    AVERAGE = "average"


class MoveKind(StrEnum):
    RECEIPT = "receipt"
    """Goods in from a supplier, at a unit cost (a PO received in parts is several)."""
    ISSUE = "issue"
    """Goods out on a sale."""
    RETURN = "return"
    """Goods back from a customer, at the original sale's cost."""
    ADJUSTMENT = "adjustment"
    """A correction either way (a count, damage, a find)."""
    SUPPLIER_RETURN = "supplier_return"
    """Goods out, back to the supplier, at the cost the stock holds; ``unit_cost`` is
    the purchase order's (what the goods clear from goods received not invoiced)."""


@dataclass(frozen=True)
class ValuationMove:
    move_id: uuid.UUID
    moved_at: datetime
    kind: MoveKind
    qty: MilliQty
    """Signed like the stock ledger: in positive, out negative."""
    unit_cost: Paise | None = None
    """Paise per unit (1000 milli-units); a receipt or adjustment in without one
    comes in at the current cost."""
    sale_id: uuid.UUID | None = None
    """An issue's sale; a return's original sale."""

    def __post_init__(self) -> None:
        # Identity tests, not a dict of kinds: an Enum hashes in Python, and the
        # hub builds one of these per stock move of the org on every run.
        kind = self.kind
        inward = kind is MoveKind.RECEIPT or kind is MoveKind.RETURN
        outward = kind is MoveKind.ISSUE or kind is MoveKind.SUPPLIER_RETURN
        if (self.qty < 0 and inward) or (self.qty > 0 and outward):
            raise ValueError(f"{self.kind} {self.move_id}: qty {self.qty} has the wrong sign")
        if self.unit_cost is not None and self.unit_cost < 0:
            raise ValueError(f"{self.kind} {self.move_id}: negative unit cost")


@dataclass(frozen=True)
class Layer:
    """Stock on hand at one cost: ``qty`` milli-units worth ``value`` paise.

    Negative (both) for oversold units awaiting the inflow that settles them."""

    qty: MilliQty
    value: Paise


@dataclass(frozen=True)
class CostedMove:
    move: ValuationMove
    value: Paise
    """The move's own change to the stock's value: a receipt's cost (+), an
    issue's cost (-), a return's cost (+), an adjustment's value (either)."""
    settlement: Paise = 0
    """For an inflow that covered oversold units: its cost of them minus
    what they were provisionally charged (to COGS, either sign)."""

    @property
    def cleared(self) -> Paise:
        """A return to the supplier: what it clears from goods received not invoiced,
        at the purchase order's cost (positive); 0 for every other move."""
        move = self.move
        if move.kind is not MoveKind.SUPPLIER_RETURN:
            return 0
        if move.unit_cost is None:
            return -self.value
        return receipt_value(-move.qty, move.unit_cost)

    @property
    def cogs(self) -> Paise:
        """What this move puts into cost of goods sold (debit positive); a return to
        the supplier's stock cost less what it clears at the order's cost."""
        sold = -self.value if self.move.kind in (MoveKind.ISSUE, MoveKind.RETURN) else 0
        if self.move.kind is MoveKind.SUPPLIER_RETURN:
            sold = -self.value - self.cleared
        return sold + self.settlement


@dataclass(frozen=True)
class Valuation:
    method: Method
    moves: tuple[CostedMove, ...]
    """In valuation order."""
    layers: tuple[Layer, ...]
    """What is on hand after the last move: FIFO's open layers oldest first,
    the average's one pool, or one negative layer when oversold."""

    @property
    def closing_qty(self) -> MilliQty:
        return sum(layer.qty for layer in self.layers)

    @property
    def closing_value(self) -> Paise:
        return sum(layer.value for layer in self.layers)

    @property
    def cogs(self) -> Paise:
        return sum(costed.cogs for costed in self.moves)

    @property
    def cleared(self) -> Paise:
        """What returns to the supplier cleared from goods received not invoiced."""
        return sum(c.cleared for c in self.moves)

    def of_kind(self, kind: MoveKind) -> Paise:
        """The sum of the values of one kind of move."""
        return sum(c.value for c in self.moves if c.move.kind is kind)


def receipt_value(qty: MilliQty, unit_cost: Paise) -> Paise:
    """What ``qty`` milli-units at ``unit_cost`` paise per unit are worth, in whole paise."""
    return round_div(qty * unit_cost, MILLI_PER_UNIT)


@dataclass
class _Stock:
    """One product's stock while its moves are valued (mutable, private)."""

    merge: bool
    """Average: one pool; FIFO: a layer per inflow."""
    layers: deque[list[int]] = field(default_factory=deque)
    """Positive [qty, value] layers, oldest first."""
    short_qty: MilliQty = 0
    short_value: Paise = 0
    last_rate: tuple[Paise, MilliQty] | None = None
    """(value, qty) of the last unit that left the stock: the last known cost."""

    def current_rate(self) -> tuple[Paise, MilliQty]:
        qty = sum(layer[0] for layer in self.layers)
        if qty > 0:
            return sum(layer[1] for layer in self.layers), qty
        return self.last_rate or (0, MILLI_PER_UNIT)

    def take(self, qty: MilliQty) -> Paise:
        """Take ``qty`` out; its cost (positive)."""
        cost, need = 0, qty
        while need and self.layers:
            layer = self.layers[0]
            if need >= layer[0]:
                cost += layer[1]
                need -= layer[0]
                self.last_rate = (layer[1], layer[0])
                self.layers.popleft()
            else:
                part = round_div(layer[1] * need, layer[0])
                cost += part
                layer[0] -= need
                layer[1] -= part
                need = 0
        if need:
            rate_value, rate_qty = self.last_rate or (0, MILLI_PER_UNIT)
            part = round_div(need * rate_value, rate_qty)
            self.short_qty += need
            self.short_value += part
            cost += part
        return cost

    def put(self, qty: MilliQty, value: Paise) -> Paise:
        """Bring ``qty`` in worth ``value``; the settlement of oversold units it covers."""
        settlement = 0
        if self.short_qty:
            covered = min(qty, self.short_qty)
            own = round_div(value * covered, qty)
            provisional = round_div(self.short_value * covered, self.short_qty)
            self.short_qty -= covered
            self.short_value -= provisional
            settlement = own - provisional
            qty -= covered
            value -= own
        if qty:
            if self.merge and self.layers:
                self.layers[0][0] += qty
                self.layers[0][1] += value
            else:
                self.layers.append([qty, value])
        return settlement

    def closing(self) -> tuple[Layer, ...]:
        if self.short_qty:
            return (Layer(-self.short_qty, -self.short_value),)
        return tuple(Layer(qty, value) for qty, value in self.layers)


def value_moves(method: Method, moves: Iterable[ValuationMove]) -> Valuation:
    """Value one product's moves (any order given; valued by ``(moved_at, move_id)``)."""
    stock = _Stock(merge=method is Method.AVERAGE)
    issued: dict[uuid.UUID, list[int]] = {}
    """Per sale: [qty, cost] that went out and has not come back."""
    costed: list[CostedMove] = []
    for move in sorted(moves, key=lambda m: (m.moved_at, m.move_id)):
        if move.qty == 0:
            costed.append(CostedMove(move, 0))
            continue
        if (
            move.kind is MoveKind.ISSUE
            or move.kind is MoveKind.SUPPLIER_RETURN
            or (move.kind is MoveKind.ADJUSTMENT and move.qty < 0)
        ):
            cost = stock.take(-move.qty)
            if move.kind is MoveKind.ISSUE and move.sale_id is not None:
                out = issued.setdefault(move.sale_id, [0, 0])
                out[0] += -move.qty
                out[1] += cost
            costed.append(CostedMove(move, -cost))
            continue
        if move.kind is MoveKind.RETURN:
            value = _returned_value(stock, issued, move)
        elif move.unit_cost is not None:
            value = receipt_value(move.qty, move.unit_cost)
        else:
            rate_value, rate_qty = stock.current_rate()
            value = round_div(move.qty * rate_value, rate_qty)
        costed.append(CostedMove(move, value, stock.put(move.qty, value)))
    return Valuation(method, tuple(costed), stock.closing())


def _returned_value(
    stock: _Stock, issued: dict[uuid.UUID, list[int]], move: ValuationMove
) -> Paise:
    """The original sale's cost of what comes back; the rest at the current cost."""
    value, rest = 0, move.qty
    out = issued.get(move.sale_id) if move.sale_id is not None else None
    if out is not None and out[0] > 0:
        matched = min(rest, out[0])
        part = round_div(out[1] * matched, out[0])
        out[0] -= matched
        out[1] -= part
        value += part
        rest -= matched
    if rest:
        rate_value, rate_qty = stock.current_rate()
        value += round_div(rest * rate_value, rate_qty)
    return value
