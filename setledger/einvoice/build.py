"""Render an invoice as INV-01 v1.1 JSON (a dict of str, Decimal, int, lists)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from setledger import errors
from setledger.invoice import DocType, Invoice, InvoiceLine, Party, SupplyType
from setledger.money import MILLI_PER_UNIT, Paise, rupees_decimal
from setledger.states import EXPORT_PLACE_OF_SUPPLY

SCHEMA_VERSION = "1.1"
UNREGISTERED = "URP"
"""Buyer GSTIN of an export (unregistered person)."""


def doc_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _money(paise: Paise) -> Decimal:
    return rupees_decimal(paise)


def _qty(milli: int) -> Decimal:
    return (Decimal(milli) / MILLI_PER_UNIT).quantize(Decimal("0.001"))


def _rate(basis_points: int) -> Decimal:
    return (Decimal(basis_points) / 100).quantize(Decimal("0.01"))


def _drop_none(block: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in block.items() if value is not None}


def _seller(party: Party) -> dict[str, Any]:
    return _drop_none(
        {
            "Gstin": party.gstin,
            "LglNm": party.legal_name,
            "TrdNm": party.trade_name,
            "Addr1": party.address1,
            "Addr2": party.address2,
            "Loc": party.location,
            "Pin": party.pin,
            "Stcd": party.state,
            "Ph": party.phone,
            "Em": party.email,
        }
    )


def _buyer(party: Party, place_of_supply: str) -> dict[str, Any]:
    export = place_of_supply == EXPORT_PLACE_OF_SUPPLY
    return _drop_none(
        {
            "Gstin": UNREGISTERED if export else party.gstin,
            "LglNm": party.legal_name,
            "TrdNm": party.trade_name,
            "Pos": place_of_supply,
            "Addr1": party.address1,
            "Addr2": party.address2,
            "Loc": party.location,
            # Exports: PIN 999999 and state 96 are what the IRP expects.
            "Pin": 999999 if export else party.pin,
            "Stcd": EXPORT_PLACE_OF_SUPPLY if export else party.state,
            "Ph": party.phone,
            "Em": party.email,
        }
    )


def _item(line: InvoiceLine) -> dict[str, Any]:
    return _drop_none(
        {
            "SlNo": str(line.sl_no),
            "PrdDesc": line.description,
            "IsServc": "Y" if line.is_service else "N",
            "HsnCd": line.hsn,
            "Qty": _qty(line.qty),
            "Unit": line.unit,
            "UnitPrice": _money(line.unit_price),
            "TotAmt": _money(line.gross),
            "Discount": _money(line.discount),
            "AssAmt": _money(line.taxable),
            "GstRt": _rate(line.rate_bp),
            "IgstAmt": _money(line.igst),
            "CgstAmt": _money(line.cgst),
            "SgstAmt": _money(line.sgst),
            "CesRt": _rate(line.cess_bp),
            "CesAmt": _money(line.cess),
            "CesNonAdvlAmt": _money(0),
            "TotItemVal": _money(line.total),
        }
    )


def build_einvoice(invoice: Invoice) -> dict[str, Any]:
    """The INV-01 v1.1 document of a B2B, SEZ or export invoice or note."""
    if invoice.supply_type is SupplyType.B2C or invoice.buyer is None:
        raise errors.EINVOICE_NOT_APPLICABLE.error(
            invoice_no=invoice.number, supply_type=invoice.supply_type.value
        )
    tran: dict[str, Any] = {
        "TaxSch": "GST",
        "SupTyp": invoice.supply_type.value,
        "RegRev": "N",
    }
    if invoice.igst_on_intra:
        tran["IgstOnIntra"] = "Y"
    doc: dict[str, Any] = {
        "Version": SCHEMA_VERSION,
        "TranDtls": tran,
        "DocDtls": {
            "Typ": invoice.doc_type.value,
            "No": invoice.number,
            "Dt": doc_date(invoice.date),
        },
        "SellerDtls": _seller(invoice.seller),
        "BuyerDtls": _buyer(invoice.buyer, invoice.place_of_supply),
        "ItemList": [_item(line) for line in invoice.lines],
        "ValDtls": {
            "AssVal": _money(invoice.taxable),
            "CgstVal": _money(invoice.cgst),
            "SgstVal": _money(invoice.sgst),
            "IgstVal": _money(invoice.igst),
            "CesVal": _money(invoice.cess),
            "Discount": _money(0),
            "OthChrg": _money(0),
            "RndOffAmt": _money(invoice.round_off),
            "TotInvVal": _money(invoice.payable),
        },
    }
    if invoice.doc_type is not DocType.INVOICE and invoice.original is not None:
        doc["RefDtls"] = {
            "PrecDocDtls": [
                {"InvNo": invoice.original.number, "InvDt": doc_date(invoice.original.date)}
            ]
        }
    return doc


def to_json(doc: Any) -> str:
    """Compact JSON with ``Decimal`` written as a number (``1180.00``), never a float."""
    if isinstance(doc, Mapping):
        items = (f"{json.dumps(str(key))}:{to_json(value)}" for key, value in doc.items())
        return "{" + ",".join(items) + "}"
    if isinstance(doc, list | tuple):
        return "[" + ",".join(to_json(value) for value in doc) + "]"
    if isinstance(doc, Decimal):
        if not doc.is_finite():
            raise ValueError("not a finite amount")
        return f"{doc:f}"
    if isinstance(doc, bool) or doc is None or isinstance(doc, int | str):
        return json.dumps(doc, ensure_ascii=False)
    raise TypeError(f"cannot write {type(doc).__name__} in an e-invoice")
