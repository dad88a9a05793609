"""Routes of debit notes issued at the hub: issue on a sale, list a month, read one, print."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from documents.invoice_pdf import PaperSize
from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.gst import debit_notes
from hub.gst.returns import PERIOD_PATTERN, Month
from setledger.fiscal import IST

router = APIRouter(tags=["gst"])

Books = Annotated[Principal, allow(P.BOOKS_READ)]
Manager = Annotated[Principal, allow(P.BOOKS_MANAGE)]


@router.post(
    "/orgs/{org}/sales/{sale_id}/debit-notes",
    status_code=201,
    response_model=debit_notes.DebitNotePublic,
)
def issue_debit_note(
    session: DbSession,
    response: Response,
    principal: Manager,
    sale_id: uuid.UUID,
    body: debit_notes.DebitNoteCreate,
) -> debit_notes.DebitNotePublic:
    """Charge the buyer more on lines of the sale's invoice (extra taxable value per
    line, in paise; tax at the line's rate). Dated today, numbered DN/<FY>/<serial>,
    posted to the books at once. Idempotent by ``debit_note_id``: 200 when sent again."""
    issued = debit_notes.issue_debit_note(session, principal, sale_id, body)
    if not issued.created:
        response.status_code = status.HTTP_200_OK
    return issued.note


@router.get("/orgs/{org}/debit-notes", response_model=list[debit_notes.DebitNotePublic])
def list_debit_notes(
    session: DbSession,
    principal: Books,
    period: Annotated[
        str | None,
        Query(
            pattern=PERIOD_PATTERN,
            description="The month, YYYY-MM; by default this one.",
        ),
    ] = None,
) -> list[debit_notes.DebitNotePublic]:
    if period is None:
        today = datetime.now(UTC).astimezone(IST).date()
        month = Month(today.year, today.month)
    else:
        month = Month.parse(period)
    return debit_notes.list_debit_notes(session, principal.org_id, month.first_day, month.last_day)


@router.get(
    "/orgs/{org}/debit-notes/{debit_note_id}",
    response_model=debit_notes.DebitNotePublic,
)
def read_debit_note(
    session: DbSession, principal: Books, debit_note_id: uuid.UUID
) -> debit_notes.DebitNotePublic:
    return debit_notes.read_debit_note(session, principal.org_id, debit_note_id)


@router.get("/orgs/{org}/debit-notes/{debit_note_id}/note.pdf", response_class=Response)
def debit_note_pdf(
    session: DbSession,
    principal: Books,
    debit_note_id: uuid.UUID,
    paper: PaperSize = PaperSize.A4,
) -> Response:
    """The debit note as PDF (A4 or an 80 mm roll), naming the original invoice, with a
    UPI QR for the amount owed when the tax profile has a VPA."""
    note, pdf = debit_notes.debit_note_pdf(session, principal.org_id, debit_note_id, paper)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{note.number.replace("/", "-")}.pdf"'},
    )
