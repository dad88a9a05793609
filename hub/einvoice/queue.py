"""Enqueue e-invoices, list them, put refused or waiting ones back (helpers: never commit).

A document is checked with the product's validator before it is queued:
one bad document refuses the whole request with ``EINVOICE_INVALID``
naming every invoice and field, and nothing is queued. The queue is keyed
by org + IRN, so asking twice for the same document queues it once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.bulk import one_of
from hub.db.einvoice import EInvoice, EInvoiceAttempt
from hub.db.upsert import insert_ignore
from hub.einvoice.errors import EINVOICE_NOT_FOUND
from setledger import errors
from setledger.einvoice import EInvoiceProblem, build_einvoice, irn_of, to_json, validate_einvoice
from setledger.invoice import Invoice
from setledger.money import Paise


class State(StrEnum):
    QUEUED = "queued"
    RETRYING = "retrying"
    """The IRP was unavailable; ``next_attempt_at`` says when it is tried again."""
    ACCEPTED = "accepted"
    DUPLICATE_RESOLVED = "duplicate_resolved"
    """The IRP said it had already issued the IRN (we lost its first answer):
    its IRN and acknowledgement are recorded, as for an accepted one."""
    REJECTED = "rejected"
    """The IRP refused the document; it waits for a correction and a retry."""


DUE = (State.QUEUED.value, State.RETRYING.value)
DONE = (State.ACCEPTED.value, State.DUPLICATE_RESOLVED.value)


@dataclass(frozen=True)
class Prepared:
    """A validated INV-01 document, ready to queue or to export."""

    irn: str
    doc_type: str
    doc_no: str
    doc_date: date
    sale_id: uuid.UUID | None
    document: dict[str, Any]
    """As it goes on the wire: JSON parsed back with amounts as ``Decimal``."""

    @property
    def text(self) -> str:
        return to_json(self.document)


def wire(document: Any) -> dict[str, Any]:
    """``document`` as the IRP receives it: our JSON text parsed back, amounts exact."""
    parsed: dict[str, Any] = json.loads(to_json(document), parse_float=Decimal)
    return parsed


def refuse_problems(problems: Sequence[EInvoiceProblem], **more: Any) -> errors.SetLedgerError:
    """``EINVOICE_INVALID`` listing every problem of every document, by invoice and field."""
    first = problems[0]
    return errors.EINVOICE_INVALID.error(
        **more,
        invoice_no=first.invoice_no,
        problem_count=len(problems),
        first=f"{first.path}: {first.message}",
        invoices=sorted({p.invoice_no for p in problems}),
        problems=[
            {"invoice_no": p.invoice_no, "path": p.path, "message": p.message} for p in problems
        ],
    )


def prepare(
    sourced: Iterable[tuple[uuid.UUID | None, Invoice]],
    *,
    sandbox: bool = False,
    aato: Paise | None = None,
    **more: Any,
) -> list[Prepared]:
    """Build and validate the e-invoice of each (sale id, invoice); refuse if any is bad.

    A B2C invoice refuses the lot with ``EINVOICE_NOT_APPLICABLE`` (R19):
    callers that take a period pass the e-invoiced ones only. ``more`` goes
    into the error's details (a hint to the caller).
    """
    prepared: list[Prepared] = []
    problems: list[EInvoiceProblem] = []
    for sale_id, invoice in sourced:
        document = wire(build_einvoice(invoice))
        found = validate_einvoice(document, sandbox=sandbox, aato=aato)
        problems.extend(found)
        if found:
            continue
        prepared.append(
            Prepared(
                irn=irn_of(document),
                doc_type=invoice.doc_type.value,
                doc_no=invoice.number,
                doc_date=invoice.date,
                sale_id=sale_id,
                document=document,
            )
        )
    if problems:
        raise refuse_problems(problems, **more)
    return prepared


@dataclass(frozen=True)
class Enqueued:
    queued: list[str]
    """IRNs queued by this call."""
    already: list[str]
    """IRNs that were in the queue before (any state): left as they were."""


def enqueue(
    session: Session, org_id: uuid.UUID, documents: Sequence[Prepared], *, by: str, now: datetime
) -> Enqueued:
    """Queue each document once (org + IRN); due at once."""
    queued: list[str] = []
    already: list[str] = []
    for doc in documents:
        inserted = insert_ignore(
            session,
            EInvoice,
            {
                "org_id": org_id,
                "irn": doc.irn,
                "doc_type": doc.doc_type,
                "doc_no": doc.doc_no,
                "doc_date": doc.doc_date,
                "sale_id": doc.sale_id,
                "document": doc.text,
                "state": State.QUEUED.value,
                "attempts": 0,
                "next_attempt_at": now,
                "enqueued_at": now,
                "enqueued_by": by[:64],
                "updated_at": now,
            },
        )
        (queued if inserted else already).append(doc.irn)
    return Enqueued(queued, already)


def list_einvoices(
    session: Session,
    org_id: uuid.UUID,
    *,
    state: State | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[EInvoice]:
    query = select(EInvoice).where(EInvoice.org_id == org_id)
    if state is not None:
        query = query.where(EInvoice.state == state.value)
    if date_from is not None:
        query = query.where(EInvoice.doc_date >= date_from)
    if date_to is not None:
        query = query.where(EInvoice.doc_date <= date_to)
    query = query.order_by(EInvoice.doc_date, EInvoice.doc_no).limit(limit).offset(offset)
    return list(session.scalars(query))


def list_attempts(
    session: Session, org_id: uuid.UUID, *, irn: str | None = None, limit: int, offset: int
) -> list[EInvoiceAttempt]:
    """The attempt log, oldest first (of one document, or of the org)."""
    query = select(EInvoiceAttempt).where(EInvoiceAttempt.org_id == org_id)
    if irn is not None:
        query = query.where(EInvoiceAttempt.irn == irn)
    query = query.order_by(
        EInvoiceAttempt.attempted_at, EInvoiceAttempt.irn, EInvoiceAttempt.attempt_no
    )
    return list(session.scalars(query.limit(limit).offset(offset)))


def einvoices_by_irn(session: Session, org_id: uuid.UUID, irns: Sequence[str]) -> list[EInvoice]:
    """The queue rows of ``irns``, in that order; ``EINVOICE_NOT_FOUND`` for one the org lacks."""
    rows = {
        row.irn: row
        for row in session.scalars(
            select(EInvoice).where(EInvoice.org_id == org_id, one_of(session, EInvoice.irn, irns))
        )
    }
    missing = [irn for irn in irns if irn not in rows]
    if missing:
        raise EINVOICE_NOT_FOUND.error(irn=missing[0][:64], missing=[m[:64] for m in missing])
    return [rows[irn] for irn in irns]


def requeue(
    session: Session,
    org_id: uuid.UUID,
    rows: Sequence[EInvoice],
    corrected: Sequence[Prepared],
    *,
    now: datetime,
) -> None:
    """Make refused and waiting documents due now; a refused one gets its corrected document.

    Accepted ones are left alone: their IRN is issued, and a change needs a
    credit or debit note (or cancellation on the portal), not a resend.
    """
    by_irn = {doc.irn: doc for doc in corrected}
    for row in rows:
        if row.state in DONE:
            continue
        if row.state == State.REJECTED.value and row.irn in by_irn:
            row.document = by_irn[row.irn].text
        row.state = State.QUEUED.value if row.state == State.REJECTED.value else row.state
        row.next_attempt_at = now
        row.updated_at = now
    session.flush()
