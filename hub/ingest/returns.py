"""Effects of ``return.recorded`` v1: the credit note, its lines, refunds, restocking.

A return must prove itself before anything is written: its key is its
return id, it adds up (``validate_return``), its note number is in the
sending box's credit note series for the note's financial year, and
neither that number nor its stock moves were used before. A return
applied before with the same content is a duplicate; with other content
it is quarantined, never applied twice or overwritten.

The original sale, when the hub holds it, must be the one the note names
(same store, invoice number, date and value), each returned line must be
a line of it with the same product and rate, and the quantities and
amounts returned so far may not exceed the line's. When the sale has not
arrived yet (returns travel on their own stream, so a box catching up may
deliver a return first), the return is accepted on its own word: it
carries every amount its credit note and posting need, the box checked it
against the sale in its own database, and the hub must never lose it.
The checks against the sale are then the box's alone (docs/RETURNS.md).

Refusals are quarantined with the sales' reason codes: ``sale_invalid``
for a rule broken, ``invoice_reused`` for a note number held by another
return, ``move_reused`` for a stock move id used before.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.bulk import one_of
from hub.db.models import Sale, SaleLine, StockMove
from hub.db.returns import SaleReturn, SaleReturnLine, SaleReturnRefund
from hub.ingest.context import Arrival
from hub.ingest.documents import DocumentKind, Held, Rows, apply_documents
from hub.ingest.outcome import APPLIED, QuarantineReason, Verdict
from setledger.contracts import Envelope, ReturnRecorded, validate_return
from setledger.contracts.returns import PRORATED, is_credit_note_of
from setledger.fiscal import financial_year

CAPPED = ("qty", *PRORATED)
"""What the notes of a sale line may not return more of than the line had."""


@dataclass
class _Held(Held):
    """Returns (``documents``), note numbers, moves and the original sales held so far."""

    notes: dict[str, uuid.UUID] = field(default_factory=dict)
    moves: set[uuid.UUID] = field(default_factory=set)
    sales: dict[uuid.UUID, Sale] = field(default_factory=dict)
    lines: dict[tuple[uuid.UUID, int], SaleLine] = field(default_factory=dict)
    returned: dict[tuple[uuid.UUID, int], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(CAPPED, 0))
    )
    """(sale id, line no) -> what its notes so far gave back"""


def apply_returns_recorded(
    session: Session, arrival: Arrival, envelopes: Sequence[Envelope]
) -> list[Verdict]:
    """One verdict per envelope, in order; the accepted returns are written."""
    return apply_documents(RETURNS, session, arrival, envelopes)


def _load_held(session: Session, arrival: Arrival, notes: list[ReturnRecorded]) -> _Held:
    """The batch's returns, note numbers, moves and original sales already in the database."""
    held = _Held()
    if not notes:
        return held
    org_id = arrival.org.org_id
    wanted = {n.return_id for n in notes}
    for return_id, sha, device_id, epoch, seq, note_no in session.execute(
        select(
            SaleReturn.return_id,
            SaleReturn.payload_sha256,
            SaleReturn.device_id,
            SaleReturn.epoch,
            SaleReturn.seq,
            SaleReturn.note_no,
        ).where(
            SaleReturn.org_id == org_id,
            one_of(session, SaleReturn.return_id, wanted)
            | one_of(session, SaleReturn.note_no, {n.note_no for n in notes}),
        )
    ):
        if return_id in wanted:
            held.documents[return_id] = (sha, f"from {device_id} epoch {epoch} seq {seq}")
        held.notes[note_no] = return_id
    move_ids = {m.move_id for n in notes for m in n.stock_moves}
    held.moves.update(
        session.scalars(
            select(StockMove.move_id).where(
                StockMove.org_id == org_id, one_of(session, StockMove.move_id, move_ids)
            )
        )
    )
    sale_ids = {n.original.sale_id for n in notes}
    held.sales = {
        sale.sale_id: sale
        for sale in session.scalars(
            select(Sale).where(Sale.org_id == org_id, one_of(session, Sale.sale_id, sale_ids))
        )
    }
    if held.sales:
        for line in session.scalars(
            select(SaleLine).where(
                SaleLine.org_id == org_id, one_of(session, SaleLine.sale_id, list(held.sales))
            )
        ):
            held.lines[(line.sale_id, line.line_no)] = line
        earlier = session.execute(
            select(SaleReturn.sale_id, SaleReturnLine)
            .join(
                SaleReturnLine,
                (SaleReturnLine.org_id == SaleReturn.org_id)
                & (SaleReturnLine.return_id == SaleReturn.return_id),
            )
            .where(
                SaleReturn.org_id == org_id,
                one_of(session, SaleReturn.sale_id, list(held.sales)),
            )
        )
        for sale_id, returned in earlier:
            sums = held.returned[(sale_id, returned.line_no)]
            for name in CAPPED:
                sums[name] += getattr(returned, name)
    return held


def _judge(
    arrival: Arrival, envelope: Envelope, note: ReturnRecorded, held: _Held, state: str | None
) -> Verdict:
    problems = _rule_problems(arrival, envelope, note, held, state)
    if problems:
        return Verdict.quarantine(QuarantineReason.SALE_INVALID, "; ".join(problems))
    holder = held.notes.get(note.note_no)
    if holder is not None and holder != note.return_id:
        return Verdict.quarantine(
            QuarantineReason.INVOICE_REUSED,
            f"credit note {note.note_no} already belongs to return {holder}",
        )
    move_ids = [move.move_id for move in note.stock_moves]
    if len(set(move_ids)) != len(move_ids) or held.moves.intersection(move_ids):
        return Verdict.quarantine(
            QuarantineReason.MOVE_REUSED, "a stock move id was listed twice or recorded before"
        )
    return APPLIED


def _rule_problems(
    arrival: Arrival, envelope: Envelope, note: ReturnRecorded, held: _Held, state: str | None
) -> list[str]:
    problems = validate_return(note)
    if state is not None and note.seller_state != state:
        problems.append(f"seller state {note.seller_state} is not the store's {state}")
    prefix = arrival.device.invoice_prefix
    if not is_credit_note_of(note.note_no, prefix, financial_year(note.business_date)):
        problems.append(
            f"credit note {note.note_no} is not in this box's series for "
            f"{note.financial_year} ({prefix}/<FY>/C...)"
        )
    sale = held.sales.get(note.original.sale_id)
    if sale is not None:
        problems.extend(_against_original(envelope, note, sale, held))
    return problems


def _against_original(
    envelope: Envelope, note: ReturnRecorded, sale: Sale, held: _Held
) -> list[str]:
    """What the note says of its sale, checked against the sale the hub holds."""
    problems = []
    original = note.original
    said = (
        envelope.store_id,
        original.invoice_no,
        original.business_date,
        original.payable,
        note.place_of_supply,
        note.supply_kind.value,
    )
    held_as = (
        sale.store_id,
        sale.invoice_no,
        sale.business_date,
        sale.payable,
        sale.place_of_supply,
        sale.supply_kind,
    )
    if said != held_as:
        problems.append(f"the note's original {said} is not sale {sale.sale_id} {held_as}")
    for line in note.lines:
        key = (sale.sale_id, line.line_no)
        sold = held.lines.get(key)
        if sold is None:
            problems.append(f"sale {sale.invoice_no} has no line {line.line_no}")
            continue
        if (sold.product_id, sold.rate_bp, sold.cess_bp) != (
            line.product_id,
            line.rate_bp,
            line.cess_bp,
        ):
            problems.append(f"line {line.line_no}: product or rate differs from the sale's")
        before = held.returned[key]
        over = [n for n in CAPPED if before[n] + getattr(line, n) > getattr(sold, n)]
        if over:
            problems.append(
                f"line {line.line_no}: more {', '.join(over)} returned than sale "
                f"{sale.invoice_no} had"
            )
    return problems


def _remember(held: _Held, envelope: Envelope, note: ReturnRecorded) -> None:
    held.notes[note.note_no] = note.return_id
    held.moves.update(move.move_id for move in note.stock_moves)
    for line in note.lines:
        sums = held.returned[(note.original.sale_id, line.line_no)]
        for name in CAPPED:
            sums[name] += getattr(line, name)


def _add_rows(rows: Rows, arrival: Arrival, envelope: Envelope, note: ReturnRecorded) -> None:
    org_id = arrival.org.org_id
    buyer = note.buyer
    original = note.original
    rows[SaleReturn.__tablename__].append(
        {
            "org_id": org_id,
            "return_id": note.return_id,
            "store_id": envelope.store_id,
            "device_id": envelope.device_id,
            "epoch": envelope.epoch,
            "stream": envelope.stream,
            "seq": envelope.seq,
            "note_no": note.note_no,
            "financial_year": note.financial_year,
            "returned_at": note.returned_at,
            "business_date": note.business_date,
            "sale_id": original.sale_id,
            "original_invoice_no": original.invoice_no,
            "original_date": original.business_date,
            "original_payable": original.payable,
            "seller_state": note.seller_state,
            "place_of_supply": note.place_of_supply,
            "supply_kind": note.supply_kind.value,
            "rounding": note.rounding.value,
            "buyer_name": buyer.name if buyer else None,
            "buyer_phone": buyer.phone if buyer else None,
            "buyer_gstin": buyer.gstin if buyer else None,
            "buyer_state": buyer.state if buyer else None,
            "cashier": note.cashier,
            "reason": note.reason,
            # The contract's totals are the table's columns, one for one.
            **note.totals.model_dump(),
            "hlc": envelope.hlc,
            "wall_time": envelope.wall_time,
            "received_at": arrival.received_at,
            "correlation_id": envelope.correlation_id,
            "payload_sha256": envelope.payload_sha256,
        }
    )
    # validate_return checked the moves pair with the lines, in order.
    rows[SaleReturnLine.__tablename__].extend(
        {"org_id": org_id, "return_id": note.return_id, **line.model_dump(), "move_id": m.move_id}
        for line, m in zip(note.lines, note.stock_moves, strict=True)
    )
    rows[SaleReturnRefund.__tablename__].extend(
        {
            "org_id": org_id,
            "return_id": note.return_id,
            "refund_no": number,
            "kind": refund.kind.value,
            "amount": refund.amount,
            "reference": refund.reference,
        }
        for number, refund in enumerate(note.refunds, start=1)
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
            "sale_id": None,
            "moved_at": note.returned_at,
            # The box's batch, turned into the org's lot before insert (hub.stock.lots).
            "batch_no": move.batch_no,
            "expiry": move.expiry,
            # A unit's serial number: its own lot of one (hub.stock.lots).
            "serial_no": move.serial_no,
            # A store's own stock location has the store's id (hub.db.stock).
            "location_id": envelope.store_id,
            "business_date": note.business_date,
            "received_at": arrival.received_at,
        }
        for move in note.stock_moves
    )


RETURNS: DocumentKind[ReturnRecorded, _Held] = DocumentKind(
    model=ReturnRecorded,
    name="return.recorded v1",
    key=lambda note: note.return_id,
    key_name="return id",
    load_held=_load_held,
    judge=_judge,
    remember=_remember,
    add_rows=_add_rows,
    tables=(SaleReturn, SaleReturnLine, SaleReturnRefund, StockMove),
)
