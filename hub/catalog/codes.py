"""HSN codes and barcodes: format and check digits (pure functions)."""

from __future__ import annotations

import re

from setledger import errors

HSN_RE = re.compile(r"^[0-9]{4}(?:[0-9]{2}){0,2}$")
INTERNAL_CODE_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# All-digit codes of these lengths are GS1 numbers and must carry a valid
# check digit: a misread or mistyped EAN would otherwise name a product.
GS1_LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}


def check_hsn(hsn: str | None) -> None:
    if hsn is not None and HSN_RE.match(hsn) is None:
        raise errors.HSN_INVALID.error(hsn=hsn)


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of the digits before it (EAN-8/13, UPC-A)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        # Weights alternate 3, 1, ... counting from the digit next to the check digit.
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def check_barcode(code: str) -> None:
    if INTERNAL_CODE_RE.match(code) is None:
        raise errors.BARCODE_INVALID.error(
            barcode=code, reason="use letters, digits and '-' only, at most 32"
        )
    kind = GS1_LENGTHS.get(len(code))
    if kind is not None and code.isdigit() and gs1_check_digit(code[:-1]) != int(code[-1]):
        raise errors.BARCODE_INVALID.error(barcode=code, reason=f"wrong {kind} check digit")


def check_barcodes(codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        check_barcode(code)
        if code in seen:
            raise errors.BARCODE_INVALID.error(barcode=code, reason="listed twice")
        seen.add(code)
