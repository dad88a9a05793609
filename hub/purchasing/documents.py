"""A PO's printable document: the rows read into ``documents.purchase_order_pdf``'s model."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.purchase_order_pdf import (
    PoDocumentLine,
    PoParty,
    PurchaseOrderDocument,
    render_purchase_order_pdf,
)
from hub.db.models import Org, Product, Store
from hub.purchasing.orders import PoView
from hub.stock.services import get_location
from setledger import fiscal
from setledger import purchasing as kernel
from setledger.gst import SupplyKind, head_amounts


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
    buyer_address = ", ".join(
        p
        for p in (org.address1, org.address2, org.location, str(org.pin) if org.pin else None)
        if p
    )
    supplier = view.supplier
    return PurchaseOrderDocument(
        number=po.number,
        date=fiscal.business_date(po.created_at),
        buyer=PoParty(org.legal_name or org.name, org.state_code, org.gstin, buyer_address or None,
                      org.phone, org.email),
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
