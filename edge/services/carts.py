"""Carts: the bill being built at the counter, kept in the box's database.

A cart lives in SQLite, not in the browser, so a reload, a second tablet
or a crashed UI finds it again (hold and recall build on this). Cart
writes use the box's "drafts" engine (synchronous=NORMAL): a scan should
not wait for a disk flush, and a cart lost to a power cut is re-scanned,
whereas a sale is never lost (it commits with FULL).

Carts store product ids and quantities only; prices and tax are worked
out on every read from the prices in effect, exactly as the sale will.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, func, insert, select

from appkit.faults import crash_point
from edge.runtime import BoxRuntime
from edge.services import catalog
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
from setledger.contracts import Buyer
from setledger.hlc import from_unix_ms, unix_ms
from setledger.ids import new_id
from setledger.money import format_quantity
from setledger.tenders import Tender

OPEN = "open"
CHECKED_OUT = "checked_out"


@dataclass(frozen=True)
class CartView:
    cart_id: str
    status: str
    sale_id: str | None
    bill: Bill | None
    """None for an empty cart."""


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
    if row.status != OPEN:
        raise errors.CART_CLOSED.error(cart_id=cart_id, sale_id=row.sale_id)


def add_line(box: BoxRuntime, cart_id: str, request: LineRequest, qty: int) -> tuple[CartView, int]:
    """Add a scanned or typed item; the same item again adds to its line."""
    with box.db.drafts.begin() as conn:
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
        same = conn.execute(
            select(t.cart_line.c.line_no, t.cart_line.c.qty).where(
                t.cart_line.c.cart_id == cart_id,
                t.cart_line.c.product_id == product.product_id,
                t.cart_line.c.discount == 0,
            )
        ).first()
        if same is not None and request.discount == 0:
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
            conn.execute(
                insert(t.cart_line).values(
                    cart_id=cart_id,
                    line_no=line_no,
                    product_id=product.product_id,
                    qty=qty,
                    discount=request.discount,
                )
            )
        # Price inside the transaction: a line that cannot be priced is not added.
        view = _view(box, conn, cart_id)
    return view, line_no


def update_line(
    box: BoxRuntime, cart_id: str, line_no: int, qty: int | None, discount: int | None
) -> CartView:
    with box.db.drafts.begin() as conn:
        _open_cart(conn, cart_id)
        key = (t.cart_line.c.cart_id == cart_id, t.cart_line.c.line_no == line_no)
        if conn.execute(select(t.cart_line.c.line_no).where(*key)).first() is None:
            raise errors.CART_LINE_NOT_FOUND.error(cart_id=cart_id, line=line_no)
        values: dict[str, int] = {}
        if qty is not None:
            values["qty"] = qty
        if discount is not None:
            values["discount"] = discount
        if values:
            conn.execute(t.cart_line.update().where(*key).values(**values))
        view = _view(box, conn, cart_id)
    return view


def remove_line(box: BoxRuntime, cart_id: str, line_no: int) -> CartView:
    with box.db.drafts.begin() as conn:
        _open_cart(conn, cart_id)
        key = (t.cart_line.c.cart_id == cart_id, t.cart_line.c.line_no == line_no)
        if conn.execute(t.cart_line.delete().where(*key)).rowcount == 0:
            raise errors.CART_LINE_NOT_FOUND.error(cart_id=cart_id, line=line_no)
        view = _view(box, conn, cart_id)
    return view


def view_cart(box: BoxRuntime, cart_id: str) -> CartView:
    with box.db.reader.connect() as conn:
        return _view(box, conn, cart_id)


def _cart_lines(conn: Connection, cart_id: str) -> list[tuple[str, int, int]]:
    rows = conn.execute(
        select(t.cart_line.c.product_id, t.cart_line.c.qty, t.cart_line.c.discount)
        .where(t.cart_line.c.cart_id == cart_id)
        .order_by(t.cart_line.c.line_no)
    ).all()
    return [(str(r.product_id), int(r.qty), int(r.discount)) for r in rows]


def _view(box: BoxRuntime, conn: Connection, cart_id: str) -> CartView:
    row = conn.execute(select(t.cart).where(t.cart.c.cart_id == cart_id)).first()
    if row is None:
        raise errors.CART_NOT_FOUND.error(cart_id=cart_id)
    lines = _cart_lines(conn, cart_id)
    bill = None
    if lines:
        identity = require_identity(conn)
        choices = []
        for product_id, qty, discount in lines:
            product = catalog.product_by_id(conn, product_id)
            if product is None:
                raise errors.PRODUCT_NOT_FOUND.error(code=product_id)
            choices.append(LineChoice(product, qty, discount))
        # Price as the sale would: at the later of the HLC and the wall clock.
        at = from_unix_ms(max(box.clock.peek().wall_ms, unix_ms(box.wall_clock())))
        bill = price_bill(conn, identity, choices, at, None, box.settings.rounding)
    return CartView(cart_id=cart_id, status=row.status, sale_id=row.sale_id, bill=bill)


def checkout(
    box: BoxRuntime,
    cart_id: str,
    sale_id: UUID,
    tenders: list[Tender],
    buyer: Buyer | None,
    cashier: str | None,
    correlation_id: str | None,
) -> RecordedSale:
    """Turn the cart into a sale; the cart closes in the sale's own transaction.

    Everything happens under the write lock, so two tablets checking out
    the same cart cannot both make a sale of it.
    """
    with box.db.writer.begin() as conn:
        row = conn.execute(select(t.cart).where(t.cart.c.cart_id == cart_id)).first()
        if row is None:
            raise errors.CART_NOT_FOUND.error(cart_id=cart_id)
        if row.status == CHECKED_OUT:
            if row.sale_id == str(sale_id):
                # A retried checkout: answer with the sale already recorded.
                return RecordedSale(load_sale(conn, row.sale_id), created=False)
            raise errors.CART_CLOSED.error(cart_id=cart_id, sale_id=row.sale_id)
        request = SaleRequest(
            sale_id=sale_id,
            lines=[
                LineRequest(product_id=UUID(pid), qty=format_quantity(qty), discount=discount)
                for pid, qty, discount in _cart_lines(conn, cart_id)
            ],
            tenders=tenders,
            buyer=buyer,
            cashier=cashier,
        )
        result = record_sale_in(conn, box, request, check_shape(box, request), correlation_id)
        conn.execute(
            t.cart.update()
            .where(t.cart.c.cart_id == cart_id)
            .values(status=CHECKED_OUT, sale_id=str(sale_id))
        )
    crash_point("box.after_commit_before_publish")
    box.sale_committed(result)
    return result
