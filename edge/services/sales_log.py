"""Reading recorded sales back: by id, by invoice number, by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, func, select

from edge.store import tables as t


@dataclass(frozen=True)
class SaleRow:
    sale_id: str
    invoice_no: str
    sold_at: str
    business_date: str
    payable: int
    change: int


def list_sales(
    conn: Connection,
    *,
    day: date | None = None,
    invoice_no: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[SaleRow], int, int]:
    """A page of sales (newest first) plus the count and total of all that match."""
    where = []
    if day is not None:
        where.append(t.sale.c.business_date == day.isoformat())
    if invoice_no is not None:
        where.append(t.sale.c.invoice_no == invoice_no)
    count, payable = conn.execute(
        select(func.count(), func.coalesce(func.sum(t.sale.c.payable), 0)).where(*where)
    ).one()
    rows = conn.execute(
        select(
            t.sale.c.sale_id,
            t.sale.c.invoice_no,
            t.sale.c.sold_at,
            t.sale.c.business_date,
            t.sale.c.payable,
            t.sale.c.change,
        )
        .where(*where)
        .order_by(t.sale.c.hlc.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [SaleRow(*r) for r in rows], int(count), int(payable)
