"""Suppliers, purchase orders, supplier bills and min/max reorder rules (pure, no I/O).

A purchase order is its lines (what was ordered, at what cost and GST rate)
and an append-only list of events; its status and what is still to come
are the fold of those events, never a column that changes::

    draft ──sent──> sent ──received──> partially_received ──received──> received
      │               │                        │
      └─cancelled     ├─cancelled (nothing     └─closed (short-closed: the rest
                      │  received yet)                    will not come)
                      └─closed

Invariants:

- Quantities are integer milli-units (1 unit = 1000), costs integer paise
  per unit, GST rates basis points; nothing here is a float.
- Received per line never exceeds ordered plus the PO's tolerance (basis
  points of the ordered quantity, 0 by default): more is refused with a
  structured error and the history is unchanged. Outstanding is ordered
  minus received, never below zero.
- A receipt is keyed by its receipt id: the same id is the same receipt
  (the hub answers a retry with what it recorded).
- A return to the supplier (``returned``) never takes back more of a line
  than was received and not yet returned. It changes neither the status nor
  what is outstanding: returned goods are not on order again (a return is
  not a re-order; order them again if they are wanted). ``received`` stays
  what came in; ``returned`` is counted beside it, and billing nets it.
- A bill's entry balances by construction: Dr goods received not invoiced
  at the receipts' own value, Dr input tax, Dr (or Cr) COGS for the price
  difference, Cr trade payables for what the supplier is owed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from setledger import chart, errors
from setledger.gst import SupplyKind, check_rate, head_amounts
from setledger.gstin import is_valid_gstin, normalise, state_of
from setledger.money import MilliQty, Paise
from setledger.postings import EntryDraft, Posting, check_balanced
from setledger.states import is_state_code, state_tax_head
from setledger.valuation import receipt_value

BP = 10_000
MAX_QTY: MilliQty = 1_000_000_000
"""A million units: a bigger line is a typo."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,15}$")


# -- suppliers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Supplier:
    name: str
    state: str
    """GST state code of the supplier's place of business (their GSTIN's first two digits)."""
    gstin: str | None = None
    phone: str | None = None
    email: str | None = None


def check_supplier(supplier: Supplier, *, sandbox: bool = False) -> Supplier:
    """The supplier, normalised, or a structured error naming the bad field."""
    name = supplier.name.strip()
    if not name:
        raise errors.SUPPLIER_INVALID.error(field="name", value=supplier.name)
    if not is_state_code(supplier.state):
        raise errors.SUPPLIER_INVALID.error(field="state", value=supplier.state)
    gstin = None
    if supplier.gstin:
        gstin = normalise(supplier.gstin)
        if not is_valid_gstin(gstin, sandbox=sandbox):
            raise errors.SUPPLIER_INVALID.error(field="gstin", value=supplier.gstin)
        if state_of(gstin) != supplier.state:
            raise errors.SUPPLIER_INVALID.error(field="state", value=supplier.state)
    if supplier.phone and not _PHONE.match(supplier.phone):
        raise errors.SUPPLIER_INVALID.error(field="phone", value=supplier.phone)
    if supplier.email and not _EMAIL.match(supplier.email):
        raise errors.SUPPLIER_INVALID.error(field="email", value=supplier.email)
    return replace(supplier, name=name, gstin=gstin)


# -- purchase orders ---------------------------------------------------------------------------


class PoStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({PoStatus.DRAFT, PoStatus.SENT, PoStatus.PARTIALLY_RECEIVED})
"""Goods may still come: their outstanding quantities are on order."""


class EventKind(StrEnum):
    CREATED = "created"
    SENT = "sent"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    RETURNED = "returned"


@dataclass(frozen=True)
class PoLine:
    line_no: int
    product_id: uuid.UUID
    qty: MilliQty
    """Ordered, milli-units."""
    unit_cost: Paise
    """Paise per unit (1000 milli-units), before GST."""
    rate_bp: int
    """GST rate of the product, basis points."""

    @property
    def value(self) -> Paise:
        return receipt_value(self.qty, self.unit_cost)


@dataclass(frozen=True)
class ReceivedLine:
    line_no: int
    qty: MilliQty


@dataclass(frozen=True)
class PoEvent:
    kind: EventKind
    received: tuple[ReceivedLine, ...] = ()
    receipt_id: uuid.UUID | None = None
    """A receipt's id, or a return's (``returned``: its lines are in ``received``)."""
    reason: str | None = None


@dataclass(frozen=True)
class PoState:
    status: PoStatus
    ordered: Mapping[int, MilliQty]
    received: Mapping[int, MilliQty]
    """What came in, per line (returns do not lower it)."""
    receipts: tuple[uuid.UUID, ...] = ()
    closed_reason: str | None = None
    returned: Mapping[int, MilliQty] = field(default_factory=dict)
    """Sent back to the supplier, per line."""
    returns: tuple[uuid.UUID, ...] = ()

    def returnable(self, line_no: int) -> MilliQty:
        """What of a line may still go back: received and not returned."""
        return self.received.get(line_no, 0) - self.returned.get(line_no, 0)

    def outstanding(self, line_no: int) -> MilliQty:
        """Still to come on a line: none once the order is closed, cancelled or received."""
        if self.status not in OPEN_STATUSES:
            return 0
        return max(0, self.ordered[line_no] - self.received.get(line_no, 0))

    @property
    def total_outstanding(self) -> dict[int, MilliQty]:
        return {n: self.outstanding(n) for n in self.ordered}


def check_lines(lines: Sequence[PoLine]) -> None:
    """A PO's lines: at least one, numbered 1.., quantities positive, costs 0 or more."""
    if not lines:
        raise errors.PURCHASE_ORDER_INVALID.error(field="lines", rule="at least one line")
    for n, line in enumerate(lines, start=1):
        if line.line_no != n:
            raise errors.PURCHASE_ORDER_INVALID.error(field="line_no", rule=f"line {n} is {n}")
        if not 0 < line.qty <= MAX_QTY:
            raise errors.PURCHASE_ORDER_INVALID.error(
                field="qty", rule="more than 0 and at most a million units"
            )
        if line.unit_cost < 0:
            raise errors.PURCHASE_ORDER_INVALID.error(field="unit_cost", rule="0 or more")
        check_rate(line.rate_bp)


def check_tolerance(tolerance_bp: int) -> None:
    if not 0 <= tolerance_bp <= BP:
        raise errors.PURCHASE_ORDER_INVALID.error(
            field="tolerance_bp", rule="0 to 10000 (a share of the ordered quantity)"
        )


def allowed_qty(ordered: MilliQty, tolerance_bp: int) -> MilliQty:
    """The most a line may receive in all: ordered plus the tolerance, rounded down."""
    return ordered + ordered * tolerance_bp // BP


def initial_state(lines: Sequence[PoLine]) -> PoState:
    return PoState(PoStatus.DRAFT, {x.line_no: x.qty for x in lines}, {})


def apply_event(
    po_number: str, state: PoState, event: PoEvent, *, tolerance_bp: int = 0
) -> PoState:
    """The state after ``event``, or a structured error when the event may not happen."""
    status = state.status

    def refuse(action: str) -> errors.SetLedgerError:
        return _state_error(po_number, state, action)

    if event.kind is EventKind.CREATED:
        raise refuse("created again")
    if event.kind is EventKind.SENT:
        if status is not PoStatus.DRAFT:
            raise refuse("sent")
        return replace(state, status=PoStatus.SENT)
    if event.kind is EventKind.CANCELLED:
        if status not in (PoStatus.DRAFT, PoStatus.SENT) or any(state.received.values()):
            raise refuse("cancelled")
        return replace(state, status=PoStatus.CANCELLED, closed_reason=event.reason)
    if event.kind is EventKind.CLOSED:
        if status not in (PoStatus.SENT, PoStatus.PARTIALLY_RECEIVED):
            raise refuse("closed")
        return replace(state, status=PoStatus.CLOSED, closed_reason=event.reason)
    if event.kind is EventKind.RETURNED:
        return _return(po_number, state, event)
    return _receive(po_number, state, event, tolerance_bp)


def _state_error(po_number: str, state: PoState, action: str) -> errors.SetLedgerError:
    return errors.PURCHASE_ORDER_STATE.error(
        number=po_number, status=state.status.value, action=action
    )


def _receive(po_number: str, state: PoState, event: PoEvent, tolerance_bp: int) -> PoState:
    if state.status not in (PoStatus.SENT, PoStatus.PARTIALLY_RECEIVED):
        raise _state_error(po_number, state, "received")
    if event.receipt_id is None or event.receipt_id in state.receipts:
        raise errors.PURCHASE_RECEIPT_ID_REUSED.error(receipt_id=str(event.receipt_id))
    if not event.received:
        raise errors.PURCHASE_ORDER_INVALID.error(field="lines", rule="at least one line")
    received = dict(state.received)
    for line in event.received:
        if line.line_no not in state.ordered:
            raise errors.PURCHASE_ORDER_INVALID.error(
                field="line_no", rule=f"a line of {po_number} (1 to {len(state.ordered)})"
            )
        if line.qty <= 0:
            raise errors.PURCHASE_ORDER_INVALID.error(field="qty", rule="more than 0")
        received[line.line_no] = received.get(line.line_no, 0) + line.qty
        ordered = state.ordered[line.line_no]
        if received[line.line_no] > allowed_qty(ordered, tolerance_bp):
            raise errors.PURCHASE_OVER_RECEIVED.error(
                number=po_number,
                line_no=line.line_no,
                ordered=ordered,
                received=state.received.get(line.line_no, 0),
                qty=line.qty,
                tolerance_bp=tolerance_bp,
            )
    done = all(received.get(n, 0) >= qty for n, qty in state.ordered.items())
    return replace(
        state,
        status=PoStatus.RECEIVED if done else PoStatus.PARTIALLY_RECEIVED,
        received=received,
        receipts=(*state.receipts, event.receipt_id),
    )


def _return(po_number: str, state: PoState, event: PoEvent) -> PoState:
    if event.receipt_id is None or event.receipt_id in state.returns:
        raise errors.PURCHASE_RETURN_ID_REUSED.error(return_id=str(event.receipt_id))
    if not event.received:
        raise errors.PURCHASE_ORDER_INVALID.error(field="lines", rule="at least one line")
    returned = dict(state.returned)
    for line in event.received:
        if line.line_no not in state.ordered:
            raise errors.PURCHASE_ORDER_INVALID.error(
                field="line_no", rule=f"a line of {po_number} (1 to {len(state.ordered)})"
            )
        if line.qty <= 0:
            raise errors.PURCHASE_ORDER_INVALID.error(field="qty", rule="more than 0")
        returned[line.line_no] = returned.get(line.line_no, 0) + line.qty
        if returned[line.line_no] > state.received.get(line.line_no, 0):
            raise errors.PURCHASE_OVER_RETURNED.error(
                number=po_number,
                line_no=line.line_no,
                qty=line.qty,
                returnable=state.returnable(line.line_no),
                received=state.received.get(line.line_no, 0),
            )
    return replace(state, returned=returned, returns=(*state.returns, event.receipt_id))


def fold(
    po_number: str, lines: Sequence[PoLine], events: Iterable[PoEvent], *, tolerance_bp: int = 0
) -> PoState:
    """The state a PO's events (in order, the first ``created``) leave it in."""
    state = initial_state(lines)
    for event in events:
        if event.kind is EventKind.CREATED:
            continue
        state = apply_event(po_number, state, event, tolerance_bp=tolerance_bp)
    return state


def po_number(serial: int) -> str:
    """The org's n-th purchase order's number."""
    return f"PO-{serial:05d}"


# -- reorder rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReorderRule:
    """Reorder when on hand + on order + in transit falls to ``min_qty``; order up to ``max_qty``."""

    min_qty: MilliQty
    max_qty: MilliQty
    pack_qty: MilliQty | None = None
    """Order in whole packs of this many milli-units (a case of 24 is 24000)."""


def check_rule(rule: ReorderRule) -> ReorderRule:
    if rule.min_qty < 0 or rule.max_qty <= 0 or rule.min_qty > rule.max_qty:
        raise errors.REORDER_RULE_INVALID.error(
            min_qty=rule.min_qty, max_qty=rule.max_qty, rule="0 <= min <= max and max > 0"
        )
    if rule.max_qty > MAX_QTY or (rule.pack_qty is not None and not 0 < rule.pack_qty <= MAX_QTY):
        raise errors.REORDER_RULE_INVALID.error(
            min_qty=rule.min_qty, max_qty=rule.max_qty, rule="pack more than 0, max <= 1e6 units"
        )
    return rule


def suggested_qty(
    rule: ReorderRule, on_hand: MilliQty, on_order: MilliQty, in_transit: MilliQty
) -> MilliQty:
    """What to order: up to max when the stock position is at or below min, in whole packs
    (rounded up, so a pack may take the position above max); 0 otherwise."""
    position = on_hand + on_order + in_transit
    if position > rule.min_qty:
        return 0
    want = rule.max_qty - position
    if want <= 0:
        return 0
    if rule.pack_qty:
        want = -(-want // rule.pack_qty) * rule.pack_qty
    return want


def urgent_suggested_qty(
    asked: MilliQty, on_order: MilliQty, in_transit: MilliQty, pack_qty: MilliQty | None = None
) -> MilliQty:
    """What the counters' open urgent reorders still want: what they asked for less what
    is already on order or on its way (on-hand is what made them ask), in whole packs."""
    want = asked - on_order - in_transit
    if want <= 0:
        return 0
    if pack_qty:
        want = -(-want // pack_qty) * pack_qty
    return want


# -- supplier bills ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BilledMove:
    """One receipt move as billed: its quantity, the cost it came in at and the bill's."""

    line_no: int
    qty: MilliQty
    received_cost: Paise
    billed_cost: Paise
    rate_bp: int

    @property
    def received_value(self) -> Paise:
        return receipt_value(self.qty, self.received_cost)

    @property
    def taxable(self) -> Paise:
        return receipt_value(self.qty, self.billed_cost)


@dataclass(frozen=True)
class BillTotals:
    received_value: Paise
    """What the goods came into stock at (the 2150 credit the bill clears)."""
    taxable: Paise
    taxes: dict[str, Paise] = field(default_factory=dict)
    """Input tax per account (CGST, SGST or UTGST, IGST)."""
    round_off: Paise = 0
    """What the supplier rounded the bill's total by (to the rupee, usually)."""

    @property
    def tax(self) -> Paise:
        return sum(self.taxes.values())

    @property
    def difference(self) -> Paise:
        """Billed minus received cost: more (positive) or less COGS."""
        return self.taxable - self.received_value

    @property
    def payable(self) -> Paise:
        return self.taxable + self.tax + self.round_off


MAX_ROUND_OFF = 99
"""A bill's round-off is under a rupee either way (paise)."""


def check_round_off(round_off: Paise) -> None:
    if not -MAX_ROUND_OFF <= round_off <= MAX_ROUND_OFF:
        raise errors.SUPPLIER_BILL_INVALID.error(
            reason=f"a round-off is -{MAX_ROUND_OFF} to {MAX_ROUND_OFF} paise, not {round_off}"
        )


def bill_totals(moves: Sequence[BilledMove], supplier_state: str, buyer_state: str) -> BillTotals:
    """Totals of a bill; GST per rate on the taxable value, intra-state when the supplier
    is in the state the goods were delivered to (CGST + SGST/UTGST), IGST otherwise."""
    kind = SupplyKind.INTRA if supplier_state == buyer_state else SupplyKind.INTER
    state_head = chart.INPUT_UTGST if state_tax_head(buyer_state) == "UTGST" else chart.INPUT_SGST
    by_rate: dict[int, Paise] = {}
    for move in moves:
        check_rate(move.rate_bp)
        if move.billed_cost < 0:
            raise errors.PURCHASE_ORDER_INVALID.error(field="unit_cost", rule="0 or more")
        by_rate[move.rate_bp] = by_rate.get(move.rate_bp, 0) + move.taxable
    taxes: dict[str, Paise] = {}
    for rate_bp, taxable in sorted(by_rate.items()):
        cgst, sgst, igst = head_amounts(taxable, rate_bp, kind)
        for account, amount in ((chart.INPUT_CGST, cgst), (state_head, sgst),
                                (chart.INPUT_IGST, igst)):  # fmt: skip
            if amount:
                taxes[account] = taxes.get(account, 0) + amount
    return BillTotals(
        received_value=sum(m.received_value for m in moves),
        taxable=sum(by_rate.values()),
        taxes=taxes,
    )


def post_supplier_bill(
    bill_id: uuid.UUID,
    on: date,
    totals: BillTotals,
    *,
    bill_no: str,
    supplier: str,
    po_number: str,
    store_id: uuid.UUID | None = None,
) -> EntryDraft:
    """Dr 2150 (the receipts' value), Dr input tax, Dr/Cr COGS (price difference),
    Dr/Cr 4950 round off (the supplier's rounding), Cr 2100 payables (what the
    supplier is owed)."""
    amounts = [
        (chart.GOODS_RECEIVED_NOT_INVOICED, totals.received_value),
        *sorted(totals.taxes.items()),
        (chart.COGS, totals.difference),
        (chart.ROUND_OFF, totals.round_off),
        (chart.PAYABLES, -totals.payable),
    ]
    merged: dict[str, Paise] = {}
    for account, amount in amounts:
        merged[account] = merged.get(account, 0) + amount
    draft = EntryDraft(
        source_type="supplier_bill",
        source_id=bill_id,
        entry_date=on,
        narration=f"Supplier bill {bill_no} of {supplier} against {po_number}",
        postings=tuple(Posting(a, v, store_id) for a, v in merged.items() if v != 0),
        store_id=store_id,
    )
    return check_balanced(draft)


# -- returns to the supplier -------------------------------------------------------------------


def split_return(
    qty: MilliQty, received: MilliQty, billed: MilliQty, pending: MilliQty
) -> tuple[MilliQty, MilliQty]:
    """(not billed, billed) parts of ``qty`` of a line going back to the supplier.

    ``received`` and ``billed`` are the line's gross quantities (receipts, and the
    receipts' rows on bills); ``pending`` what went back before a bill and no bill
    has netted yet. Goods not billed go back first: they need no debit note, the
    next bill is for less. The rest was billed: the supplier owes it back."""
    unbilled = min(qty, max(0, received - billed - pending))
    return unbilled, qty - unbilled


def post_supplier_debit_note(
    return_id: uuid.UUID,
    on: date,
    totals: BillTotals,
    *,
    supplier: str,
    po_number: str,
    store_id: uuid.UUID | None = None,
) -> EntryDraft:
    """A return of billed goods, the bill's entry the other way: Dr 2100 payables (what
    the supplier owes back, GST included), Cr input tax as the bill split it, Cr 2150
    goods received not invoiced at the PO's cost (the stock posting run debits it for
    the goods going out), and the billed-minus-PO cost difference back out of COGS."""
    bill = post_supplier_bill(return_id, on, totals, bill_no="-", supplier=supplier,
                              po_number=po_number, store_id=store_id)  # fmt: skip
    draft = EntryDraft(
        source_type="purchase_return",
        source_id=return_id,
        entry_date=on,
        narration=f"Debit note to {supplier}: goods returned against {po_number}",
        postings=tuple(Posting(p.account, -p.amount, p.store_id) for p in bill.postings),
        store_id=store_id,
    )
    return check_balanced(draft)
