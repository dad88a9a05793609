from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response

from edge.api.deps import Box, Cashier, actor_of
from edge.api.sales import cashier_of, respond_with_sale, tenders_of
from edge.api.schemas import (
    ApprovalOnlyIn,
    BillDiscountIn,
    CartIn,
    CartLineUpdate,
    CartOut,
    CheckoutIn,
    HeldBillOut,
    LineIn,
    SaleOut,
    approval_of,
)
from edge.services import cart_holds, carts
from edge.services.catalog import noting_unknown_codes
from edge.services.checkout import LineRequest, parse_line_qty
from edge.services.upi_qr import cart_upi_qr

router = APIRouter(prefix="/api/v1/carts", tags=["carts"])


@router.post("", response_model=CartOut, status_code=201)
def create_cart(box: Box, cashier: Cashier, body: CartIn) -> CartOut:
    return CartOut.of(carts.create_cart(box, body.cart_id, box.wall_clock()))


@router.get("/{cart_id}", response_model=CartOut)
def get_cart(box: Box, cashier: Cashier, cart_id: UUID) -> CartOut:
    return CartOut.of(carts.view_cart(box, str(cart_id)))


@router.post("/{cart_id}/lines", response_model=CartOut, status_code=201)
def add_line(box: Box, cashier: Cashier, cart_id: UUID, body: LineIn) -> CartOut:
    """A scan: the item's line with price and tax, and the cart's new totals."""
    request = LineRequest(
        code=body.code, product_id=body.product_id, discount=body.discount,
        serial_no=body.serial_no,
    )  # fmt: skip
    with noting_unknown_codes(box.db.drafts, box.wall_clock()):
        view, line_no = carts.add_line(
            box,
            str(cart_id),
            request,
            parse_line_qty(1, body.qty),
            actor_of(cashier),
            approval_of(body.approval),
        )
    return CartOut.of(view, added_line=line_no)


@router.patch("/{cart_id}/lines/{line_no}", response_model=CartOut)
def update_line(
    box: Box, cashier: Cashier, cart_id: UUID, line_no: int, body: CartLineUpdate
) -> CartOut:
    """Change a line's quantity, discount or batch. A lower quantity (a partial
    void) or a discount above the limit needs a manager's ``approval``."""
    qty = None if body.qty is None else parse_line_qty(line_no, body.qty)
    view = carts.update_line(
        box,
        str(cart_id),
        line_no,
        qty,
        body.discount,
        actor_of(cashier),
        approval_of(body.approval),
        batch_no=body.batch_no,
    )
    return CartOut.of(view)


@router.delete("/{cart_id}/lines/{line_no}", response_model=CartOut)
def remove_line(
    box: Box,
    cashier: Cashier,
    cart_id: UUID,
    line_no: int,
    body: Annotated[ApprovalOnlyIn | None, Body()] = None,
) -> CartOut:
    """Void a line: needs a manager's ``approval`` in the body."""
    approval = approval_of(body.approval if body else None)
    return CartOut.of(carts.remove_line(box, str(cart_id), line_no, actor_of(cashier), approval))


@router.post("/{cart_id}/checkout", response_model=SaleOut, status_code=201)
def checkout(
    box: Box, cashier: Cashier, cart_id: UUID, body: CheckoutIn, response: Response
) -> SaleOut:
    """Pay for the cart: records the sale (idempotent by ``sale_id``)."""
    recorded = carts.checkout(
        box,
        str(cart_id),
        body.sale_id,
        tenders_of(body.tenders),
        body.buyer,
        cashier_of(cashier, body.cashier),
        actor_of(cashier),
        approval_of(body.approval),
    )
    return respond_with_sale(recorded, response)


@router.get("", response_model=list[HeldBillOut])
def list_carts(box: Box, cashier: Cashier, state: Literal["held"]) -> list[HeldBillOut]:
    """The bills on hold at this box (``state=held``), oldest hold first."""
    return [
        HeldBillOut(cart=CartOut.of(x.cart), held_at=x.held_at, held_by=x.held_by)
        for x in cart_holds.held_bills(box)
    ]


@router.post("/{cart_id}/hold", response_model=CartOut)
def hold_cart(box: Box, cashier: Cashier, cart_id: UUID) -> CartOut:
    """Park the bill: it cannot be changed or paid for until recalled."""
    return CartOut.of(cart_holds.hold(box, str(cart_id), cashier, box.wall_clock()))


@router.post("/{cart_id}/recall", response_model=CartOut)
def recall_cart(box: Box, cashier: Cashier, cart_id: UUID) -> CartOut:
    """Reopen a held bill (CART_NOT_HELD if another till recalled it first)."""
    return CartOut.of(cart_holds.recall(box, str(cart_id), cashier, box.wall_clock()))


@router.post("/{cart_id}/discount", response_model=CartOut)
def discount_bill(box: Box, cashier: Cashier, cart_id: UUID, body: BillDiscountIn) -> CartOut:
    """A discount on the whole bill, spread over the lines as line discounts."""
    view = carts.discount_bill(
        box,
        str(cart_id),
        body.amount,
        body.percent_bp,
        actor_of(cashier),
        approval_of(body.approval),
    )
    return CartOut.of(view)


@router.get("/{cart_id}/upi-qr.svg", response_class=Response)
def upi_qr(
    box: Box, cashier: Cashier, cart_id: UUID, amount: Annotated[int | None, Query(gt=0)] = None
) -> Response:
    """The UPI QR for ``amount`` paise of the bill (default: all of it), as SVG.
    The link it encodes is in the ``X-UPI-Link`` header too."""
    qr = cart_upi_qr(box, str(cart_id), amount)
    headers = {"X-UPI-Link": qr.text, "Cache-Control": "no-store"}
    return Response(qr.svg, media_type="image/svg+xml", headers=headers)
