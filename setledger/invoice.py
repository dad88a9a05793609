"""The GST invoice document: what a tax invoice, credit or debit note says.

Built from a recorded sale (amounts already computed and checked by
:mod:`setledger.gst`) plus the seller's and buyer's details, it is the one
model that the printed invoice, the e-invoice JSON and the GSTR-1 rows
are rendered from. Pure: no I/O, integer paise throughout.

Invariants (checked when the document is built):

- Supply type follows the buyer: no GSTIN -> B2C (or export); an SEZ unit
  -> SEZWP/SEZWOP; place of supply 96 -> EXPWP/EXPWOP; otherwise B2B.
  "With payment" means IGST was charged (R5).
- SEZ and exports are inter-state even within one state (R5); an SEZ
  supply in the seller's own state is marked ``igst_on_intra``.
- Intra-state documents carry CGST = SGST and no IGST; inter-state ones
  only IGST (R4).
- HSN/SAC digits meet the rule in force on the document date for the
  seller's turnover (R14, :mod:`setledger.gst_thresholds`).
- Credit and debit notes name the original invoice (number and date).
- Taxable value + taxes + round-off = payable, to the paisa (R9, R10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from setledger import errors, gst
from setledger.contracts.sales import SaleLine, SaleRecorded
from setledger.fiscal import is_valid_invoice_number
from setledger.gst_thresholds import hsn_problem
from setledger.gstin import is_valid_gstin, normalise, state_of
from setledger.money import MilliQty, Paise, round_div
from setledger.states import EXPORT_PLACE_OF_SUPPLY, state_tax_head


class DocType(StrEnum):
    INVOICE = "INV"
    CREDIT_NOTE = "CRN"
    DEBIT_NOTE = "DBN"


class SupplyType(StrEnum):
    B2B = "B2B"
    SEZ_WITH_PAYMENT = "SEZWP"
    SEZ_WITHOUT_PAYMENT = "SEZWOP"
    EXPORT_WITH_PAYMENT = "EXPWP"
    EXPORT_WITHOUT_PAYMENT = "EXPWOP"
    B2C = "B2C"

    @property
    def e_invoiced(self) -> bool:
        """B2C documents must not be sent to the IRP (R19)."""
        return self is not SupplyType.B2C


@dataclass(frozen=True)
class Party:
    """A seller or buyer as the invoice prints them."""

    legal_name: str
    state: str
    gstin: str | None = None
    trade_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    location: str | None = None
    pin: int | None = None
    phone: str | None = None
    email: str | None = None
    sez: bool = False
    """An SEZ unit or developer: supplies to it are inter-state (R5)."""


@dataclass(frozen=True)
class Seller:
    party: Party
    aato: Paise
    """Aggregate annual turnover of the previous financial year (R14)."""
    sandbox: bool = False
    """Accept NIC sandbox GSTINs that fail the check character (R13)."""


@dataclass(frozen=True)
class OriginalInvoice:
    """The invoice a credit or debit note corrects."""

    number: str
    date: date


@dataclass(frozen=True)
class InvoiceLine:
    sl_no: int
    description: str
    hsn: str | None
    is_service: bool
    qty: MilliQty
    unit: str
    unit_price: Paise
    """Price of one unit before tax (split back for tax-inclusive prices)."""
    gross: Paise
    """Before tax and discount (the e-invoice ``TotAmt``)."""
    discount: Paise
    taxable: Paise
    rate_bp: int
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess_bp: int
    cess: Paise

    @property
    def total(self) -> Paise:
        return self.taxable + self.cgst + self.sgst + self.igst + self.cess


@dataclass(frozen=True)
class Invoice:
    doc_type: DocType
    number: str
    date: date
    financial_year: str
    supply_type: SupplyType
    supply_kind: gst.SupplyKind
    place_of_supply: str
    igst_on_intra: bool
    seller: Party
    buyer: Party | None
    lines: tuple[InvoiceLine, ...]
    by_rate: tuple[gst.RateSummary, ...]
    taxable: Paise
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess: Paise
    round_off: Paise
    payable: Paise
    original: OriginalInvoice | None = None

    @property
    def state_head(self) -> str:
        """ "SGST" or "UTGST", as the breakup prints the state head."""
        return state_tax_head(self.place_of_supply)

    @property
    def tax(self) -> Paise:
        return self.cgst + self.sgst + self.igst + self.cess


def is_sac(hsn: str | None) -> bool:
    """Services are classified by SAC codes, which start with 99 (R15)."""
    return hsn is not None and hsn.startswith("99")


def unit_price_before_tax(line_price: Paise, inclusive: bool, rate_bp: int, cess_bp: int) -> Paise:
    if not inclusive:
        return line_price
    return gst.taxable_from_inclusive(line_price, rate_bp, cess_bp)


def classify_supply(buyer: Party | None, place_of_supply: str, igst_charged: bool) -> SupplyType:
    """B2C, B2B, SEZ or export, with or without payment of IGST."""
    if place_of_supply == EXPORT_PLACE_OF_SUPPLY:
        if igst_charged:
            return SupplyType.EXPORT_WITH_PAYMENT
        return SupplyType.EXPORT_WITHOUT_PAYMENT
    if buyer is None or not buyer.gstin:
        return SupplyType.B2C
    if buyer.sez:
        return SupplyType.SEZ_WITH_PAYMENT if igst_charged else SupplyType.SEZ_WITHOUT_PAYMENT
    return SupplyType.B2B


def invoice_from_sale(
    sale: SaleRecorded,
    seller: Seller,
    buyer: Party | None = None,
    *,
    doc_type: DocType = DocType.INVOICE,
    original: OriginalInvoice | None = None,
) -> Invoice:
    """The invoice (or note) a sale stands for.

    A credit or debit note is built from a sale-shaped record of what is
    returned or charged again (positive amounts) and must name
    ``original``. ``buyer`` adds the address a B2B document needs; its
    GSTIN wins over the one typed at the counter.
    """
    number = sale.invoice_no

    def refuse(reason: str) -> errors.SetLedgerError:
        return _refusal(number, reason)

    if not is_valid_invoice_number(number):
        raise refuse(f"the number {number!r} is not valid for the IRP (R2)")
    if seller.party.state != sale.seller_state:
        raise refuse(
            f"seller state {seller.party.state} differs from the sale's {sale.seller_state}"
        )
    if not seller.party.gstin or not is_valid_gstin(seller.party.gstin, sandbox=seller.sandbox):
        raise refuse(f"seller GSTIN {seller.party.gstin!r} is not valid (R12)")
    if state_of(seller.party.gstin) != seller.party.state:
        raise refuse("the seller's GSTIN is registered in another state")
    buyer = _merge_buyer(sale, buyer)
    if (
        buyer is not None
        and buyer.gstin
        and not is_valid_gstin(buyer.gstin, sandbox=seller.sandbox)
    ):
        raise refuse(f"buyer GSTIN {buyer.gstin!r} is not valid (R12)")
    if (doc_type is DocType.INVOICE) != (original is None):
        raise refuse("credit and debit notes, and only they, name the original invoice")

    sez = buyer is not None and buyer.sez
    expected_kind = gst.supply_kind(sale.seller_state, sale.place_of_supply, sez=sez)
    if sale.supply_kind is not expected_kind:
        raise refuse(
            f"{sale.supply_kind} tax charged for place of supply {sale.place_of_supply}; "
            f"the supply is {expected_kind}-state (R4, R5)"
        )
    igst = sum(line.igst for line in sale.lines)
    supply_type = classify_supply(buyer, sale.place_of_supply, igst > 0)
    b2b = supply_type is not SupplyType.B2C
    lines = tuple(
        _invoice_line(line, seller, sale.business_date, b2b, number) for line in sale.lines
    )
    rated = ((line.rate_bp, _as_line_tax(line)) for line in lines)
    totals = sale.totals
    return Invoice(
        doc_type=doc_type,
        number=number,
        date=sale.business_date,
        financial_year=sale.financial_year,
        supply_type=supply_type,
        supply_kind=expected_kind,
        place_of_supply=sale.place_of_supply,
        igst_on_intra=sez and sale.place_of_supply == sale.seller_state and igst > 0,
        seller=seller.party,
        buyer=buyer,
        lines=lines,
        by_rate=gst.summarise_by_rate(rated),
        taxable=totals.taxable,
        cgst=totals.cgst,
        sgst=totals.sgst,
        igst=totals.igst,
        cess=totals.cess,
        round_off=totals.round_off,
        payable=totals.payable,
        original=original,
    )


def _merge_buyer(sale: SaleRecorded, buyer: Party | None) -> Party | None:
    counter = sale.buyer
    if buyer is not None:
        return buyer
    if counter is None or not (counter.gstin or counter.name):
        return None
    gstin = normalise(counter.gstin) if counter.gstin else None
    state = counter.state or (state_of(gstin) if gstin else sale.place_of_supply)
    return Party(legal_name=counter.name or "", state=state, gstin=gstin, phone=counter.phone)


def _refusal(number: str, reason: str) -> errors.SetLedgerError:
    return errors.INVOICE_INCONSISTENT.error(invoice_no=number, reason=reason)


def _invoice_line(line: SaleLine, seller: Seller, day: date, b2b: bool, number: str) -> InvoiceLine:
    problem = hsn_problem(line.hsn, seller.aato, day, b2b=b2b)
    if problem is not None:
        raise _refusal(number, f"line {line.line_no}: {problem} (R14)")
    unit_price = unit_price_before_tax(
        line.unit_price, line.price_includes_tax, line.rate_bp, line.cess_bp
    )
    gross = line.taxable + _discount_before_tax(line)
    return InvoiceLine(
        sl_no=line.line_no,
        description=line.name,
        hsn=line.hsn,
        is_service=is_sac(line.hsn),
        qty=line.qty,
        unit=line.unit,
        unit_price=unit_price,
        gross=gross,
        discount=gross - line.taxable,
        taxable=line.taxable,
        rate_bp=line.rate_bp,
        cgst=line.cgst,
        sgst=line.sgst,
        igst=line.igst,
        cess_bp=line.cess_bp,
        cess=line.cess,
    )


def _discount_before_tax(line: SaleLine) -> Paise:
    if not line.price_includes_tax:
        return line.discount
    return round_div(line.discount * gst.BP_PER_UNIT, gst.BP_PER_UNIT + line.rate_bp + line.cess_bp)


def _as_line_tax(line: InvoiceLine) -> gst.LineTax:
    return gst.LineTax(
        line.gross, line.taxable, line.cgst, line.sgst, line.igst, line.cess, line.total
    )
