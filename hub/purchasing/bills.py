"""Supplier bills against a PO's receipts, posted to the books in the same transaction.

Each receipt line is billed once (``supplier_bill_line`` is keyed by receipt and
line). Goods sent back to the supplier before any bill covered them
(``hub.purchasing.returns``) are netted by the next bill that bills enough of
their line: a negative ``supplier_bill_line`` keyed by the return id. The entry (``setledger.purchasing.post_supplier_bill``): Dr 2150 goods
received not invoiced at the receipts' own value (what the valuation run credits
2150 with for those receipt moves), Dr input tax, Dr/Cr COGS for the difference
between the billed and the received cost, Dr/Cr 4950 the supplier's round-off,
Cr 2100 trade payables.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.accounts.unit import unit_of_work
from hub.clock import utcnow
from hub.db.bulk import one_of
from hub.db.models import Org, Store, SupplierBill, SupplierBillLine, SupplierReturnLine
from hub.ledger.journal import post
from hub.purchasing.orders import PO_LOCK_SPACE, PoView, _lock, read_po
from hub.stock.services import get_location
from setledger import errors
from setledger import purchasing as kernel


@dataclass(frozen=True)
class BillView:
    bill: SupplierBill
    totals: kernel.BillTotals
    receipts: list[uuid.UUID]
    replayed: bool = False


def _invalid(reason: str) -> errors.SetLedgerError:
    return errors.SUPPLIER_BILL_INVALID.error(reason=reason)


def buyer_state(session: Session, org_id: uuid.UUID, view: PoView) -> tuple[str, uuid.UUID | None]:
    """The state the goods were delivered to (the store's; a warehouse is in the org's)."""
    location = get_location(session, org_id, view.po.location_id)
    if location.store_id is not None:
        store = session.get(Store, (org_id, location.store_id))
        if store is not None:
            return store.state_code, store.store_id
    org = session.get(Org, org_id)
    assert org is not None
    return org.state_code, None


@dataclass
class LineBilling:
    """One PO line as billing sees it (see ``kernel.split_return``)."""

    billed: int = 0
    pending: int = 0
    billed_cost: int | None = None
    """The cost per unit of the line's last bill."""


def line_billing(session: Session, org_id: uuid.UUID, view: PoView) -> dict[int, LineBilling]:
    """Per PO line: what bills covered of its receipts (gross), what went back to the
    supplier before a bill covered it and no bill has netted yet, the last bill's cost."""
    receipts = {r.receipt_id for r in view.receipts}
    returns = [r.return_id for r in view.returns]
    lines: dict[int, LineBilling] = defaultdict(LineBilling)
    order = {b.bill_id: n for n, b in enumerate(view.bills)}
    rows: list[SupplierBillLine] = []
    if order:
        rows = list(
            session.scalars(
                select(SupplierBillLine).where(
                    SupplierBillLine.org_id == org_id,
                    one_of(session, SupplierBillLine.bill_id, list(order)),
                )
            )
        )
    latest: dict[int, int] = {}
    for row in rows:
        line = lines[row.line_no]
        if row.receipt_id in receipts:
            line.billed += row.qty
            if order[row.bill_id] >= latest.get(row.line_no, -1):
                latest[row.line_no] = order[row.bill_id]
                line.billed_cost = row.billed_cost
        else:  # a return netted by a bill
            line.pending += row.qty  # negative
    if returns:
        for sent in session.scalars(
            select(SupplierReturnLine).where(
                SupplierReturnLine.org_id == org_id,
                one_of(session, SupplierReturnLine.return_id, returns),
            )
        ):
            lines[sent.line_no].pending += sent.qty - sent.billed_qty
    return lines


def pending_returns(
    session: Session, org_id: uuid.UUID, view: PoView
) -> list[tuple[uuid.UUID, int, list[int]]]:
    """Returns no bill has netted yet: (return id, PO line, each row's part no bill had
    covered), oldest first. A bill nets a return's line whole: its ``supplier_bill_line``
    is keyed by the return id and the line."""
    returns = [r.return_id for r in view.returns]
    if not returns:
        return []
    netted = {
        (receipt_id, line_no)
        for receipt_id, line_no in session.execute(
            select(SupplierBillLine.receipt_id, SupplierBillLine.line_no).where(
                SupplierBillLine.org_id == org_id,
                one_of(session, SupplierBillLine.receipt_id, returns),
            )
        )
    }
    grouped: dict[tuple[uuid.UUID, int], list[int]] = defaultdict(list)
    for row in session.scalars(
        select(SupplierReturnLine)
        .where(
            SupplierReturnLine.org_id == org_id,
            one_of(session, SupplierReturnLine.return_id, returns),
        )
        .order_by(SupplierReturnLine.return_id, SupplierReturnLine.seq)
    ):
        unbilled = row.qty - row.billed_qty
        if unbilled and (row.return_id, row.line_no) not in netted:
            grouped[(row.return_id, row.line_no)].append(unbilled)
    order = {r: n for n, r in enumerate(returns)}
    return sorted(
        ((return_id, line_no, parts) for (return_id, line_no), parts in grouped.items()),
        key=lambda t: (order[t[0]], t[1]),
    )


def _net_returns(
    session: Session, org_id: uuid.UUID, view: PoView, moves: list[kernel.BilledMove],
    costs: dict[int, int],
) -> dict[tuple[uuid.UUID, int], int]:  # fmt: skip
    """Net the goods sent back before any bill covered them: each return's line whole,
    oldest first, while it fits under what this bill bills of the line; appended to
    ``moves`` as negative moves, one per return line (their values are what the stock
    run debited 2150 with). Refused when what would stay pending could not be netted
    by the receipts left to bill."""
    billing = line_billing(session, org_id, view)
    room: dict[int, int] = defaultdict(int)
    for move in moves:
        room[move.line_no] += move.qty
    billed_now = dict(room)
    by_no = {line.line_no: line for line in view.lines}
    netted: dict[tuple[uuid.UUID, int], int] = {}
    for return_id, n, parts in pending_returns(session, org_id, view):
        if sum(parts) > room[n]:
            continue
        room[n] -= sum(parts)
        billing[n].pending -= sum(parts)
        netted[(return_id, n)] = -sum(parts)
        moves.extend(
            kernel.BilledMove(n, -qty, by_no[n].unit_cost, costs.get(n, by_no[n].unit_cost),
                              by_no[n].rate_bp)
            for qty in parts
        )  # fmt: skip
    for n, line in billing.items():
        left = view.state.received.get(n, 0) - line.billed - billed_now.get(n, 0)
        if line.pending > left:
            raise _invalid(
                f"{line.pending} of line {n} went back to the supplier before billing, more "
                f"than the {left} other receipts leave to bill: bill those receipts together"
            )
    return netted


def record_bill(
    session: Session,
    org_id: uuid.UUID,
    po_id: uuid.UUID,
    *,
    bill_id: uuid.UUID,
    bill_no: str,
    bill_date: date,
    actor: Actor,
    receipt_ids: list[uuid.UUID] | None = None,
    unit_costs: dict[int, int] | None = None,
    round_off: int = 0,
) -> BillView:
    """Bill the given receipts (all the PO's unbilled ones without ``receipt_ids``) at the
    PO's costs or the bill's own per line (``unit_costs`` by line number), with the
    supplier's ``round_off`` of the total (paise); posts the entry. A ``bill_id``
    already recorded for this PO returns that bill."""
    costs = unit_costs or {}
    kernel.check_round_off(round_off)
    with unit_of_work(session):
        _lock(session, PO_LOCK_SPACE, po_id)
        view = read_po(session, org_id, po_id)
        existing = session.get(SupplierBill, (org_id, bill_id))
        if existing is not None:
            if (existing.po_id, existing.bill_no, existing.round_off) != (
                po_id,
                bill_no,
                round_off,
            ):
                raise _invalid(f"bill id {bill_id} is already another bill")
            return _read(session, org_id, view, existing, replayed=True)
        receipts = {r.receipt_id: r for r in view.receipts}
        billed = set(
            session.scalars(
                select(SupplierBillLine.receipt_id).where(
                    SupplierBillLine.org_id == org_id,
                    one_of(session, SupplierBillLine.receipt_id, list(receipts) or [po_id]),
                )
            )
        )
        chosen = (
            receipt_ids if receipt_ids is not None else [r for r in receipts if r not in billed]
        )
        if not chosen:
            raise _invalid(f"{view.po.number} has no receipt left to bill")
        for receipt_id in chosen:
            if receipt_id not in receipts:
                raise _invalid(f"receipt {receipt_id} is not a receipt of {view.po.number}")
            if receipt_id in billed:
                raise _invalid(f"receipt {receipt_id} is already billed")
        if len(set(chosen)) != len(chosen):
            raise _invalid("a receipt is named twice")
        by_no = {line.line_no: line for line in view.lines}
        unknown = set(costs) - set(by_no)
        if unknown:
            raise _invalid(f"{view.po.number} has no line {min(unknown)}")
        taken = session.scalar(
            select(SupplierBill.bill_id).where(
                SupplierBill.org_id == org_id,
                SupplierBill.supplier_id == view.po.supplier_id,
                SupplierBill.bill_no == bill_no,
            )
        )
        if taken is not None:
            raise _invalid(f"bill number {bill_no!r} of this supplier is already recorded")
        moves = [
            kernel.BilledMove(n, qty, by_no[n].unit_cost, costs.get(n, by_no[n].unit_cost),
                              by_no[n].rate_bp)
            for receipt_id in chosen
            for n, qty, _ in receipts[receipt_id].lines
        ]  # fmt: skip
        netted = _net_returns(session, org_id, view, moves, costs)
        state, store_id = buyer_state(session, org_id, view)
        totals = kernel.bill_totals(moves, view.supplier.state_code, state)
        if not (totals.received_value or totals.payable):
            raise _invalid("what it covers went back to the supplier before it was billed")
        totals = replace(totals, round_off=round_off)
        now = utcnow()
        bill = SupplierBill(
            org_id=org_id, bill_id=bill_id, po_id=po_id, supplier_id=view.po.supplier_id,
            bill_no=bill_no, bill_date=bill_date, received_value=totals.received_value,
            taxable=totals.taxable, tax=totals.tax, payable=totals.payable, round_off=round_off,
            created_at=now, created_by=actor.label,
        )  # fmt: skip
        session.add(bill)
        session.flush()
        per_line: dict[tuple[uuid.UUID, int], int] = defaultdict(int)
        for receipt_id in chosen:
            for n, qty, _ in receipts[receipt_id].lines:
                per_line[(receipt_id, n)] += qty
        session.add_all(
            SupplierBillLine(org_id=org_id, receipt_id=receipt_id, line_no=n, bill_id=bill_id,
                             qty=qty, received_cost=by_no[n].unit_cost,
                             billed_cost=costs.get(n, by_no[n].unit_cost))
            for (receipt_id, n), qty in [*per_line.items(), *netted.items()]
        )  # fmt: skip
        session.flush()
        draft = kernel.post_supplier_bill(
            bill_id, bill_date, totals, bill_no=bill_no, supplier=view.supplier.name,
            po_number=view.po.number, store_id=store_id,
        )  # fmt: skip
        post(session, org_id, [draft], at=now, roll_forward=True)
        audit.record(
            session, org_id, "purchasing.bill_recorded", at=now, actor=actor, target=str(po_id),
            details={"bill_id": str(bill_id), "bill_no": bill_no, "number": view.po.number,
                     "receipts": [str(r) for r in chosen], "payable": totals.payable,
                     "difference": totals.difference, "round_off": round_off},
        )  # fmt: skip
        return BillView(bill, totals, list(chosen))


def _read(
    session: Session, org_id: uuid.UUID, view: PoView, bill: SupplierBill, *, replayed: bool
) -> BillView:
    rows = list(
        session.scalars(
            select(SupplierBillLine).where(
                SupplierBillLine.org_id == org_id, SupplierBillLine.bill_id == bill.bill_id
            )
        )
    )
    rates = {line.line_no: line.rate_bp for line in view.lines}
    moves = [kernel.BilledMove(r.line_no, r.qty, r.received_cost, r.billed_cost, rates[r.line_no])
             for r in rows]  # fmt: skip
    state, _ = buyer_state(session, org_id, view)
    totals = kernel.bill_totals(moves, view.supplier.state_code, state)
    # The stored figures are what was posted; per-line sums can differ by a paisa
    # from the per-move values the entry used, so the stored ones are reported.
    totals = kernel.BillTotals(bill.received_value, bill.taxable, totals.taxes, bill.round_off)
    receipts = sorted({r.receipt_id for r in rows}, key=str)
    return BillView(bill, totals, receipts, replayed)
