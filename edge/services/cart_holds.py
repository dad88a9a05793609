"""Hold and recall: a cashier parks the open bill and serves the next customer.

A held cart keeps its lines (prices are worked out again when it is read,
as for any cart) and cannot be changed or checked out until it is recalled
(``carts`` refuses with CART_HELD). Each hold and each recall appends a
``cart_hold`` row saying when and by whom; the cart's own status says
whether it is held now. The status changes with a conditional update, so
two tablets recalling the same bill cannot both get it.

Holds commit on the drafts engine (synchronous=NORMAL) like every other cart
write: a hold lost to a power cut leaves the bill open, which is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from edge.runtime import BoxRuntime
from edge.services.carts import HELD, OPEN, CartView, _view, view_cart
from edge.services.sessions import Session
from edge.store import tables as t
from setledger import errors
from setledger.ids import new_id


@dataclass(frozen=True)
class HeldBill:
    cart: CartView
    held_at: str
    held_by: str | None
    """The display name of who held it (None with sign-in off)."""


def hold(box: BoxRuntime, cart_id: str, cashier: Session | None, now: datetime) -> CartView:
    """Park an open bill with items on it; holding a held bill again is a no-op."""
    with box.db.drafts.begin() as conn:
        status = _status(conn, cart_id)
        if status == HELD:
            return _view(box, conn, cart_id)
        if status != OPEN:
            raise errors.CART_CLOSED.error(cart_id=cart_id, sale_id=_sale_id(conn, cart_id))
        if not _has_lines(conn, cart_id):
            raise errors.CART_EMPTY.error(cart_id=cart_id)
        if not _move(conn, cart_id, OPEN, HELD):
            raise errors.CART_HELD.error(cart_id=cart_id)
        _append(conn, cart_id, "hold", cashier, now)
        return _view(box, conn, cart_id)


def recall(box: BoxRuntime, cart_id: str, cashier: Session | None, now: datetime) -> CartView:
    """Reopen a held bill at the counter; it can then be changed and paid for."""
    with box.db.drafts.begin() as conn:
        status = _status(conn, cart_id)
        if status != HELD or not _move(conn, cart_id, HELD, OPEN):
            raise errors.CART_NOT_HELD.error(cart_id=cart_id)
        _append(conn, cart_id, "recall", cashier, now)
    return view_cart(box, cart_id)


def held_bills(box: BoxRuntime) -> list[HeldBill]:
    """The bills on hold at this box, oldest hold first."""
    latest = (
        select(t.cart_hold.c.cart_id, func.max(t.cart_hold.c.at).label("at"))
        .where(t.cart_hold.c.kind == "hold")
        .group_by(t.cart_hold.c.cart_id)
        .subquery()
    )
    query = (
        select(t.cart.c.cart_id, latest.c.at, t.cart_hold.c.user_name)
        .join(latest, latest.c.cart_id == t.cart.c.cart_id)
        .join(
            t.cart_hold,
            (t.cart_hold.c.cart_id == latest.c.cart_id)
            & (t.cart_hold.c.at == latest.c.at)
            & (t.cart_hold.c.kind == "hold"),
        )
        .where(t.cart.c.status == HELD)
        .order_by(latest.c.at, t.cart.c.cart_id)
    )
    with box.db.reader.connect() as conn:
        rows = conn.execute(query).all()
        return [
            HeldBill(cart=_view(box, conn, r.cart_id), held_at=r.at, held_by=r.user_name)
            for r in rows
        ]


def _status(conn: Connection, cart_id: str) -> str:
    status = conn.execute(select(t.cart.c.status).where(t.cart.c.cart_id == cart_id)).scalar()
    if status is None:
        raise errors.CART_NOT_FOUND.error(cart_id=cart_id)
    return str(status)


def _sale_id(conn: Connection, cart_id: str) -> str | None:
    return conn.execute(select(t.cart.c.sale_id).where(t.cart.c.cart_id == cart_id)).scalar()


def _has_lines(conn: Connection, cart_id: str) -> bool:
    query = select(t.cart_line.c.line_no).where(t.cart_line.c.cart_id == cart_id).limit(1)
    return conn.execute(query).first() is not None


def _move(conn: Connection, cart_id: str, from_status: str, to_status: str) -> bool:
    """Change the status only if it is still ``from_status`` (the race guard)."""
    moved = conn.execute(
        update(t.cart)
        .where(t.cart.c.cart_id == cart_id, t.cart.c.status == from_status)
        .values(status=to_status)
    )
    return moved.rowcount == 1


def _append(
    conn: Connection, cart_id: str, kind: str, cashier: Session | None, now: datetime
) -> None:
    conn.execute(
        insert(t.cart_hold).values(
            event_id=str(new_id()),
            cart_id=cart_id,
            kind=kind,
            at=now.isoformat(),
            user_id=None if cashier is None else cashier.user_id,
            user_name=None if cashier is None else cashier.display_name,
        )
    )
