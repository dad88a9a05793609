"""Realistic ``sale.recorded`` v1 envelopes, built with the kernel as a box would.

A :class:`Till` plays one store box: it numbers invoices in its own
series per financial year, stamps an HLC, and seals each sale in an
envelope with the next seq of its (epoch, stream).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from setledger import fiscal, gst
from setledger.contracts import Envelope, ReturnRecorded, SaleRecorded, seal
from setledger.contracts.returns import (
    OriginalSale,
    ReturnRefund,
    credit_note_number,
    return_line,
    return_totals,
)
from setledger.contracts.sales import SaleLine, SaleTender, SaleTotals, StockMove
from setledger.hlc import HybridClock
from setledger.ids import new_id
from setledger.tenders import Tender, TenderKind, settle

SOLD_AT = datetime(2026, 11, 20, 10, 30, tzinfo=fiscal.IST)


@dataclass(frozen=True)
class Item:
    product: dict[str, Any]
    """A product as the hub's API returns it."""
    qty: int = 1000
    """Thousandths of the unit."""
    discount: int = 0


def build_sale(
    items: list[Item],
    *,
    invoice_no: str,
    sold_at: datetime = SOLD_AT,
    seller_state: str = "27",
    place_of_supply: str | None = None,
    tenders: list[Tender] | None = None,
    rounding: gst.Rounding = gst.Rounding.RUPEE,
    sale_id: uuid.UUID | None = None,
) -> SaleRecorded:
    place = place_of_supply or seller_state
    kind = gst.supply_kind(seller_state, place)
    taxable_lines = [
        gst.TaxableLine(
            unit_price=item.product["price"],
            qty=item.qty,
            rate_bp=item.product["gst_rate_bp"],
            price_includes_tax=item.product["price_includes_tax"],
            cess_bp=item.product["cess_bp"],
            discount=item.discount,
        )
        for item in items
    ]
    invoice = gst.tax_invoice(taxable_lines, kind, rounding)
    paid = tenders or [Tender(TenderKind.CASH, invoice.payable)]
    settlement = settle(invoice.payable, paid)
    day = fiscal.business_date(sold_at)
    return SaleRecorded(
        sale_id=sale_id or new_id(),
        invoice_no=invoice_no,
        financial_year=fiscal.financial_year(day).label,
        sold_at=sold_at,
        business_date=day,
        seller_state=seller_state,
        place_of_supply=place,
        supply_kind=kind,
        rounding=rounding,
        cashier="Asha",
        lines=[
            SaleLine(
                line_no=number,
                product_id=uuid.UUID(item.product["product_id"]),
                sku=item.product["sku"],
                name=item.product["name"],
                hsn=item.product["hsn"],
                unit=item.product["unit"],
                qty=item.qty,
                unit_price=item.product["price"],
                price_includes_tax=item.product["price_includes_tax"],
                discount=item.discount,
                rate_bp=item.product["gst_rate_bp"],
                cess_bp=item.product["cess_bp"],
                taxable=tax.taxable,
                cgst=tax.cgst,
                sgst=tax.sgst,
                igst=tax.igst,
                cess=tax.cess,
                charged=tax.charged,
            )
            for number, (item, tax) in enumerate(zip(items, invoice.lines, strict=True), start=1)
        ],
        tenders=[SaleTender(kind=t.kind, amount=t.amount, reference=t.reference) for t in paid],
        totals=SaleTotals(
            taxable=invoice.taxable,
            cgst=invoice.cgst,
            sgst=invoice.sgst,
            igst=invoice.igst,
            cess=invoice.cess,
            round_off=invoice.round_off,
            payable=invoice.payable,
            tendered=settlement.tendered,
            change=settlement.change,
        ),
        stock_moves=[
            StockMove(
                move_id=new_id(),
                product_id=uuid.UUID(item.product["product_id"]),
                qty=-item.qty,
                reason="sale",
            )
            for item in items
        ],
    )


@dataclass
class Till:
    """One store box as ingest sees it."""

    org: dict[str, Any]
    device: dict[str, Any]
    stream: str = "sales"
    epoch: str = field(default_factory=lambda: uuid.uuid4().hex)
    next_seq: int = 1
    next_serial: int = 1
    clock: HybridClock = field(init=False)

    def __post_init__(self) -> None:
        self.clock = HybridClock(node=str(self.device["device_id"]))

    @property
    def prefix(self) -> str:
        return str(self.device["invoice_prefix"])

    def invoice_no(self, sold_at: datetime = SOLD_AT) -> str:
        year = fiscal.financial_year(fiscal.business_date(sold_at))
        number = fiscal.invoice_number(self.prefix, year, self.next_serial)
        self.next_serial += 1
        return number

    def sale(self, items: list[Item], sold_at: datetime = SOLD_AT, **kwargs: Any) -> SaleRecorded:
        return build_sale(
            items,
            invoice_no=self.invoice_no(sold_at),
            sold_at=sold_at,
            seller_state=kwargs.pop("seller_state", "27"),
            **kwargs,
        )

    def seal(
        self, message: Any, *, seq: int | None = None, key: str | None = None, **fields: Any
    ) -> Envelope:
        """Seal ``message`` with the next seq (or the one given)."""
        if seq is None:
            seq = self.next_seq
            self.next_seq += 1
        default_key = "k"
        if isinstance(message, SaleRecorded):
            default_key = str(message.sale_id)
        elif isinstance(message, ReturnRecorded):
            default_key = str(message.return_id)
        return seal(
            message,
            org_id=fields.pop("org_id", self.org["org_id"]),
            store_id=fields.pop("store_id", self.device["store_id"]),
            device_id=fields.pop("device_id", self.device["device_id"]),
            epoch=fields.pop("epoch", self.epoch),
            stream=self.stream,
            seq=seq,
            key=key or default_key,
            hlc=self.clock.now().encode(),
            wall_time=fields.pop("wall_time", datetime.now(UTC)),
            correlation_id=fields.pop("correlation_id", f"corr-{seq}"),
            **fields,
        )

    def sell(self, items: list[Item], sold_at: datetime = SOLD_AT, **kwargs: Any) -> Envelope:
        return self.seal(self.sale(items, sold_at, **kwargs))


def day_after(instant: datetime, days: int = 1) -> datetime:
    return instant + timedelta(days=days)


def build_return(
    sale: SaleRecorded,
    wanted: dict[int, int],
    *,
    note_no: str,
    returned_at: datetime,
    before: dict[int, int] | None = None,
    refunded_before: int = 0,
    refunds: list[Tender] | None = None,
    return_id: uuid.UUID | None = None,
) -> ReturnRecorded:
    """A credit note for ``wanted`` (line no -> thousandths) of ``sale``, as the box
    makes it: ``before`` says what earlier notes returned of each line and
    ``refunded_before`` what they refunded (the last note refunds the rest)."""
    before = before or {}
    lines = [
        return_line(sale.lines[number - 1], before.get(number, 0), qty)
        for number, qty in sorted(wanted.items())
    ]
    completes = all(
        before.get(line.line_no, 0) + wanted.get(line.line_no, 0) == line.qty for line in sale.lines
    )
    rest = sale.totals.payable - refunded_before if completes else None
    totals = return_totals(lines, sale.rounding, rest_of_sale=rest)
    day = fiscal.business_date(returned_at)
    paid = refunds or [Tender(TenderKind.CASH, totals.payable)]
    return ReturnRecorded(
        return_id=return_id or new_id(),
        note_no=note_no,
        financial_year=fiscal.financial_year(day).label,
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
        cashier="Asha",
        reason="did not fit",
        lines=lines,
        refunds=[ReturnRefund(kind=t.kind, amount=t.amount, reference=t.reference) for t in paid],
        totals=totals,
        stock_moves=[
            StockMove(move_id=new_id(), product_id=line.product_id, qty=line.qty, reason="return")
            for line in lines
        ],
    )


@dataclass
class ReturnsDesk(Till):
    """The same box's returns stream: its own seqs and its credit note series."""

    stream: str = "returns"

    def note_no(self, returned_at: datetime) -> str:
        year = fiscal.financial_year(fiscal.business_date(returned_at))
        number = credit_note_number(self.prefix, year, self.next_serial)
        self.next_serial += 1
        return number

    def give_back(
        self, sale: SaleRecorded, wanted: dict[int, int], returned_at: datetime, **kwargs: Any
    ) -> ReturnRecorded:
        return build_return(
            sale, wanted, note_no=self.note_no(returned_at), returned_at=returned_at, **kwargs
        )
