"""Goods sent back to the supplier against a purchase order, and the debit note to them.

One transaction per return, under the PO's lock: the kernel's fold checks the
``returned`` event first (no line gives back more than it received and has
not returned already: PURCHASE_OVER_RETURNED), then the goods are checked
(on hand at the PO's location, in the lot or serial they came in with on that
line: PURCHASE_RETURN_INVALID), and only then is anything written:

- ``supplier_return`` moves out of the PO's location at the PO line's unit cost,
  through the stock ledger (``hub.stock.services.return_to_supplier``); the
  stock posting run books them (Dr 2150 at the PO cost, Cr 1400 at the
  stock's cost, the difference to COGS: docs/VALUATION.md);
- the PO's ``returned`` event (received and outstanding do not change: a
  return is not a re-order);
- ``supplier_return`` and its lines, each line split into what no bill had
  covered yet (the next bill nets it: ``hub.purchasing.bills``) and what was
  billed: the **debit note** (``setledger.purchasing.post_supplier_debit_note``),
  posted here, Dr 2100 payables, Cr input tax, Cr 2150 at the PO cost, and the
  bill's price difference back out of COGS.

The return id is the client's: the same id with the same lines and reason
answers what was recorded; with other content, or on another PO,
PURCHASE_RETURN_ID_REUSED.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.accounts.unit import unit_of_work
from hub.clock import utcnow
from hub.db.bulk import one_of
from hub.db.models import (
    Product,
    PurchaseOrderEvent,
    StockLot,
    StockMove,
    SupplierReturn,
    SupplierReturnLine,
)
from hub.db.stock import StockLevel
from hub.ledger.journal import post
from hub.purchasing.bills import LineBilling, buyer_state, line_billing
from hub.purchasing.orders import PO_LOCK_SPACE, PoView, _append, _lock, read_po
from hub.stock import services as stock
from hub.stock.services import StockLine
from setledger import errors, fiscal
from setledger import purchasing as kernel
from setledger.purchasing import EventKind, PoEvent, ReceivedLine
from setledger.serials import ONE_UNIT
from setledger.stock import lot_key
from setledger.valuation import receipt_value


@dataclass(frozen=True)
class ReturnLine:
    line_no: int
    qty: int
    """Milli-units, positive."""
    lot_id: uuid.UUID | None = None
    serial_no: str | None = None
    """A serial-numbered unit: qty 1000, one line per unit (the PO's line repeated)."""


@dataclass(frozen=True)
class ReturnView:
    sent_back: SupplierReturn
    lines: list[SupplierReturnLine]
    po: PoView
    replayed: bool = False


def _invalid(reason: str) -> errors.SetLedgerError:
    return errors.PURCHASE_RETURN_INVALID.error(reason=reason)


def _lot_of(
    session: Session, org_id: uuid.UUID, product: Product, line: ReturnLine
) -> uuid.UUID | None:
    """The lot a line names: its ``lot_id``, or its serial's (never made here)."""
    if line.serial_no is None:
        if line.lot_id is not None:
            lot = session.get(StockLot, (org_id, line.lot_id))
            if lot is None or lot.product_id != product.product_id:
                raise _invalid(f"lot {line.lot_id} is not a lot of {product.sku}")
            if lot.serial and line.qty != ONE_UNIT:
                raise _invalid(f"serial {lot.batch_no!r} is one unit (qty 1000)")
        return line.lot_id
    if not product.serial_tracked:
        raise errors.SERIAL_NOT_TRACKED.error(
            name=product.name, sku=product.sku, product_id=str(product.product_id)
        )
    if line.qty != ONE_UNIT:
        raise _invalid(f"serial {line.serial_no!r} is one unit (qty 1000)")
    lot_id = session.scalar(
        select(StockLot.lot_id).where(
            StockLot.org_id == org_id,
            StockLot.product_id == product.product_id,
            StockLot.batch_no == line.serial_no,
            StockLot.serial.is_(True),
        )
    )
    if lot_id is None:
        raise _invalid(f"serial {line.serial_no!r} of {product.sku} never came in")
    if line.lot_id is not None and line.lot_id != lot_id:
        raise _invalid(f"lot {line.lot_id} is not serial {line.serial_no!r}")
    return lot_id


def _received_lots(session: Session, org_id: uuid.UUID, view: PoView) -> dict[int, set[uuid.UUID]]:
    """Per PO line, the lot keys its receipts brought in."""
    line_of = {m: n for r in view.receipts for n, _, m in r.lines}
    found: dict[int, set[uuid.UUID]] = defaultdict(set)
    if not line_of:
        return found
    rows = session.execute(
        select(StockMove.move_id, StockMove.lot_id).where(
            StockMove.org_id == org_id, one_of(session, StockMove.move_id, list(line_of))
        )
    )
    for move_id, lot_id in rows:
        found[line_of[move_id]].add(lot_key(lot_id))
    return found


def _on_hand(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID, product_id: uuid.UUID,
    key: uuid.UUID,
) -> int:  # fmt: skip
    held = session.scalar(
        select(StockLevel.qty).where(
            StockLevel.org_id == org_id,
            StockLevel.location_id == location_id,
            StockLevel.product_id == product_id,
            StockLevel.lot_key == key,
        )
    )
    return int(held or 0)


def _same(
    session: Session, org_id: uuid.UUID, view: PoView, found: SupplierReturn,
    lines: Sequence[ReturnLine], reason: str,
) -> bool:  # fmt: skip
    if found.po_id != view.po.po_id or found.reason != reason:
        return False
    rows = _lines(session, org_id, found.return_id)
    products = {x.line_no: x.product_id for x in view.lines}
    asked = []
    for x in lines:
        if x.line_no not in products:
            return False
        product = session.get(Product, (org_id, products[x.line_no]))
        assert product is not None  # a PO line's product (foreign key)
        asked.append((x.line_no, x.qty, _lot_of(session, org_id, product, x)))
    key = lambda t: (t[0], t[1], str(t[2]))  # noqa: E731
    return sorted(asked, key=key) == sorted(((r.line_no, r.qty, r.lot_id) for r in rows), key=key)


def _lines(session: Session, org_id: uuid.UUID, return_id: uuid.UUID) -> list[SupplierReturnLine]:
    return list(
        session.scalars(
            select(SupplierReturnLine)
            .where(SupplierReturnLine.org_id == org_id, SupplierReturnLine.return_id == return_id)
            .order_by(SupplierReturnLine.seq)
        )
    )


def return_goods(
    session: Session,
    org_id: uuid.UUID,
    po_id: uuid.UUID,
    return_id: uuid.UUID,
    lines: Sequence[ReturnLine],
    *,
    reason: str,
    actor: Actor,
    at: datetime | None = None,
) -> ReturnView:
    """Send goods of the PO back to its supplier (see the module's docstring)."""
    when = at or utcnow()
    with unit_of_work(session):
        _lock(session, PO_LOCK_SPACE, po_id)
        view = read_po(session, org_id, po_id)
        found = session.get(SupplierReturn, (org_id, return_id))
        if found is not None:
            if not _same(session, org_id, view, found, lines, reason):
                raise errors.PURCHASE_RETURN_ID_REUSED.error(return_id=str(return_id))
            return ReturnView(found, _lines(session, org_id, return_id), view, replayed=True)
        taken = session.scalar(
            select(PurchaseOrderEvent.event_id).where(
                PurchaseOrderEvent.org_id == org_id, PurchaseOrderEvent.receipt_id == return_id
            )
        )
        if taken is not None:  # a receipt's id
            raise errors.PURCHASE_RETURN_ID_REUSED.error(return_id=str(return_id))
        event = PoEvent(
            EventKind.RETURNED, tuple(ReceivedLine(x.line_no, x.qty) for x in lines), return_id,
            reason,
        )  # fmt: skip
        kernel.apply_event(view.po.number, view.state, event, tolerance_bp=view.po.tolerance_bp)
        by_no = {x.line_no: x for x in view.lines}
        received_lots = _received_lots(session, org_id, view)
        wanted: dict[tuple[uuid.UUID, uuid.UUID], int] = defaultdict(int)
        stock_lines: list[StockLine] = []
        serials: set[uuid.UUID] = set()
        for x in lines:
            po_line = by_no[x.line_no]
            product = session.get(Product, (org_id, po_line.product_id))
            assert product is not None  # a PO line's product (foreign key)
            lot_id = _lot_of(session, org_id, product, x)
            key = lot_key(lot_id)
            if key not in received_lots.get(x.line_no, set()):
                what = "without a lot" if lot_id is None else f"in lot {lot_id}"
                raise _invalid(f"line {x.line_no} of {view.po.number} received none {what}")
            if x.serial_no is not None:
                if key in serials:
                    raise _invalid(f"serial {x.serial_no!r} is named twice")
                serials.add(key)
            wanted[(po_line.product_id, key)] += x.qty
            stock_lines.append(StockLine(po_line.product_id, x.qty, lot_id, po_line.unit_cost))
        for (product_id, key), qty in wanted.items():
            held = _on_hand(session, org_id, view.po.location_id, product_id, key)
            if held < qty:
                raise _invalid(f"{qty} to send back, {held} on hand at the delivery location")
        billing = line_billing(session, org_id, view)
        splits: list[tuple[int, int]] = []
        for x in lines:
            line = billing[x.line_no]
            unbilled, billed = kernel.split_return(
                x.qty, view.state.received.get(x.line_no, 0), line.billed, line.pending
            )
            line.pending += unbilled  # the next line of this return sees it
            splits.append((unbilled, billed))
        moves = stock.return_to_supplier(
            session, org_id, view.po.location_id, stock_lines, actor=actor, reason=reason,
            reference=f"{view.po.number} ({po_id})", at=when, request_id=return_id,
        )  # fmt: skip
        state, store_id = buyer_state(session, org_id, view)
        note = [
            kernel.BilledMove(x.line_no, billed, by_no[x.line_no].unit_cost,
                              _cost(billing[x.line_no], by_no[x.line_no].unit_cost),
                              by_no[x.line_no].rate_bp)
            for x, (_, billed) in zip(lines, splits, strict=True)
            if billed
        ]  # fmt: skip
        totals = kernel.bill_totals(note, view.supplier.state_code, state)
        # The part billed clears 2150 by what the stock run debits it for the whole line
        # less what the next bill nets for the rest, so the two add up to the paisa.
        cleared = sum(
            receipt_value(x.qty, by_no[x.line_no].unit_cost)
            - receipt_value(unbilled, by_no[x.line_no].unit_cost)
            for x, (unbilled, billed) in zip(lines, splits, strict=True)
            if billed
        )
        totals = kernel.BillTotals(cleared, totals.taxable, totals.taxes)
        on = fiscal.business_date(when)
        sent_back = SupplierReturn(
            org_id=org_id, return_id=return_id, po_id=po_id, reason=reason,
            returned_value=sum(receipt_value(x.qty, by_no[x.line_no].unit_cost) for x in lines),
            billed_value=totals.received_value, taxable=totals.taxable, tax=totals.tax,
            payable=totals.payable, returned_on=on, created_at=when,
            created_by=actor.label,
        )  # fmt: skip
        session.add(sent_back)
        session.flush()
        rows = [
            SupplierReturnLine(
                org_id=org_id, return_id=return_id, seq=n, line_no=x.line_no, qty=x.qty,
                billed_qty=billed, lot_id=m.lot_id, move_id=m.move_id,
                billed_cost=_cost(billing[x.line_no], by_no[x.line_no].unit_cost),
            )
            for n, (x, (_, billed), m) in enumerate(zip(lines, splits, moves, strict=True), start=1)
        ]  # fmt: skip
        session.add_all(rows)
        session.flush()
        recorded: list[list[object]] = [
            [x.line_no, x.qty, str(m.move_id)] for x, m in zip(lines, moves, strict=True)
        ]
        _append(session, view, EventKind.RETURNED, actor=actor, at=when, receipt_id=return_id,
                lines=recorded, reason=reason)  # fmt: skip
        if note:
            draft = kernel.post_supplier_debit_note(
                return_id, on, totals, supplier=view.supplier.name, po_number=view.po.number,
                store_id=store_id,
            )  # fmt: skip
            post(session, org_id, [draft], at=when, roll_forward=True)
            audit.record(
                session, org_id, "purchasing.debit_note_recorded", at=when, actor=actor,
                target=str(po_id),
                details={"return_id": str(return_id), "number": view.po.number,
                         "payable": sent_back.payable, "tax": sent_back.tax,
                         "billed_value": sent_back.billed_value},
            )  # fmt: skip
        return ReturnView(sent_back, rows, read_po(session, org_id, po_id))


def _cost(line: LineBilling, po_cost: int) -> int:
    return po_cost if line.billed_cost is None else line.billed_cost
