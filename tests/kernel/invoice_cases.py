"""Sales, sellers and buyers for the invoice and e-invoice tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from setledger import gst
from setledger.contracts.sales import Buyer, SaleLine, SaleRecorded, SaleTotals
from setledger.fiscal import financial_year
from setledger.gst_thresholds import CRORE
from setledger.gstin import check_character
from setledger.invoice import Party, Seller

DAY = date(2026, 11, 24)


def gstin(state: str, pan: str = "AAPFU0939F") -> str:
    first14 = f"{state}{pan}1Z"
    return first14 + check_character(first14)


def seller(state: str = "27", *, aato: int = 3 * CRORE) -> Seller:
    party = Party(
        legal_name="Sample Traders Private Limited",
        trade_name="Sample Traders",
        state=state,
        gstin=gstin(state),
        address1="12 MG Road",
        location="Pune",
        pin=411001,
    )
    return Seller(party=party, aato=aato)


def buyer(state: str = "29", *, sez: bool = False) -> Party:
    return Party(
        legal_name="Buyer Stores LLP",
        trade_name="Buyer Stores",
        state=state,
        gstin=gstin(state, "AABCB1234C"),
        address1="4 Residency Road",
        location="Bengaluru",
        pin=560025,
        sez=sez,
    )


def sale(
    items: list[tuple[str, str, int, int]],
    *,
    seller_state: str = "27",
    pos: str = "29",
    sez: bool = False,
    number: str = "B1/2627/000042",
    day: date = DAY,
    inclusive: bool = False,
    cess_bp: int = 0,
    rounding: gst.Rounding = gst.Rounding.RUPEE,
) -> SaleRecorded:
    """``items`` are (name, HSN, unit price in paise, rate bp), one unit each."""
    kind = gst.supply_kind(seller_state, pos, sez=sez)
    inputs = [gst.TaxableLine(price, 1000, rate, inclusive, cess_bp) for _, _, price, rate in items]
    tax = gst.tax_invoice(inputs, kind, rounding)
    lines = [
        SaleLine(
            line_no=i,
            product_id=uuid4(),
            sku=f"SKU{i}",
            name=name,
            hsn=hsn or None,
            unit="NOS",
            qty=1000,
            unit_price=price,
            price_includes_tax=inclusive,
            rate_bp=rate,
            cess_bp=cess_bp,
            taxable=t.taxable,
            cgst=t.cgst,
            sgst=t.sgst,
            igst=t.igst,
            cess=t.cess,
            charged=t.charged,
        )
        for i, ((name, hsn, price, rate), t) in enumerate(zip(items, tax.lines, strict=True), 1)
    ]
    return SaleRecorded(
        sale_id=UUID(int=1),
        invoice_no=number,
        financial_year=financial_year(day).label,
        sold_at=datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC),
        business_date=day,
        seller_state=seller_state,
        place_of_supply=pos,
        supply_kind=kind,
        rounding=rounding,
        buyer=Buyer(name="Buyer Stores LLP", gstin=gstin(pos, "AABCB1234C"))
        if pos not in ("96", seller_state) or sez
        else None,
        lines=lines,
        tenders=[],
        totals=SaleTotals(
            taxable=tax.taxable,
            cgst=tax.cgst,
            sgst=tax.sgst,
            igst=tax.igst,
            cess=tax.cess,
            round_off=tax.round_off,
            payable=tax.payable,
            tendered=0,
            change=0,
        ),
        stock_moves=[],
    )
