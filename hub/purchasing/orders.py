"""Purchase orders: create, send, receive (in parts), close, cancel; read and list.

A PO's rows are written once; each step is a ``purchase_order_event`` (its
``serial`` unique per PO) checked by the kernel's fold before anything is
written, so a refused step changes nothing. One writer per PO at a time (an
advisory lock on PostgreSQL; SQLite's writers are serial already), and one
numberer per org, so numbers run PO-00001, PO-00002, ... without gaps.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.accounts.unit import unit_of_work
from hub.clock import utcnow
from hub.db.bulk import one_of
from hub.db.models import (
    Product,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Supplier,
    SupplierBill,
    SupplierReturn,
)
from hub.purchasing.suppliers import get_supplier
from hub.stock import serials
from hub.stock import services as stock
from hub.stock.services import StockLine
from setledger import errors
from setledger import purchasing as kernel
from setledger.ids import new_id
from setledger.purchasing import EventKind, PoEvent, PoLine, PoState, ReceivedLine

PO_LOCK_SPACE = 0x5E90
"""Advisory lock space of one PO's steps (transfers use 0x5E7F, reservations 0x5E5E)."""
NUMBER_LOCK_SPACE = 0x5E91
"""Advisory lock space of an org's PO numbering."""


@dataclass(frozen=True)
class NewLine:
    product_id: uuid.UUID
    qty: int
    unit_cost: int
    rate_bp: int | None = None
    """The product's GST rate when left out."""


@dataclass(frozen=True)
class ReceiveLine:
    line_no: int
    qty: int
    lot_id: uuid.UUID | None = None
    bin_id: uuid.UUID | None = None
    serial_no: str | None = None
    """The unit's serial number (a serial-tracked product: one unit, 1000, per line;
    the PO's line may be received in several such lines)."""


@dataclass(frozen=True)
class Receipt:
    receipt_id: uuid.UUID
    at: datetime
    by: str
    lines: list[tuple[int, int, uuid.UUID]]
    """(line_no, qty, move_id) per line received."""


@dataclass
class PoView:
    po: PurchaseOrder
    supplier: Supplier
    lines: list[PoLine]
    events: list[PurchaseOrderEvent]
    state: PoState
    bills: list[SupplierBill] = field(default_factory=list)
    returns: list[SupplierReturn] = field(default_factory=list)
    """Goods sent back to the supplier (``hub.purchasing.returns``), oldest first."""

    @property
    def receipts(self) -> list[Receipt]:
        return [
            Receipt(
                e.receipt_id,
                e.at,
                e.actor,
                [(int(n), int(q), uuid.UUID(m)) for n, q, m in e.lines or []],
            )
            for e in self.events
            if e.kind == EventKind.RECEIVED and e.receipt_id is not None
        ]


def _kernel_event(row: PurchaseOrderEvent) -> PoEvent:
    return PoEvent(
        EventKind(row.kind),
        tuple(ReceivedLine(int(n), int(q)) for n, q, _ in row.lines or []),
        row.receipt_id,
        row.reason,
    )


def _lock(session: Session, space: int, key_of: uuid.UUID) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(key_of.bytes[-4:], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": space, "key": key}
    )


def _views(session: Session, org_id: uuid.UUID, pos: Sequence[PurchaseOrder]) -> list[PoView]:
    if not pos:
        return []
    ids = [po.po_id for po in pos]
    lines: dict[uuid.UUID, list[PoLine]] = defaultdict(list)
    for row in session.scalars(
        select(PurchaseOrderLine)
        .where(PurchaseOrderLine.org_id == org_id, one_of(session, PurchaseOrderLine.po_id, ids))
        .order_by(PurchaseOrderLine.po_id, PurchaseOrderLine.line_no)
    ):
        lines[row.po_id].append(
            PoLine(row.line_no, row.product_id, row.qty, row.unit_cost, row.rate_bp)
        )
    events: dict[uuid.UUID, list[PurchaseOrderEvent]] = defaultdict(list)
    for event in session.scalars(
        select(PurchaseOrderEvent)
        .where(PurchaseOrderEvent.org_id == org_id, one_of(session, PurchaseOrderEvent.po_id, ids))
        .order_by(PurchaseOrderEvent.po_id, PurchaseOrderEvent.serial)
    ):
        events[event.po_id].append(event)
    bills: dict[uuid.UUID, list[SupplierBill]] = defaultdict(list)
    for bill in session.scalars(
        select(SupplierBill)
        .where(SupplierBill.org_id == org_id, one_of(session, SupplierBill.po_id, ids))
        .order_by(SupplierBill.created_at, SupplierBill.bill_id)
    ):
        bills[bill.po_id].append(bill)
    returns: dict[uuid.UUID, list[SupplierReturn]] = defaultdict(list)
    for sent_back in session.scalars(
        select(SupplierReturn)
        .where(SupplierReturn.org_id == org_id, one_of(session, SupplierReturn.po_id, ids))
        .order_by(SupplierReturn.created_at, SupplierReturn.return_id)
    ):
        returns[sent_back.po_id].append(sent_back)
    suppliers = {
        s.supplier_id: s
        for s in session.scalars(
            select(Supplier).where(
                Supplier.org_id == org_id,
                one_of(session, Supplier.supplier_id, {po.supplier_id for po in pos}),
            )
        )
    }
    views = []
    for po in pos:
        state = kernel.fold(po.number, lines[po.po_id], [_kernel_event(e) for e in events[po.po_id]],
                            tolerance_bp=po.tolerance_bp)  # fmt: skip
        views.append(PoView(po, suppliers[po.supplier_id], lines[po.po_id], events[po.po_id],
                            state, bills[po.po_id], returns[po.po_id]))  # fmt: skip
    return views


def read_po(session: Session, org_id: uuid.UUID, po_id: uuid.UUID) -> PoView:
    with unit_of_work(session):
        po = session.get(PurchaseOrder, (org_id, po_id))
        if po is None:
            raise errors.PURCHASE_ORDER_NOT_FOUND.error(po_id=str(po_id))
        return _views(session, org_id, [po])[0]


def list_pos(
    session: Session,
    org_id: uuid.UUID,
    *,
    statuses: set[kernel.PoStatus] | None = None,
    supplier_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
) -> list[PoView]:
    """Newest first."""
    with unit_of_work(session):
        query = select(PurchaseOrder).where(PurchaseOrder.org_id == org_id)
        if supplier_id is not None:
            query = query.where(PurchaseOrder.supplier_id == supplier_id)
        if location_id is not None:
            query = query.where(PurchaseOrder.location_id == location_id)
        pos = list(session.scalars(query.order_by(PurchaseOrder.number.desc())))
        views = _views(session, org_id, pos)
        return [v for v in views if statuses is None or v.state.status in statuses]


def _append(
    session: Session,
    view: PoView,
    kind: EventKind,
    *,
    actor: Actor,
    at: datetime,
    receipt_id: uuid.UUID | None = None,
    lines: list[list[object]] | None = None,
    reason: str | None = None,
) -> None:
    po = view.po
    session.add(
        PurchaseOrderEvent(
            org_id=po.org_id, event_id=new_id(), po_id=po.po_id, serial=len(view.events) + 1,
            kind=kind.value, receipt_id=receipt_id, lines=lines, reason=reason,
            actor_id=actor.actor_id, actor=actor.label, at=at,
        )
    )  # fmt: skip
    session.flush()
    details: dict[str, object] = {"number": po.number, "reason": reason}
    if receipt_id is not None:
        details |= {"receipt_id": str(receipt_id), "lines": lines}
    audit.record(session, po.org_id, f"purchasing.po_{kind.value}", at=at, actor=actor,
                 target=str(po.po_id), details=details)  # fmt: skip


def create_po(
    session: Session,
    org_id: uuid.UUID,
    *,
    supplier_id: uuid.UUID,
    location_id: uuid.UUID,
    lines: Sequence[NewLine],
    actor: Actor,
    note: str | None = None,
    tolerance_bp: int = 0,
    po_id: uuid.UUID | None = None,
) -> PoView:
    """A draft PO numbered in the org's sequence. A ``po_id`` already used returns that
    PO unchanged, so a retried request makes one."""
    with unit_of_work(session):
        if po_id is not None and session.get(PurchaseOrder, (org_id, po_id)) is not None:
            return read_po(session, org_id, po_id)
        supplier = get_supplier(session, org_id, supplier_id)
        if not supplier.active:
            raise errors.PURCHASE_ORDER_INVALID.error(
                field="supplier_id", rule="an active supplier"
            )
        location = stock.get_location(session, org_id, location_id)
        if location.kind == "transit":
            raise errors.STOCK_LOCATION_KIND_INVALID.error(
                action="take deliveries", location_id=str(location_id), kind=location.kind
            )
        kernel.check_tolerance(tolerance_bp)
        products = {}
        for line in lines:
            product = session.get(Product, (org_id, line.product_id))
            if product is None:
                raise errors.CATALOG_PRODUCT_NOT_FOUND.error(product_id=str(line.product_id))
            products[line.product_id] = product
        po_lines = [
            PoLine(n, x.product_id, x.qty, x.unit_cost,
                   products[x.product_id].gst_rate_bp if x.rate_bp is None else x.rate_bp)
            for n, x in enumerate(lines, start=1)
        ]  # fmt: skip
        kernel.check_lines(po_lines)
        _lock(session, NUMBER_LOCK_SPACE, org_id)
        serial = session.scalar(
            select(func.count()).select_from(PurchaseOrder).where(PurchaseOrder.org_id == org_id)
        )
        now = utcnow()
        po = PurchaseOrder(
            org_id=org_id, po_id=po_id or new_id(), number=kernel.po_number(int(serial or 0) + 1),
            supplier_id=supplier_id, location_id=location_id, tolerance_bp=tolerance_bp,
            note=note, created_at=now, created_by=actor.label,
        )  # fmt: skip
        session.add(po)
        session.flush()
        session.add_all(
            PurchaseOrderLine(org_id=org_id, po_id=po.po_id, line_no=x.line_no, product_id=x.product_id,
                              qty=x.qty, unit_cost=x.unit_cost, rate_bp=x.rate_bp)
            for x in po_lines
        )  # fmt: skip
        session.flush()
        view = PoView(po, supplier, po_lines, [], kernel.initial_state(po_lines))
        _append(session, view, EventKind.CREATED, actor=actor, at=now, reason=note)
        return read_po(session, org_id, po.po_id)


def _step(
    session: Session,
    org_id: uuid.UUID,
    po_id: uuid.UUID,
    kind: EventKind,
    *,
    actor: Actor,
    reason: str | None = None,
) -> PoView:
    with unit_of_work(session):
        _lock(session, PO_LOCK_SPACE, po_id)
        view = read_po(session, org_id, po_id)
        kernel.apply_event(view.po.number, view.state, PoEvent(kind, reason=reason),
                           tolerance_bp=view.po.tolerance_bp)  # fmt: skip
        _append(session, view, kind, actor=actor, at=utcnow(), reason=reason)
        return read_po(session, org_id, po_id)


def send_po(session: Session, org_id: uuid.UUID, po_id: uuid.UUID, *, actor: Actor) -> PoView:
    """A draft becomes sent; an order already sent (or received from) stays as it is, so
    sending again only prints it again. Closed and cancelled orders are refused."""
    with unit_of_work(session):
        view = read_po(session, org_id, po_id)
        if view.state.status in (kernel.PoStatus.SENT, kernel.PoStatus.PARTIALLY_RECEIVED,
                                 kernel.PoStatus.RECEIVED):  # fmt: skip
            return view
        return _step(session, org_id, po_id, EventKind.SENT, actor=actor)


def close_po(
    session: Session, org_id: uuid.UUID, po_id: uuid.UUID, *, actor: Actor, reason: str
) -> PoView:
    """Short-close: what is outstanding will not come (it leaves the stock on order)."""
    return _step(session, org_id, po_id, EventKind.CLOSED, actor=actor, reason=reason)


def cancel_po(
    session: Session, org_id: uuid.UUID, po_id: uuid.UUID, *, actor: Actor, reason: str | None
) -> PoView:
    """Only an order that received nothing."""
    return _step(session, org_id, po_id, EventKind.CANCELLED, actor=actor, reason=reason)


def receive_po(
    session: Session,
    org_id: uuid.UUID,
    po_id: uuid.UUID,
    receipt_id: uuid.UUID,
    lines: Sequence[ReceiveLine],
    *,
    actor: Actor,
    at: datetime | None = None,
) -> PoView:
    """Goods in against the PO: ``receipt`` moves at the delivery location at the PO's
    unit cost (through the stock ledger's receipt service), and a ``received`` event.

    The receipt id is the client's: the same id with the same lines returns the PO as
    it is (received once); with other lines, or on another PO, it is refused.
    """
    when = at or utcnow()
    with unit_of_work(session):
        _lock(session, PO_LOCK_SPACE, po_id)
        view = read_po(session, org_id, po_id)
        known = session.scalar(
            select(PurchaseOrderEvent).where(
                PurchaseOrderEvent.org_id == org_id, PurchaseOrderEvent.receipt_id == receipt_id
            )
        )
        if known is not None:
            # A return's id (``returned`` events keep it in the same column) is not a receipt's.
            same = (
                known.po_id == po_id
                and known.kind == EventKind.RECEIVED
                and sorted((int(n), int(q)) for n, q, _ in known.lines or [])
                == sorted((x.line_no, x.qty) for x in lines)
            )
            if not same:
                raise errors.PURCHASE_RECEIPT_ID_REUSED.error(receipt_id=str(receipt_id))
            return view
        event = PoEvent(
            EventKind.RECEIVED, tuple(ReceivedLine(x.line_no, x.qty) for x in lines), receipt_id
        )
        kernel.apply_event(view.po.number, view.state, event, tolerance_bp=view.po.tolerance_bp)
        by_no = {line.line_no: line for line in view.lines}
        stock_lines = serials.receipt_lines(
            session,
            org_id,
            [
                (StockLine(by_no[x.line_no].product_id, x.qty, x.lot_id,
                           by_no[x.line_no].unit_cost, x.bin_id), x.serial_no)
                for x in lines
            ],
            retry=False,  # a retried receipt id returned above
        )  # fmt: skip
        moves = stock.receive_stock(
            session, org_id, view.po.location_id, stock_lines, actor=actor, at=when,
            request_id=receipt_id, reference=f"{view.po.number} ({po_id})",
        )  # fmt: skip
        recorded: list[list[object]] = [
            [x.line_no, x.qty, str(m.move_id)] for x, m in zip(lines, moves, strict=True)
        ]
        _append(session, view, EventKind.RECEIVED, actor=actor, at=when, receipt_id=receipt_id,
                lines=recorded)  # fmt: skip
        return read_po(session, org_id, po_id)
