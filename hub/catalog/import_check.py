"""Checking an import file, all of it, before anything is written (pure: no database).

Every problem is collected as (line, column, code, message) and checking
goes on after the first: people fix a file once, not once per error. The
checks that need the database (barcodes of products outside the file) run
in :mod:`hub.catalog.importing`, inside the writing transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hub.catalog.sheets import SheetFormat, UnreadableFile, read_rows
from hub.catalog.template import BY_NAME, REQUIRED, CellError, Column, normal_header, parse_cell

MAX_ROWS = 100_000
MAX_PROBLEMS_KEPT = 1_000
PROGRESS_EVERY = 2_000


@dataclass(frozen=True)
class Problem:
    line: int
    """As the file shows it: the header is line 1 (for XLSX, the row number)."""
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class Report:
    """The first :data:`MAX_PROBLEMS_KEPT` problems and how many there were."""

    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, line: int, column: str, code: str, message: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(line, column, code, message))

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]
    """Product field -> value, for the file's columns only."""


@dataclass
class CheckedFile:
    columns: list[Column]
    rows: list[Row]
    report: Report
    rows_total: int


Progress = Callable[[int], None]


def check_file(
    data: bytes,
    sheet_format: SheetFormat,
    *,
    max_rows: int = MAX_ROWS,
    progress: Progress | None = None,
) -> CheckedFile:
    report = Report()
    checked = CheckedFile([], [], report, 0)
    try:
        lines = read_rows(data, sheet_format)
        first = next(lines, None)
        if first is None or not any(c.strip() for c in first[1]):
            report.add(1, "", "HEADER_MISSING", "line 1 must name the columns (see the template)")
            return checked
        columns = _header(first[1], report)
        if report:
            return checked
        checked.columns = [c for c in columns if c is not None]
        _check_rows(lines, columns, checked, max_rows, progress)
    except UnreadableFile as err:
        report.add(0, "", "FILE_UNREADABLE", str(err))
    return checked


def _header(cells: list[str], report: Report) -> list[Column | None]:
    """The column of each cell position (None for blank trailing headers)."""
    columns: list[Column | None] = []
    seen: set[str] = set()
    for position, name in enumerate(normal_header(cells), start=1):
        if not name:
            columns.append(None)
            continue
        column = BY_NAME.get(name)
        if column is None:
            report.add(1, name[:64], "COLUMN_UNKNOWN", f"column {position} is not in the template")
        elif name in seen:
            report.add(1, name, "COLUMN_REPEATED", f"column {position} repeats {name!r}")
        seen.add(name)
        columns.append(column)
    for name in REQUIRED:
        if name not in seen:
            report.add(1, name, "COLUMN_MISSING", "this column is required")
    return columns


def _check_rows(
    lines: Any,
    columns: list[Column | None],
    checked: CheckedFile,
    max_rows: int,
    progress: Progress | None,
) -> None:
    report = checked.report
    first_sku: dict[str, int] = {}
    first_barcode: dict[str, int] = {}
    for line, cells in lines:
        if not any(c.strip() for c in cells):
            continue  # a blank row: Excel leaves them, nobody means a product
        checked.rows_total += 1
        if checked.rows_total > max_rows:
            report.add(line, "", "TOO_MANY_ROWS", f"at most {max_rows:,} products in one file")
            return
        values: dict[str, Any] = {}
        bad = False
        for position, raw in enumerate(cells):
            column = columns[position] if position < len(columns) else None
            if column is None:
                if raw.strip():
                    report.add(line, f"#{position + 1}", "CELL_OUTSIDE", "no column header above")
                continue
            try:
                values[column.attribute] = parse_cell(column, raw)
            except CellError as err:
                report.add(line, column.name, err.code, err.message)
                bad = True
        for column in columns[len(cells) :]:
            if column is not None:  # a short row: the rest reads as empty
                try:
                    values[column.attribute] = parse_cell(column, "")
                except CellError as err:
                    report.add(line, column.name, err.code, err.message)
                    bad = True
        bad = _duplicates(line, values, first_sku, first_barcode, report) or bad
        price, mrp = values.get("price"), values.get("mrp")
        if price is not None and mrp is not None and price > mrp:
            report.add(line, "price", "PRICE_ABOVE_MRP", "the price is above the MRP")
            bad = True
        if not bad:
            checked.rows.append(Row(line, values))
        if progress is not None and checked.rows_total % PROGRESS_EVERY == 0:
            progress(checked.rows_total)


def _duplicates(
    line: int,
    values: dict[str, Any],
    first_sku: dict[str, int],
    first_barcode: dict[str, int],
    report: Report,
) -> bool:
    """SKUs and barcodes may appear once in a file (the later line is reported)."""
    bad = False
    sku = values.get("sku")
    if sku is not None:
        # SKUs are compared as written: the database's key is case-sensitive.
        earlier = first_sku.setdefault(sku, line)
        if earlier != line:
            report.add(line, "sku", "DUPLICATE_IN_FILE", f"SKU {sku!r} is also on line {earlier}")
            bad = True
    for code in values.get("barcodes") or []:
        earlier = first_barcode.setdefault(code, line)
        if earlier != line:
            report.add(
                line, "barcodes", "DUPLICATE_IN_FILE", f"barcode {code} is also on line {earlier}"
            )
            bad = True
    return bad
