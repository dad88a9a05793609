"""Check an e-invoice JSON document the way the IRP does, before it leaves.

Every problem names the invoice number and the JSON path of the field
(``ItemList[0].HsnCd``), so a person can find it on the document. The
checks are the portal's (RULES.md R2, R8, R9, R10, R12-R15, R19 and the
schema's required fields and formats); the field-level shape is also
pinned by the Draft-07 schema in the tests.

Tolerances: tax heads and item/invoice sums may differ by at most
``TOLERANCE`` (₹1) from the recomputed value, which covers documents
rounded by other software; the IRP's exact per-line tolerance is not
published (RULES.md open questions). Our own documents are exact.
``TotInvVal`` gets the ₹2 grace of R10, and ``RndOffAmt`` stays within
±99.99.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from setledger import errors
from setledger.fiscal import INVOICE_NUMBER_RE
from setledger.gst import BP_PER_UNIT, GST_RATES_BP
from setledger.gst_thresholds import hsn_problem
from setledger.gstin import is_valid_gstin
from setledger.money import Paise
from setledger.states import EXPORT_PLACE_OF_SUPPLY, is_state_code

TOLERANCE: Paise = 100
INVOICE_VALUE_GRACE: Paise = 200
MAX_ROUND_OFF: Paise = 9_999

SUPPLY_TYPES = frozenset({"B2B", "SEZWP", "SEZWOP", "EXPWP", "EXPWOP", "DEXP"})
DOC_TYPES = frozenset({"INV", "CRN", "DBN"})
HSN_RE = re.compile(r"^(?!0+$)([0-9]{4}|[0-9]{6}|[0-9]{8})$")
PREC_DOC_NO_RE = re.compile(r"^[1-9A-Z][0-9A-Z/-]{1,15}$")

REQUIRED: dict[str, tuple[str, ...]] = {
    "": ("Version", "TranDtls", "DocDtls", "SellerDtls", "BuyerDtls", "ItemList", "ValDtls"),
    "TranDtls": ("TaxSch", "SupTyp"),
    "DocDtls": ("Typ", "No", "Dt"),
    "SellerDtls": ("Gstin", "LglNm", "Addr1", "Loc", "Pin", "Stcd"),
    "BuyerDtls": ("Gstin", "LglNm", "Pos", "Addr1", "Loc", "Stcd"),
    "ValDtls": ("AssVal", "TotInvVal"),
}
ITEM_REQUIRED = ("SlNo", "IsServc", "HsnCd", "UnitPrice", "TotAmt", "AssAmt", "GstRt", "TotItemVal")


@dataclass(frozen=True)
class EInvoiceProblem:
    invoice_no: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.invoice_no} {self.path}: {self.message}"


class _Checker:
    def __init__(self, doc: Mapping[str, Any], *, sandbox: bool, aato: Paise | None) -> None:
        self.doc = doc
        self.sandbox = sandbox
        self.aato = aato
        number = _get(doc, "DocDtls", "No")
        self.invoice_no = number if isinstance(number, str) and number else "<no number>"
        self.problems: list[EInvoiceProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(EInvoiceProblem(self.invoice_no, path, message))

    def paise(self, block: Mapping[str, Any], key: str, path: str) -> Paise:
        """An amount field in paise; absent optional amounts are zero."""
        value = block.get(key, 0)
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise InvalidOperation
            amount = Decimal(str(value)) * 100
        except InvalidOperation:
            self.add(f"{path}.{key}", f"{value!r} is not an amount")
            return 0
        if amount != amount.to_integral_value():
            self.add(f"{path}.{key}", f"{value} has more than 2 decimals")
        return int(amount.to_integral_value(rounding=ROUND_HALF_UP))

    def near(self, path: str, got: Paise, want: Paise, what: str, tolerance: Paise) -> None:
        if abs(got - want) > tolerance:
            self.add(path, f"{_rupees(got)} but {what} gives {_rupees(want)}")


def _get(doc: Mapping[str, Any], *keys: str) -> Any:
    value: Any = doc
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _rupees(paise: Paise) -> str:
    sign = "-" if paise < 0 else ""
    return f"{sign}{abs(paise) // 100}.{abs(paise) % 100:02d}"


def _state(value: Any) -> str | None:
    """A state code as two digits ("1" is written "01" elsewhere)."""
    if isinstance(value, str) and value.isdigit() and 1 <= len(value) <= 2:
        return value.zfill(2)
    return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _strings(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _strings(inner, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def validate_einvoice(
    doc: Mapping[str, Any], *, sandbox: bool = False, aato: Paise | None = None
) -> list[EInvoiceProblem]:
    """Every problem the IRP would reject ``doc`` for; empty when it is good.

    ``sandbox`` accepts NIC sandbox GSTINs that fail the check character
    (R13). ``aato`` (the seller's previous-year turnover) turns on the HSN
    digit rule of R14 for the document date.
    """
    c = _Checker(doc, sandbox=sandbox, aato=aato)
    _check_required(c)
    for path, text in _strings(doc, ""):
        if '"' in text or "\\" in text:
            c.add(path, 'must not contain " or \\ (R19)')
    _check_header(c)
    seller_state = _check_parties(c)
    _check_items_and_totals(c, seller_state)
    return c.problems


def check_einvoice(
    doc: Mapping[str, Any], *, sandbox: bool = False, aato: Paise | None = None
) -> None:
    """Raise ``EINVOICE_INVALID`` listing every problem, or return quietly."""
    problems = validate_einvoice(doc, sandbox=sandbox, aato=aato)
    if problems:
        raise errors.EINVOICE_INVALID.error(
            invoice_no=problems[0].invoice_no,
            problem_count=len(problems),
            first=f"{problems[0].path}: {problems[0].message}",
            problems=[
                {"invoice_no": p.invoice_no, "path": p.path, "message": p.message} for p in problems
            ],
        )


def _check_required(c: _Checker) -> None:
    for block, keys in REQUIRED.items():
        container = c.doc if not block else c.doc.get(block)
        if not isinstance(container, Mapping):
            continue  # a missing block is reported once, as itself
        for key in keys:
            value = container.get(key)
            if value is None or value == "" or value == []:
                c.add(f"{block}.{key}" if block else key, "is required (R19)")
    items = c.doc.get("ItemList")
    if isinstance(items, list):
        for i, item in enumerate(items):
            for key in ITEM_REQUIRED:
                if not isinstance(item, Mapping) or item.get(key) in (None, ""):
                    c.add(f"ItemList[{i}].{key}", "is required (R19)")


def _check_header(c: _Checker) -> None:
    if c.doc.get("Version") != "1.1":
        c.add("Version", f"{c.doc.get('Version')!r} is not schema version 1.1")
    if _get(c.doc, "TranDtls", "TaxSch") not in (None, "GST"):
        c.add("TranDtls.TaxSch", "must be GST")
    sup = _get(c.doc, "TranDtls", "SupTyp")
    if sup is not None and sup not in SUPPLY_TYPES:
        c.add("TranDtls.SupTyp", f"{sup!r} is not one of {', '.join(sorted(SUPPLY_TYPES))}")
    typ = _get(c.doc, "DocDtls", "Typ")
    if typ is not None and typ not in DOC_TYPES:
        c.add("DocDtls.Typ", f"{typ!r} is not INV, CRN or DBN")
    number = _get(c.doc, "DocDtls", "No")
    if isinstance(number, str) and number and INVOICE_NUMBER_RE.match(number) is None:
        c.add("DocDtls.No", f"{number!r}: at most 16 of A-Z a-z 0-9 / -, not starting 0 / - (R2)")
    dt = _get(c.doc, "DocDtls", "Dt")
    if dt is not None and _date(dt) is None:
        c.add("DocDtls.Dt", f"{dt!r} is not a date DD/MM/YYYY")
    precs = _get(c.doc, "RefDtls", "PrecDocDtls")
    for i, prec in enumerate(precs if isinstance(precs, list) else [precs] if precs else []):
        path = f"RefDtls.PrecDocDtls[{i}]"
        inv_no = prec.get("InvNo") if isinstance(prec, Mapping) else None
        if not isinstance(inv_no, str) or PREC_DOC_NO_RE.match(inv_no) is None:
            c.add(f"{path}.InvNo", f"{inv_no!r} is not an original invoice number")
        inv_dt = prec.get("InvDt") if isinstance(prec, Mapping) else None
        if _date(inv_dt) is None:
            c.add(f"{path}.InvDt", f"{inv_dt!r} is not a date DD/MM/YYYY")


def _check_party_state(c: _Checker, path: str, value: Any) -> str | None:
    code = _state(value)
    if value is not None and (code is None or not is_state_code(code)):
        c.add(path, f"{value!r} is not a GST state code (R8)")
        return None
    return code


def _check_pin(c: _Checker, path: str, value: Any) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 100000 <= value <= 999999
    ):
        c.add(path, f"{value!r} is not a 6-digit PIN code")


def _check_parties(c: _Checker) -> str | None:
    seller = c.doc.get("SellerDtls")
    buyer = c.doc.get("BuyerDtls")
    seller_state = None
    if isinstance(seller, Mapping):
        seller_state = _check_party_state(c, "SellerDtls.Stcd", seller.get("Stcd"))
        gstin = seller.get("Gstin")
        if isinstance(gstin, str) and gstin:
            if not is_valid_gstin(gstin, sandbox=c.sandbox):
                c.add("SellerDtls.Gstin", f"{gstin!r} is not a valid GSTIN (R12)")
            elif seller_state and gstin[:2] != seller_state:
                c.add("SellerDtls.Stcd", f"{seller_state} but the GSTIN is from {gstin[:2]}")
        _check_pin(c, "SellerDtls.Pin", seller.get("Pin"))
    if isinstance(buyer, Mapping):
        _check_party_state(c, "BuyerDtls.Stcd", buyer.get("Stcd"))
        pos = _check_party_state(c, "BuyerDtls.Pos", buyer.get("Pos"))
        gstin = buyer.get("Gstin")
        export = _get(c.doc, "TranDtls", "SupTyp") in ("EXPWP", "EXPWOP")
        if gstin == "URP":
            if not export:
                c.add("BuyerDtls.Gstin", "URP (unregistered) is allowed only on exports")
        elif isinstance(gstin, str) and gstin and not is_valid_gstin(gstin, sandbox=c.sandbox):
            c.add("BuyerDtls.Gstin", f"{gstin!r} is not a valid GSTIN (R12)")
        if export and pos is not None and pos != EXPORT_PLACE_OF_SUPPLY:
            c.add("BuyerDtls.Pos", f"{pos}: an export's place of supply is 96 (R5)")
        _check_pin(c, "BuyerDtls.Pin", buyer.get("Pin"))
    return seller_state


def _decimal(c: _Checker, block: Mapping[str, Any], key: str, path: str) -> Decimal:
    value = block.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        c.add(f"{path}.{key}", f"{value!r} is not a number")
        return Decimal(0)
    return Decimal(str(value))


def _share(amount: Paise, basis_points: int, divisor: int) -> Paise:
    """``amount`` × rate, half up to the paisa (R9), in integers."""
    value = Decimal(amount) * basis_points / divisor
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check_items_and_totals(c: _Checker, seller_state: str | None) -> None:
    items = c.doc.get("ItemList")
    if not isinstance(items, list):
        return
    sup = _get(c.doc, "TranDtls", "SupTyp")
    pos = _state(_get(c.doc, "BuyerDtls", "Pos"))
    inter = (
        sup in ("SEZWP", "SEZWOP", "EXPWP", "EXPWOP")
        or _get(c.doc, "TranDtls", "IgstOnIntra") == "Y"
        or (pos is not None and seller_state is not None and pos != seller_state)
    )
    without_payment = sup in ("SEZWOP", "EXPWOP")
    day = _date(_get(c.doc, "DocDtls", "Dt"))
    sums = dict.fromkeys(("AssVal", "CgstVal", "SgstVal", "IgstVal", "CesVal", "StCesVal"), 0)
    slnos: set[Any] = set()
    for i, item in enumerate(items):
        path = f"ItemList[{i}]"
        if not isinstance(item, Mapping):
            c.add(path, "is not an object")
            continue
        if item.get("SlNo") in slnos:
            c.add(f"{path}.SlNo", f"{item.get('SlNo')!r} is used twice")
        slnos.add(item.get("SlNo"))
        _check_hsn(c, item, path, day)
        amounts = _check_item_amounts(c, item, path, inter=inter, without_payment=without_payment)
        for key, value in amounts.items():
            sums[key] += value
    values = c.doc.get("ValDtls")
    if not isinstance(values, Mapping):
        return
    got = {key: c.paise(values, key, "ValDtls") for key in sums}
    for key, total in sums.items():
        c.near(f"ValDtls.{key}", got[key], total, "the sum of the items", TOLERANCE)
    round_off = c.paise(values, "RndOffAmt", "ValDtls")
    if abs(round_off) > MAX_ROUND_OFF:
        c.add("ValDtls.RndOffAmt", f"{_rupees(round_off)} is beyond ±99.99 (R10)")
    expected = (
        sum(got.values())
        + c.paise(values, "OthChrg", "ValDtls")
        - c.paise(values, "Discount", "ValDtls")
        + round_off
    )
    total = c.paise(values, "TotInvVal", "ValDtls")
    c.near("ValDtls.TotInvVal", total, expected, "value + taxes + round-off", INVOICE_VALUE_GRACE)


def _check_hsn(c: _Checker, item: Mapping[str, Any], path: str, day: date | None) -> None:
    hsn = item.get("HsnCd")
    if not isinstance(hsn, str) or not hsn:
        return  # reported as required
    if HSN_RE.match(hsn) is None:
        c.add(f"{path}.HsnCd", f"{hsn!r}: HSN/SAC is 4, 6 or 8 digits, not all zeros (R15)")
        return
    service = item.get("IsServc")
    if service not in ("Y", "N"):
        c.add(f"{path}.IsServc", f"{service!r} is not Y or N")
    elif (service == "Y") != hsn.startswith("99"):
        c.add(f"{path}.IsServc", f"{service} does not match HSN/SAC {hsn} (R15)")
    if c.aato is not None and day is not None:
        problem = hsn_problem(hsn, c.aato, day, b2b=True)
        if problem is not None:
            c.add(f"{path}.HsnCd", f"{problem} (R14)")


def _check_item_amounts(
    c: _Checker, item: Mapping[str, Any], path: str, *, inter: bool, without_payment: bool
) -> dict[str, Paise]:
    rate = _decimal(c, item, "GstRt", path) * 100
    rate_bp = int(rate) if rate == rate.to_integral_value() else -1
    if rate_bp not in GST_RATES_BP:
        c.add(f"{path}.GstRt", f"{item.get('GstRt')} is not a GST rate")
        rate_bp = 0
    cess_rate = _decimal(c, item, "CesRt", path) * 100
    cess_bp = int(cess_rate.to_integral_value(rounding=ROUND_HALF_UP))
    p = {key: c.paise(item, key, path) for key in ("TotAmt", "Discount", "AssAmt", "TotItemVal")}
    heads = {key: c.paise(item, key, path) for key in ("CgstAmt", "SgstAmt", "IgstAmt", "CesAmt")}
    extra = sum(
        c.paise(item, key, path)
        for key in ("CesNonAdvlAmt", "StateCesAmt", "StateCesNonAdvlAmt", "OthChrg")
    )
    taxable = p["AssAmt"]
    unit_price = _decimal(c, item, "UnitPrice", path)
    qty = _decimal(c, item, "Qty", path) if "Qty" in item else Decimal(1)
    extended = int((unit_price * qty * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    c.near(f"{path}.TotAmt", p["TotAmt"], extended, "UnitPrice × Qty", TOLERANCE)
    c.near(f"{path}.AssAmt", taxable, p["TotAmt"] - p["Discount"], "TotAmt − Discount", TOLERANCE)
    if without_payment:
        expected = {"CgstAmt": 0, "SgstAmt": 0, "IgstAmt": 0}
    elif inter:
        expected = {"CgstAmt": 0, "SgstAmt": 0, "IgstAmt": _share(taxable, rate_bp, BP_PER_UNIT)}
    else:
        half = _share(taxable, rate_bp, 2 * BP_PER_UNIT)
        expected = {"CgstAmt": half, "SgstAmt": half, "IgstAmt": 0}
    expected["CesAmt"] = _share(taxable, cess_bp, BP_PER_UNIT)
    kind = "inter-state (R4, R5)" if inter else "intra-state (R4)"
    for key, want in expected.items():
        c.near(f"{path}.{key}", heads[key], want, f"AssAmt × rate, {kind}", TOLERANCE)
    c.near(
        f"{path}.TotItemVal",
        p["TotItemVal"],
        taxable + sum(heads.values()) + extra,
        "AssAmt + taxes",
        TOLERANCE,
    )
    return {
        "AssVal": taxable,
        "CgstVal": heads["CgstAmt"],
        "SgstVal": heads["SgstAmt"],
        "IgstVal": heads["IgstAmt"],
        "CesVal": heads["CesAmt"] + c.paise(item, "CesNonAdvlAmt", path),
        "StCesVal": c.paise(item, "StateCesAmt", path) + c.paise(item, "StateCesNonAdvlAmt", path),
    }
