"""Invoices rebuilt from stored sales (a read service: never writes, never commits).

The stored rows hold every field of the ``SaleRecorded`` contract, so the
sale is rebuilt as the box sent it and handed to the kernel's
:func:`setledger.invoice.invoice_from_sale`: the box and the hub run the
same code on the same input and so print the same invoice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hub.db.debit_notes import DebitNote
from hub.db.models import (
    Org,
    Sale,
    SaleLine,
    SaleReturn,
    SaleReturnLine,
    SaleReturnRefund,
    SaleTender,
    Store,
)
from setledger import errors, gst
from setledger.contracts.returns import (
    OriginalSale,
    ReturnLine,
    ReturnRecorded,
    ReturnRefund,
    ReturnTotals,
    as_sale_record,
)
from setledger.contracts.sales import Buyer, SaleRecorded, SaleTotals
from setledger.contracts.sales import SaleLine as SaleLineContract
from setledger.contracts.sales import SaleTender as SaleTenderContract
from setledger.gst_thresholds import b2c_section
from setledger.gstin import is_valid_gstin
from setledger.invoice import DocType, Invoice, OriginalInvoice, Party, Seller, invoice_from_sale
from setledger.tenders import TenderKind


def seller_of(org: Org, store: Store) -> Seller:
    """The seller as the invoice prints it: the org's tax profile, the store's registration.

    A store registered on its own (another state) has its own GSTIN; other
    stores sell under the org's.
    """
    return Seller(
        party=Party(
            legal_name=org.legal_name or org.name,
            trade_name=org.trade_name,
            state=store.state_code,
            gstin=store.gstin or org.gstin,
            address1=org.address1,
            address2=org.address2,
            location=org.location,
            pin=org.pin,
            phone=org.phone,
            email=org.email,
        ),
        aato=org.aato or 0,
        sandbox=org.gst_sandbox,
    )


def invoice_for_sale(session: Session, org_id: uuid.UUID, sale_id: uuid.UUID) -> Invoice:
    """The tax invoice of one stored sale; SALE_NOT_FOUND when the org has no such sale."""
    invoices = _invoices(session, org_id, [Sale.sale_id == sale_id])
    if not invoices:
        raise errors.SALE_NOT_FOUND.error(sale_id=str(sale_id))
    return invoices[0]


def invoices_for_period(
    session: Session,
    org_id: uuid.UUID,
    date_from: date,
    date_to: date,
    *,
    store_id: uuid.UUID | None = None,
) -> list[Invoice]:
    """Every sale of the org dated ``date_from``..``date_to`` (inclusive) as an invoice,
    ordered by date and number. One sale that cannot be an invoice refuses the lot."""
    where = [Sale.business_date >= date_from, Sale.business_date <= date_to]
    if store_id is not None:
        where.append(Sale.store_id == store_id)
    return _invoices(session, org_id, where)


def stored_sales(
    session: Session, org_id: uuid.UUID, where: Sequence[ColumnElement[bool]]
) -> list[tuple[Sale, SaleRecorded]]:
    """The org's sales matching ``where``, each with its rebuilt message.

    Lines and tenders are read by joining the same filter rather than by a
    list of ids, so a month of a busy org stays three statements.
    """
    scope = [Sale.org_id == org_id, *where]
    sales = list(
        session.scalars(select(Sale).where(*scope).order_by(Sale.business_date, Sale.invoice_no))
    )
    if not sales:
        return []
    lines: dict[uuid.UUID, list[SaleLine]] = defaultdict(list)
    for line in session.scalars(
        select(SaleLine)
        .join(Sale, (Sale.org_id == SaleLine.org_id) & (Sale.sale_id == SaleLine.sale_id))
        .where(*scope)
        .order_by(SaleLine.sale_id, SaleLine.line_no)
    ):
        lines[line.sale_id].append(line)
    tenders: dict[uuid.UUID, list[SaleTender]] = defaultdict(list)
    for tender in session.scalars(
        select(SaleTender)
        .join(Sale, (Sale.org_id == SaleTender.org_id) & (Sale.sale_id == SaleTender.sale_id))
        .where(*scope)
        .order_by(SaleTender.sale_id, SaleTender.tender_no)
    ):
        tenders[tender.sale_id].append(tender)
    return [
        (sale, sale_message(sale, lines[sale.sale_id], tenders[sale.sale_id])) for sale in sales
    ]


class _BuyerColumns(Protocol):
    buyer_name: str | None
    buyer_phone: str | None
    buyer_gstin: str | None
    buyer_state: str | None


def buyer_of(row: _BuyerColumns) -> Buyer | None:
    """The buyer a stored sale or note recorded, if any."""
    if not any((row.buyer_name, row.buyer_phone, row.buyer_gstin, row.buyer_state)):
        return None
    return Buyer(
        name=row.buyer_name, phone=row.buyer_phone, gstin=row.buyer_gstin, state=row.buyer_state
    )


def sale_message(
    sale: Sale, lines: Sequence[SaleLine], tenders: Sequence[SaleTender]
) -> SaleRecorded:
    """The ``sale.recorded`` message the stored rows were written from.

    Stock moves are not part of an invoice and are left out.
    """
    buyer = buyer_of(sale)
    return SaleRecorded(
        sale_id=sale.sale_id,
        invoice_no=sale.invoice_no,
        financial_year=sale.financial_year,
        sold_at=sale.sold_at,
        business_date=sale.business_date,
        seller_state=sale.seller_state,
        place_of_supply=sale.place_of_supply,
        supply_kind=gst.SupplyKind(sale.supply_kind),
        rounding=gst.Rounding(sale.rounding),
        buyer=buyer,
        cashier=sale.cashier,
        lines=[
            SaleLineContract(
                line_no=line.line_no,
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                hsn=line.hsn,
                unit=line.unit,
                qty=line.qty,
                unit_price=line.unit_price,
                price_includes_tax=line.price_includes_tax,
                discount=line.discount,
                rate_bp=line.rate_bp,
                cess_bp=line.cess_bp,
                taxable=line.taxable,
                cgst=line.cgst,
                sgst=line.sgst,
                igst=line.igst,
                cess=line.cess,
                charged=line.charged,
            )
            for line in lines
        ],
        tenders=[
            SaleTenderContract(
                kind=TenderKind(tender.kind), amount=tender.amount, reference=tender.reference
            )
            for tender in tenders
        ],
        totals=SaleTotals(
            taxable=sale.taxable,
            cgst=sale.cgst,
            sgst=sale.sgst,
            igst=sale.igst,
            cess=sale.cess,
            round_off=sale.round_off,
            payable=sale.payable,
            tendered=sale.tendered,
            change=sale.change,
        ),
        stock_moves=[],
    )


def _invoices(
    session: Session, org_id: uuid.UUID, where: Sequence[ColumnElement[bool]]
) -> list[Invoice]:
    rows = stored_sales(session, org_id, where)
    if not rows:
        return []
    org = session.get(Org, org_id)
    if org is None:
        raise errors.ORG_NOT_FOUND.error(org_id=str(org_id))
    stores = _stores(session, org_id)
    invoices = []
    for sale, message in rows:
        seller = seller_of(org, stores[sale.store_id])
        _check_parties(sale, seller)
        try:
            invoices.append(invoice_from_sale(message, seller))
        except errors.SetLedgerError as err:
            # The kernel names the invoice; the sale's id lets a caller open it.
            err.details.setdefault("sale_id", str(sale.sale_id))
            raise
    return invoices


def _check_parties(sale: Sale, seller: Seller) -> None:
    """Name the field when a GSTIN stops the sale from being an invoice.

    The kernel refuses the same cases (R12); checking first lets the error
    say which field to fix, as a return's validation report would.
    """

    def refuse(field: str, reason: str) -> errors.SetLedgerError:
        return errors.INVOICE_INCONSISTENT.error(
            invoice_no=sale.invoice_no, reason=reason, field=field, sale_id=str(sale.sale_id)
        )

    gstin = seller.party.gstin
    if not gstin:
        raise refuse("seller.gstin", "the organisation has no GSTIN: fill in its tax profile")
    if not is_valid_gstin(gstin, sandbox=seller.sandbox):
        raise refuse("seller.gstin", f"seller GSTIN {gstin!r} is not valid (R12)")
    if sale.buyer_gstin and not is_valid_gstin(sale.buyer_gstin, sandbox=seller.sandbox):
        raise refuse("buyer.gstin", f"buyer GSTIN {sale.buyer_gstin!r} is not valid (R12)")


def _stores(session: Session, org_id: uuid.UUID) -> dict[uuid.UUID, Store]:
    # An org has a handful of stores: read them all.
    return {
        store.store_id: store
        for store in session.scalars(select(Store).where(Store.org_id == org_id))
    }


def credit_notes_for_period(
    session: Session,
    org_id: uuid.UUID,
    date_from: date,
    date_to: date,
    *,
    store_id: uuid.UUID | None = None,
) -> list[Invoice]:
    """Every return of the org dated ``date_from``..``date_to`` as its credit note,
    naming the original invoice; ordered by date and number. The note is built from
    the return's own rows, so a return whose sale has not arrived is still filed."""
    where = [
        SaleReturn.org_id == org_id,
        SaleReturn.business_date >= date_from,
        SaleReturn.business_date <= date_to,
    ]
    if store_id is not None:
        where.append(SaleReturn.store_id == store_id)
    notes = list(
        session.scalars(
            select(SaleReturn).where(*where).order_by(SaleReturn.business_date, SaleReturn.note_no)
        )
    )
    if not notes:
        return []
    lines: dict[uuid.UUID, list[SaleReturnLine]] = defaultdict(list)
    for line in session.scalars(
        select(SaleReturnLine)
        .join(
            SaleReturn,
            (SaleReturn.org_id == SaleReturnLine.org_id)
            & (SaleReturn.return_id == SaleReturnLine.return_id),
        )
        .where(*where)
        .order_by(SaleReturnLine.return_id, SaleReturnLine.line_no)
    ):
        lines[line.return_id].append(line)
    refunds: dict[uuid.UUID, list[SaleReturnRefund]] = defaultdict(list)
    for refund in session.scalars(
        select(SaleReturnRefund)
        .join(
            SaleReturn,
            (SaleReturn.org_id == SaleReturnRefund.org_id)
            & (SaleReturn.return_id == SaleReturnRefund.return_id),
        )
        .where(*where)
        .order_by(SaleReturnRefund.return_id, SaleReturnRefund.refund_no)
    ):
        refunds[refund.return_id].append(refund)
    org = session.get(Org, org_id)
    if org is None:
        raise errors.ORG_NOT_FOUND.error(org_id=str(org_id))
    stores = _stores(session, org_id)
    documents = []
    for note in notes:
        message = return_message(note, lines[note.return_id], refunds[note.return_id])
        original = OriginalInvoice(note.original_invoice_no, note.original_date)
        documents.append(
            invoice_from_sale(
                as_sale_record(message),
                seller_of(org, stores[note.store_id]),
                doc_type=DocType.CREDIT_NOTE,
                original=original,
            )
        )
    return documents


def b2cl_originals(
    session: Session,
    org_id: uuid.UUID,
    date_from: date,
    date_to: date,
    *,
    store_id: uuid.UUID | None = None,
    notes: type[SaleReturn] | type[DebitNote] = SaleReturn,
) -> set[str]:
    """Invoice numbers of the originals of the period's credit (or debit) notes that
    were B2CL (unregistered, inter-state, above the limit on their date): their notes
    go to cdnur."""
    where = [
        notes.org_id == org_id,
        notes.business_date >= date_from,
        notes.business_date <= date_to,
        notes.buyer_gstin.is_(None),
        notes.supply_kind == gst.SupplyKind.INTER.value,
    ]
    if store_id is not None:
        where.append(notes.store_id == store_id)
    rows = session.execute(
        select(notes.original_invoice_no, notes.original_payable, notes.original_date).where(*where)
    )
    return {
        number
        for number, payable, day in rows
        if b2c_section(inter_state=True, invoice_value=payable, day=day) == "b2cl"
    }


def return_message(
    note: SaleReturn, lines: Sequence[SaleReturnLine], refunds: Sequence[SaleReturnRefund]
) -> ReturnRecorded:
    """The ``return.recorded`` message the stored rows were written from."""
    buyer = buyer_of(note)
    line_fields = set(ReturnLine.model_fields)
    return ReturnRecorded(
        return_id=note.return_id,
        note_no=note.note_no,
        financial_year=note.financial_year,
        returned_at=note.returned_at,
        business_date=note.business_date,
        original=OriginalSale(
            sale_id=note.sale_id,
            invoice_no=note.original_invoice_no,
            business_date=note.original_date,
            payable=note.original_payable,
        ),
        seller_state=note.seller_state,
        place_of_supply=note.place_of_supply,
        supply_kind=gst.SupplyKind(note.supply_kind),
        rounding=gst.Rounding(note.rounding),
        buyer=buyer,
        cashier=note.cashier,
        reason=note.reason,
        lines=[ReturnLine(**{name: getattr(line, name) for name in line_fields}) for line in lines],
        refunds=[
            ReturnRefund(kind=TenderKind(x.kind), amount=x.amount, reference=x.reference)
            for x in refunds
        ],
        totals=ReturnTotals(**{name: getattr(note, name) for name in ReturnTotals.model_fields}),
        # Not part of a credit note; the moves are in stock_move.
        stock_moves=[],
    )
