"""Carts: the bill being built at the counter, kept in the box's database.

A cart lives in SQLite, not in the browser, so a reload, a second tablet
or a crashed UI finds it again (hold and recall build on this). Cart
writes use the box's "drafts" engine (synchronous=NORMAL): a scan should
not wait for a disk flush, and a cart lost to a power cut is re-scanned,
whereas a sale is never lost (it commits with FULL).

Carts store product ids and quantities only; prices and tax are worked
out on every read from the prices in effect, exactly as the sale will.

Taking goods off the bill (removing a line, lowering its quantity) and a
discount above the limit need a manager's PIN; the approval is recorded
in the cart change's own transaction. Those changes commit on the writer
engine (synchronous=FULL), not drafts: an approval's outbox row must not
vanish in a power cut after the replicator sent its seq, or the seq would
be given out twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Connection, Engine, func, insert, select

from appkit.faults import crash_point
from edge.runtime import BoxRuntime
from edge.services import approvals, catalog, serials, stock
from edge.services.approvals import Actor, ApprovalRequest, Grant
from edge.services.checkout import (
    LineRequest,
    RecordedSale,
    SaleRequest,
    check_shape,
    load_sale,
    record_sale_in,
)
from edge.services.identity import require_identity
from edge.services.pricing import Bill, LineChoice, check_qty, price_bill
from edge.store import tables as t
from setledger import errors
from setledger.bill_discount import percent_off, split_discount
from setledger.contracts import Buyer
from setledger.fefo import ExpiryWarning, Lot, expiry_warning
from setledger.fiscal import business_date
from setledger.ids import new_id
from setledger.money import format_quantity
from setledger.serials import clean
from setledger.tenders import Tender

OPEN = "open"
HELD = "held"
CHECKED_OUT = "checked_out"


@dataclass(frozen=True)
class CartLine:
    line_no: int
    product_id: str
    qty: int
    discount: int
    discount_approval_id: str | None
    batch_no: str | None = None
    expiry: str | None = None
    serial_no: str | None = None


@dataclass(frozen=True)
class LineLot:
    """The lot a line takes and its expiry warning (expired, or within the
    box's ``expiry_warn_days``): a warning, never a refusal."""

    line_no: int
    batch_no: str
    expiry: date | None
    warning: ExpiryWarning | None


@dataclass(frozen=True)
class CartView:
    cart_id: str
    status: str
    sale_id: str | None
    bill: Bill | None
    """None for an empty cart."""
    lots: tuple[LineLot, ...] = ()
    """The lines that take a batch (products with batches in the store's stock)."""
    serial_nos: tuple[tuple[int, str], ...] = ()
    """(line number, serial number) of the lines of serial-tracked products."""

    def lot(self, line_no: int) -> LineLot | None:
        return next((x for x in self.lots if x.line_no == line_no), None)

    def serial(self, line_no: int) -> str | None:
        return next((s for n, s in self.serial_nos if n == line_no), None)


def create_cart(box: BoxRuntime, cart_id: UUID | None, now: datetime) -> CartView:
    cid = str(cart_id or new_id())
    with box.db.drafts.begin() as conn:
        exists = conn.execute(select(t.cart.c.cart_id).where(t.cart.c.cart_id == cid)).first()
        if exists is None:
            conn.execute(
                insert(t.cart).values(cart_id=cid, created_at=now.isoformat(), status=OPEN)
            )
    return view_cart(box, cid)


def _open_cart(conn: Connection, cart_id: str) -> None:
    row = conn.execute(
        select(t.cart.c.status, t.cart.c.sale_id).where(t.cart.c.cart_id == cart_id)
    ).first()
    if row is None:
        raise errors.CART_NOT_FOUND.error(cart_id=cart_id)
    if row.status == HELD:
        raise errors.CART_HELD.error(cart_id=cart_id)
    if row.status != OPEN:
        raise errors.CART_CLOSED.error(cart_id=cart_id, sale_id=row.sale_id)


def _engine(box: BoxRuntime, grant: Grant | None) -> Engine:
    """Writer (FULL) when an approval may be recorded, else drafts (see above)."""
    return box.db.drafts if grant is None else box.db.writer


def add_line(
    box: BoxRuntime,
    cart_id: str,
    request: LineRequest,
    qty: int,
    actor: Actor | None = None,
    approval: ApprovalRequest | None = None,
) -> tuple[CartView, int]:
    """Add a scanned or typed item; the same item again adds to its line."""
    actor = actor or Actor()
    grant = approvals.check(box, approval)
    recorded: list[approvals.Recorded] = []
    with _engine(box, grant).begin() as conn:
        _open_cart(conn, cart_id)
        identity = require_identity(conn)
        if request.product_id is not None:
            product = catalog.product_by_id(conn, str(request.product_id))
            if product is None:
                raise errors.PRODUCT_NOT_FOUND.error(code=str(request.product_id))
        else:
            product = catalog.resolve_code(conn, identity.org_id, request.code or "")
        if not product.active:
            raise errors.PRODUCT_INACTIVE.error(name=product.name, sku=product.sku)
        serial_no = clean(request.serial_no)
        if product.serial_tracked or serial_no is not None:
            # A unit per line, named: refused here already, so the bill never holds a
            # line checkout would refuse.
            lines = _cart_lines(conn, cart_id)
            held = [
                serials.line_of(x.line_no, product, x.qty, x.serial_no)
                for x in lines
                if x.product_id == product.product_id
            ]
            next_no = max((x.line_no for x in lines), default=0) + 1
            new = serials.line_of(next_no, product, qty, serial_no)
            serials.check_sellable(conn, [*held, new])
        same = conn.execute(
            select(t.cart_line.c.line_no, t.cart_line.c.qty).where(
                t.cart_line.c.cart_id == cart_id,
                t.cart_line.c.product_id == product.product_id,
                t.cart_line.c.discount == 0,
            )
        ).first()
        if same is not None and request.discount == 0 and not product.serial_tracked:
            line_no, new_qty = int(same.line_no), int(same.qty) + qty
            check_qty(line_no, product, new_qty)
            conn.execute(
                t.cart_line.update()
                .where(t.cart_line.c.cart_id == cart_id, t.cart_line.c.line_no == line_no)
                .values(qty=new_qty)
            )
        else:
            last = conn.execute(
                select(func.max(t.cart_line.c.line_no)).where(t.cart_line.c.cart_id == cart_id)
            ).scalar()
            line_no = int(last or 0) + 1
            check_qty(line_no, product, qty)
            lot = None if product.serial_tracked else _fefo_lot(box, conn, product.product_id, qty)
            conn.execute(
                insert(t.cart_line).values(
                    cart_id=cart_id,
                    line_no=line_no,
                    product_id=product.product_id,
                    qty=qty,
                    discount=request.discount,
                    batch_no=None if lot is None else lot.batch_no,
                    expiry=None if lot is None or lot.expiry is None else lot.expiry.isoformat(),
                    serial_no=serial_no,
                )
            )
        # Price inside the transaction: a line that cannot be priced is not added.
        view = _view(box, conn, cart_id)
        if request.discount:
            recorded += _approve_discount(box, conn, view, line_no, grant, actor)
    _committed(box, recorded)
    return view, line_no


def update_line(
    box: BoxRuntime,
    cart_id: str,
    line_no: int,
    qty: int | None,
    discount: int | None,
    actor: Actor | None = None,
    approval: ApprovalRequest | None = None,
    batch_no: str | None = None,
) -> CartView:
    """Change a line's quantity, discount or lot (``batch_no``: another batch
    of the store's stock than FEFO suggested). A lower quantity is a partial void."""
    actor = actor or Actor()
    grant = approvals.check(box, approval)
    recorded: list[approvals.Recorded] = []
    with _engine(box, grant).begin() as conn:
        _open_cart(conn, cart_id)
        current = _cart_line(conn, cart_id, line_no)
        if current.serial_no is not None and qty is not None and qty != current.qty:
            product = catalog.product_by_id(conn, current.product_id)
            raise errors.SERIAL_QTY_INVALID.error(
                line=line_no, qty=format_quantity(qty), product_id=current.product_id,
                sku=product.sku if product else current.product_id,
                name=product.name if product else current.product_id,
            )  # fmt: skip
        voiding = qty is not None and qty < current.qty
        charged_before = _charged(box, conn, cart_id, line_no) if voiding else None
        values: dict[str, int | str | None] = {}
        if qty is not None:
            values["qty"] = qty
        if discount is not None:
            values["discount"] = discount
        if batch_no is not None:
            chosen = stock.find_lot(stock.product_lots(conn, current.product_id), batch_no)
            if chosen is None:
                raise errors.CART_LOT_NOT_ON_HAND.error(
                    batch_no=batch_no, product_id=current.product_id
                )
            values["batch_no"] = batch_no
            values["expiry"] = None if chosen.expiry is None else chosen.expiry.isoformat()
        if values:
            key = (t.cart_line.c.cart_id == cart_id, t.cart_line.c.line_no == line_no)
            conn.execute(t.cart_line.update().where(*key).values(**values))
        view = _view(box, conn, cart_id)  # bad input is refused before any approval
        if voiding:
            charged_after = _charged_in(view, line_no)
            amount = (
                None
                if charged_before is None or charged_after is None
                else charged_before - charged_after
            )
            recorded.append(_record_void(box, conn, grant, actor, cart_id, line_no, amount))
        # A lower discount than one a manager approved stays approved.
        kept = current.discount_approval_id is not None and (discount or 0) <= current.discount
        if discount is not None and discount != current.discount and not kept:
            recorded += _approve_discount(box, conn, view, line_no, grant, actor)
    _committed(box, recorded)
    return view


def remove_line(
    box: BoxRuntime,
    cart_id: str,
    line_no: int,
    actor: Actor | None = None,
    approval: ApprovalRequest | None = None,
) -> CartView:
    """Void a line: needs a manager's approval, recorded with the removal."""
    actor = actor or Actor()
    grant = approvals.check(box, approval)
    with _engine(box, grant).begin() as conn:
        _open_cart(conn, cart_id)
        _cart_line(conn, cart_id, line_no)
        approvals.require(grant, "void_line", line=line_no)
        amount = _charged(box, conn, cart_id, line_no)
        key = (t.cart_line.c.cart_id == cart_id, t.cart_line.c.line_no == line_no)
        conn.execute(t.cart_line.delete().where(*key))
        recorded = _record_void(box, conn, grant, actor, cart_id, line_no, amount)
        view = _view(box, conn, cart_id)
    _committed(box, [recorded])
    return view


def discount_bill(
    box: BoxRuntime,
    cart_id: str,
    amount: int | None,
    percent_bp: int | None,
    actor: Actor | None = None,
    approval: ApprovalRequest | None = None,
) -> CartView:
    """Take ``amount`` paise (or ``percent_bp`` of the bill) off the whole bill.

    The discount is spread over the lines in proportion to what each asks
    now (``setledger.bill_discount``) and added to their line discounts, so
    GST is worked out on each line's discounted value. When a line ends up
    above the limit, one manager approval covers the bill discount; its id
    is kept on those lines as for a line discount.
    """
    actor = actor or Actor()
    grant = approvals.check(box, approval)
    recorded: list[approvals.Recorded] = []
    with _engine(box, grant).begin() as conn:
        _open_cart(conn, cart_id)
        before = _view(box, conn, cart_id)
        if before.bill is None:
            raise errors.CART_EMPTY.error(cart_id=cart_id)
        bases = [x.gross - x.discount for x in before.bill.lines]
        total = sum(bases)
        wanted = amount if amount is not None else percent_off(total, percent_bp or 0)
        if wanted > total:
            raise errors.BILL_DISCOUNT_INVALID.error(discount=wanted, amount=total)
        parts = split_discount(bases, wanted)
        for line, part in zip(before.bill.lines, parts, strict=True):
            if part:
                key = (t.cart_line.c.cart_id == cart_id, t.cart_line.c.line_no == line.line_no)
                conn.execute(t.cart_line.update().where(*key).values(discount=line.discount + part))
        view = _view(box, conn, cart_id)
        assert view.bill is not None
        limit = box.settings.discount_limit_bp
        # Only the lines this discount changed: one approved earlier stays approved.
        over = {
            x.line_no
            for x, part in zip(view.bill.lines, parts, strict=True)
            if part and approvals.over_limit(x.discount, x.gross, limit)
        }
        approval_id = None
        if over:
            approved = approvals.require(grant, "discount", line="bill", limit_bp=limit)
            recorded.append(
                approvals.record(
                    conn,
                    box,
                    approved,
                    "discount",
                    requested_by=actor.user_id,
                    correlation_id=actor.correlation_id,
                    cart_id=cart_id,
                    amount=wanted,
                )
            )
            approval_id = str(recorded[0].approval.approval_id)
        for line, part in zip(view.bill.lines, parts, strict=True):
            if part:
                key = (t.cart_line.c.cart_id == cart_id, t.cart_line.c.line_no == line.line_no)
                kept = approval_id if line.line_no in over else None
                conn.execute(t.cart_line.update().where(*key).values(discount_approval_id=kept))
    _committed(box, recorded)
    return view


def _cart_line(conn: Connection, cart_id: str, line_no: int) -> CartLine:
    for line in _cart_lines(conn, cart_id):
        if line.line_no == line_no:
            return line
    raise errors.CART_LINE_NOT_FOUND.error(cart_id=cart_id, line=line_no)


def _charged_in(view: CartView, line_no: int) -> int | None:
    lines = view.bill.lines if view.bill else ()
    return next((x.tax.charged for x in lines if x.line_no == line_no), None)


def _charged(box: BoxRuntime, conn: Connection, cart_id: str, line_no: int) -> int | None:
    """What the line asks now; None when the cart cannot be priced (a product
    lost its price, say): voiding that line must still be possible."""
    try:
        return _charged_in(_view(box, conn, cart_id), line_no)
    except errors.SetLedgerError:
        return None


def _record_void(
    box: BoxRuntime,
    conn: Connection,
    grant: Grant | None,
    actor: Actor,
    cart_id: str,
    line_no: int,
    amount: int | None,
) -> approvals.Recorded:
    """Record a void's approval; ``amount`` is what left the bill, if known."""
    return approvals.record(
        conn,
        box,
        approvals.require(grant, "void_line", line=line_no),
        "void_line",
        requested_by=actor.user_id,
        correlation_id=actor.correlation_id,
        cart_id=cart_id,
        amount=amount,
    )


def _approve_discount(
    box: BoxRuntime,
    conn: Connection,
    view: CartView,
    line_no: int,
    grant: Grant | None,
    actor: Actor,
) -> list[approvals.Recorded]:
    """A discount above the limit needs a manager: record the approval and keep
    its id on the line (checkout does not ask again). Within the limit the
    line needs none."""
    line = next(x for x in (view.bill.lines if view.bill else ()) if x.line_no == line_no)
    key = (t.cart_line.c.cart_id == view.cart_id, t.cart_line.c.line_no == line_no)
    if not approvals.over_limit(line.discount, line.gross, box.settings.discount_limit_bp):
        conn.execute(t.cart_line.update().where(*key).values(discount_approval_id=None))
        return []
    approved = approvals.require(
        grant, "discount", line=line_no, limit_bp=box.settings.discount_limit_bp
    )
    recorded = approvals.record(
        conn,
        box,
        approved,
        "discount",
        requested_by=actor.user_id,
        correlation_id=actor.correlation_id,
        cart_id=view.cart_id,
        amount=line.discount,
    )
    approval_id = str(recorded.approval.approval_id)
    conn.execute(t.cart_line.update().where(*key).values(discount_approval_id=approval_id))
    return [recorded]


def _committed(box: BoxRuntime, recorded: list[approvals.Recorded]) -> None:
    """After the commit: advance the watermark and wake the replicator."""
    if recorded:
        box.outbox_committed(recorded[0].epoch, [r.position for r in recorded])


def view_cart(box: BoxRuntime, cart_id: str) -> CartView:
    with box.db.reader.connect() as conn:
        return _view(box, conn, cart_id)


def _cart_lines(conn: Connection, cart_id: str) -> list[CartLine]:
    rows = conn.execute(
        select(t.cart_line).where(t.cart_line.c.cart_id == cart_id).order_by(t.cart_line.c.line_no)
    ).all()
    return [
        CartLine(
            line_no=int(r.line_no),
            product_id=str(r.product_id),
            qty=int(r.qty),
            discount=int(r.discount),
            discount_approval_id=r.discount_approval_id,
            batch_no=r.batch_no,
            expiry=r.expiry,
            serial_no=r.serial_no,
        )
        for r in rows
    ]


def _fefo_lot(box: BoxRuntime, conn: Connection, product_id: str, qty: int) -> Lot | None:
    """The lot a new line takes: FEFO over the store's batches; when only
    expired stock is left, the soonest expired (the sale may go ahead, warned)."""
    if not stock.batched(conn, [product_id]):
        return None
    lots = stock.product_lots(conn, product_id)
    chosen = stock.suggest(lots, qty, business_date(box.now()))
    if chosen.first is not None:
        return chosen.first
    return chosen.expired[0] if chosen.expired else None


def _line_lots(box: BoxRuntime, lines: list[CartLine]) -> tuple[LineLot, ...]:
    today = business_date(box.now())
    found = []
    for line in lines:
        if line.batch_no is None:
            continue
        expiry = stock.parse_day(line.expiry)
        warning = expiry_warning(
            Lot(line.batch_no, expiry, line.qty), today, box.settings.expiry_warn_days
        )
        found.append(LineLot(line.line_no, line.batch_no, expiry, warning))
    return tuple(found)


def _view(box: BoxRuntime, conn: Connection, cart_id: str) -> CartView:
    row = conn.execute(select(t.cart).where(t.cart.c.cart_id == cart_id)).first()
    if row is None:
        raise errors.CART_NOT_FOUND.error(cart_id=cart_id)
    lines = _cart_lines(conn, cart_id)
    bill = None
    if lines:
        identity = require_identity(conn)
        choices = []
        for line in lines:
            product = catalog.product_by_id(conn, line.product_id)
            if product is None:
                raise errors.PRODUCT_NOT_FOUND.error(code=line.product_id)
            choices.append(LineChoice(product, line.qty, line.discount))
        # Price as the sale would: at the later of the HLC and the wall clock.
        priced = price_bill(conn, identity, choices, box.now(), None, box.settings.rounding)
        # Show the cart's own line numbers (a voided line leaves a gap), so
        # the number a UI shows is the one it sends back to change or void.
        numbered = tuple(
            replace(p, line_no=line.line_no) for p, line in zip(priced.lines, lines, strict=True)
        )
        bill = replace(priced, lines=numbered)
    return CartView(
        cart_id=cart_id,
        status=row.status,
        sale_id=row.sale_id,
        bill=bill,
        lots=_line_lots(box, lines),
        serial_nos=tuple((x.line_no, x.serial_no) for x in lines if x.serial_no is not None),
    )


def checkout(
    box: BoxRuntime,
    cart_id: str,
    sale_id: UUID,
    tenders: list[Tender],
    buyer: Buyer | None,
    cashier: str | None,
    actor: Actor | None = None,
    approval: ApprovalRequest | None = None,
) -> RecordedSale:
    """Turn the cart into a sale; the cart closes in the sale's own transaction.

    Everything happens under the write lock, so two tablets checking out
    the same cart cannot both make a sale of it. Discounts approved on the
    cart's lines are not asked for again.
    """
    actor = actor or Actor()
    grant = approvals.check(box, approval)
    with box.db.writer.begin() as conn:
        row = conn.execute(select(t.cart).where(t.cart.c.cart_id == cart_id)).first()
        if row is None:
            raise errors.CART_NOT_FOUND.error(cart_id=cart_id)
        if row.status == CHECKED_OUT:
            if row.sale_id == str(sale_id):
                # A retried checkout: answer with the sale already recorded.
                return RecordedSale(load_sale(conn, row.sale_id), created=False)
            raise errors.CART_CLOSED.error(cart_id=cart_id, sale_id=row.sale_id)
        if row.status == HELD:
            raise errors.CART_HELD.error(cart_id=cart_id)
        request = SaleRequest(
            sale_id=sale_id,
            lines=[
                LineRequest(
                    product_id=UUID(line.product_id),
                    qty=format_quantity(line.qty),
                    discount=line.discount,
                    discount_approved=line.discount_approval_id is not None,
                    batch_no=line.batch_no,
                    expiry=stock.parse_day(line.expiry),
                    serial_no=line.serial_no,
                )
                for line in _cart_lines(conn, cart_id)
            ],
            tenders=tenders,
            buyer=buyer,
            cashier=cashier,
            requested_by=actor.user_id,
        )
        shape = check_shape(box, request)
        result = record_sale_in(conn, box, request, shape, actor.correlation_id, grant)
        conn.execute(
            t.cart.update()
            .where(t.cart.c.cart_id == cart_id)
            .values(status=CHECKED_OUT, sale_id=str(sale_id))
        )
    crash_point("box.after_commit_before_publish")
    box.sale_committed(result)
    return result
