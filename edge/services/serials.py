"""Serial numbers at the box: the bill's rules, and what this box already sold.

The rules of one bill are the kernel's (:mod:`setledger.serials`). This
module adds what only the box's database knows: a unit this box sold and
did not take back cannot be sold again here. The box's own moves say so
(a sale takes the serial out, -1 unit; a return puts it back, +1), read
through the ``stock_move_serial`` index. Another box's sale of the same
unit is not known here while offline: the hub finds it (the serial's level
goes below zero and opens a stock exception).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from edge.services.catalog import Product
from edge.store import tables as t
from setledger import errors
from setledger.serials import SerialLine, check_bill


def line_of(line_no: int, product: Product, qty: int, serial_no: str | None) -> SerialLine:
    return SerialLine(
        line_no=line_no,
        product_id=product.product_id,
        sku=product.sku,
        name=product.name,
        serial_tracked=product.serial_tracked,
        qty=qty,
        serial_no=serial_no,
    )


def sold_here(conn: Connection, product_id: str, serial_no: str) -> str | None:
    """The invoice number of this box's sale of the unit, while it is out (sold and
    not returned); None when the box holds no such sale."""
    m = t.stock_move
    out = conn.execute(
        select(func.coalesce(func.sum(m.c.qty), 0)).where(
            m.c.product_id == product_id, m.c.serial_no == serial_no
        )
    ).scalar_one()
    if int(out) >= 0:
        return None
    invoice = conn.execute(
        select(t.sale.c.invoice_no)
        .select_from(m.join(t.sale, t.sale.c.sale_id == m.c.sale_id))
        .where(m.c.product_id == product_id, m.c.serial_no == serial_no)
        .order_by(m.c.at_ms.desc())
        .limit(1)
    ).scalar()
    return str(invoice) if invoice is not None else "?"


def check_sellable(conn: Connection, lines: Sequence[SerialLine]) -> None:
    """The bill's rules, then each named unit against this box's own sales."""
    check_bill(lines)
    for line in lines:
        if line.serial_no is None:
            continue
        invoice = sold_here(conn, line.product_id, line.serial_no)
        if invoice is not None:
            raise errors.SERIAL_ALREADY_SOLD.error(
                serial_no=line.serial_no, name=line.name, invoice_no=invoice,
                product_id=line.product_id, line=line.line_no,
            )  # fmt: skip
