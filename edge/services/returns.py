"""Returns at the counter: a credit note for part or all of a sale of this box.

One SQLite write transaction, all or nothing, idempotent by the client's
return id: the note and its lines and refunds, the restocking stock moves,
the next number of the box's credit note series, the manager's approval
and the outbox rows (stream ``returns``, and ``approvals``). Only sales
recorded at this box can be returned, from its own database, so a return
needs no hub.

Amounts come from the sale's own lines by cumulative proration
(:func:`setledger.contracts.returns.return_line`), so the notes of a sale
add up exactly to it; the refunds must add up to the note's payable, which
``quote`` tells before anything is written.

Every return is a refund from the drawer, so it needs a manager's PIN
(``approval``), recorded as an ``approval.recorded`` of action ``return``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy import Connection, RowMapping, func, insert, select

from documents.invoice_pdf import InvoicePdfOptions, PaperSize, render_invoice_pdf
from edge.runtime import BoxRuntime
from edge.services import approvals, catalog, invoice_document, stock
from edge.services.approvals import ApprovalRequest, Grant
from edge.services.checkout import load_sale, parse_line_qty
from edge.services.identity import current_epoch, require_identity
from edge.services.pricing import check_qty
from edge.store import tables as t
from setledger import errors
from setledger.canonical import digest
from setledger.contracts import SaleLine, SaleRecorded, StockMove
from setledger.contracts.returns import (
    OriginalSale,
    ReturnLine,
    ReturnRecorded,
    ReturnRefund,
    ReturnTotals,
    as_sale_record,
    credit_note_number,
    return_line,
    return_totals,
)
from setledger.fiscal import business_date, financial_year
from setledger.hlc import from_unix_ms, unix_ms
from setledger.ids import new_id
from setledger.invoice import DocType, Invoice, OriginalInvoice, invoice_from_sale
from setledger.tenders import Tender, TenderKind

RETURNS_STREAM = "returns"


@dataclass(frozen=True)
class ReturnLineRequest:
    line_no: int
    """The sale's line number."""
    qty: Decimal | int | str


@dataclass(frozen=True)
class ReturnRequest:
    return_id: UUID
    invoice_no: str
    lines: list[ReturnLineRequest]
    refunds: list[Tender]
    reason: str
    cashier: str | None = None
    """The signed-in member's user_code (set by the box, not the client)."""
    requested_by: str | None = None


@dataclass(frozen=True)
class Returnable:
    """A sale line and how much of it is still returnable, in thousandths."""

    line_no: int
    sold: int
    returned: int

    @property
    def returnable(self) -> int:
        return self.sold - self.returned


@dataclass(frozen=True)
class SaleForReturn:
    sale: SaleRecorded
    lines: list[Returnable]
    refunded: int
    """Paise already refunded by earlier notes of the sale."""


@dataclass(frozen=True)
class Quote:
    original: SaleForReturn
    lines: list[ReturnLine]
    totals: ReturnTotals


@dataclass(frozen=True)
class RecordedReturn:
    note: ReturnRecorded
    created: bool
    epoch: str | None = None
    positions: tuple[tuple[str, int], ...] = ()
    """Outbox rows (stream, seq) of a return recorded now; none on a replay."""


def sale_for_return(conn: Connection, invoice_no: str) -> SaleForReturn:
    """A sale of this box by invoice number, with what each line may still give back."""
    sale_id = conn.execute(
        select(t.sale.c.sale_id).where(t.sale.c.invoice_no == invoice_no)
    ).scalar()
    if sale_id is None:
        raise errors.RETURN_ORIGINAL_NOT_FOUND.error(invoice_no=invoice_no)
    sale = load_sale(conn, str(sale_id))
    returned: dict[int, int] = defaultdict(int)
    for line_no, qty in conn.execute(
        select(t.sale_return_line.c.line_no, func.sum(t.sale_return_line.c.qty))
        .join(t.sale_return, t.sale_return.c.return_id == t.sale_return_line.c.return_id)
        .where(t.sale_return.c.sale_id == str(sale_id))
        .group_by(t.sale_return_line.c.line_no)
    ):
        returned[int(line_no)] = int(qty)
    refunded = conn.execute(
        select(func.coalesce(func.sum(t.sale_return.c.payable), 0)).where(
            t.sale_return.c.sale_id == str(sale_id)
        )
    ).scalar_one()
    lines = [Returnable(line.line_no, line.qty, returned[line.line_no]) for line in sale.lines]
    return SaleForReturn(sale, lines, int(refunded))


def quote(conn: Connection, invoice_no: str, wanted: list[ReturnLineRequest]) -> Quote:
    """The note's lines and totals for returning ``wanted`` of a sale, or the refusal;
    writes nothing."""
    if not wanted:
        raise errors.RETURN_EMPTY.error()
    original = sale_for_return(conn, invoice_no)
    sale_lines = {line.line_no: line for line in original.sale.lines}
    state = {line.line_no: line for line in original.lines}
    asked: dict[int, int] = {}
    for line in wanted:
        if line.line_no not in sale_lines or line.line_no in asked:
            raise errors.RETURN_LINE_UNKNOWN.error(invoice_no=invoice_no, line=line.line_no)
        asked[line.line_no] = parse_line_qty(line.line_no, line.qty)
        # Pieces come back whole (a product gone from the catalog is taken as sold).
        product = catalog.product_by_id(conn, str(sale_lines[line.line_no].product_id))
        check_qty(line.line_no, product, asked[line.line_no])
    lines = []
    for line_no, qty in sorted(asked.items()):
        have = state[line_no]
        if qty > have.returnable:
            raise errors.RETURN_QTY_OVER.error(
                invoice_no=invoice_no,
                line=line_no,
                qty=qty,
                returnable=have.returnable,
            )
        lines.append(return_line(sale_lines[line_no], have.returned, qty))
    completes = all(
        have.returned + asked.get(have.line_no, 0) == have.sold for have in original.lines
    )
    rest = original.sale.totals.payable - original.refunded if completes else None
    totals = return_totals(lines, original.sale.rounding, rest_of_sale=rest)
    return Quote(original, lines, totals)


def request_hash(request: ReturnRequest) -> str:
    """What makes two posts "the same return": everything the client sent."""
    return digest(
        {
            "return_id": str(request.return_id),
            "invoice_no": request.invoice_no,
            "lines": [[line.line_no, str(line.qty)] for line in request.lines],
            "refunds": [[x.kind.value, x.amount, x.reference] for x in request.refunds],
            "reason": request.reason,
        }
    )


def record_return(
    box: BoxRuntime,
    request: ReturnRequest,
    correlation_id: str | None,
    approval: ApprovalRequest | None,
) -> RecordedReturn:
    _check_refund_shapes(request.refunds)
    fingerprint = request_hash(request)
    with box.db.reader.connect() as conn:
        replay = _replay(conn, request, fingerprint)
    if replay is not None:
        return replay
    # The PIN is checked outside the write lock (argon2 is slow).
    grant = approvals.check(box, approval)
    with box.db.writer.begin() as conn:
        recorded = _record_in(conn, box, request, fingerprint, correlation_id, grant)
    if recorded.created and recorded.epoch is not None:
        note = recorded.note
        box.return_committed(recorded.epoch, recorded.positions, note.note_no, note.financial_year)
        if box.receipts is not None:
            box.receipts.return_committed(recorded)  # never raises: the return stands
    return recorded


def _replay(conn: Connection, request: ReturnRequest, fingerprint: str) -> RecordedReturn | None:
    previous = conn.execute(
        select(t.sale_return.c.request_hash).where(
            t.sale_return.c.return_id == str(request.return_id)
        )
    ).scalar()
    if previous is None:
        return None
    if previous != fingerprint:
        raise errors.RETURN_ID_REUSED.error(return_id=str(request.return_id))
    return RecordedReturn(load_return(conn, str(request.return_id)), created=False)


def _check_refund_shapes(refunds: list[Tender]) -> None:
    for index, refund in enumerate(refunds, start=1):
        if refund.amount <= 0:
            raise errors.TENDER_NOT_POSITIVE.error(index=index, amount=refund.amount)
        if refund.kind is not TenderKind.CASH and not refund.reference:
            raise errors.TENDER_REFERENCE_MISSING.error(index=index, kind=refund.kind.value)


def _record_in(
    conn: Connection,
    box: BoxRuntime,
    request: ReturnRequest,
    fingerprint: str,
    correlation_id: str | None,
    grant: Grant | None,
) -> RecordedReturn:
    # Again under the write lock: a retry may have committed meanwhile.
    replay = _replay(conn, request, fingerprint)
    if replay is not None:
        return replay
    planned = quote(conn, request.invoice_no, request.lines)
    refunded = sum(refund.amount for refund in request.refunds)
    if refunded != planned.totals.payable:
        raise errors.RETURN_REFUND_MISMATCH.error(refunded=refunded, payable=planned.totals.payable)
    sale = planned.original.sale
    approved = approvals.require(grant, "return", invoice_no=sale.invoice_no)
    identity = require_identity(conn)
    epoch = current_epoch(conn)
    if epoch is None:
        raise errors.BOX_NOT_PROVISIONED.error()
    recorded_approval = approvals.record(
        conn,
        box,
        approved,
        "return",
        requested_by=request.requested_by,
        correlation_id=correlation_id,
        sale_id=sale.sale_id,
        amount=planned.totals.payable,
    )
    stamp = box.clock.now()
    returned_at = from_unix_ms(stamp.wall_ms)
    day = business_date(returned_at)
    year = financial_year(day)
    serial = _next_serial(conn, identity.invoice_prefix, year.label)
    note = ReturnRecorded(
        return_id=request.return_id,
        note_no=credit_note_number(identity.invoice_prefix, year, serial),
        financial_year=year.label,
        returned_at=returned_at,
        business_date=day,
        original=OriginalSale(
            sale_id=sale.sale_id,
            invoice_no=sale.invoice_no,
            business_date=sale.business_date,
            payable=sale.totals.payable,
        ),
        seller_state=sale.seller_state,
        place_of_supply=sale.place_of_supply,
        supply_kind=sale.supply_kind,
        rounding=sale.rounding,
        buyer=sale.buyer,
        cashier=request.cashier,
        reason=request.reason,
        lines=planned.lines,
        refunds=[
            ReturnRefund(kind=x.kind, amount=x.amount, reference=x.reference)
            for x in request.refunds
        ],
        totals=planned.totals,
        stock_moves=_return_moves(sale, planned.lines),
    )
    _insert(conn, note, epoch, stamp.encode(), fingerprint, correlation_id, recorded_approval)
    seq = stock.append_with_moves(
        conn, note, key=str(note.return_id), epoch=epoch, stream=RETURNS_STREAM,
        hlc=stamp.encode(), wall_time=box.wall_clock(), correlation_id=correlation_id,
        at_ms=unix_ms(note.returned_at), line_nos=[line.line_no for line in note.lines],
        return_id=str(note.return_id),
    )  # fmt: skip
    positions = ((RETURNS_STREAM, seq), recorded_approval.position)
    return RecordedReturn(note, created=True, epoch=epoch, positions=positions)


def _next_serial(conn: Connection, prefix: str, year_label: str) -> int:
    series = t.credit_note_series
    key = (series.c.prefix == prefix, series.c.financial_year == year_label)
    last = conn.execute(select(series.c.last_serial).where(*key)).scalar()
    if last is None:
        conn.execute(insert(series).values(prefix=prefix, financial_year=year_label, last_serial=1))
        return 1
    conn.execute(series.update().where(*key).values(last_serial=last + 1))
    return int(last) + 1


def _insert(
    conn: Connection,
    note: ReturnRecorded,
    epoch: str,
    hlc: str,
    fingerprint: str,
    correlation_id: str | None,
    approval: approvals.Recorded,
) -> None:
    return_id = str(note.return_id)
    at_ms = unix_ms(note.returned_at)
    conn.execute(
        insert(t.sale_return).values(
            return_id=return_id,
            note_no=note.note_no,
            financial_year=note.financial_year,
            returned_at=note.returned_at.isoformat(),
            returned_at_ms=at_ms,
            business_date=note.business_date.isoformat(),
            sale_id=str(note.original.sale_id),
            hlc=hlc,
            epoch=epoch,
            reason=note.reason,
            cashier=note.cashier,
            approval_id=str(approval.approval.approval_id),
            **note.totals.model_dump(),  # one column per total
            request_hash=fingerprint,
            correlation_id=correlation_id,
        )
    )
    conn.execute(
        insert(t.sale_return_line),
        [
            {
                "return_id": return_id,
                "line_no": line.line_no,
                "qty": line.qty,
                **{name: getattr(line, name) for name in _LINE_AMOUNTS},
            }
            for line in note.lines
        ],
    )
    if note.refunds:
        conn.execute(
            insert(t.sale_return_refund),
            [
                {
                    "return_id": return_id,
                    "refund_no": n,
                    "kind": x.kind.value,
                    "amount": x.amount,
                    "reference": x.reference,
                }
                for n, x in enumerate(note.refunds, start=1)
            ],
        )


def _return_moves(sale: SaleRecorded, lines: list[ReturnLine]) -> list[StockMove]:
    """Goods come back into the batch the sale's line took them from."""
    taken = dict(zip((x.line_no for x in sale.lines), sale.stock_moves, strict=True))
    moves = []
    for line in lines:
        sold = taken.get(line.line_no)
        moves.append(
            StockMove(
                move_id=new_id(),
                product_id=line.product_id,
                qty=line.qty,
                reason="return",
                batch_no=None if sold is None else sold.batch_no,
                expiry=None if sold is None else sold.expiry,
                # The very unit the line sold comes back (the box knows which).
                serial_no=None if sold is None else sold.serial_no,
            )
        )
    return moves


_LINE_AMOUNTS = ("discount", "taxable", "cgst", "sgst", "igst", "cess", "charged")


def load_return(conn: Connection, return_id: str) -> ReturnRecorded:
    """Rebuild the credit note from its rows and its sale's (the rows are the truth)."""
    row = conn.execute(select(t.sale_return).where(t.sale_return.c.return_id == return_id)).first()
    if row is None:
        raise errors.RETURN_NOT_FOUND.error(return_id=return_id)
    r = row._mapping
    sale = load_sale(conn, r["sale_id"])
    sale_lines = {line.line_no: line for line in sale.lines}
    lines = conn.execute(
        select(t.sale_return_line)
        .where(t.sale_return_line.c.return_id == return_id)
        .order_by(t.sale_return_line.c.line_no)
    ).all()
    refunds = conn.execute(
        select(t.sale_return_refund)
        .where(t.sale_return_refund.c.return_id == return_id)
        .order_by(t.sale_return_refund.c.refund_no)
    ).all()
    moves = conn.execute(
        select(t.stock_move)
        .where(t.stock_move.c.return_id == return_id)
        .order_by(t.stock_move.c.line_no)
    ).all()
    return ReturnRecorded(
        return_id=UUID(return_id),
        note_no=r["note_no"],
        financial_year=r["financial_year"],
        returned_at=r["returned_at"],
        business_date=r["business_date"],
        original=OriginalSale(
            sale_id=sale.sale_id,
            invoice_no=sale.invoice_no,
            business_date=sale.business_date,
            payable=sale.totals.payable,
        ),
        seller_state=sale.seller_state,
        place_of_supply=sale.place_of_supply,
        supply_kind=sale.supply_kind,
        rounding=sale.rounding,
        buyer=sale.buyer,
        cashier=r["cashier"],
        reason=r["reason"],
        lines=[_line(sale_lines[x.line_no], x._mapping) for x in lines],
        refunds=[
            ReturnRefund(kind=x.kind, amount=x.amount, reference=x.reference) for x in refunds
        ],
        totals=ReturnTotals(**{k: r[k] for k in ReturnTotals.model_fields}),
        stock_moves=[
            StockMove(
                move_id=m.move_id,
                product_id=m.product_id,
                qty=m.qty,
                reason=m.reason,
                batch_no=m.batch_no,
                expiry=m.expiry,
                serial_no=m.serial_no,
            )
            for m in moves
        ],
    )


def _line(sold: SaleLine, amounts: RowMapping) -> ReturnLine:
    return ReturnLine(
        line_no=sold.line_no,
        product_id=sold.product_id,
        sku=sold.sku,
        name=sold.name,
        hsn=sold.hsn,
        unit=sold.unit,
        qty=amounts["qty"],
        unit_price=sold.unit_price,
        price_includes_tax=sold.price_includes_tax,
        rate_bp=sold.rate_bp,
        cess_bp=sold.cess_bp,
        **{name: amounts[name] for name in _LINE_AMOUNTS},
    )


def credit_note(conn: Connection, return_id: str) -> Invoice:
    """The credit note of a return of this box, as the kernel builds it (the hub files
    the same document in GSTR-1)."""
    identity = require_identity(conn)
    note = load_return(conn, return_id)
    if not identity.seller_gstin:
        raise errors.INVOICE_INCONSISTENT.error(
            invoice_no=note.note_no,
            reason="this box was provisioned without the seller's GSTIN",
            field="seller.gstin",
        )
    original = OriginalInvoice(note.original.invoice_no, note.original.business_date)
    return invoice_from_sale(
        as_sale_record(note),
        invoice_document.seller_of(identity),
        doc_type=DocType.CREDIT_NOTE,
        original=original,
    )


def credit_note_pdf(conn: Connection, return_id: str, paper: PaperSize) -> tuple[Invoice, bytes]:
    note = credit_note(conn, return_id)
    return note, render_invoice_pdf(note, InvoicePdfOptions(size=paper))
