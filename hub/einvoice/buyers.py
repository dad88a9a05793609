"""The org's directory of registered buyers, for ``BuyerDtls`` (helpers: never commit).

The counter records a B2B buyer's GSTIN and name only; the IRP also
requires an address and a location (R19). An invoice's buyer is completed
from here by GSTIN: the address fields and the legal name, never the
GSTIN, state or SEZ flag, which decided the tax when the sale was made.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.einvoice import EInvoiceBuyer
from setledger import errors
from setledger.gstin import is_valid_gstin, normalise
from setledger.invoice import Invoice

FIELDS = (
    "legal_name",
    "trade_name",
    "address1",
    "address2",
    "location",
    "pin",
    "phone",
    "email",
)


def save_buyer(
    session: Session,
    org_id: uuid.UUID,
    gstin: str,
    details: dict[str, object],
    *,
    sandbox: bool,
    by: str,
    now: datetime,
) -> EInvoiceBuyer:
    """Add or replace the buyer with ``gstin`` (normalised, checked like the IRP's)."""
    number = normalise(gstin)
    if not is_valid_gstin(number, sandbox=sandbox):
        raise errors.GSTIN_INVALID.error(gstin=gstin[:20])
    row = session.get(EInvoiceBuyer, (org_id, number))
    if row is None:
        row = EInvoiceBuyer(org_id=org_id, gstin=number)
        session.add(row)
    for name in FIELDS:
        setattr(row, name, details.get(name))
    row.updated_at, row.updated_by = now, by[:64]
    session.flush()
    return row


def list_buyers(session: Session, org_id: uuid.UUID) -> list[EInvoiceBuyer]:
    return list(
        session.scalars(
            select(EInvoiceBuyer)
            .where(EInvoiceBuyer.org_id == org_id)
            .order_by(EInvoiceBuyer.legal_name, EInvoiceBuyer.gstin)
        )
    )


def with_buyer_details(
    session: Session, org_id: uuid.UUID, invoices: list[Invoice]
) -> tuple[list[Invoice], list[str]]:
    """The invoices with buyers completed from the directory, and GSTINs it lacks."""
    gstins = {i.buyer.gstin for i in invoices if i.buyer is not None and i.buyer.gstin}
    known = (
        {
            row.gstin: row
            for row in session.scalars(
                select(EInvoiceBuyer).where(
                    EInvoiceBuyer.org_id == org_id, EInvoiceBuyer.gstin.in_(gstins)
                )
            )
        }
        if gstins
        else {}
    )
    completed = []
    for invoice in invoices:
        buyer = invoice.buyer
        row = known.get(buyer.gstin) if buyer is not None and buyer.gstin else None
        if buyer is not None and row is not None:
            buyer = dataclasses.replace(buyer, **{name: getattr(row, name) for name in FIELDS})
            invoice = dataclasses.replace(invoice, buyer=buyer)
        completed.append(invoice)
    return completed, sorted(gstins - set(known))
