"""Returns at the box: find the sale by invoice number, quote, record, read back.

Only sales of this box, from its own database: no hub needed. A signed-in
cashier asks; a manager's PIN (``approval``) approves every refund.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from appkit.context import current
from documents.invoice_pdf import PaperSize
from edge.api.deps import Box, Cashier
from edge.api.sales import cashier_of, tenders_of
from edge.api.schemas import ApprovalIn, Body, TenderIn, approval_of
from edge.services.returns import (
    Quote,
    ReturnLineRequest,
    ReturnRequest,
    credit_note_pdf,
    load_return,
    quote,
    record_return,
    sale_for_return,
)
from setledger.contracts import ReturnLine, ReturnRecorded, ReturnTotals, SaleRecorded
from setledger.money import format_quantity, format_rupees

sales_router = APIRouter(prefix="/api/v1/sales", tags=["returns"])
router = APIRouter(prefix="/api/v1/returns", tags=["returns"])


class ReturnableLine(BaseModel):
    line_no: int
    sku: str
    name: str
    sold: int
    """Thousandths of the unit, as on the sale."""
    returned: int
    returnable: int
    display: dict[str, str]


class SaleForReturnOut(BaseModel):
    sale: SaleRecorded
    lines: list[ReturnableLine]
    refunded: int
    """Paise refunded by earlier credit notes of this sale."""


class ReturnLineIn(Body):
    line_no: int = Field(ge=1, strict=True)
    """The line number on the sale."""
    qty: Decimal = Field(description="Up to 3 decimals (0.5 kg)")


class QuoteIn(Body):
    invoice_no: str = Field(min_length=1, max_length=16)
    lines: list[ReturnLineIn] = Field(max_length=1000)


class ReturnIn(QuoteIn):
    return_id: UUID = Field(description="Made by the client (UUIDv7); a retry reuses it")
    refunds: list[TenderIn] = Field(default_factory=list, max_length=10)
    """Must add up to the note's payable (see POST /api/v1/returns/quote)."""
    reason: str = Field(min_length=1, max_length=500)
    approval: ApprovalIn | None = None
    """A manager's PIN: every refund needs one."""


class QuoteOut(BaseModel):
    invoice_no: str
    lines: list[ReturnLine]
    totals: ReturnTotals
    display: dict[str, str]


class ReturnOut(BaseModel):
    note: ReturnRecorded
    replayed: bool
    """True when this answers a retry: the return was recorded earlier."""
    display: dict[str, str]


def _lines(body: QuoteIn) -> list[ReturnLineRequest]:
    return [ReturnLineRequest(line_no=x.line_no, qty=x.qty) for x in body.lines]


def _quote_out(planned: Quote) -> QuoteOut:
    return QuoteOut(
        invoice_no=planned.original.sale.invoice_no,
        lines=planned.lines,
        totals=planned.totals,
        display={"payable": format_rupees(planned.totals.payable)},
    )


@sales_router.get("/by-invoice/{invoice_no:path}", response_model=SaleForReturnOut)
def get_sale_for_return(box: Box, cashier: Cashier, invoice_no: str) -> SaleForReturnOut:
    """A sale of this box by its invoice number and, per line, what can still be returned."""
    with box.db.reader.connect() as conn:
        found = sale_for_return(conn, invoice_no)
    lines = {line.line_no: line for line in found.sale.lines}
    return SaleForReturnOut(
        sale=found.sale,
        lines=[
            ReturnableLine(
                line_no=x.line_no,
                sku=lines[x.line_no].sku,
                name=lines[x.line_no].name,
                sold=x.sold,
                returned=x.returned,
                returnable=x.returnable,
                display={"returnable": format_quantity(x.returnable)},
            )
            for x in found.lines
        ],
        refunded=found.refunded,
    )


@router.post("/quote", response_model=QuoteOut)
def post_quote(box: Box, cashier: Cashier, body: QuoteIn) -> QuoteOut:
    """What a return of these lines would refund (nothing is written)."""
    with box.db.reader.connect() as conn:
        return _quote_out(quote(conn, body.invoice_no, _lines(body)))


@router.post("", response_model=ReturnOut, status_code=201)
def post_return(box: Box, cashier: Cashier, body: ReturnIn, response: Response) -> ReturnOut:
    """Record a return and its credit note. 201 when recorded now; 200 with
    ``replayed: true`` when this return id was recorded before."""
    request = ReturnRequest(
        return_id=body.return_id,
        invoice_no=body.invoice_no,
        lines=_lines(body),
        refunds=tenders_of(body.refunds),
        reason=body.reason,
        cashier=cashier_of(cashier, None),
        requested_by=None if cashier is None else cashier.user_id,
    )
    recorded = record_return(box, request, current(), approval_of(body.approval))
    if not recorded.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return _return_out(recorded.note, replayed=not recorded.created)


@router.get("/{return_id}", response_model=ReturnOut)
def get_return(box: Box, cashier: Cashier, return_id: UUID) -> ReturnOut:
    with box.db.reader.connect() as conn:
        return _return_out(load_return(conn, str(return_id)), replayed=False)


@router.get("/{return_id}/note.pdf", response_class=Response)
def get_credit_note_pdf(
    box: Box, cashier: Cashier, return_id: UUID, paper: PaperSize = PaperSize.ROLL_80
) -> Response:
    """The return's credit note as PDF, on an 80 mm roll (default) or A4, from this box alone."""
    with box.db.reader.connect() as conn:
        note, pdf = credit_note_pdf(conn, str(return_id), paper)
    filename = note.number.replace("/", "-")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


def _return_out(note: ReturnRecorded, replayed: bool) -> ReturnOut:
    return ReturnOut(
        note=note,
        replayed=replayed,
        display={"payable": format_rupees(note.totals.payable), "note_no": note.note_no},
    )
