"""Recording a sale: one SQLite transaction, all or nothing, idempotent by id.

In that one transaction: the sale, its lines, tenders, stock moves, the
next invoice number of the box's series and the outbox row. The commit
runs with synchronous=FULL, so once the API answers, the sale survives a
killed process or a pulled plug.

The client chooses the sale id (a UUIDv7 made at the counter). Posting the
same id again returns the recorded sale unchanged; posting it with other
contents is refused (SALE_ID_REUSED), never recorded twice.

The cashier on the sale is the member signed in at the box (their
``user_code``), never a name from the request body. Line discounts above
the box's limit need a manager's approval, recorded in the same
transaction (services/approvals.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import Connection, insert, select

from appkit.faults import crash_point
from edge.runtime import BoxRuntime
from edge.services import approvals, catalog, serials, stock
from edge.services.approvals import ApprovalRequest, Grant
from edge.services.identity import current_epoch, require_identity
from edge.services.pricing import Bill, LineChoice, check_qty, price_bill
from edge.store import tables as t
from setledger import errors
from setledger.canonical import digest
from setledger.contracts import Buyer, SaleLine, SaleRecorded, SaleTender, SaleTotals, StockMove
from setledger.fiscal import business_date, financial_year, invoice_number
from setledger.hlc import from_unix_ms, unix_ms
from setledger.ids import new_id
from setledger.money import parse_quantity
from setledger.serials import clean
from setledger.tenders import Tender, settle

SALES_STREAM = "sales"


@dataclass(frozen=True)
class LineRequest:
    code: str | None = None
    product_id: UUID | None = None
    qty: Decimal | int | str = 1
    discount: int = 0
    discount_approved: bool = False
    """A manager already approved this discount (on the cart line)."""
    batch_no: str | None = None
    """The lot to take (chosen on the cart line); None: FEFO from the box's stock."""
    expiry: date | None = None
    serial_no: str | None = None
    """The unit sold: required for a serial-tracked product, whose line is one unit."""


@dataclass(frozen=True)
class SaleRequest:
    sale_id: UUID
    lines: list[LineRequest]
    tenders: list[Tender]
    buyer: Buyer | None = None
    cashier: str | None = None
    """The signed-in member's user_code (set by the box, not the client)."""
    requested_by: str | None = None
    """The signed-in member's user id: who asked, on any approval."""


@dataclass(frozen=True)
class RecordedSale:
    sale: SaleRecorded
    created: bool
    epoch: str | None = None
    """The outbox epoch and seq of a sale recorded now (None on a replay)."""
    seq: int | None = None
    stream: str = SALES_STREAM
    more: tuple[tuple[str, int], ...] = ()
    """Other outbox rows of the sale's transaction (stream, seq): approvals."""


def parse_line_qty(line_no: int, qty: Decimal | int | str) -> int:
    """A line's quantity in thousandths, or a structured error naming the line."""
    try:
        milli = parse_quantity(qty)
    except (ValueError, TypeError) as err:
        raise errors.QTY_INVALID.error(line=line_no, qty=str(qty)) from err
    check_qty(line_no, None, milli)
    return milli


def request_hash(request: SaleRequest, parsed_qty: list[int]) -> str:
    """What makes two posts "the same sale": everything the client sent."""
    return digest(
        {
            "sale_id": str(request.sale_id),
            "lines": [
                {
                    "code": line.code,
                    "product_id": None if line.product_id is None else str(line.product_id),
                    "qty": qty,
                    "discount": line.discount,
                    # Only when chosen, so sales recorded before batches still match.
                    **({"batch_no": line.batch_no} if line.batch_no is not None else {}),
                    **({"serial_no": line.serial_no} if line.serial_no is not None else {}),
                }
                for line, qty in zip(request.lines, parsed_qty, strict=True)
            ],
            "tenders": [
                [tender.kind.value, tender.amount, tender.reference] for tender in request.tenders
            ],
            "buyer": None if request.buyer is None else request.buyer.model_dump(mode="json"),
            # The client no longer names the cashier (the session does), so a
            # retry from another member's session is still the same sale; the
            # key stays, as None, so sales recorded before sign-in still match.
            "cashier": None,
        }
    )


def check_shape(box: BoxRuntime, request: SaleRequest) -> list[int]:
    """Checks that need no database; returns the quantities in thousandths."""
    if not request.lines:
        raise errors.SALE_EMPTY.error()
    if len(request.lines) > box.settings.max_lines_per_sale:
        raise errors.SALE_TOO_MANY_LINES.error(limit=box.settings.max_lines_per_sale)
    return [parse_line_qty(n, line.qty) for n, line in enumerate(request.lines, start=1)]


def record_sale(
    box: BoxRuntime,
    request: SaleRequest,
    correlation_id: str | None,
    approval: ApprovalRequest | None = None,
) -> RecordedSale:
    quantities = check_shape(box, request)
    grant = approvals.check(box, approval)
    with box.db.writer.begin() as conn:
        recorded = record_sale_in(conn, box, request, quantities, correlation_id, grant)
    crash_point("box.after_commit_before_publish")
    box.sale_committed(recorded)
    return recorded


def record_sale_in(
    conn: Connection,
    box: BoxRuntime,
    request: SaleRequest,
    quantities: list[int],
    correlation_id: str | None,
    grant: Grant | None = None,
) -> RecordedSale:
    """The sale inside the caller's write transaction (which commits it)."""
    fingerprint = request_hash(request, quantities)
    sale_id = str(request.sale_id)
    previous = conn.execute(
        select(t.sale.c.request_hash).where(t.sale.c.sale_id == sale_id)
    ).scalar()
    if previous is not None:
        if previous != fingerprint:
            raise errors.SALE_ID_REUSED.error(sale_id=sale_id)
        return RecordedSale(load_sale(conn, sale_id), created=False)
    sale, epoch, seq, approved = _write_sale(
        box, conn, request, quantities, fingerprint, correlation_id, grant
    )
    more = () if approved is None else (approved.position,)
    return RecordedSale(sale, created=True, epoch=epoch, seq=seq, more=more)


def _resolve(conn: Connection, org_id: str, line_no: int, line: LineRequest) -> catalog.Product:
    if line.product_id is not None:
        product = catalog.product_by_id(conn, str(line.product_id))
        if product is None:
            raise errors.PRODUCT_NOT_FOUND.error(code=str(line.product_id), line=line_no)
        return product
    return catalog.resolve_code(conn, org_id, line.code or "")


def _write_sale(
    box: BoxRuntime,
    conn: Connection,
    request: SaleRequest,
    quantities: list[int],
    fingerprint: str,
    correlation_id: str | None,
    grant: Grant | None,
) -> tuple[SaleRecorded, str, int, approvals.Recorded | None]:
    identity = require_identity(conn)
    epoch = current_epoch(conn)
    if epoch is None:
        raise errors.BOX_NOT_PROVISIONED.error()
    # The HLC never goes back, so neither do sale times, even when a box
    # without an RTC boots at 1970 with no network to correct it.
    stamp = box.clock.now()
    sold_at = from_unix_ms(stamp.wall_ms)
    choices = [
        LineChoice(_resolve(conn, identity.org_id, n, line), qty, line.discount)
        for n, (line, qty) in enumerate(zip(request.lines, quantities, strict=True), start=1)
    ]
    units = [clean(line.serial_no) for line in request.lines]
    serials.check_sellable(
        conn,
        [
            serials.line_of(n, choice.product, choice.qty, serial_no)
            for n, (choice, serial_no) in enumerate(zip(choices, units, strict=True), start=1)
        ],
    )
    bill = price_bill(conn, identity, choices, sold_at, request.buyer, box.settings.rounding)
    settlement = settle(bill.tax.payable, request.tenders)
    approved = _approve_discounts(box, conn, request, bill, grant, correlation_id)
    day = business_date(sold_at)
    year = financial_year(day)
    serial = _next_serial(conn, identity.invoice_prefix, year.label)
    sale = SaleRecorded(
        sale_id=request.sale_id,
        invoice_no=invoice_number(identity.invoice_prefix, year, serial),
        financial_year=year.label,
        sold_at=sold_at,
        business_date=day,
        seller_state=identity.seller_state,
        place_of_supply=bill.place_of_supply,
        supply_kind=bill.kind,
        rounding=box.settings.rounding,
        buyer=request.buyer,
        cashier=request.cashier,
        lines=_sale_lines(bill, units),
        tenders=[
            SaleTender(kind=x.kind, amount=x.amount, reference=x.reference) for x in request.tenders
        ],
        totals=SaleTotals(
            taxable=bill.tax.taxable,
            cgst=bill.tax.cgst,
            sgst=bill.tax.sgst,
            igst=bill.tax.igst,
            cess=bill.tax.cess,
            round_off=bill.tax.round_off,
            payable=bill.tax.payable,
            tendered=settlement.tendered,
            change=settlement.change,
        ),
        stock_moves=_sale_moves(conn, bill, request, units, day),
    )
    _insert_sale(conn, sale, epoch, stamp.encode(), fingerprint, correlation_id)
    seq = stock.append_with_moves(
        conn, sale, key=str(sale.sale_id), epoch=epoch, stream=SALES_STREAM,
        hlc=stamp.encode(), wall_time=box.wall_clock(), correlation_id=correlation_id,
        at_ms=unix_ms(sale.sold_at), line_nos=[line.line_no for line in sale.lines],
        sale_id=str(sale.sale_id),
    )  # fmt: skip
    return sale, epoch, seq, approved


def _sale_moves(
    conn: Connection,
    bill: Bill,
    request: SaleRequest,
    units: list[str | None],
    day: date,
) -> list[StockMove]:
    """A move per line, from the lot the line names or else the FEFO lot of the
    box's stock (none for a product the stock snapshot has no batches of); a
    serial-tracked line's move takes out its unit (``serial_no``), no batch."""
    ids = [line.product.product_id for line in bill.lines if not line.product.serial_tracked]
    lots = stock.lots_of(conn, stock.batched(conn, ids))
    moves = []
    for line, asked, serial_no in zip(bill.lines, request.lines, units, strict=True):
        batch_no, expiry = asked.batch_no, asked.expiry
        held = lots.get(line.product.product_id, [])
        if serial_no is not None:
            batch_no, expiry = None, None
        elif batch_no is None:
            first = stock.suggest(held, line.qty, day).first
            if first is not None:
                batch_no, expiry = first.batch_no, first.expiry
        elif expiry is None:
            known = stock.find_lot(held, batch_no)
            expiry = None if known is None else known.expiry
        moves.append(
            StockMove(
                move_id=new_id(),
                product_id=UUID(line.product.product_id),
                qty=-line.qty,
                reason="sale",
                batch_no=batch_no,
                expiry=expiry,
                serial_no=serial_no,
            )
        )
    return moves


def _approve_discounts(
    box: BoxRuntime,
    conn: Connection,
    request: SaleRequest,
    bill: Bill,
    grant: Grant | None,
    correlation_id: str | None,
) -> approvals.Recorded | None:
    """Record the manager's approval of discounts above the limit, or refuse."""
    limit = box.settings.discount_limit_bp
    over = [
        line
        for line, asked in zip(bill.lines, request.lines, strict=True)
        if not asked.discount_approved and approvals.over_limit(line.discount, line.gross, limit)
    ]
    if not over:
        return None
    approved = approvals.require(
        grant, "discount", lines=[line.line_no for line in over], limit_bp=limit
    )
    return approvals.record(
        conn,
        box,
        approved,
        "discount",
        requested_by=request.requested_by,
        correlation_id=correlation_id,
        sale_id=request.sale_id,
        amount=sum(line.discount for line in over),
    )


def _sale_lines(bill: Bill, units: list[str | None]) -> list[SaleLine]:
    return [
        SaleLine(
            line_no=line.line_no,
            product_id=UUID(line.product.product_id),
            sku=line.product.sku,
            name=line.product.name,
            hsn=line.product.hsn,
            unit=line.product.unit,
            qty=line.qty,
            unit_price=line.unit_price,
            price_includes_tax=line.product.price_includes_tax,
            discount=line.discount,
            rate_bp=line.product.gst_rate_bp,
            cess_bp=line.product.cess_bp,
            taxable=line.tax.taxable,
            cgst=line.tax.cgst,
            sgst=line.tax.sgst,
            igst=line.tax.igst,
            cess=line.tax.cess,
            charged=line.tax.charged,
            serial_no=serial_no,
        )
        for line, serial_no in zip(bill.lines, units, strict=True)
    ]


def _next_serial(conn: Connection, prefix: str, year_label: str) -> int:
    key = (t.invoice_series.c.prefix == prefix, t.invoice_series.c.financial_year == year_label)
    last = conn.execute(select(t.invoice_series.c.last_serial).where(*key)).scalar()
    if last is None:
        conn.execute(
            insert(t.invoice_series).values(prefix=prefix, financial_year=year_label, last_serial=1)
        )
        return 1
    conn.execute(t.invoice_series.update().where(*key).values(last_serial=last + 1))
    return int(last) + 1


def _insert_sale(
    conn: Connection,
    sale: SaleRecorded,
    epoch: str,
    hlc: str,
    fingerprint: str,
    correlation_id: str | None,
) -> None:
    sale_id = str(sale.sale_id)
    conn.execute(
        insert(t.sale).values(
            sale_id=sale_id,
            invoice_no=sale.invoice_no,
            financial_year=sale.financial_year,
            sold_at=sale.sold_at.isoformat(),
            sold_at_ms=unix_ms(sale.sold_at),
            business_date=sale.business_date.isoformat(),
            hlc=hlc,
            epoch=epoch,
            seller_state=sale.seller_state,
            place_of_supply=sale.place_of_supply,
            supply_kind=sale.supply_kind.value,
            rounding=sale.rounding.value,
            buyer=None if sale.buyer is None else sale.buyer.model_dump_json(),
            cashier=sale.cashier,
            **sale.totals.model_dump(),  # one column per total
            request_hash=fingerprint,
            correlation_id=correlation_id,
        )
    )
    conn.execute(
        insert(t.sale_line),
        [
            {
                "sale_id": sale_id,
                **line.model_dump(mode="json", exclude={"product_id"}),
                "product_id": str(line.product_id),
                "serial_no": line.serial_no,  # left out of the dump when absent
            }
            for line in sale.lines
        ],
    )
    if sale.tenders:
        conn.execute(
            insert(t.sale_tender),
            [
                {
                    "sale_id": sale_id,
                    "tender_no": n,
                    "kind": x.kind.value,
                    "amount": x.amount,
                    "reference": x.reference,
                }
                for n, x in enumerate(sale.tenders, start=1)
            ],
        )


def load_sale(conn: Connection, sale_id: str) -> SaleRecorded:
    """Rebuild the recorded sale from its rows (the rows are the truth)."""
    row = conn.execute(select(t.sale).where(t.sale.c.sale_id == sale_id)).first()
    if row is None:
        raise errors.SALE_NOT_FOUND.error(sale_id=sale_id)
    s = row._mapping
    lines = conn.execute(
        select(t.sale_line).where(t.sale_line.c.sale_id == sale_id).order_by(t.sale_line.c.line_no)
    ).all()
    tenders = conn.execute(
        select(t.sale_tender)
        .where(t.sale_tender.c.sale_id == sale_id)
        .order_by(t.sale_tender.c.tender_no)
    ).all()
    moves = conn.execute(
        select(t.stock_move)
        .where(t.stock_move.c.sale_id == sale_id)
        .order_by(t.stock_move.c.line_no)
    ).all()
    line_fields = set(SaleLine.model_fields)
    return SaleRecorded(
        sale_id=UUID(sale_id),
        invoice_no=s["invoice_no"],
        financial_year=s["financial_year"],
        sold_at=s["sold_at"],
        business_date=s["business_date"],
        seller_state=s["seller_state"],
        place_of_supply=s["place_of_supply"],
        supply_kind=s["supply_kind"],
        rounding=s["rounding"],
        buyer=None if s["buyer"] is None else Buyer.model_validate(json.loads(s["buyer"])),
        cashier=s["cashier"],
        lines=[
            SaleLine(**{k: v for k, v in r._mapping.items() if k in line_fields}) for r in lines
        ],
        tenders=[SaleTender(kind=r.kind, amount=r.amount, reference=r.reference) for r in tenders],
        totals=SaleTotals(**{k: s[k] for k in SaleTotals.model_fields}),
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
