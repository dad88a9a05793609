"""A receipt with a serial-tracked line, byte for byte: the unit's serial number
prints under its line ("S/N ..."), the rest of the slip as for any sale.

The fixture tests/fixtures/devices/receipt_serial_58.bin is the receipt of
:func:`serial_sale` (the fixed sale of test_receipt_layout with its first
line a phone and its IMEI). Regenerate it with
``.venv/bin/python -m tests.edge.devices.test_receipt_serial`` after a
deliberate layout change, and read the decoded slip before committing.
"""

from __future__ import annotations

from edge.devices.printer.layout import receipt_bytes
from setledger.contracts.sales import SaleRecorded
from setledger.invoice import Invoice, invoice_from_sale
from tests.edge.devices.printer_emulator import decode
from tests.edge.devices.test_receipt_layout import FIXTURES, fixed_options, fixed_sale
from tests.kernel.invoice_cases import seller

FIXTURE = FIXTURES / "receipt_serial_58.bin"
IMEI = "IMEI 356938035643809"


def serial_sale() -> tuple[SaleRecorded, Invoice]:
    recorded, _ = fixed_sale()
    first, *rest = recorded.lines
    phone = first.model_copy(update={"name": "Redmi 13C 4/128 Starfrost White", "serial_no": IMEI})
    sale = recorded.model_copy(update={"lines": [phone, *rest]})
    return sale, invoice_from_sale(sale, seller())


def serial_receipt() -> bytes:
    sale, invoice = serial_sale()
    return receipt_bytes(sale, invoice, fixed_options(58))


def test_the_serial_prints_under_its_line_byte_for_byte() -> None:
    got = serial_receipt()
    assert got == FIXTURE.read_bytes()
    lines = decode(got).lines
    at = lines.index("Redmi 13C 4/128 Starfrost White")
    assert lines[at + 2] == f"  S/N {IMEI}"  # name, qty x price, then the serial
    assert sum(line.startswith("  S/N ") for line in lines) == 1
    # The same sale without the serial prints exactly the frozen receipt of any sale.
    sale, invoice = serial_sale()
    plain = sale.model_copy(
        update={"lines": [sale.lines[0].model_copy(update={"serial_no": None}), *sale.lines[1:]]}
    )
    assert "S/N" not in decode(receipt_bytes(plain, invoice, fixed_options(58))).text


if __name__ == "__main__":
    FIXTURE.write_bytes(serial_receipt())
    print(f"{FIXTURE}: {FIXTURE.stat().st_size} bytes")
    print(decode(FIXTURE.read_bytes()).text)
