"""A PO's printable documents: the rows read into ``documents.purchase_order_pdf``'s
model, and a return's debit note into ``documents.debit_note_pdf``'s.

A debit note's number is ``DN-`` + the PO's number + ``-`` + the return's place
among the PO's returns (1, 2, ...: the order of their ``returned`` events, which
are append-only), e.g. ``DN-PO-00012-1``: deterministic, unique in the org, and
the same every time the PDF is printed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.debit_note_pdf import DebitNoteDocument, DebitNoteLine, render_debit_note_pdf
from documents.purchase_order_pdf import (
    PoDocumentLine,
    PoParty,
    PurchaseOrderDocument,
    render_purchase_order_pdf,
)
from hub.db.bulk import one_of
from hub.db.models import (
    Org,
    Product,
    StockLot,
    Store,
    SupplierReturn,
    SupplierReturnLine,
)
from hub.purchasing.bills import buyer_state
from hub.purchasing.orders import PoView
from hub.stock.services import get_location
from setledger import chart, errors, fiscal
from setledger import purchasing as kernel
from setledger.gst import SupplyKind, head_amounts
from setledger.purchasing import EventKind
from setledger.valuation import receipt_value

TAX_HEADS = {chart.INPUT_CGST: "CGST", chart.INPUT_SGST: "SGST", chart.INPUT_UTGST: "UTGST",
             chart.INPUT_IGST: "IGST"}  # fmt: skip


def po_document(session: Session, org: Org, view: PoView) -> PurchaseOrderDocument:
    po = view.po
    location = get_location(session, org.org_id, po.location_id)
    store = (
        None if location.store_id is None else session.get(Store, (org.org_id, location.store_id))
    )
    ship_state = store.state_code if store is not None else org.state_code
    address = store.address if store is not None and store.address else None
    deliver_to = f"{location.name} ({location.code})" + (f", {address}" if address else "")
    products = {
        p.product_id: p
        for p in session.scalars(
            select(Product).where(
                Product.org_id == org.org_id,
                Product.product_id.in_([x.product_id for x in view.lines]),
            )
        )
    }
    kind = SupplyKind.INTRA if view.supplier.state_code == ship_state else SupplyKind.INTER
    by_rate: dict[int, int] = {}
    lines = []
    for x in view.lines:
        product = products[x.product_id]
        lines.append(PoDocumentLine(x.line_no, product.sku, product.name, product.hsn, x.qty,
                                    product.unit, x.unit_cost, x.rate_bp, x.value))  # fmt: skip
        by_rate[x.rate_bp] = by_rate.get(x.rate_bp, 0) + x.value
    tax = sum(sum(head_amounts(taxable, rate, kind)) for rate, taxable in by_rate.items())
    supplier = view.supplier
    return PurchaseOrderDocument(
        number=po.number,
        date=fiscal.business_date(po.created_at),
        buyer=_us(org),
        supplier=PoParty(supplier.name, supplier.state_code, supplier.gstin, supplier.address,
                         supplier.phone, supplier.email),
        deliver_to=deliver_to,
        lines=tuple(lines),
        taxable=sum(by_rate.values()),
        tax=tax,
        note=po.note,
        status="draft" if view.state.status is kernel.PoStatus.DRAFT else "sent",
    )  # fmt: skip


def po_pdf(session: Session, org: Org, view: PoView) -> bytes:
    return render_purchase_order_pdf(po_document(session, org, view))


def _us(org: Org) -> PoParty:
    address = ", ".join(
        p
        for p in (org.address1, org.address2, org.location, str(org.pin) if org.pin else None)
        if p
    )
    return PoParty(org.legal_name or org.name, org.state_code, org.gstin, address or None,
                   org.phone, org.email)  # fmt: skip


def return_lines(
    session: Session, org_id: uuid.UUID, return_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SupplierReturnLine]]:
    """The lines of each return, in their order."""
    found: dict[uuid.UUID, list[SupplierReturnLine]] = defaultdict(list)
    if not return_ids:
        return found
    for row in session.scalars(
        select(SupplierReturnLine)
        .where(
            SupplierReturnLine.org_id == org_id,
            one_of(session, SupplierReturnLine.return_id, list(return_ids)),
        )
        .order_by(SupplierReturnLine.return_id, SupplierReturnLine.seq)
    ):
        found[row.return_id].append(row)
    return found


def serials_of(
    session: Session, org_id: uuid.UUID, lines: Sequence[SupplierReturnLine]
) -> dict[uuid.UUID, str]:
    """Serial numbers of the serial-numbered units among the lines, by lot id."""
    lots = list({x.lot_id for x in lines if x.lot_id is not None})
    if not lots:
        return {}
    rows = session.scalars(
        select(StockLot).where(StockLot.org_id == org_id, one_of(session, StockLot.lot_id, lots))
    )
    return {x.lot_id: x.batch_no for x in rows if x.serial}


def debit_note_number(view: PoView, return_id: uuid.UUID) -> str:
    """``DN-<PO number>-<n>``: the return's place among the PO's (see the module)."""
    returned = [e.receipt_id for e in sorted(view.events, key=lambda e: e.serial)
                if e.kind == EventKind.RETURNED]  # fmt: skip
    return f"DN-{view.po.number}-{returned.index(return_id) + 1}"


def _sent_back(view: PoView, return_id: uuid.UUID) -> SupplierReturn:
    for found in view.returns:
        if found.return_id == return_id:
            return found
    raise errors.RETURN_NOT_FOUND.error(return_id=str(return_id))


def debit_note_document(
    session: Session, org: Org, view: PoView, return_id: uuid.UUID
) -> DebitNoteDocument:
    sent_back = _sent_back(view, return_id)
    rows = return_lines(session, org.org_id, [return_id])[return_id]
    serials = serials_of(session, org.org_id, rows)
    by_no = {x.line_no: x for x in view.lines}
    products = {
        p.product_id: p
        for p in session.scalars(
            select(Product).where(
                Product.org_id == org.org_id,
                Product.product_id.in_([x.product_id for x in view.lines]),
            )
        )
    }
    # Grouped per PO line (and bill cost): a serial-numbered line is one row per unit.
    billed: dict[tuple[int, int], list[SupplierReturnLine]] = defaultdict(list)
    unbilled: dict[int, list[SupplierReturnLine]] = defaultdict(list)
    moves = []
    for row in rows:
        if row.billed_qty:
            billed[(row.line_no, row.billed_cost)].append(row)
            po_line = by_no[row.line_no]
            moves.append(kernel.BilledMove(row.line_no, row.billed_qty, po_line.unit_cost,
                                           row.billed_cost, po_line.rate_bp))  # fmt: skip
        if row.qty > row.billed_qty:
            unbilled[row.line_no].append(row)

    def line(
        line_no: int, qty: int, rate: int, taxable: int, group: list[SupplierReturnLine]
    ) -> DebitNoteLine:
        po_line = by_no[line_no]
        product = products[po_line.product_id]
        numbered = [serials[x.lot_id] for x in group if x.lot_id in serials]
        description = product.name + (f" (S/N {', '.join(numbered)})" if numbered else "")
        return DebitNoteLine(line_no, product.sku, description, product.hsn, qty, product.unit,
                             rate, taxable, po_line.rate_bp)  # fmt: skip

    billed_lines = tuple(
        line(n, sum(x.billed_qty for x in group), cost,
             sum(receipt_value(x.billed_qty, cost) for x in group), group)
        for (n, cost), group in sorted(billed.items())
    )  # fmt: skip
    unbilled_lines = tuple(
        line(n, sum(x.qty - x.billed_qty for x in group), by_no[n].unit_cost,
             sum(receipt_value(x.qty - x.billed_qty, by_no[n].unit_cost) for x in group), group)
        for n, group in sorted(unbilled.items())
    )  # fmt: skip
    taxes: tuple[tuple[str, int], ...] = ()
    if moves:
        state, _ = buyer_state(session, org.org_id, view)
        totals = kernel.bill_totals(moves, view.supplier.state_code, state)
        taxes = tuple((TAX_HEADS.get(a, a), amount) for a, amount in totals.taxes.items())
    bills = tuple(
        f"{b.bill_no} of {b.bill_date:%d-%b-%Y}"
        for b in view.bills
        if moves and b.created_at <= sent_back.created_at
    )
    supplier = view.supplier
    return DebitNoteDocument(
        number=debit_note_number(view, return_id),
        date=sent_back.returned_on,
        issuer=_us(org),
        supplier=PoParty(supplier.name, supplier.state_code, supplier.gstin, supplier.address,
                         supplier.phone, supplier.email),
        po_number=view.po.number,
        bills=bills,
        reason=sent_back.reason,
        billed=billed_lines,
        taxes=taxes,
        unbilled=unbilled_lines,
    )  # fmt: skip


def debit_note_pdf(session: Session, org: Org, view: PoView, return_id: uuid.UUID) -> bytes:
    return render_debit_note_pdf(debit_note_document(session, org, view, return_id))
