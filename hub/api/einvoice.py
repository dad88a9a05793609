"""Routes of the e-invoice queue: enqueue, list, retry, attempts, and the offline export."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, model_validator

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.clock import utcnow
from hub.db.einvoice import EInvoice, EInvoiceBuyer
from hub.db.models import Org
from hub.einvoice import buyers, documents, queue
from hub.einvoice.errors import EINVOICE_IRN_CHANGED
from setledger.fiscal import IST

router = APIRouter(tags=["e-invoices"])

PERIOD = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
MAX_DOCUMENTS = 1000


class EInvoiceRequest(BaseModel):
    """Either the sales to e-invoice, or a month whose B2B documents all go."""

    sale_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=MAX_DOCUMENTS)
    period: str | None = Field(default=None, pattern=PERIOD)

    @model_validator(mode="after")
    def one_of_them(self) -> EInvoiceRequest:
        if (self.sale_ids is None) == (self.period is None):
            raise ValueError("give either sale_ids or period (YYYY-MM), not both")
        return self


class RetryRequest(BaseModel):
    irns: list[str] = Field(min_length=1, max_length=MAX_DOCUMENTS)


class EInvoicePublic(BaseModel):
    irn: str
    doc_type: str
    doc_no: str
    doc_date: date
    sale_id: uuid.UUID | None
    state: queue.State
    attempts: int
    next_attempt_at: datetime | None
    issued_irn: str | None
    ack_no: str | None
    ack_dt: str | None
    signed_qr: str | None
    last_error: list[dict[str, Any]] | None
    enqueued_at: datetime
    updated_at: datetime


class EnqueuedPublic(BaseModel):
    queued: list[EInvoicePublic]
    already_queued: list[EInvoicePublic]
    """Documents that were in the queue already: left as they were."""


PLAIN = r'^[^"\\]*$'
"""The IRP refuses ``"`` and ``\\`` in any string (R19)."""


class BuyerDetails(BaseModel):
    """A registered buyer as the IRP wants ``BuyerDtls`` (lengths of the INV-01 schema)."""

    gstin: str = Field(min_length=15, max_length=15)
    legal_name: str = Field(min_length=3, max_length=100, pattern=PLAIN)
    trade_name: str | None = Field(default=None, min_length=3, max_length=100, pattern=PLAIN)
    address1: str = Field(min_length=1, max_length=100, pattern=PLAIN)
    address2: str | None = Field(default=None, min_length=3, max_length=100, pattern=PLAIN)
    location: str = Field(min_length=3, max_length=100, pattern=PLAIN)
    pin: int | None = Field(default=None, ge=100000, le=999999)
    phone: str | None = Field(default=None, pattern=r"^[0-9]{6,12}$")
    email: str | None = Field(default=None, min_length=6, max_length=100, pattern=PLAIN)


class AttemptPublic(BaseModel):
    irn: str
    attempt_no: int
    attempted_at: datetime
    connector: str
    outcome: str
    codes: list[str]
    message: str


def _public(row: EInvoice) -> EInvoicePublic:
    return EInvoicePublic(
        irn=row.irn,
        doc_type=row.doc_type,
        doc_no=row.doc_no,
        doc_date=row.doc_date,
        sale_id=row.sale_id,
        state=queue.State(row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        issued_irn=row.issued_irn,
        ack_no=row.ack_no,
        ack_dt=row.ack_dt,
        signed_qr=row.signed_qr,
        last_error=json.loads(row.last_error) if row.last_error else None,
        enqueued_at=row.enqueued_at,
        updated_at=row.updated_at,
    )


@router.post("/orgs/{org}/einvoices")
def enqueue_einvoices(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_MANAGE)],
    body: EInvoiceRequest,
) -> EnqueuedPublic:
    with session.begin():
        if body.sale_ids is not None:
            prepared = documents.documents_for_sales(session, principal.org_id, body.sale_ids)
        else:
            assert body.period is not None
            prepared = documents.documents_for_period(session, principal.org_id, body.period)
        done = queue.enqueue(
            session, principal.org_id, prepared, by=principal.user_code, now=utcnow()
        )
        rows = {
            row.irn: _public(row)
            for row in queue.einvoices_by_irn(session, principal.org_id, done.queued + done.already)
        }
    return EnqueuedPublic(
        queued=[rows[irn] for irn in done.queued],
        already_queued=[rows[irn] for irn in done.already],
    )


@router.get("/orgs/{org}/einvoices")
def list_einvoices(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    state: queue.State | None = None,
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[EInvoicePublic]:
    first, last = documents.period_dates(period) if period else (None, None)
    rows = queue.list_einvoices(
        session,
        principal.org_id,
        state=state,
        date_from=first,
        date_to=last,
        limit=limit,
        offset=offset,
    )
    return [_public(row) for row in rows]


@router.post("/orgs/{org}/einvoices/retry")
def retry_einvoices(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_MANAGE)],
    body: RetryRequest,
) -> list[EInvoicePublic]:
    """Send rejected (rebuilt from their sale, validated again) and waiting documents now."""
    with session.begin():
        rows = queue.einvoices_by_irn(session, principal.org_id, body.irns)
        rejected = [r for r in rows if r.state == queue.State.REJECTED and r.sale_id is not None]
        corrected = documents.documents_for_sales(
            session, principal.org_id, [r.sale_id for r in rejected if r.sale_id is not None]
        )
        for row, doc in zip(rejected, corrected, strict=True):
            if doc.irn != row.irn:
                raise EINVOICE_IRN_CHANGED.error(
                    invoice_no=row.doc_no, irn=doc.irn, queued_irn=row.irn
                )
        queue.requeue(session, principal.org_id, rows, corrected, now=utcnow())
        answer = [_public(row) for row in rows]
    return answer


@router.get("/orgs/{org}/einvoices/attempts")
def list_attempts(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    irn: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AttemptPublic]:
    """The attempt log (append-only): every submission and what the IRP answered."""
    rows = queue.list_attempts(session, principal.org_id, irn=irn, limit=limit, offset=offset)
    return [
        AttemptPublic(
            irn=a.irn,
            attempt_no=a.attempt_no,
            attempted_at=a.attempted_at,
            connector=a.connector,
            outcome=a.outcome,
            codes=[code for code in a.codes.split(",") if code],
            message=a.message,
        )
        for a in rows
    ]


@router.get("/orgs/{org}/einvoices/export")
def export_einvoices(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
) -> Response:
    """The month's B2B documents as one JSON array (the portal's bulk upload), validated.

    Built from the sales, not the queue: it works with no connector and
    nothing queued. The month defaults to the current one (IST).
    """
    month = period or utcnow().astimezone(IST).strftime("%Y-%m")
    prepared = documents.documents_for_period(session, principal.org_id, month)
    return Response(
        documents.export_text(prepared),
        media_type="application/json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="einvoices-{principal.org_code}-{month}.json"'
            )
        },
    )


def _buyer_public(row: EInvoiceBuyer) -> BuyerDetails:
    return BuyerDetails(gstin=row.gstin, **{name: getattr(row, name) for name in buyers.FIELDS})


@router.post("/orgs/{org}/einvoices/buyers")
def save_buyer(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_MANAGE)],
    body: BuyerDetails,
) -> BuyerDetails:
    """Add or replace a buyer's address by GSTIN (used when its e-invoices are built)."""
    with session.begin():
        org = session.get(Org, principal.org_id)
        row = buyers.save_buyer(
            session,
            principal.org_id,
            body.gstin,
            body.model_dump(exclude={"gstin"}),
            sandbox=bool(org and org.gst_sandbox),
            by=principal.user_code,
            now=utcnow(),
        )
        answer = _buyer_public(row)
    return answer


@router.get("/orgs/{org}/einvoices/buyers")
def list_buyers(
    session: DbSession, principal: Annotated[Principal, allow(P.BOOKS_READ)]
) -> list[BuyerDetails]:
    return [_buyer_public(row) for row in buyers.list_buyers(session, principal.org_id)]
