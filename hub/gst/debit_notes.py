"""Debit notes issued at the hub (a service: one transaction per call).

A debit note charges the buyer more on a stored sale whose invoice
under-charged: the accountant names lines of the original and the extra
taxable value of each; the tax per head is the kernel's (``gst.head_amounts``
at the line's GST rate and the sale's supply kind, cess at the line's cess
rate, each rounded half up on its own), never float. The note is dated the
hub's business date in India, numbered ``DN/<FY short>/<serial>`` per org
and financial year, names the original (number and date), and is posted to
the journal in the same transaction (Dr receivables, Cr sales and output
tax at each rate): a note is never issued without its entry, nor posted
twice. Idempotent by the client's ``debit_note_id``.

The note is rebuilt into the kernel's :class:`~setledger.invoice.Invoice`
(``DocType.DEBIT_NOTE``) from its own rows, for the PDF and GSTR-1 (cdnr,
cdnur or b2cs, and Table 13).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from documents.invoice_pdf import PaperSize, render_invoice_pdf
from hub.accounts.principal import Principal
from hub.clock import utcnow
from hub.db.bulk import one_of
from hub.db.debit_notes import DebitNote, DebitNoteLine
from hub.db.models import Org, Sale, SaleLine, Store
from hub.gst.invoice_pdf import pdf_options
from hub.gst.invoices import buyer_of, invoice_for_sale, seller_of
from hub.ledger import journal
from hub.ledger.debit_notes import post_debit_note_rows
from setledger import errors, fiscal, gst
from setledger.contracts.sales import SaleLine as SaleLineContract
from setledger.contracts.sales import SaleRecorded, SaleTotals
from setledger.invoice import DocType, Invoice, OriginalInvoice, invoice_from_sale
from setledger.money import MILLI_PER_UNIT, round_div

MAX_TAXABLE = 10**12
"""₹1,000 crore of extra taxable value on one line: beyond any shop's slip of the pen."""


class DebitNoteLineCreate(BaseModel):
    line_no: int = Field(description="The original sale's line number.")
    taxable: int = Field(description="Extra taxable value on that line, in paise (> 0).")


class DebitNoteCreate(BaseModel):
    debit_note_id: uuid.UUID = Field(description="The client's id: a retry sends the same.")
    reason: str = Field(min_length=1, max_length=500)
    lines: list[DebitNoteLineCreate] = Field(max_length=500)


class DebitNoteLinePublic(BaseModel):
    line_no: int
    name: str
    hsn: str | None
    rate_bp: int
    cess_bp: int
    taxable: int
    cgst: int
    sgst: int
    igst: int
    cess: int


class DebitNotePublic(BaseModel):
    debit_note_id: uuid.UUID
    note_no: str
    business_date: date
    sale_id: uuid.UUID
    original_invoice_no: str
    original_date: date
    store_id: uuid.UUID
    buyer_gstin: str | None
    reason: str
    issued_by: str
    issued_at: datetime
    lines: list[DebitNoteLinePublic]
    taxable: int
    cgst: int
    sgst: int
    igst: int
    cess: int
    payable: int
    """What the buyer owes on top of the original invoice, in paise."""


@dataclass(frozen=True)
class Issued:
    note: DebitNotePublic
    created: bool


def debit_note_number(year: fiscal.FinancialYear, serial: int) -> str:
    """``DN/2627/000001``: the org's debit-note series of the year."""
    number = f"{fiscal.DEBIT_NOTE_PREFIX}/{year.short}/{serial:0{fiscal.MIN_SERIAL_DIGITS}d}"
    if len(number) > fiscal.MAX_INVOICE_NUMBER_LENGTH:
        raise errors.INVOICE_SERIES_EXHAUSTED.error(number=number)
    return number


def _request_digest(sale_id: uuid.UUID, body: DebitNoteCreate) -> str:
    canonical = {
        "sale_id": str(sale_id),
        "reason": body.reason,
        "lines": sorted([line.line_no, line.taxable] for line in body.lines),
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def issue_debit_note(
    session: Session,
    principal: Principal,
    sale_id: uuid.UUID,
    body: DebitNoteCreate,
    *,
    at: datetime | None = None,
) -> Issued:
    """Issue (and post) a debit note on the sale; the same request again answers it."""
    org_id = principal.org_id
    digest = _request_digest(sale_id, body)
    now = at or utcnow()
    with session.begin():
        # One writer per org: the note's serial and its journal entry come in order.
        journal.lock_ledger(session, org_id)
        existing = session.get(DebitNote, (org_id, body.debit_note_id))
        if existing is not None:
            if existing.request_sha256 != digest:
                raise errors.DEBIT_NOTE_ID_REUSED.error(debit_note_id=str(body.debit_note_id))
            return Issued(_public(existing, _lines_of(session, org_id, [existing])), False)
        # The original must be a valid invoice (SALE_NOT_FOUND, INVOICE_INCONSISTENT).
        original = invoice_for_sale(session, org_id, sale_id)
        sale = session.get(Sale, (org_id, sale_id))
        assert sale is not None  # the invoice was built from it
        note, lines = _new_note(session, principal, sale, original, body, digest, now)
        session.add(note)
        session.flush()  # the note before its lines (foreign key)
        session.add_all(lines)
        session.flush()
        note_invoice(session, org_id, note, lines)  # refuses a note that is not a valid document
        post_debit_note_rows(session, org_id, note, lines, at=now)
        return Issued(_public(note, {note.debit_note_id: lines}), True)


def _new_note(
    session: Session,
    principal: Principal,
    sale: Sale,
    original: Invoice,
    body: DebitNoteCreate,
    digest: str,
    now: datetime,
) -> tuple[DebitNote, list[DebitNoteLine]]:
    if not body.lines:
        raise errors.DEBIT_NOTE_EMPTY.error()
    sold = {
        line.line_no: line
        for line in session.scalars(
            select(SaleLine).where(SaleLine.org_id == sale.org_id, SaleLine.sale_id == sale.sale_id)
        )
    }
    kind = gst.SupplyKind(sale.supply_kind)
    seen: set[int] = set()
    lines: list[DebitNoteLine] = []
    for asked in sorted(body.lines, key=lambda line: line.line_no):
        line = sold.get(asked.line_no)
        if line is None or asked.line_no in seen:
            raise errors.DEBIT_NOTE_LINE_UNKNOWN.error(
                invoice_no=sale.invoice_no, line=asked.line_no
            )
        seen.add(asked.line_no)
        if not 0 < asked.taxable <= MAX_TAXABLE:
            raise errors.DEBIT_NOTE_AMOUNT_INVALID.error(
                line=asked.line_no, taxable=asked.taxable, maximum=MAX_TAXABLE
            )
        cgst, sgst, igst = gst.head_amounts(asked.taxable, line.rate_bp, kind)
        lines.append(
            DebitNoteLine(
                org_id=sale.org_id,
                debit_note_id=body.debit_note_id,
                line_no=line.line_no,
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                hsn=line.hsn,
                unit=line.unit,
                qty=line.qty,
                unit_price=round_div(asked.taxable * MILLI_PER_UNIT, line.qty),
                rate_bp=line.rate_bp,
                cess_bp=line.cess_bp,
                taxable=asked.taxable,
                cgst=cgst,
                sgst=sgst,
                igst=igst,
                cess=round_div(asked.taxable * line.cess_bp, gst.BP_PER_UNIT),
            )
        )
    day = fiscal.business_date(now)
    year = fiscal.financial_year(day)
    last = session.scalar(
        select(func.max(DebitNote.serial)).where(
            DebitNote.org_id == sale.org_id, DebitNote.financial_year == year.label
        )
    )
    serial = (last or 0) + 1
    heads = {
        head: sum(getattr(line, head) for line in lines)
        for head in ("taxable", "cgst", "sgst", "igst", "cess")
    }
    note = DebitNote(
        org_id=sale.org_id,
        debit_note_id=body.debit_note_id,
        note_no=debit_note_number(year, serial),
        financial_year=year.label,
        serial=serial,
        business_date=day,
        issued_at=now,
        issued_by=principal.user_code,
        store_id=sale.store_id,
        sale_id=sale.sale_id,
        original_invoice_no=original.number,
        original_date=original.date,
        original_payable=sale.payable,
        seller_state=sale.seller_state,
        place_of_supply=sale.place_of_supply,
        supply_kind=sale.supply_kind,
        buyer_name=sale.buyer_name,
        buyer_phone=sale.buyer_phone,
        buyer_gstin=sale.buyer_gstin,
        buyer_state=sale.buyer_state,
        reason=body.reason,
        **heads,
        round_off=0,
        payable=sum(heads.values()),
        request_sha256=digest,
    )
    return note, lines


def note_record(note: DebitNote, lines: Sequence[DebitNoteLine]) -> SaleRecorded:
    """The sale-shaped record of what the note charges, for the kernel's document
    (:func:`setledger.invoice.invoice_from_sale` with ``DocType.DEBIT_NOTE``)."""
    buyer = buyer_of(note)
    return SaleRecorded(
        sale_id=note.debit_note_id,
        invoice_no=note.note_no,
        financial_year=note.financial_year,
        sold_at=note.issued_at,
        business_date=note.business_date,
        seller_state=note.seller_state,
        place_of_supply=note.place_of_supply,
        supply_kind=gst.SupplyKind(note.supply_kind),
        rounding=gst.Rounding.PAISA,
        buyer=buyer,
        cashier=None,
        lines=[
            SaleLineContract(
                line_no=number,
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                hsn=line.hsn,
                unit=line.unit,
                qty=line.qty,
                unit_price=line.unit_price,
                price_includes_tax=False,
                discount=0,
                rate_bp=line.rate_bp,
                cess_bp=line.cess_bp,
                taxable=line.taxable,
                cgst=line.cgst,
                sgst=line.sgst,
                igst=line.igst,
                cess=line.cess,
                charged=line.taxable + line.cgst + line.sgst + line.igst + line.cess,
            )
            for number, line in enumerate(lines, start=1)
        ],
        tenders=[],
        totals=SaleTotals(
            taxable=note.taxable,
            cgst=note.cgst,
            sgst=note.sgst,
            igst=note.igst,
            cess=note.cess,
            round_off=note.round_off,
            payable=note.payable,
            tendered=note.payable,
            change=0,
        ),
        stock_moves=[],
    )


def note_invoice(
    session: Session, org_id: uuid.UUID, note: DebitNote, lines: Sequence[DebitNoteLine]
) -> Invoice:
    org = session.get(Org, org_id)
    store = session.get(Store, (org_id, note.store_id))
    if org is None or store is None:
        raise errors.ORG_NOT_FOUND.error(org_id=str(org_id))
    return _document(org, store, note, lines)


def _document(org: Org, store: Store, note: DebitNote, lines: Sequence[DebitNoteLine]) -> Invoice:
    try:
        return invoice_from_sale(
            note_record(note, lines),
            seller_of(org, store),
            doc_type=DocType.DEBIT_NOTE,
            original=OriginalInvoice(note.original_invoice_no, note.original_date),
        )
    except errors.SetLedgerError as err:
        err.details.setdefault("sale_id", str(note.sale_id))
        raise


def _lines_of(
    session: Session, org_id: uuid.UUID, notes: Sequence[DebitNote]
) -> dict[uuid.UUID, list[DebitNoteLine]]:
    found: dict[uuid.UUID, list[DebitNoteLine]] = defaultdict(list)
    if not notes:
        return found
    ids = [note.debit_note_id for note in notes]
    for line in session.scalars(
        select(DebitNoteLine)
        .where(
            DebitNoteLine.org_id == org_id,
            one_of(session, DebitNoteLine.debit_note_id, ids),
        )
        .order_by(DebitNoteLine.debit_note_id, DebitNoteLine.line_no)
    ):
        found[line.debit_note_id].append(line)
    return found


def _public(note: DebitNote, lines: dict[uuid.UUID, list[DebitNoteLine]]) -> DebitNotePublic:
    return DebitNotePublic(
        debit_note_id=note.debit_note_id,
        note_no=note.note_no,
        business_date=note.business_date,
        sale_id=note.sale_id,
        original_invoice_no=note.original_invoice_no,
        original_date=note.original_date,
        store_id=note.store_id,
        buyer_gstin=note.buyer_gstin,
        reason=note.reason,
        issued_by=note.issued_by,
        issued_at=note.issued_at,
        lines=[
            DebitNoteLinePublic(
                line_no=line.line_no,
                name=line.name,
                hsn=line.hsn,
                rate_bp=line.rate_bp,
                cess_bp=line.cess_bp,
                taxable=line.taxable,
                cgst=line.cgst,
                sgst=line.sgst,
                igst=line.igst,
                cess=line.cess,
            )
            for line in lines[note.debit_note_id]
        ],
        taxable=note.taxable,
        cgst=note.cgst,
        sgst=note.sgst,
        igst=note.igst,
        cess=note.cess,
        payable=note.payable,
    )


def _notes(
    session: Session, org_id: uuid.UUID, where: Sequence[ColumnElement[bool]]
) -> list[DebitNote]:
    return list(
        session.scalars(
            select(DebitNote)
            .where(DebitNote.org_id == org_id, *where)
            .order_by(DebitNote.business_date, DebitNote.serial)
        )
    )


def list_debit_notes(
    session: Session, org_id: uuid.UUID, date_from: date, date_to: date
) -> list[DebitNotePublic]:
    """The org's debit notes dated ``date_from``..``date_to``, by date and number."""
    with session.begin():
        notes = _notes(
            session,
            org_id,
            [DebitNote.business_date >= date_from, DebitNote.business_date <= date_to],
        )
        lines = _lines_of(session, org_id, notes)
        return [_public(note, lines) for note in notes]


def _one(session: Session, org_id: uuid.UUID, debit_note_id: uuid.UUID) -> DebitNote:
    note = session.get(DebitNote, (org_id, debit_note_id))
    if note is None:
        raise errors.DEBIT_NOTE_NOT_FOUND.error(debit_note_id=str(debit_note_id))
    return note


def read_debit_note(
    session: Session, org_id: uuid.UUID, debit_note_id: uuid.UUID
) -> DebitNotePublic:
    with session.begin():
        note = _one(session, org_id, debit_note_id)
        return _public(note, _lines_of(session, org_id, [note]))


def debit_note_pdf(
    session: Session, org_id: uuid.UUID, debit_note_id: uuid.UUID, paper: PaperSize
) -> tuple[Invoice, bytes]:
    """The note as the kernel's document and its PDF on ``paper`` (a UPI QR for the
    amount owed when the tax profile has a VPA, as on an invoice)."""
    with session.begin():
        note = _one(session, org_id, debit_note_id)
        lines = _lines_of(session, org_id, [note])[note.debit_note_id]
        invoice = note_invoice(session, org_id, note, lines)
        org = session.get(Org, org_id)
        assert org is not None  # note_invoice found it
        options = pdf_options(org, invoice, paper)
    return invoice, render_invoice_pdf(invoice, options)


def debit_notes_for_period(
    session: Session,
    org_id: uuid.UUID,
    date_from: date,
    date_to: date,
    *,
    store_id: uuid.UUID | None = None,
) -> list[Invoice]:
    """Every debit note of the org dated ``date_from``..``date_to`` as its document,
    naming the original invoice; ordered by date and number (for GSTR-1 and 3B)."""
    where = [DebitNote.business_date >= date_from, DebitNote.business_date <= date_to]
    if store_id is not None:
        where.append(DebitNote.store_id == store_id)
    notes = _notes(session, org_id, where)
    if not notes:
        return []
    org = session.get(Org, org_id)
    if org is None:
        raise errors.ORG_NOT_FOUND.error(org_id=str(org_id))
    stores = {s.store_id: s for s in session.scalars(select(Store).where(Store.org_id == org_id))}
    lines = _lines_of(session, org_id, notes)
    return [_document(org, stores[n.store_id], n, lines[n.debit_note_id]) for n in notes]
