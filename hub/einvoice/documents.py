"""The INV-01 documents of the hub's sales, credit and debit notes, for the queue
and for the offline export.

Invoices come from :mod:`hub.gst.invoices` (the sale as the box sent it,
the org's tax profile as seller), credit notes from the boxes' returns and
debit notes from :mod:`hub.gst.debit_notes`. Only B2B, SEZ and export documents are
e-invoiced (R19); each is validated with the product's validator, in the
org's sandbox mode and with its AATO for the HSN digits rule (R14).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.db.debit_notes import DebitNote
from hub.db.models import Org, Sale
from hub.db.returns import SaleReturn
from hub.einvoice.buyers import with_buyer_details
from hub.einvoice.queue import Prepared, prepare
from hub.gst.debit_notes import debit_notes_for_period
from hub.gst.invoices import credit_notes_for_period, invoice_for_sale, invoices_for_period
from setledger import errors
from setledger.invoice import DocType, Invoice
from setledger.states import EXPORT_PLACE_OF_SUPPLY

Documented = Sale | SaleReturn | DebitNote
"""Tables of documents with a date, a buyer GSTIN and a place of supply."""


def period_dates(period: str) -> tuple[date, date]:
    """``YYYY-MM`` -> its first and last day (the caller has checked the format)."""
    first = date(int(period[:4]), int(period[5:7]), 1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _seller_options(session: Session, org_id: uuid.UUID) -> tuple[bool, int | None]:
    org = session.get(Org, org_id)
    if org is None:
        raise errors.ORG_NOT_FOUND.error(org_id=str(org_id))
    return org.gst_sandbox, org.aato


def documents_for_sales(
    session: Session, org_id: uuid.UUID, sale_ids: list[uuid.UUID]
) -> list[Prepared]:
    """The validated documents of these sales; a B2C one, or any bad one, refuses them all."""
    sandbox, aato = _seller_options(session, org_id)
    invoices = [invoice_for_sale(session, org_id, sale_id) for sale_id in sale_ids]
    return _prepare(session, org_id, list(zip(sale_ids, invoices, strict=True)), sandbox, aato)


def _prepare(
    session: Session,
    org_id: uuid.UUID,
    sourced: list[tuple[uuid.UUID | None, Invoice]],
    sandbox: bool,
    aato: int | None,
) -> list[Prepared]:
    invoices, missing = with_buyer_details(session, org_id, [inv for _, inv in sourced])
    completed = [(sale_id, inv) for (sale_id, _), inv in zip(sourced, invoices, strict=True)]
    hint: dict[str, object] = {}
    if missing:
        hint = {
            "buyers_without_address": missing,
            "hint": "add each buyer's address: POST /orgs/{org}/einvoices/buyers",
        }
    return prepare(completed, sandbox=sandbox, aato=aato, **hint)


def _may_be_einvoiced(
    session: Session, org_id: uuid.UUID, first: date, last: date, table: type[Documented] = Sale
) -> bool:
    """Whether any sale (or credit or debit note) of the period has a buyer GSTIN or
    is an export.

    A shop that only sells to consumers needs no tax profile for an empty
    export; without this, building its B2C invoices would demand one.
    """
    found = session.scalar(
        select(table.org_id)
        .where(
            table.org_id == org_id,
            table.business_date >= first,
            table.business_date <= last,
            or_(table.buyer_gstin.is_not(None), table.place_of_supply == EXPORT_PLACE_OF_SUPPLY),
        )
        .limit(1)
    )
    return found is not None


def _sale_ids(
    session: Session, org_id: uuid.UUID, invoices: list[Invoice]
) -> dict[tuple[str, str], uuid.UUID]:
    numbers = {invoice.number for invoice in invoices}
    if not numbers:
        return {}
    rows = session.execute(
        select(Sale.invoice_no, Sale.financial_year, Sale.sale_id).where(
            Sale.org_id == org_id, Sale.invoice_no.in_(numbers)
        )
    )
    return {(row.invoice_no, row.financial_year): row.sale_id for row in rows}


def documents_for_period(session: Session, org_id: uuid.UUID, period: str) -> list[Prepared]:
    """Every e-invoiced document dated in ``period`` (``YYYY-MM``), validated, by date and number."""
    first, last = period_dates(period)
    documents: list[Invoice] = []
    if _may_be_einvoiced(session, org_id, first, last):
        documents += invoices_for_period(session, org_id, first, last)
    if _may_be_einvoiced(session, org_id, first, last, SaleReturn):
        documents += credit_notes_for_period(session, org_id, first, last)
    if _may_be_einvoiced(session, org_id, first, last, DebitNote):
        documents += debit_notes_for_period(session, org_id, first, last)
    documents = [doc for doc in documents if doc.supply_type.e_invoiced]
    if not documents:
        return []
    sandbox, aato = _seller_options(session, org_id)
    invoices = [doc for doc in documents if doc.doc_type is DocType.INVOICE]
    ids = _sale_ids(session, org_id, invoices)
    # Notes are queued by their own number; only invoices name the sale they print.
    sourced = [
        (
            ids.get((doc.number, doc.financial_year)) if doc.doc_type is DocType.INVOICE else None,
            doc,
        )
        for doc in sorted(documents, key=lambda doc: (doc.date, doc.number))
    ]
    return _prepare(session, org_id, sourced, sandbox, aato)


def export_text(documents: list[Prepared]) -> str:
    """The portal's bulk upload: a JSON array of INV-01 documents, amounts as exact numbers."""
    return "[" + ",".join(doc.text for doc in documents) + "]"
