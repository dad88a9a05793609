"""API models of the sales reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from hub.schemas import Response


class TenderPublic(Response):
    kind: str
    amount: int
    reference: str | None


class SaleSummary(Response):
    sale_id: uuid.UUID
    invoice_no: str
    store_id: uuid.UUID
    device_id: uuid.UUID
    sold_at: datetime
    business_date: date
    payable: int
    taxable: int
    cgst: int
    sgst: int
    igst: int
    cess: int
    round_off: int
    tenders: list[TenderPublic]


class SalesTotals(Response):
    count: int
    payable: int
    taxable: int
    cgst: int
    sgst: int
    igst: int
    cess: int


class SalesPage(Response):
    sales: list[SaleSummary]
    totals: SalesTotals
    """Over every sale the filters match, not only this page."""
    limit: int
    offset: int


class BuyerPublic(Response):
    name: str | None
    phone: str | None
    gstin: str | None
    state: str | None


class SaleLinePublic(Response):
    line_no: int
    product_id: uuid.UUID
    sku: str
    name: str
    hsn: str | None
    unit: str
    qty: int
    """Thousandths of the unit (1 piece = 1000)."""
    unit_price: int
    price_includes_tax: bool
    discount: int
    rate_bp: int
    cess_bp: int
    taxable: int
    cgst: int
    sgst: int
    igst: int
    cess: int
    charged: int


class StockMovePublic(Response):
    move_id: uuid.UUID
    product_id: uuid.UUID
    qty: int
    reason: str


class SaleDetail(Response):
    org_id: str
    sale_id: uuid.UUID
    invoice_no: str
    financial_year: str
    store_id: uuid.UUID
    device_id: uuid.UUID
    epoch: str
    stream: str
    seq: int
    sold_at: datetime
    business_date: date
    seller_state: str
    place_of_supply: str
    supply_kind: str
    rounding: str
    buyer: BuyerPublic | None
    cashier: str | None
    taxable: int
    cgst: int
    sgst: int
    igst: int
    cess: int
    round_off: int
    payable: int
    tendered: int
    change: int
    hlc: str
    wall_time: datetime
    received_at: datetime
    correlation_id: str | None
    lines: list[SaleLinePublic]
    tenders: list[TenderPublic]
    stock_moves: list[StockMovePublic]
