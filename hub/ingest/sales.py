"""Effects of ``sale.recorded`` v1: the sale, its lines, tenders and stock moves.

Before anything is written a sale must prove itself: its key is its sale
id, its amounts recompute (``validate_sale``), it is invoiced under the
sending box's own prefix and in the financial year of its date, and
neither its invoice number nor its stock moves were used by another sale.
A sale already applied with the same content is a duplicate; with other
content it is quarantined, never applied twice or overwritten.

A box catching up sends up to 200 sales in one message, so the handler
takes them all at once (``hub.ingest.documents``, the shape returns and
shift closes share): one query per kind of clash for the whole batch and
one bulk insert per table. Every check runs before any write, so a
refused sale never leaves anything behind and needs no rollback; sales
of the same batch are checked against each other as well as the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.bulk import one_of
from hub.db.models import Sale, SaleLine, SaleTender, StockMove
from hub.ingest.context import Arrival
from hub.ingest.documents import DocumentKind, Held, Rows, apply_documents
from hub.ingest.outcome import APPLIED, QuarantineReason, Verdict
from setledger.contracts import Envelope, SaleRecorded, validate_sale
from setledger.fiscal import financial_year


@dataclass
class _Held(Held):
    """Sales (``documents``), invoice numbers and stock moves held so far."""

    invoices: dict[str, uuid.UUID] = field(default_factory=dict)
    moves: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)
    """move id -> the sale that recorded it (None: a move made at the hub)"""


def apply_sales_recorded(
    session: Session, arrival: Arrival, envelopes: Sequence[Envelope]
) -> list[Verdict]:
    """One verdict per envelope, in order; the accepted sales are written."""
    return apply_documents(SALES, session, arrival, envelopes)


def _load_held(session: Session, arrival: Arrival, sales: list[SaleRecorded]) -> _Held:
    """The sales, invoice numbers and stock moves of this batch already in the database."""
    held = _Held()
    if not sales:
        return held
    org_id = arrival.org.org_id
    # The batch's sales and invoice numbers already held, in one query.
    found = session.execute(
        select(
            Sale.sale_id, Sale.payload_sha256, Sale.device_id, Sale.epoch, Sale.seq, Sale.invoice_no
        ).where(
            Sale.org_id == org_id,
            one_of(session, Sale.sale_id, [s.sale_id for s in sales])
            | one_of(session, Sale.invoice_no, {s.invoice_no for s in sales}),
        )
    )
    wanted = {s.sale_id for s in sales}
    for sale_id, sha, device_id, epoch, seq, invoice_no in found:
        if sale_id in wanted:
            held.documents[sale_id] = (sha, f"from {device_id} epoch {epoch} seq {seq}")
        held.invoices[invoice_no] = sale_id
    move_ids = {move.move_id for s in sales for move in s.stock_moves}
    if move_ids:
        moves = session.execute(
            select(StockMove.move_id, StockMove.sale_id).where(
                StockMove.org_id == org_id, one_of(session, StockMove.move_id, move_ids)
            )
        )
        held.moves.update({move_id: sale_id for move_id, sale_id in moves})
    return held


def _judge(
    arrival: Arrival, envelope: Envelope, sale: SaleRecorded, held: _Held, state: str | None
) -> Verdict:
    problems = _rule_problems(arrival, sale, state)
    if problems:
        return Verdict.quarantine(QuarantineReason.SALE_INVALID, "; ".join(problems))
    # The holder being this very sale is not a clash: on PostgreSQL another
    # worker may commit the same sale meanwhile. Our insert then fails on the
    # sale's key and the retry reports a duplicate.
    holder = held.invoices.get(sale.invoice_no)
    if holder is not None and holder != sale.sale_id:
        return Verdict.quarantine(
            QuarantineReason.INVOICE_REUSED,
            f"invoice {sale.invoice_no} already belongs to sale {holder}",
        )
    move_ids = [move.move_id for move in sale.stock_moves]
    if len(set(move_ids)) != len(move_ids):
        return Verdict.quarantine(QuarantineReason.MOVE_REUSED, "a stock move id is listed twice")
    for move_id in move_ids:
        if move_id in held.moves and held.moves[move_id] != sale.sale_id:
            return Verdict.quarantine(
                QuarantineReason.MOVE_REUSED, f"stock move {move_id} was recorded before"
            )
    return APPLIED


def _rule_problems(arrival: Arrival, sale: SaleRecorded, state: str | None) -> list[str]:
    problems = validate_sale(sale)
    device = arrival.device
    if state is not None and sale.seller_state != state:
        problems.append(f"seller state {sale.seller_state} is not the store's {state}")
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
    return problems


def _remember(held: _Held, envelope: Envelope, sale: SaleRecorded) -> None:
    held.invoices[sale.invoice_no] = sale.sale_id
    for move in sale.stock_moves:
        held.moves[move.move_id] = sale.sale_id


def _add_rows(rows: Rows, arrival: Arrival, envelope: Envelope, sale: SaleRecorded) -> None:
    org_id = arrival.org.org_id
    buyer = sale.buyer
    rows[Sale.__tablename__].append(
        {
            "org_id": org_id,
            "sale_id": sale.sale_id,
            "store_id": envelope.store_id,
            "device_id": envelope.device_id,
            "epoch": envelope.epoch,
            "stream": envelope.stream,
            "seq": envelope.seq,
            "invoice_no": sale.invoice_no,
            "financial_year": sale.financial_year,
            "sold_at": sale.sold_at,
            "business_date": sale.business_date,
            "seller_state": sale.seller_state,
            "place_of_supply": sale.place_of_supply,
            "supply_kind": sale.supply_kind.value,
            "rounding": sale.rounding.value,
            "buyer_name": buyer.name if buyer else None,
            "buyer_phone": buyer.phone if buyer else None,
            "buyer_gstin": buyer.gstin if buyer else None,
            "buyer_state": buyer.state if buyer else None,
            "cashier": sale.cashier,
            # The contract's totals are the table's columns, one for one.
            **sale.totals.model_dump(),
            "hlc": envelope.hlc,
            "wall_time": envelope.wall_time,
            "received_at": arrival.received_at,
            "correlation_id": envelope.correlation_id,
            "payload_sha256": envelope.payload_sha256,
        }
    )
    # So are the line fields.
    rows[SaleLine.__tablename__].extend(
        {"org_id": org_id, "sale_id": sale.sale_id, **line.model_dump(exclude={"serial_no"})}
        for line in sale.lines
    )
    rows[SaleTender.__tablename__].extend(
        {
            "org_id": org_id,
            "sale_id": sale.sale_id,
            "tender_no": number,
            "kind": tender.kind.value,
            "amount": tender.amount,
            "reference": tender.reference,
        }
        for number, tender in enumerate(sale.tenders, start=1)
    )
    rows[StockMove.__tablename__].extend(
        {
            "org_id": org_id,
            "move_id": move.move_id,
            "store_id": envelope.store_id,
            "device_id": envelope.device_id,
            "product_id": move.product_id,
            "qty": move.qty,
            "reason": move.reason,
            "sale_id": sale.sale_id,
            "moved_at": sale.sold_at,
            # The box's batch, turned into the org's lot before insert (hub.stock.lots).
            "batch_no": move.batch_no,
            "expiry": move.expiry,
            # A unit's serial number: its own lot of one (hub.stock.lots).
            "serial_no": move.serial_no,
            # A store's own stock location has the store's id (hub.db.stock).
            "location_id": envelope.store_id,
            "business_date": sale.business_date,
            "received_at": arrival.received_at,
        }
        for move in sale.stock_moves
    )


SALES: DocumentKind[SaleRecorded, _Held] = DocumentKind(
    model=SaleRecorded,
    name="sale.recorded v1",
    key=lambda sale: sale.sale_id,
    key_name="sale id",
    load_held=_load_held,
    judge=_judge,
    remember=_remember,
    add_rows=_add_rows,
    tables=(Sale, SaleLine, SaleTender, StockMove),
)
