"""The catalog as an import file: the template's columns, one product per row,
by SKU, with the price and MRP in effect now. Importing an export changes
nothing (the tests say so).

XLSX numbers (prices, rates, shelf life) are written as numbers so a
spreadsheet can sum them; barcodes and SKUs stay text, or Excel would drop
a UPC's leading zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hub.catalog.importing import read_catalog
from hub.catalog.sheets import SheetFormat, csv_lines, xlsx_bytes
from hub.catalog.template import COLUMNS, HEADER, row_of
from hub.clock import utcnow
from hub.registry.lookup import get_org

NUMERIC = frozenset({"gst_rate", "cess_rate", "price", "mrp", "shelf_life_days"})


def catalog_rows(session: Session, org_code: str) -> list[list[str]]:
    """Every product of the org as template cells (one read transaction)."""
    with session.begin():
        org = get_org(session, org_code)
        catalog = read_catalog(session, org.org_id, utcnow())
    rows = []
    for sku in sorted(catalog.by_sku):
        existing = catalog.by_sku[sku]
        values: dict[str, Any] = dict(existing.fields)
        values.update(price=existing.price, mrp=existing.mrp, barcodes=existing.barcodes)
        rows.append(row_of(values))
    return rows


def _xlsx_cells(row: list[str]) -> list[Any]:
    return [
        (Decimal(cell) if column.name in NUMERIC and cell else cell or None)
        for column, cell in zip(COLUMNS, row, strict=True)
    ]


def export_file(session: Session, org_code: str, sheet_format: SheetFormat) -> Iterator[bytes]:
    rows = catalog_rows(session, org_code)
    if sheet_format is SheetFormat.XLSX:
        return iter([xlsx_bytes(HEADER, (_xlsx_cells(r) for r in rows))])
    return csv_lines(HEADER, rows)
