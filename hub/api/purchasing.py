"""Purchasing: suppliers, purchase orders (send as PDF, receive in parts, close,
cancel, return goods to the supplier), supplier bills, min/max reorder rules and
suggestions. docs/PURCHASING.md.

Quantities are milli-units (1 unit = 1000), costs paise per unit before GST,
GST rates basis points. Routes are thin: one transaction each, the work in
``hub.purchasing``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Response as Response_
from pydantic import Field
from sqlalchemy import select

from hub.accounts.audit import actor_of
from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.db.models import Product, ReorderRule, Store, Supplier, SupplierBill, SupplierReturn
from hub.purchasing import bills, orders, reorder, returns, suppliers
from hub.purchasing.documents import debit_note_number, debit_note_pdf, po_pdf
from hub.registry.lookup import get_org
from hub.schemas import Request, Response
from setledger import purchasing as kernel

router = APIRouter(tags=["purchasing"])
Reader = Annotated[Principal, allow(P.PURCHASING_READ)]
Writer = Annotated[Principal, allow(P.PURCHASING_WRITE)]
Biller = Annotated[Principal, allow(P.PURCHASING_BILL)]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"description": "The purchase order", "content": {"application/pdf": {}}}
}


class SupplierIn(Request):
    name: str = Field(min_length=1, max_length=200)
    state_code: str = Field(min_length=2, max_length=2)
    gstin: str | None = Field(default=None, max_length=15)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)


class SupplierPatch(Request):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    state_code: str | None = Field(default=None, min_length=2, max_length=2)
    gstin: str | None = Field(default=None, max_length=15)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    active: bool | None = None


class SupplierOut(Response):
    supplier_id: uuid.UUID
    name: str
    state_code: str
    gstin: str | None
    phone: str | None
    email: str | None
    address: str | None
    active: bool


class PoLineIn(Request):
    product_id: uuid.UUID
    qty: int
    """Milli-units."""
    unit_cost: int
    """Paise per unit, before GST."""
    rate_bp: int | None = None
    """GST rate; the product's when left out."""


class PoIn(Request):
    supplier_id: uuid.UUID
    location_id: uuid.UUID
    lines: list[PoLineIn] = Field(min_length=1, max_length=500)
    note: str | None = Field(default=None, max_length=500)
    tolerance_bp: int = 0
    """How much more than ordered a line may receive, basis points of the ordered qty."""
    po_id: uuid.UUID | None = None
    """Your own id: sending the request again makes one PO."""


class ReceiveLineIn(Request):
    line_no: int
    qty: int
    lot_id: uuid.UUID | None = None
    bin_id: uuid.UUID | None = None
    serial_no: str | None = Field(default=None, min_length=1, max_length=64)
    """A serial-tracked product's unit: qty 1000, one line per unit (same line_no)."""


class ReceiveIn(Request):
    receipt_id: uuid.UUID
    """Your own id for this delivery: a retry with it receives once."""
    lines: list[ReceiveLineIn] = Field(min_length=1, max_length=500)


class ReasonIn(Request):
    reason: str | None = Field(default=None, max_length=500)


class CloseIn(Request):
    reason: str = Field(min_length=1, max_length=500)


class BillCostIn(Request):
    line_no: int
    unit_cost: int


class BillIn(Request):
    bill_id: uuid.UUID
    bill_no: str = Field(min_length=1, max_length=64)
    bill_date: date
    receipt_ids: list[uuid.UUID] | None = Field(default=None, max_length=500)
    """The receipts billed; every receipt of the PO not yet billed when left out."""
    unit_costs: list[BillCostIn] | None = Field(default=None, max_length=500)
    """The bill's cost per PO line where it differs from the PO's."""
    round_off: int = 0
    """Paise the supplier rounded the bill's total by (-99 to 99): +40 when ₹1,234.60
    was billed as ₹1,235.00. Posted to 4950 Round off; the payable includes it."""


class ReturnLineIn(Request):
    line_no: int
    qty: int
    """Milli-units, more than 0."""
    lot_id: uuid.UUID | None = None
    """The lot the goods came in with (stock kept by lot)."""
    serial_no: str | None = Field(default=None, min_length=1, max_length=64)
    """A serial-numbered unit: qty 1000, one line per unit (same line_no)."""


class ReturnIn(Request):
    return_id: uuid.UUID
    """Your own id for this return: a retry with it returns once."""
    reason: str = Field(min_length=1, max_length=500)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class PoLineOut(Response):
    line_no: int
    product_id: uuid.UUID
    qty: int
    unit_cost: int
    rate_bp: int
    received: int
    """What came in (returns to the supplier do not lower it)."""
    returned: int
    """Sent back to the supplier."""
    outstanding: int
    """Still to come (a return does not put goods back on order)."""


class EventOut(Response):
    serial: int
    kind: str
    receipt_id: uuid.UUID | None
    reason: str | None
    actor: str
    at: datetime


class ReceiptOut(Response):
    receipt_id: uuid.UUID
    at: datetime
    by: str
    lines: list[tuple[int, int, uuid.UUID]]
    """[line_no, qty, move_id] per line."""


class BillOut(Response):
    bill_id: uuid.UUID
    bill_no: str
    bill_date: date
    received_value: int
    taxable: int
    tax: int
    payable: int
    """taxable + tax + round_off: what the supplier is owed."""
    round_off: int
    difference: int


class ReturnOut(Response):
    return_id: uuid.UUID
    reason: str
    returned_on: date
    returned_value: int
    """Every line at the PO's cost."""
    billed_value: int
    """The part a bill had covered, at the PO's cost: the debit note's (0: none)."""
    taxable: int
    tax: int
    payable: int
    """What the supplier owes back on the debit note, GST included (0: none)."""
    created_at: datetime
    created_by: str


class ReturnLineOut(Response):
    line_no: int
    qty: int
    billed_qty: int
    """Of qty, what a bill had covered (on the debit note); the next bill nets the rest."""
    billed_cost: int
    lot_id: uuid.UUID | None
    move_id: uuid.UUID


class PoOut(Response):
    po_id: uuid.UUID
    number: str
    status: str
    supplier: SupplierOut
    location_id: uuid.UUID
    tolerance_bp: int
    note: str | None
    created_at: datetime
    created_by: str
    lines: list[PoLineOut]
    events: list[EventOut]
    receipts: list[ReceiptOut]
    bills: list[BillOut]
    returns: list[ReturnOut]


class ReturnMadeOut(ReturnOut):
    po_id: uuid.UUID
    number: str
    lines: list[ReturnLineOut]
    po: PoOut


class RuleIn(Request):
    min_qty: int
    max_qty: int
    pack_qty: int | None = None


class RuleOut(Response):
    location_id: uuid.UUID
    product_id: uuid.UUID
    min_qty: int
    max_qty: int
    pack_qty: int | None
    updated_at: datetime
    updated_by: str


class SuggestionOut(Response):
    location_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    min_qty: int | None
    """None when no rule: only the counter's urgent reorders ask for it."""
    max_qty: int | None
    pack_qty: int | None
    on_hand: int
    on_order: int
    in_transit: int
    suggested_qty: int
    urgent_qty: int
    """What the store's open urgent reorders of the product ask for."""
    urgent_reorder_ids: list[uuid.UUID]


class FromSuggestionsIn(Request):
    supplier_id: uuid.UUID
    location_id: uuid.UUID
    product_ids: list[uuid.UUID] | None = Field(default=None, max_length=500)
    unit_costs: dict[uuid.UUID, int] | None = None
    """Paise per unit by product; each product's last receipt cost when left out."""
    po_id: uuid.UUID | None = None


def _supplier(row: Supplier) -> SupplierOut:
    return SupplierOut(
        supplier_id=row.supplier_id, name=row.name, state_code=row.state_code, gstin=row.gstin,
        phone=row.phone, email=row.email, address=row.address, active=row.active,
    )  # fmt: skip


def _bill(b: SupplierBill) -> BillOut:
    return BillOut(
        bill_id=b.bill_id, bill_no=b.bill_no, bill_date=b.bill_date,
        received_value=b.received_value, taxable=b.taxable, tax=b.tax, payable=b.payable,
        round_off=b.round_off, difference=b.taxable - b.received_value,
    )  # fmt: skip


def _po(view: orders.PoView) -> PoOut:
    po, state = view.po, view.state
    return PoOut(
        po_id=po.po_id, number=po.number, status=state.status.value,
        supplier=_supplier(view.supplier), location_id=po.location_id,
        tolerance_bp=po.tolerance_bp, note=po.note, created_at=po.created_at,
        created_by=po.created_by,
        lines=[
            PoLineOut(line_no=x.line_no, product_id=x.product_id, qty=x.qty,
                      unit_cost=x.unit_cost, rate_bp=x.rate_bp,
                      received=state.received.get(x.line_no, 0),
                      returned=state.returned.get(x.line_no, 0),
                      outstanding=state.outstanding(x.line_no))
            for x in view.lines
        ],
        events=[EventOut(serial=e.serial, kind=e.kind, receipt_id=e.receipt_id, reason=e.reason,
                         actor=e.actor, at=e.at) for e in view.events],
        receipts=[ReceiptOut(receipt_id=r.receipt_id, at=r.at, by=r.by, lines=r.lines)
                  for r in view.receipts],
        bills=[_bill(b) for b in view.bills],
        returns=[_return(r) for r in view.returns],
    )  # fmt: skip


def _return(r: SupplierReturn) -> ReturnOut:
    return ReturnOut(
        return_id=r.return_id, reason=r.reason, returned_on=r.returned_on,
        returned_value=r.returned_value, billed_value=r.billed_value, taxable=r.taxable,
        tax=r.tax, payable=r.payable, created_at=r.created_at, created_by=r.created_by,
    )  # fmt: skip


def _rule(row: ReorderRule) -> RuleOut:
    return RuleOut(
        location_id=row.location_id, product_id=row.product_id, min_qty=row.min_qty,
        max_qty=row.max_qty, pack_qty=row.pack_qty, updated_at=row.updated_at,
        updated_by=row.updated_by,
    )  # fmt: skip


# -- suppliers ---------------------------------------------------------------------------------


@router.post("/orgs/{org}/suppliers", status_code=201)
def create_supplier(session: DbSession, principal: Writer, body: SupplierIn) -> SupplierOut:
    with session.begin():
        org = get_org(session, principal.org_code)
        fields = suppliers.SupplierFields(body.name, body.state_code, body.gstin, body.phone,
                                          body.email, body.address)  # fmt: skip
        row = suppliers.create_supplier(session, org.org_id, fields, actor=actor_of(principal))
        return _supplier(row)


@router.get("/orgs/{org}/suppliers")
def list_suppliers(
    session: DbSession, principal: Reader, active: bool | None = None
) -> list[SupplierOut]:
    with session.begin():
        org = get_org(session, principal.org_code)
        return [_supplier(r) for r in suppliers.list_suppliers(session, org.org_id, active=active)]


@router.get("/orgs/{org}/suppliers/{supplier_id}")
def read_supplier(session: DbSession, principal: Reader, supplier_id: uuid.UUID) -> SupplierOut:
    with session.begin():
        org = get_org(session, principal.org_code)
        return _supplier(suppliers.get_supplier(session, org.org_id, supplier_id))


@router.patch("/orgs/{org}/suppliers/{supplier_id}")
def update_supplier(
    session: DbSession, principal: Writer, supplier_id: uuid.UUID, body: SupplierPatch
) -> SupplierOut:
    """Change some fields; ``active: false`` keeps it off new purchase orders."""
    changes = body.model_dump(exclude_unset=True)
    if "state_code" in changes:
        changes["state"] = changes.pop("state_code")
    with session.begin():
        org = get_org(session, principal.org_code)
        row = suppliers.update_supplier(session, org.org_id, supplier_id, changes,
                                        actor=actor_of(principal))  # fmt: skip
        return _supplier(row)


# -- purchase orders ---------------------------------------------------------------------------


@router.post("/orgs/{org}/purchase-orders", status_code=201)
def create_po(session: DbSession, principal: Writer, body: PoIn) -> PoOut:
    """A draft, numbered PO-00001, PO-00002, ... in the org."""
    with session.begin():
        org = get_org(session, principal.org_code)
        lines = [orders.NewLine(x.product_id, x.qty, x.unit_cost, x.rate_bp) for x in body.lines]
        view = orders.create_po(
            session, org.org_id, supplier_id=body.supplier_id, location_id=body.location_id,
            lines=lines, actor=actor_of(principal), note=body.note,
            tolerance_bp=body.tolerance_bp, po_id=body.po_id,
        )  # fmt: skip
        return _po(view)


@router.get("/orgs/{org}/purchase-orders")
def list_pos(
    session: DbSession,
    principal: Reader,
    status: Annotated[list[kernel.PoStatus] | None, Query()] = None,
    supplier_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
) -> list[PoOut]:
    """Newest first; filter by status (repeatable), supplier or delivery location."""
    with session.begin():
        org = get_org(session, principal.org_code)
        views = orders.list_pos(session, org.org_id, statuses=set(status) if status else None,
                                supplier_id=supplier_id, location_id=location_id)  # fmt: skip
        return [_po(v) for v in views]


@router.get("/orgs/{org}/purchase-orders/{po_id}")
def read_po(session: DbSession, principal: Reader, po_id: uuid.UUID) -> PoOut:
    with session.begin():
        org = get_org(session, principal.org_code)
        return _po(orders.read_po(session, org.org_id, po_id))


def _pdf(body: bytes, number: str) -> Response_:
    return Response_(content=body, media_type="application/pdf",
                     headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})  # fmt: skip


@router.post("/orgs/{org}/purchase-orders/{po_id}/send", responses=PDF)
def send_po(session: DbSession, principal: Writer, po_id: uuid.UUID) -> Response_:
    """A draft becomes sent; the answer is the PO as an A4 PDF to send to the supplier."""
    with session.begin():
        org = get_org(session, principal.org_code)
        view = orders.send_po(session, org.org_id, po_id, actor=actor_of(principal))
        return _pdf(po_pdf(session, org, view), view.po.number)


@router.get("/orgs/{org}/purchase-orders/{po_id}/pdf", responses=PDF)
def po_document(session: DbSession, principal: Reader, po_id: uuid.UUID) -> Response_:
    with session.begin():
        org = get_org(session, principal.org_code)
        view = orders.read_po(session, org.org_id, po_id)
        return _pdf(po_pdf(session, org, view), view.po.number)


@router.post("/orgs/{org}/purchase-orders/{po_id}/receipts")
def receive_po(session: DbSession, principal: Writer, po_id: uuid.UUID, body: ReceiveIn) -> PoOut:
    """Goods in against the PO, at its costs, into its delivery location."""
    with session.begin():
        org = get_org(session, principal.org_code)
        lines = [
            orders.ReceiveLine(x.line_no, x.qty, x.lot_id, x.bin_id, x.serial_no)
            for x in body.lines
        ]
        view = orders.receive_po(session, org.org_id, po_id, body.receipt_id, lines,
                                 actor=actor_of(principal))  # fmt: skip
        return _po(view)


@router.post("/orgs/{org}/purchase-orders/{po_id}/close")
def close_po(session: DbSession, principal: Writer, po_id: uuid.UUID, body: CloseIn) -> PoOut:
    """Short-close: the rest will not come."""
    with session.begin():
        org = get_org(session, principal.org_code)
        view = orders.close_po(session, org.org_id, po_id, actor=actor_of(principal),
                               reason=body.reason)  # fmt: skip
        return _po(view)


@router.post("/orgs/{org}/purchase-orders/{po_id}/cancel")
def cancel_po(session: DbSession, principal: Writer, po_id: uuid.UUID, body: ReasonIn) -> PoOut:
    """Only a PO that received nothing."""
    with session.begin():
        org = get_org(session, principal.org_code)
        view = orders.cancel_po(session, org.org_id, po_id, actor=actor_of(principal),
                                reason=body.reason)  # fmt: skip
        return _po(view)


@router.post("/orgs/{org}/purchase-orders/{po_id}/bills", status_code=201)
def record_bill(session: DbSession, principal: Biller, po_id: uuid.UUID, body: BillIn) -> BillOut:
    """The supplier's bill for receipts of the PO, posted to the books."""
    with session.begin():
        org = get_org(session, principal.org_code)
        costs = (
            None if body.unit_costs is None else {c.line_no: c.unit_cost for c in body.unit_costs}
        )
        made = bills.record_bill(
            session, org.org_id, po_id, bill_id=body.bill_id, bill_no=body.bill_no,
            bill_date=body.bill_date, actor=actor_of(principal), receipt_ids=body.receipt_ids,
            unit_costs=costs, round_off=body.round_off,
        )  # fmt: skip
        return _bill(made.bill)


@router.post("/orgs/{org}/purchase-orders/{po_id}/returns", status_code=201)
def return_goods(
    session: DbSession, principal: Writer, po_id: uuid.UUID, body: ReturnIn
) -> ReturnMadeOut:
    """Goods of the PO sent back to its supplier: out of its delivery location at the PO's
    cost; a debit note to the supplier for any part already billed."""
    with session.begin():
        org = get_org(session, principal.org_code)
        lines = [returns.ReturnLine(x.line_no, x.qty, x.lot_id, x.serial_no) for x in body.lines]
        made = returns.return_goods(session, org.org_id, po_id, body.return_id, lines,
                                    reason=body.reason, actor=actor_of(principal))  # fmt: skip
        base = _return(made.sent_back).model_dump()
        return ReturnMadeOut(
            **base, po_id=po_id, number=made.po.po.number, po=_po(made.po),
            lines=[ReturnLineOut(line_no=x.line_no, qty=x.qty, billed_qty=x.billed_qty,
                                 billed_cost=x.billed_cost, lot_id=x.lot_id, move_id=x.move_id)
                   for x in made.lines],
        )  # fmt: skip


# -- reorder rules -----------------------------------------------------------------------------


@router.put("/orgs/{org}/reorder-rules/{location_id}/{product_id}")
def set_rule(
    session: DbSession, principal: Writer, location_id: uuid.UUID, product_id: uuid.UUID,
    body: RuleIn,
) -> RuleOut:  # fmt: skip
    with session.begin():
        org = get_org(session, principal.org_code)
        rule = kernel.ReorderRule(body.min_qty, body.max_qty, body.pack_qty)
        row = reorder.set_rule(session, org.org_id, location_id, product_id, rule,
                               actor=actor_of(principal))  # fmt: skip
        return _rule(row)


@router.get("/orgs/{org}/reorder-rules")
def list_rules(
    session: DbSession, principal: Reader, location_id: uuid.UUID | None = None
) -> list[RuleOut]:
    with session.begin():
        org = get_org(session, principal.org_code)
        return [_rule(r) for r in reorder.list_rules(session, org.org_id, location_id)]


@router.get("/orgs/{org}/reorder-suggestions")
def reorder_suggestions(
    session: DbSession,
    principal: Reader,
    location_id: uuid.UUID | None = None,
    all_rules: bool = False,
) -> list[SuggestionOut]:
    """Per rule of a location, and per product the store's counters asked for urgently
    (every location with rules, and every store, without one): on hand, on order, in
    transit and what to order; only what is due unless ``all_rules``."""
    with session.begin():
        org = get_org(session, principal.org_code)
        if location_id is None:
            # Locations with rules, and every store (its counters may have asked).
            stores = session.scalars(select(Store.store_id).where(Store.org_id == org.org_id))
            where = sorted(
                {r.location_id for r in reorder.list_rules(session, org.org_id)} | set(stores),
                key=str,
            )
        else:
            where = [location_id]
        made = [s for loc in where
                for s in reorder.suggestions(session, org.org_id, loc, all_rules=all_rules)]  # fmt: skip
        products = {p.product_id: p for p in session.query(Product).filter(
            Product.org_id == org.org_id, Product.product_id.in_({s.product_id for s in made}))}  # fmt: skip
        return [
            SuggestionOut(
                location_id=s.location_id, product_id=s.product_id,
                sku=products[s.product_id].sku, name=products[s.product_id].name,
                min_qty=s.rule.min_qty if s.rule else None,
                max_qty=s.rule.max_qty if s.rule else None,
                pack_qty=s.rule.pack_qty if s.rule else None,
                on_hand=s.on_hand, on_order=s.on_order, in_transit=s.in_transit,
                suggested_qty=s.qty, urgent_qty=s.urgent_qty,
                urgent_reorder_ids=list(s.urgent_ids),
            )
            for s in made
        ]  # fmt: skip


@router.post("/orgs/{org}/purchase-orders/from-suggestions", status_code=201)
def draft_from_suggestions(session: DbSession, principal: Writer, body: FromSuggestionsIn) -> PoOut:
    """A draft PO to the supplier of what the location's rules and the store's urgent
    reorders suggest; those urgent reorders become ``ordered`` on it."""
    with session.begin():
        org = get_org(session, principal.org_code)
        view = reorder.draft_from_suggestions(
            session, org.org_id, body.location_id, body.supplier_id, actor=actor_of(principal),
            product_ids=body.product_ids, unit_costs=body.unit_costs, po_id=body.po_id,
        )  # fmt: skip
        return _po(view)


# -- debit notes -------------------------------------------------------------------------------


@router.get(
    "/orgs/{org}/purchase-orders/{po_id}/returns/{return_id}/pdf",
    responses={200: {"description": "The debit note", "content": {"application/pdf": {}}}},
)
def debit_note_document(
    session: DbSession, principal: Reader, po_id: uuid.UUID, return_id: uuid.UUID
) -> Response_:
    """The return's debit note to the supplier, an A4 PDF (``DN-<PO number>-<n>``)."""
    with session.begin():
        org = get_org(session, principal.org_code)
        view = orders.read_po(session, org.org_id, po_id)
        body = debit_note_pdf(session, org, view, return_id)  # RETURN_NOT_FOUND: not this PO's
        return _pdf(body, debit_note_number(view, return_id))
