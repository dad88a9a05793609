"""Routes of GST documents: the org's tax profile, GSTR-1, GSTR-3B, invoice PDFs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Response

from documents.invoice_pdf import PaperSize
from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.gst import profile, returns
from hub.gst.invoice_pdf import sale_invoice_pdf
from setledger.einvoice import to_json
from setledger.fiscal import IST
from setledger.gstr1 import CSV_COLUMNS, section_csv

router = APIRouter(tags=["gst"])

Period = Annotated[
    str | None,
    Query(
        pattern=returns.PERIOD_PATTERN,
        description="The return month, YYYY-MM; by default last month (the one due for filing).",
    ),
]
Gstin = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{2}[0-9A-Za-z]{13}$",
        description="File for this GSTIN (a store registered on its own); by default the org's.",
    ),
]
Section = Literal["b2b", "b2cl", "exp", "b2cs", "cdnr", "cdnur", "hsn", "nil", "doc_issue"]
assert set(get_args(Section)) == set(CSV_COLUMNS), "one CSV per section of the kernel"


def _month(period: str | None) -> returns.Month:
    if period is not None:
        return returns.Month.parse(period)
    today = datetime.now(UTC).astimezone(IST).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return returns.Month(year, month)


def _json(document: object, name: str) -> Response:
    # Amounts are exact two-place numbers (Decimal), written by the kernel's writer, never floats.
    return Response(
        to_json(document),
        media_type="application/json",
        headers={"Content-Disposition": f'inline; filename="{name}.json"'},
    )


@router.get("/orgs/{org}/tax-profile")
def read_tax_profile(
    session: DbSession, principal: Annotated[Principal, allow(P.ORG_READ)]
) -> profile.TaxProfilePublic:
    return profile.read_profile(session, principal.org_code)


@router.put("/orgs/{org}/tax-profile")
def update_tax_profile(
    session: DbSession,
    principal: Annotated[Principal, allow(P.ORG_MANAGE)],
    body: profile.TaxProfileUpdate,
) -> profile.TaxProfilePublic:
    return profile.update_profile(session, principal, body)


@router.get("/orgs/{org}/gst/gstr1", response_class=Response)
def gstr1(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    period: Period = None,
    gstin: Gstin = None,
    store_id: uuid.UUID | None = None,
    format: Literal["json", "csv", "totals"] = "json",
    section: Section | None = None,
) -> Response:
    """GSTR-1 as the offline tool's JSON; ``format=csv&section=...`` one section's rows;
    ``format=totals`` each section's count and amounts in paise."""
    month = _month(period)
    document = returns.gstr1(session, principal.org_id, month, gstin=gstin, store_id=store_id)
    name = f"GSTR1_{document['gstin']}_{document['fp']}"
    if format == "totals":
        return _json(returns.gstr1_totals(document), f"{name}_totals")
    if format == "csv":
        chosen = section or "b2b"
        return Response(
            section_csv(document, chosen),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}_{chosen}.csv"'},
        )
    return _json(document, name)


@router.get("/orgs/{org}/gst/gstr3b", response_class=Response)
def gstr3b(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    period: Period = None,
    gstin: Gstin = None,
    store_id: uuid.UUID | None = None,
) -> Response:
    """GSTR-3B outward supplies (3.1 a-c, 3.2), from the same invoices as GSTR-1."""
    month = _month(period)
    document = returns.gstr3b(session, principal.org_id, month, gstin=gstin, store_id=store_id)
    return _json(document, f"GSTR3B_{document['gstin']}_{document['ret_period']}")


@router.get("/orgs/{org}/sales/{sale_id}/invoice.pdf", response_class=Response)
def invoice_pdf(
    session: DbSession,
    principal: Annotated[Principal, allow(P.SALES_READ)],
    sale_id: uuid.UUID,
    paper: PaperSize = PaperSize.A4,
) -> Response:
    """The sale's tax invoice as PDF (A4 or an 80 mm roll), with a UPI QR when the
    tax profile has a VPA."""
    invoice, pdf = sale_invoice_pdf(session, principal.org_id, sale_id, paper)
    filename = invoice.number.replace("/", "-")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )
