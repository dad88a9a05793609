"""The catalog import/export template: one table of columns (pure functions).

Each :class:`Column` names its header, the product field it fills, how a
cell's text becomes a value (raising :class:`CellError` with a reason code)
and how a value is written back, so an export re-imports unchanged. A new
product field is one line in :data:`COLUMNS`. ``docs/CATALOG_IMPORT.md``
describes the same table for people.

Money and rates never pass through a float: cells are parsed as text into
``Decimal`` and must be exact in paise (2 decimals) or basis points.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from hub.catalog.codes import HSN_RE, check_barcode
from setledger import errors, gst
from setledger.errors import SetLedgerError

BARCODE_SEPARATOR = "|"
MAX_BARCODES = 32
MAX_PAISE = 10**13
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
UNIT_RE = re.compile(r"^[A-Za-z]{3}$")
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})


class CellError(Exception):
    """Why one cell is refused: a stable code and words for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def of(cls, err: SetLedgerError) -> CellError:
        return cls(err.code, err.message)


# Parsers: text (already stripped, never empty) -> value ---------------------------


def text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise CellError("TOO_LONG", f"at most {limit} characters ({len(value)} given)")
        return value

    return parse


def key(value: str) -> str:
    """A SKU or a variant group: letters, digits and . _ / -, at most 64."""
    if SKU_RE.match(value) is None:
        raise CellError(
            "KEY_INVALID",
            f"{value[:70]!r}: use letters, digits and . _ / - (at most 64, starting with a "
            "letter or digit)",
        )
    return value


def unit(value: str) -> str:
    if UNIT_RE.match(value) is None:
        raise CellError("UNIT_INVALID", f"{value[:20]!r}: a unit is 3 letters, e.g. PCS or KGS")
    return value.upper()


def hsn(value: str) -> str:
    if HSN_RE.match(value) is None:
        raise CellError.of(errors.HSN_INVALID.error(hsn=value[:20]))
    return value


def yes_no(value: str) -> bool:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise CellError("YES_NO_INVALID", f"{value[:20]!r}: write yes or no")


def _decimal(value: str, places: int, what: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", "") if what == "amount" else value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise CellError("NUMBER_INVALID", f"{value[:20]!r} is not a number")
    if number < 0:
        raise CellError("NUMBER_NEGATIVE", f"{value[:20]!r}: may not be negative")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise CellError(
            "TOO_MANY_DECIMALS", f"{value[:20]!r}: at most {places} decimals for {what}"
        )
    return number


def rupees(value: str) -> int:
    """Rupees as written (28.50, 1,299) to exact paise."""
    paise = int(_decimal(value, 2, "amount") * 100)
    if paise > MAX_PAISE:
        raise CellError("NUMBER_TOO_LARGE", f"{value[:20]!r} is too large")
    return paise


def _percent_bp(value: str) -> int:
    return int(_decimal(value.removesuffix("%").strip(), 2, "a rate") * 100)


def gst_rate(value: str) -> int:
    """A GST rate in percent (5, 12, 0.25) to basis points, among the notified slabs."""
    rate_bp = _percent_bp(value)
    try:
        gst.check_rate(rate_bp)
    except SetLedgerError:
        slabs = ", ".join(percent(r) for r in sorted(gst.GST_RATES_BP))
        raise CellError(
            errors.GST_RATE_UNKNOWN.code, f"{value[:20]}% is not a GST rate (use one of {slabs})"
        ) from None
    return rate_bp


def cess_rate(value: str) -> int:
    cess_bp = _percent_bp(value)
    try:
        gst.check_cess(cess_bp)
    except SetLedgerError as err:
        raise CellError.of(err) from None
    return cess_bp


def barcodes(value: str) -> list[str]:
    codes = [c.strip() for c in value.split(BARCODE_SEPARATOR) if c.strip()]
    if len(codes) > MAX_BARCODES:
        raise CellError("TOO_MANY_BARCODES", f"at most {MAX_BARCODES} barcodes per product")
    for code in codes:
        try:
            check_barcode(code)
        except SetLedgerError as err:
            raise CellError.of(err) from None
    if len(set(codes)) != len(codes):
        raise CellError("BARCODE_REPEATED", "a barcode is listed twice")
    return codes


def whole(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not value.isdigit() or not low <= int(value) <= high:
            raise CellError("NUMBER_INVALID", f"{value[:20]!r}: a whole number {low}-{high}")
        return int(value)

    return parse


# Writers: value -> text ---------------------------------------------------------


def plain(value: Any) -> str:
    return "" if value is None else str(value)


def yes_no_text(value: Any) -> str:
    return "yes" if value else "no"


def rupees_text(paise: Any) -> str:
    if paise is None:
        return ""
    whole_part, part = divmod(int(paise), 100)
    return f"{whole_part}.{part:02d}"


def percent(rate_bp: Any) -> str:
    """Basis points as a percent without trailing zeros: 500 -> 5, 25 -> 0.25."""
    number = Decimal(int(rate_bp)) / 100
    return format(number.normalize(), "f")


def barcodes_text(codes: Any) -> str:
    return BARCODE_SEPARATOR.join(codes or [])


@dataclass(frozen=True)
class Column:
    name: str
    """The header (and the product field, unless ``field`` says otherwise)."""
    parse: Callable[[str], Any]
    show: Callable[[Any], str]
    default: Any
    """The value of an empty cell."""
    required: bool
    help: str
    field: str = ""

    @property
    def attribute(self) -> str:
        return self.field or self.name


def _c(
    name: str,
    parse: Callable[[str], Any],
    show: Callable[[Any], str] = plain,
    default: Any = None,
    *,
    required: bool = False,
    field: str = "",
    help: str = "",
) -> Column:
    return Column(name, parse, show, default, required, help, field)


COLUMNS: tuple[Column, ...] = (
    _c("sku", key, required=True, help="Your code for the product; the key of an update."),
    _c("name", text(200), required=True, help="As printed on the bill and the label."),
    _c("hsn", hsn, help="HSN code, 4, 6 or 8 digits."),
    _c("unit", unit, default="PCS", help="Unit of measure, 3 letters (PCS, KGS, LTR)."),
    _c("fractional_qty", yes_no, yes_no_text, False, help="yes for loose or weighed items."),
    _c("gst_rate", gst_rate, percent, required=True, field="gst_rate_bp", help="Percent."),
    _c("cess_rate", cess_rate, percent, 0, field="cess_bp", help="Percent, 0-300."),
    _c("price_includes_tax", yes_no, yes_no_text, True, help="yes: the price includes GST."),
    _c("price", rupees, rupees_text, required=True, help="Selling price in rupees (28.50)."),
    _c("mrp", rupees, rupees_text, help="MRP in rupees; the price may not exceed it."),
    _c(
        "barcodes",
        barcodes,
        barcodes_text,
        [],
        help="EAN-13, EAN-8, UPC-A or internal, |-separated.",
    ),
    _c("category", text(100)),
    _c("active", yes_no, yes_no_text, True, help="no: kept in the catalog, not for sale."),
    _c("variant_group", key, help="Shared by the variants of one item."),
    _c("variant", text(100), help="What tells this variant apart: 1 kg, Red / XL."),
    _c("batch_tracked", yes_no, yes_no_text, False, help="yes: stock carries batch and expiry."),
    _c("shelf_life_days", whole(1, 3650), help="Days from packing to expiry."),
    _c(
        "serial_tracked",
        yes_no,
        yes_no_text,
        False,
        help="yes: each unit sold names its serial number (not with batch_tracked).",
    ),
)
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
HEADER: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)


def parse_cell(column: Column, raw: str) -> Any:
    """The value of one cell; an empty one is the column's default (CellError if required)."""
    value = raw.strip()
    if not value:
        if column.required:
            raise CellError("REQUIRED", "this column may not be empty")
        default = column.default
        return list(default) if isinstance(default, list) else default
    return column.parse(value)


def row_of(values: dict[str, Any]) -> list[str]:
    """One product (field name -> value) as the cells of the template's columns."""
    return [c.show(values.get(c.attribute)) for c in COLUMNS]


def normal_header(cells: Sequence[str]) -> list[str]:
    return [c.strip().lower().replace(" ", "_") for c in cells]
