"""Request and response bodies of the box API (never table rows).

Money is integer paise (``StrictInt``: a float is a 422, never rounded);
each response also carries ``display`` strings in ₹ with lakh grouping so
a UI does no money arithmetic of its own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from edge.services.approvals import ApprovalRequest
from edge.services.carts import CartView, LineLot
from edge.services.catalog import Product
from edge.services.pricing import Bill, PricedLine
from setledger.contracts import Buyer, SaleRecorded
from setledger.money import format_quantity, format_rupees
from setledger.tenders import TenderKind

MAX_PAISE = 10**13  # ₹1 lakh crore: far beyond any till, small enough to stay sane
Amount = Annotated[StrictInt, Field(ge=-MAX_PAISE, le=MAX_PAISE)]
Discount = Annotated[StrictInt, Field(ge=0, le=MAX_PAISE)]
SerialNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
"""As scanned or typed: the spaces around it are dropped."""


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApprovalIn(Body):
    """A manager's PIN for what a cashier may not do alone."""

    user_id: UUID
    pin: str = Field(min_length=1, max_length=64)
    reason: str | None = Field(default=None, max_length=500)

    def request(self) -> ApprovalRequest:
        return ApprovalRequest(user_id=self.user_id, pin=self.pin, reason=self.reason)


def approval_of(body: ApprovalIn | None) -> ApprovalRequest | None:
    return None if body is None else body.request()


class SaleLineIn(Body):
    """One item: a scanned/typed ``code`` (barcode, product QR, SKU) or a ``product_id``."""

    code: str | None = Field(default=None, max_length=200)
    product_id: UUID | None = None
    qty: Decimal = Field(default=Decimal(1), description="Up to 3 decimals (1.25 kg)")
    discount: Discount = 0
    serial_no: SerialNo | None = None
    """The unit's serial number: required for a serial-tracked product (qty 1)."""

    @model_validator(mode="after")
    def _one_reference(self) -> SaleLineIn:
        if (self.code is None) == (self.product_id is None):
            raise ValueError("give exactly one of code or product_id")
        return self


class LineIn(SaleLineIn):
    """A scan into a cart; a discount above the limit needs ``approval``."""

    approval: ApprovalIn | None = None


class TenderIn(Body):
    kind: TenderKind
    amount: Amount
    reference: str | None = Field(default=None, max_length=64)


LEGACY_CASHIER = (
    "Ignored when a cashier is signed in: the sale names the signed-in member. "
    "Only recorded on a box with sign-in turned off."
)


class SaleIn(Body):
    sale_id: UUID = Field(description="Made by the client (UUIDv7); a retry reuses it")
    lines: list[SaleLineIn] = Field(max_length=1000)
    tenders: list[TenderIn] = Field(default_factory=list, max_length=10)
    buyer: Buyer | None = None
    cashier: str | None = Field(
        default=None,
        max_length=64,
        description=LEGACY_CASHIER,
        # Marked deprecated in the API docs only: pydantic's own flag would
        # warn on every read of the field.
        json_schema_extra={"deprecated": True},
    )
    approval: ApprovalIn | None = None
    """A manager's PIN when a line's discount is above the limit."""


class CartIn(Body):
    cart_id: UUID | None = None


class CartLineUpdate(Body):
    qty: Decimal | None = None
    discount: Discount | None = None
    batch_no: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """Take this batch of the store's stock instead of the one FEFO chose."""
    approval: ApprovalIn | None = None
    """A manager's PIN for a lower quantity (a void) or a discount above the limit."""


class BillDiscountIn(Body):
    """A discount on the whole bill: ``amount`` paise or ``percent_bp`` (1000 = 10%)
    of what the bill asks after line discounts; above the limit needs ``approval``."""

    amount: Discount | None = None
    percent_bp: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = None
    approval: ApprovalIn | None = None

    @model_validator(mode="after")
    def _one_way(self) -> BillDiscountIn:
        if (self.amount is None) == (self.percent_bp is None):
            raise ValueError("give exactly one of amount or percent_bp")
        return self


class ApprovalOnlyIn(Body):
    """The body of a void or a no-sale drawer opening: a manager's approval."""

    approval: ApprovalIn | None = None


class CheckoutIn(Body):
    sale_id: UUID
    tenders: list[TenderIn] = Field(default_factory=list, max_length=10)
    buyer: Buyer | None = None
    cashier: str | None = Field(
        default=None,
        max_length=64,
        description=LEGACY_CASHIER,
        # Marked deprecated in the API docs only: pydantic's own flag would
        # warn on every read of the field.
        json_schema_extra={"deprecated": True},
    )
    approval: ApprovalIn | None = None
    """Only if a discount on the cart is above the limit and was not approved."""


class ProductOut(BaseModel):
    product_id: str
    sku: str
    name: str
    hsn: str | None
    unit: str
    fractional_qty: bool
    gst_rate_bp: int
    cess_bp: int
    price_includes_tax: bool
    category: str | None
    active: bool
    variant_group: str | None = None
    variant: str | None = None
    batch_tracked: bool = False
    shelf_life_days: int | None = None
    slug: str | None = None
    serial_tracked: bool = False
    """A line of it names the unit's serial number (``serial_no``), one unit per line."""
    price: int | None
    mrp: int | None
    display: dict[str, str]

    @classmethod
    def of(cls, product: Product, price: tuple[int, int | None] | None) -> ProductOut:
        amount, mrp = price if price else (None, None)
        display = {"gst_rate": _pct(product.gst_rate_bp)}
        if amount is not None:
            display["price"] = format_rupees(amount)
        if mrp is not None:
            display["mrp"] = format_rupees(mrp)
        return cls(**product.__dict__, price=amount, mrp=mrp, display=display)


class ExpiryWarningOut(BaseModel):
    """The line's lot is ``expired`` or ``expiring`` within the box's warning days."""

    kind: Literal["expired", "expiring"]
    days_left: int


class LineOut(BaseModel):
    line_no: int
    product_id: str
    sku: str
    name: str
    hsn: str | None
    unit: str
    qty: int
    unit_price: int
    mrp: int | None
    discount: int
    rate_bp: int
    taxable: int
    cgst: int
    sgst: int
    igst: int
    cess: int
    charged: int
    display: dict[str, str]
    batch_no: str | None = None
    """The lot the line takes (FEFO, or the cashier's choice); None: no batches."""
    expiry: date | None = None
    expiry_warning: ExpiryWarningOut | None = None
    serial_no: str | None = None
    """The unit on this line (serial-tracked products); None otherwise."""

    @classmethod
    def of(
        cls, line: PricedLine, lot: LineLot | None = None, serial_no: str | None = None
    ) -> LineOut:
        p, tax = line.product, line.tax
        warning = None if lot is None else lot.warning
        return cls(
            serial_no=serial_no,
            batch_no=None if lot is None else lot.batch_no,
            expiry=None if lot is None else lot.expiry,
            expiry_warning=None
            if warning is None
            else ExpiryWarningOut(kind=warning.kind, days_left=warning.days_left),
            line_no=line.line_no,
            product_id=p.product_id,
            sku=p.sku,
            name=p.name,
            hsn=p.hsn,
            unit=p.unit,
            qty=line.qty,
            unit_price=line.unit_price,
            mrp=line.mrp,
            discount=line.discount,
            rate_bp=p.gst_rate_bp,
            taxable=tax.taxable,
            cgst=tax.cgst,
            sgst=tax.sgst,
            igst=tax.igst,
            cess=tax.cess,
            charged=tax.charged,
            display={
                "qty": format_quantity(line.qty),
                "unit_price": format_rupees(line.unit_price),
                "charged": format_rupees(tax.charged),
                "gst_rate": _pct(p.gst_rate_bp),
            },
        )


class BillTotals(BaseModel):
    taxable: int
    cgst: int
    sgst: int
    igst: int
    cess: int
    round_off: int
    payable: int

    @classmethod
    def of(cls, bill: Bill | None) -> BillTotals:
        if bill is None:
            return cls(taxable=0, cgst=0, sgst=0, igst=0, cess=0, round_off=0, payable=0)
        x = bill.tax
        return cls(
            taxable=x.taxable, cgst=x.cgst, sgst=x.sgst, igst=x.igst, cess=x.cess,
            round_off=x.round_off, payable=x.payable,
        )  # fmt: skip


class CartOut(BaseModel):
    cart_id: str
    status: str
    sale_id: str | None
    lines: list[LineOut]
    totals: BillTotals
    display: dict[str, str]
    added_line: int | None = None
    """After a scan: the line number the item went to (new or merged)."""

    @classmethod
    def of(cls, view: CartView, added_line: int | None = None) -> CartOut:
        totals = BillTotals.of(view.bill)
        lines = view.bill.lines if view.bill else ()
        return cls(
            cart_id=view.cart_id,
            status=view.status,
            sale_id=view.sale_id,
            lines=[LineOut.of(x, view.lot(x.line_no), view.serial(x.line_no)) for x in lines],
            totals=totals,
            display={"payable": format_rupees(totals.payable)},
            added_line=added_line,
        )


class HeldBillOut(BaseModel):
    cart: CartOut
    held_at: str
    held_by: str | None
    """Who held it (display name); None on a box with sign-in off."""


class CustomerOut(BaseModel):
    """A customer found by phone: the buyer of the latest sale that carried it."""

    buyer: Buyer


class GstinOut(BaseModel):
    gstin: str
    state: str
    state_name: str


class SaleOut(BaseModel):
    sale: SaleRecorded
    replayed: bool
    """True when this answers a retry: the sale was recorded earlier."""
    display: dict[str, str]

    @classmethod
    def of(cls, sale: SaleRecorded, replayed: bool) -> SaleOut:
        totals = sale.totals
        return cls(
            sale=sale,
            replayed=replayed,
            display={
                "payable": format_rupees(totals.payable),
                "tendered": format_rupees(totals.tendered),
                "change": format_rupees(totals.change),
                "round_off": format_rupees(totals.round_off),
            },
        )


class SaleSummary(BaseModel):
    sale_id: str
    invoice_no: str
    sold_at: str
    business_date: str
    payable: int
    change: int


class SalesPage(BaseModel):
    sales: list[SaleSummary]
    count: int
    payable: int


def _pct(rate_bp: int) -> str:
    whole, frac = divmod(rate_bp, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"
