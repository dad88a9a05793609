"""Serial numbers on a bill: the rules a sale of serial-tracked goods must keep.

A serial-tracked product (a phone, a fridge) is sold one unit per line, and
the line names that unit's serial number, so stock, warranty and returns can
follow the unit. Pure: the box calls :func:`check_bill` with the lines of a
cart or a sale before anything is written; the first broken rule is raised
as a structured error naming the line. Whether the box already sold a
serial is the box's to look up (its own moves); a serial sold at two boxes
offline is the hub's to find (the serial's level goes below zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from setledger import errors
from setledger.money import format_quantity

ONE_UNIT = 1000
"""A serial-tracked line's quantity in milli-units."""
SERIAL_MAX = 64
"""The longest serial number kept (the contracts and the hub's lots say 64 too)."""


@dataclass(frozen=True)
class SerialLine:
    line_no: int
    product_id: str
    sku: str
    name: str
    serial_tracked: bool
    qty: int
    """Milli-units."""
    serial_no: str | None


def clean(serial_no: str | None) -> str | None:
    """A serial as typed or scanned, without the spaces around it (None when blank)."""
    if serial_no is None:
        return None
    text = serial_no.strip()
    return text or None


def check_line(line: SerialLine) -> None:
    """One line on its own: a serial for serial-tracked goods only, one unit each."""
    who = {"product_id": line.product_id, "sku": line.sku, "name": line.name, "line": line.line_no}
    if not line.serial_tracked:
        if line.serial_no is not None:
            raise errors.SERIAL_NOT_TRACKED.error(**who)
        return
    if line.serial_no is None:
        raise errors.SERIAL_REQUIRED.error(**who)
    if line.qty != ONE_UNIT:
        raise errors.SERIAL_QTY_INVALID.error(**who, qty=format_quantity(line.qty))


def check_bill(lines: Sequence[SerialLine]) -> None:
    """Every line (:func:`check_line`), and no unit twice on one bill."""
    seen: dict[tuple[str, str], int] = {}
    for line in lines:
        check_line(line)
        if line.serial_no is None:
            continue
        key = (line.product_id, line.serial_no)
        if key in seen:
            raise errors.SERIAL_TWICE_IN_BILL.error(
                serial_no=line.serial_no, name=line.name, line=seen[key],
                product_id=line.product_id, again=line.line_no,
            )  # fmt: skip
        seen[key] = line.line_no
