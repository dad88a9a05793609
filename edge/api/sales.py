from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from appkit.context import current
from documents.invoice_pdf import PaperSize
from edge.api.deps import Box, Cashier
from edge.api.schemas import SaleIn, SaleOut, SalesPage, SaleSummary, TenderIn, approval_of
from edge.services.catalog import noting_unknown_codes
from edge.services.checkout import LineRequest, RecordedSale, SaleRequest, load_sale, record_sale
from edge.services.invoice_document import sale_invoice_pdf
from edge.services.sales_log import list_sales
from edge.services.sessions import Session
from setledger.tenders import Tender

router = APIRouter(prefix="/api/v1/sales", tags=["sales"])


def tenders_of(body: list[TenderIn]) -> list[Tender]:
    return [Tender(kind=x.kind, amount=x.amount, reference=x.reference) for x in body]


def cashier_of(session: Session | None, legacy: str | None) -> str | None:
    """The signed-in member's user code; the body's name only with sign-in off."""
    return legacy if session is None else session.user_code


def respond_with_sale(recorded: RecordedSale, response: Response) -> SaleOut:
    if not recorded.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return SaleOut.of(recorded.sale, replayed=not recorded.created)


@router.post("", response_model=SaleOut, status_code=201)
def post_sale(box: Box, cashier: Cashier, body: SaleIn, response: Response) -> SaleOut:
    """Record a paid sale. 201 when recorded now; 200 when this id was recorded before.

    The sale names the signed-in cashier. A line discount above the limit
    needs a manager's ``approval``."""
    request = SaleRequest(
        sale_id=body.sale_id,
        lines=[
            LineRequest(
                code=x.code,
                product_id=x.product_id,
                qty=x.qty,
                discount=x.discount,
                serial_no=x.serial_no,
            )
            for x in body.lines
        ],
        tenders=tenders_of(body.tenders),
        buyer=body.buyer,
        cashier=cashier_of(cashier, body.cashier),
        requested_by=None if cashier is None else cashier.user_id,
    )
    with noting_unknown_codes(box.db.drafts, box.wall_clock()):
        recorded = record_sale(box, request, current(), approval_of(body.approval))
    return respond_with_sale(recorded, response)


@router.get("/{sale_id}", response_model=SaleOut)
def get_sale(box: Box, cashier: Cashier, sale_id: UUID) -> SaleOut:
    with box.db.reader.connect() as conn:
        return SaleOut.of(load_sale(conn, str(sale_id)), replayed=False)


@router.get("/{sale_id}/invoice.pdf", response_class=Response)
def get_invoice_pdf(
    box: Box, cashier: Cashier, sale_id: UUID, paper: PaperSize = PaperSize.ROLL_80
) -> Response:
    """The sale's tax invoice as PDF, on an 80 mm roll (default) or A4, from this box alone."""
    with box.db.reader.connect() as conn:
        invoice, pdf = sale_invoice_pdf(conn, str(sale_id), paper)
    filename = invoice.number.replace("/", "-")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


@router.get("", response_model=SalesPage)
def get_sales(
    box: Box,
    cashier: Cashier,
    day: date | None = None,
    invoice_no: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SalesPage:
    """Sales of a business day (Indian date) or by invoice number, newest first."""
    with box.db.reader.connect() as conn:
        rows, count, payable = list_sales(
            conn, day=day, invoice_no=invoice_no, limit=limit, offset=offset
        )
    return SalesPage(sales=[SaleSummary(**r.__dict__) for r in rows], count=count, payable=payable)
