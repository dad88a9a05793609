from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from appkit.context import current
from edge.api.deps import Box
from edge.api.sales import respond_with_sale, tenders_of
from edge.api.schemas import CartIn, CartLineUpdate, CartOut, CheckoutIn, LineIn, SaleOut
from edge.services import carts
from edge.services.checkout import LineRequest, parse_line_qty

router = APIRouter(prefix="/api/v1/carts", tags=["carts"])


@router.post("", response_model=CartOut, status_code=201)
def create_cart(box: Box, body: CartIn) -> CartOut:
    return CartOut.of(carts.create_cart(box, body.cart_id, box.wall_clock()))


@router.get("/{cart_id}", response_model=CartOut)
def get_cart(box: Box, cart_id: UUID) -> CartOut:
    return CartOut.of(carts.view_cart(box, str(cart_id)))


@router.post("/{cart_id}/lines", response_model=CartOut, status_code=201)
def add_line(box: Box, cart_id: UUID, body: LineIn) -> CartOut:
    """A scan: the item's line with price and tax, and the cart's new totals."""
    request = LineRequest(code=body.code, product_id=body.product_id, discount=body.discount)
    view, line_no = carts.add_line(box, str(cart_id), request, parse_line_qty(1, body.qty))
    return CartOut.of(view, added_line=line_no)


@router.patch("/{cart_id}/lines/{line_no}", response_model=CartOut)
def update_line(box: Box, cart_id: UUID, line_no: int, body: CartLineUpdate) -> CartOut:
    qty = None if body.qty is None else parse_line_qty(line_no, body.qty)
    return CartOut.of(carts.update_line(box, str(cart_id), line_no, qty, body.discount))


@router.delete("/{cart_id}/lines/{line_no}", response_model=CartOut)
def remove_line(box: Box, cart_id: UUID, line_no: int) -> CartOut:
    return CartOut.of(carts.remove_line(box, str(cart_id), line_no))


@router.post("/{cart_id}/checkout", response_model=SaleOut, status_code=201)
def checkout(box: Box, cart_id: UUID, body: CheckoutIn, response: Response) -> SaleOut:
    """Pay for the cart: records the sale (idempotent by ``sale_id``)."""
    recorded = carts.checkout(
        box,
        str(cart_id),
        body.sale_id,
        tenders_of(body.tenders),
        body.buyer,
        body.cashier,
        current(),
    )
    return respond_with_sale(recorded, response)
