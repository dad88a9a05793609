"""Pricing a bill: products, prices in effect, quantities, discounts and GST.

Used for the live cart and for the sale itself, so what the cashier saw is
what is recorded (the sale reprices inside its own transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from edge.services import catalog
from edge.services.catalog import Product
from edge.services.identity import BoxIdentity
from setledger import errors, gst
from setledger.contracts import Buyer
from setledger.gstin import is_valid_gstin, state_of
from setledger.money import MILLI_PER_UNIT, extend, format_quantity

MAX_QTY = 1_000_000 * MILLI_PER_UNIT


@dataclass(frozen=True)
class LineChoice:
    """A line as the cashier asked for it: which product, how many, discount."""

    product: Product
    qty: int
    discount: int = 0


@dataclass(frozen=True)
class PricedLine:
    line_no: int
    product: Product
    qty: int
    unit_price: int
    mrp: int | None
    discount: int
    tax: gst.LineTax

    @property
    def gross(self) -> int:
        """The line's price before its discount (what the discount is taken from)."""
        return extend(self.unit_price, self.qty)


@dataclass(frozen=True)
class Bill:
    lines: tuple[PricedLine, ...]
    tax: gst.InvoiceTax
    place_of_supply: str
    kind: gst.SupplyKind


def check_qty(line_no: int, product: Product | None, qty: int) -> None:
    if qty <= 0:
        raise errors.QTY_NOT_POSITIVE.error(line=line_no, qty=format_quantity(qty))
    if qty > MAX_QTY:
        raise errors.QTY_INVALID.error(line=line_no, qty=format_quantity(qty))
    if product is not None and not product.fractional_qty and qty % MILLI_PER_UNIT:
        raise errors.QTY_NOT_WHOLE.error(name=product.name, line=line_no, qty=format_quantity(qty))


def place_of_supply(identity: BoxIdentity, buyer: Buyer | None, *, sandbox_gstin: bool) -> str:
    """The buyer's state when known (GSTIN or address), else the shop's (R6, R7)."""
    if buyer is None:
        return identity.seller_state
    if buyer.gstin is not None:
        if not is_valid_gstin(buyer.gstin, sandbox=sandbox_gstin):
            raise errors.GSTIN_INVALID.error(gstin=buyer.gstin)
        return gst.place_of_supply_for_goods(
            identity.seller_state, buyer_state=state_of(buyer.gstin)
        )
    return gst.place_of_supply_for_goods(identity.seller_state, buyer_state=buyer.state)


def price_bill(
    conn: Connection,
    identity: BoxIdentity,
    choices: list[LineChoice],
    at: datetime,
    buyer: Buyer | None,
    rounding: gst.Rounding,
    *,
    sandbox_gstin: bool = False,
) -> Bill:
    pos = place_of_supply(identity, buyer, sandbox_gstin=sandbox_gstin)
    kind = gst.supply_kind(identity.seller_state, pos)
    priced_inputs: list[tuple[LineChoice, int, int | None]] = []
    for line_no, choice in enumerate(choices, start=1):
        product = choice.product
        check_qty(line_no, product, choice.qty)
        if not product.active:
            raise errors.PRODUCT_INACTIVE.error(name=product.name, sku=product.sku)
        price = catalog.price_at(conn, product.product_id, at)
        if price is None:
            raise errors.PRICE_MISSING.error(name=product.name, sku=product.sku)
        gross = extend(price[0], choice.qty)
        if not 0 <= choice.discount <= gross:
            raise errors.DISCOUNT_INVALID.error(line=line_no, discount=choice.discount, gross=gross)
        priced_inputs.append((choice, price[0], price[1]))
    taxable = [
        gst.TaxableLine(
            unit_price=unit_price,
            qty=choice.qty,
            rate_bp=choice.product.gst_rate_bp,
            price_includes_tax=choice.product.price_includes_tax,
            cess_bp=choice.product.cess_bp,
            discount=choice.discount,
        )
        for choice, unit_price, _ in priced_inputs
    ]
    invoice = gst.tax_invoice(taxable, kind, rounding)
    lines = tuple(
        PricedLine(
            line_no=n,
            product=choice.product,
            qty=choice.qty,
            unit_price=unit_price,
            mrp=mrp,
            discount=choice.discount,
            tax=line_tax,
        )
        for n, ((choice, unit_price, mrp), line_tax) in enumerate(
            zip(priced_inputs, invoice.lines, strict=True), start=1
        )
    )
    return Bill(lines=lines, tax=invoice, place_of_supply=pos, kind=kind)
