"""Effects of ``sale.recorded`` v1: the sale, its lines, tenders and stock moves.

Before anything is written the sale must prove itself: its key is its
sale id, its amounts recompute (``validate_sale``), it is invoiced under
the sending box's own prefix and in the financial year of its date, and
neither its invoice number nor its stock moves were used by another sale.
A sale already applied with the same content is a duplicate; with other
content it is quarantined, never applied twice or overwritten.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.db.models import Sale, SaleLine, SaleTender, StockMove, Store
from hub.ingest.context import Arrival
from hub.ingest.outcome import APPLIED, DUPLICATE, QuarantineReason, Verdict
from setledger.contracts import Envelope, SaleRecorded, validate_sale
from setledger.fiscal import financial_year

MAX_LISTED_PROBLEMS = 5


def describe_validation_error(err: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(p) for p in e['loc']) or '$'}: {e['msg']}"
        for e in err.errors()[:MAX_LISTED_PROBLEMS]
    ]
    return f"{err.error_count()} problem(s): " + "; ".join(problems)


def apply_sale_recorded(session: Session, arrival: Arrival, envelope: Envelope) -> Verdict:
    try:
        sale = SaleRecorded.model_validate(envelope.payload)
    except ValidationError as err:
        return Verdict.quarantine(
            QuarantineReason.PAYLOAD_INVALID,
            f"not a sale.recorded v1 payload: {describe_validation_error(err)}",
        )
    org_id = arrival.org.org_id
    if envelope.key != str(sale.sale_id):
        return Verdict.quarantine(
            QuarantineReason.KEY_MISMATCH,
            f"envelope key {envelope.key!r} is not the sale id {sale.sale_id}",
        )
    existing = session.get(Sale, (org_id, sale.sale_id))
    if existing is not None:
        if existing.payload_sha256 == envelope.payload_sha256:
            return DUPLICATE
        return Verdict.quarantine(
            QuarantineReason.KEY_REUSED,
            f"sale {sale.sale_id} was applied before with different content "
            f"(from {existing.device_id} epoch {existing.epoch} seq {existing.seq})",
        )
    refusal = _check_sale(session, arrival, sale)
    if refusal is not None:
        return refusal
    _write_sale(session, arrival, envelope, sale)
    return APPLIED


def _check_sale(session: Session, arrival: Arrival, sale: SaleRecorded) -> Verdict | None:
    problems = validate_sale(sale)
    device = arrival.device
    store = session.get(Store, (arrival.org.org_id, device.store_id))
    if store is not None and sale.seller_state != store.state_code:
        problems.append(f"seller state {sale.seller_state} is not the store's {store.state_code}")
    if not sale.invoice_no.startswith(f"{device.invoice_prefix}/"):
        problems.append(
            f"invoice {sale.invoice_no} is not in this box's series ({device.invoice_prefix}/...)"
        )
    expected_fy = financial_year(sale.business_date).label
    if sale.financial_year != expected_fy:
        problems.append(
            f"financial year {sale.financial_year} is not that of {sale.business_date} "
            f"({expected_fy})"
        )
    if problems:
        return Verdict.quarantine(QuarantineReason.SALE_INVALID, "; ".join(problems))
    # Rows of this very sale are left out of the clash checks: on PostgreSQL
    # another worker may commit the same sale while we check. Our insert then
    # fails on the sale's key, and the retry reports a duplicate.
    org_id = arrival.org.org_id
    clash = session.scalar(
        select(Sale.sale_id).where(
            Sale.org_id == org_id,
            Sale.invoice_no == sale.invoice_no,
            Sale.sale_id != sale.sale_id,
        )
    )
    if clash is not None:
        return Verdict.quarantine(
            QuarantineReason.INVOICE_REUSED,
            f"invoice {sale.invoice_no} already belongs to sale {clash}",
        )
    move_ids = [move.move_id for move in sale.stock_moves]
    if len(set(move_ids)) != len(move_ids):
        return Verdict.quarantine(QuarantineReason.MOVE_REUSED, "a stock move id is listed twice")
    if move_ids:
        used = session.scalar(
            select(StockMove.move_id).where(
                StockMove.org_id == org_id,
                StockMove.move_id.in_(move_ids),
                or_(StockMove.sale_id.is_(None), StockMove.sale_id != sale.sale_id),
            )
        )
        if used is not None:
            return Verdict.quarantine(
                QuarantineReason.MOVE_REUSED, f"stock move {used} was recorded before"
            )
    return None


def _write_sale(session: Session, arrival: Arrival, envelope: Envelope, sale: SaleRecorded) -> None:
    org_id = arrival.org.org_id
    buyer = sale.buyer
    totals = sale.totals
    session.add(
        Sale(
            org_id=org_id,
            sale_id=sale.sale_id,
            store_id=envelope.store_id,
            device_id=envelope.device_id,
            epoch=envelope.epoch,
            stream=envelope.stream,
            seq=envelope.seq,
            invoice_no=sale.invoice_no,
            financial_year=sale.financial_year,
            sold_at=sale.sold_at,
            business_date=sale.business_date,
            seller_state=sale.seller_state,
            place_of_supply=sale.place_of_supply,
            supply_kind=sale.supply_kind.value,
            rounding=sale.rounding.value,
            buyer_name=buyer.name if buyer else None,
            buyer_phone=buyer.phone if buyer else None,
            buyer_gstin=buyer.gstin if buyer else None,
            buyer_state=buyer.state if buyer else None,
            cashier=sale.cashier,
            taxable=totals.taxable,
            cgst=totals.cgst,
            sgst=totals.sgst,
            igst=totals.igst,
            cess=totals.cess,
            round_off=totals.round_off,
            payable=totals.payable,
            tendered=totals.tendered,
            change=totals.change,
            hlc=envelope.hlc,
            wall_time=envelope.wall_time,
            received_at=arrival.received_at,
            correlation_id=envelope.correlation_id,
            payload_sha256=envelope.payload_sha256,
        )
    )
    # The sale row first: its children's foreign keys are checked at once.
    session.flush()
    # The contract's line fields are the table's columns, one for one.
    session.add_all(
        SaleLine(org_id=org_id, sale_id=sale.sale_id, **line.model_dump()) for line in sale.lines
    )
    session.add_all(
        SaleTender(
            org_id=org_id,
            sale_id=sale.sale_id,
            tender_no=number,
            kind=tender.kind.value,
            amount=tender.amount,
            reference=tender.reference,
        )
        for number, tender in enumerate(sale.tenders, start=1)
    )
    session.add_all(
        StockMove(
            org_id=org_id,
            move_id=move.move_id,
            store_id=envelope.store_id,
            device_id=envelope.device_id,
            product_id=move.product_id,
            qty=move.qty,
            reason=move.reason,
            sale_id=sale.sale_id,
            moved_at=sale.sold_at,
            business_date=sale.business_date,
            received_at=arrival.received_at,
        )
        for move in sale.stock_moves
    )
    session.flush()
